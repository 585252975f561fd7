/* bn_mul.c: multiplication -- by a single limb, schoolbook, dedicated
 * squaring, and Karatsuba for large operands. */
#include <stdlib.h>
#include <string.h>
#include "bigint.h"

#define KARATSUBA_THRESHOLD 24

void bn_mul_u32(bn *r, const bn *a, uint32_t v)
{
    bn t;
    bn_init(&t);
    bn_reserve(&t, a->n + 1);
    uint64_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t p = (uint64_t)a->d[i] * v + carry;
        t.d[i] = (uint32_t)p;
        carry = p >> 32;
    }
    t.d[a->n] = (uint32_t)carry;
    t.n = a->n + 1;
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
}

void bn_mul_school(bn *r, const bn *a, const bn *b)
{
    if (a->n == 0 || b->n == 0) {
        bn_set_u32(r, 0);
        return;
    }
    bn t;
    bn_init(&t);
    bn_reserve(&t, a->n + b->n);
    memset(t.d, 0, (size_t)(a->n + b->n) * sizeof(uint32_t));
    for (int i = 0; i < a->n; i++) {
        uint64_t carry = 0, ai = a->d[i];
        for (int j = 0; j < b->n; j++) {
            uint64_t p = ai * b->d[j] + t.d[i + j] + carry;
            t.d[i + j] = (uint32_t)p;
            carry = p >> 32;
        }
        t.d[i + b->n] = (uint32_t)carry;
    }
    t.n = a->n + b->n;
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
}

/* squaring: off-diagonal products once, doubled, then the diagonal */
void bn_sqr(bn *r, const bn *a)
{
    int n = a->n;
    if (n == 0) {
        bn_set_u32(r, 0);
        return;
    }
    bn t;
    bn_init(&t);
    bn_reserve(&t, 2 * n);
    memset(t.d, 0, (size_t)(2 * n) * sizeof(uint32_t));
    for (int i = 0; i < n; i++) {
        uint64_t carry = 0, ai = a->d[i];
        for (int j = i + 1; j < n; j++) {
            uint64_t p = ai * a->d[j] + t.d[i + j] + carry;
            t.d[i + j] = (uint32_t)p;
            carry = p >> 32;
        }
        t.d[i + n] = (uint32_t)carry;
    }
    /* double */
    uint32_t top = 0;
    for (int i = 0; i < 2 * n; i++) {
        uint32_t v = t.d[i];
        t.d[i] = (v << 1) | top;
        top = v >> 31;
    }
    /* add squares of the diagonal */
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
        uint64_t sq = (uint64_t)a->d[i] * a->d[i];
        uint64_t lo = (uint64_t)t.d[2 * i] + (uint32_t)sq + carry;
        t.d[2 * i] = (uint32_t)lo;
        uint64_t hi = (uint64_t)t.d[2 * i + 1] + (sq >> 32) + (lo >> 32);
        t.d[2 * i + 1] = (uint32_t)hi;
        carry = hi >> 32;
    }
    t.n = 2 * n;
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
}

static void split(const bn *a, int h, bn *lo, bn *hi)
{
    int nl = a->n < h ? a->n : h;
    bn_reserve(lo, nl > 0 ? nl : 1);
    if (nl) memcpy(lo->d, a->d, (size_t)nl * sizeof(uint32_t));
    lo->n = nl;
    bn_normalize(lo);
    int nh = a->n > h ? a->n - h : 0;
    bn_reserve(hi, nh > 0 ? nh : 1);
    if (nh) memcpy(hi->d, a->d + h, (size_t)nh * sizeof(uint32_t));
    hi->n = nh;
}

void bn_mul_karatsuba(bn *r, const bn *a, const bn *b)
{
    int n = a->n > b->n ? a->n : b->n;
    if (a->n < KARATSUBA_THRESHOLD || b->n < KARATSUBA_THRESHOLD) {
        bn_mul_school(r, a, b);
        return;
    }
    int h = n / 2;
    bn a0, a1, b0, b1, z0, z1, z2, sa, sb;
    bn_init(&a0); bn_init(&a1); bn_init(&b0); bn_init(&b1);
    bn_init(&z0); bn_init(&z1); bn_init(&z2); bn_init(&sa); bn_init(&sb);
    split(a, h, &a0, &a1);
    split(b, h, &b0, &b1);
    bn_mul_karatsuba(&z0, &a0, &b0);
    bn_mul_karatsuba(&z2, &a1, &b1);
    bn_add(&sa, &a0, &a1);
    bn_add(&sb, &b0, &b1);
    bn_mul_karatsuba(&z1, &sa, &sb);
    bn_sub(&z1, &z1, &z0);
    bn_sub(&z1, &z1, &z2);
    bn_shl(&z2, &z2, 64 * h);
    bn_shl(&z1, &z1, 32 * h);
    bn_add(&z2, &z2, &z1);
    bn_add(r, &z2, &z0);
    bn_free(&a0); bn_free(&a1); bn_free(&b0); bn_free(&b1);
    bn_free(&z0); bn_free(&z1); bn_free(&z2); bn_free(&sa); bn_free(&sb);
}

void bn_mul(bn *r, const bn *a, const bn *b)
{
    if (a == b) {
        bn_sqr(r, a);
        return;
    }
    if (a->n >= KARATSUBA_THRESHOLD && b->n >= KARATSUBA_THRESHOLD) bn_mul_karatsuba(r, a, b);
    else bn_mul_school(r, a, b);
}
