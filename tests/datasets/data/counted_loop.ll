; A loop of exactly 10 iterations, written by hand for the dynamic-cost tests: the entry block (1
; instruction) and the exit block (1) run once, the loop block (4) ten times: 42 instructions executed.
define i32 @main() {
entry:
  br label %loop

loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, 10
  br i1 %done, label %exit, label %loop

exit:
  ret i32 0
}
