; Hand-written control flow with known Autophase features (see test_features.py: CFG_EXPECTED).
; @f: a diamond into a switch whose two cases share a target (2 edges, 1 block), critical edges.
; @g: a three-predecessor join with 6 phi arguments, calls, memory and 64-bit constants.

declare i32 @ext(i64)
declare void @sink(ptr)

define i32 @f(i32 %x, i1 %c) {
entry:
  br i1 %c, label %a, label %join
a:
  %y = add i32 %x, 1
  br label %join
join:
  %p = phi i32 [ %x, %entry ], [ %y, %a ]
  switch i32 %p, label %d [
    i32 0, label %s0
    i32 7, label %s0
  ]
s0:
  br label %exit
d:
  br label %exit
exit:
  %r = phi i32 [ 0, %s0 ], [ %p, %d ]
  ret i32 %r
}

define i64 @g(i64 %n, ptr %p) {
entry:
  %slot = alloca i64
  store i64 %n, ptr %slot
  %v = load i64, ptr %slot
  %c0 = icmp eq i64 %v, 0
  br i1 %c0, label %b1, label %b2
b1:
  %r = call i32 @ext(i64 1)
  %c1 = icmp sgt i32 %r, 0
  br i1 %c1, label %m, label %b2
b2:
  %q = getelementptr i8, ptr %p, i64 8
  call void @sink(ptr %q)
  %c2 = icmp ult i64 %n, 100
  br i1 %c2, label %m, label %t
t:
  %tr = trunc i64 %n to i32
  %z = zext i32 %tr to i64
  br label %m
m:
  %a1 = phi i64 [ 1, %b1 ], [ 2, %b2 ], [ %z, %t ]
  %a2 = phi i64 [ 0, %b1 ], [ %n, %b2 ], [ %n, %t ]
  %s = add i64 %a1, %a2
  ret i64 %s
}
