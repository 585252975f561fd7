/* Five lines that make -O3 and -Oz unroll a loop 2000 times: the baselines take tens of seconds, and must
   stay within the environment's timeout, in the worker. */
int f(int *a, int n) {
  int s = 0;
#pragma clang loop unroll_count(2000)
  for (int i = 0; i < n; i++) s += a[i] * i;
  return s;
}
