; Hand-written: a block with 4 phis (8 arguments) and 18 instructions, binary operators with constant
; operands, an i128 constant, and unary instructions (fneg, freeze, casts). See test_features.py.

define i32 @h(i1 %c, i32 %x) {
entry:
  br i1 %c, label %l, label %r
l:
  br label %j
r:
  br label %j
j:
  %p1 = phi i32 [ 1, %l ], [ 2, %r ]
  %p2 = phi i32 [ 3, %l ], [ 4, %r ]
  %p3 = phi i32 [ 5, %l ], [ 6, %r ]
  %p4 = phi i32 [ %x, %l ], [ 0, %r ]
  %s1 = add i32 %p1, %p2
  %s2 = sub i32 %s1, %p3
  %s3 = mul i32 %s2, %p4
  %s4 = xor i32 %s3, -1
  %s5 = shl i32 %s4, 2
  %s6 = lshr i32 %s5, 1
  %s7 = ashr i32 %s6, 1
  %s8 = and i32 %s7, 255
  %s9 = or i32 %s8, 16
  %w = zext i32 %s9 to i128
  %w2 = add i128 %w, 1
  %t = trunc i128 %w2 to i32
  %sel = select i1 %c, i32 %t, i32 0
  ret i32 %sel
}

define float @u(float %f, i32 %x) {
  %n = fneg float %f
  %fr = freeze i32 %x
  %c = sitofp i32 %fr to float
  %s = fadd float %n, %c
  ret float %s
}
