/* A small C program with varied IR: loops, a switch, floats, structs, function pointers, varargs,
 * 64-bit and 128-bit arithmetic, recursion. Compiled by the tests at several -O levels. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct point { double x, y; int tag; };

static int classify(int c) {
    switch (c) {
    case 'a': case 'e': case 'i': case 'o': case 'u': return 1;
    case ' ': return 2;
    case '\n': return 3;
    default: return c >= '0' && c <= '9' ? 4 : 0;
    }
}

static double norm2(const struct point *p, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += p[i].x * p[i].x - p[i].y * -p[i].y;
    return s;
}

static int sum_ints(int n, ...) {
    va_list ap;
    va_start(ap, n);
    int s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, int);
    va_end(ap);
    return s;
}

static uint64_t mix64(uint64_t x) {
    __uint128_t wide = (__uint128_t)x * 0x9E3779B97F4A7C15ULL;
    return (uint64_t)(wide >> 64) ^ (uint64_t)wide ^ (x >> 7) ^ (x << 3);
}

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

typedef int (*op_fn)(int, int);
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "hello world 42\n";
    int counts[5] = {0};
    for (size_t i = 0; i < strlen(text); i++) counts[classify((unsigned char)text[i])]++;
    struct point pts[4];
    for (int i = 0; i < 4; i++) pts[i] = (struct point){i * 0.5, (double)-i, i};
    op_fn ops[3] = {add, sub, mul};
    int acc = 1;
    for (int i = 0; i < 9; i++) acc = ops[i % 3](acc, i + counts[i % 5]);
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < acc % 17 + 3; i++) h = mix64(h + (uint64_t)i);
    float f = (float)norm2(pts, 4);
    printf("%d %d %u %llu %.3f %d\n", acc, sum_ints(3, counts[0], counts[1], counts[4]), fib(12),
           (unsigned long long)(h % 1000003), (double)f, pts[3].tag);
    return 0;
}
