/* An inlining bomb: a binary tree of always_inline calls, 2^19 leaves. One always-inline pass makes the
   module grow without bound (about 1.3 GB at this depth, doubling with each level): the worker's memory
   limit must stop it. */
#define A __attribute__((always_inline)) static inline
A int f0(int x) { return x * 3 + 1; }
A int f1(int x) { return f0(x) + f0(x ^ 1); }
A int f2(int x) { return f1(x) + f1(x ^ 2); }
A int f3(int x) { return f2(x) + f2(x ^ 3); }
A int f4(int x) { return f3(x) + f3(x ^ 4); }
A int f5(int x) { return f4(x) + f4(x ^ 5); }
A int f6(int x) { return f5(x) + f5(x ^ 6); }
A int f7(int x) { return f6(x) + f6(x ^ 7); }
A int f8(int x) { return f7(x) + f7(x ^ 8); }
A int f9(int x) { return f8(x) + f8(x ^ 9); }
A int f10(int x) { return f9(x) + f9(x ^ 10); }
A int f11(int x) { return f10(x) + f10(x ^ 11); }
A int f12(int x) { return f11(x) + f11(x ^ 12); }
A int f13(int x) { return f12(x) + f12(x ^ 13); }
A int f14(int x) { return f13(x) + f13(x ^ 14); }
A int f15(int x) { return f14(x) + f14(x ^ 15); }
A int f16(int x) { return f15(x) + f15(x ^ 16); }
A int f17(int x) { return f16(x) + f16(x ^ 17); }
A int f18(int x) { return f17(x) + f17(x ^ 18); }
A int f19(int x) { return f18(x) + f18(x ^ 19); }
int entry(int x) { return f19(x); }
