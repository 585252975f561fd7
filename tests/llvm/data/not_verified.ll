; Parses, but %a uses %b before it is defined: the verifier rejects it.
define i32 @bad() {
  %a = add i32 %b, 1
  %b = add i32 %a, 1
  ret i32 %a
}
