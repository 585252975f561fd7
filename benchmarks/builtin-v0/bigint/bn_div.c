/* bn_div.c: division by a limb and Knuth's Algorithm D (TAOCP 4.3.1). */
#include <stdlib.h>
#include <string.h>
#include "bigint.h"

uint32_t bn_divmod_u32(bn *q, const bn *a, uint32_t v)
{
    bn t;
    bn_init(&t);
    bn_reserve(&t, a->n > 0 ? a->n : 1);
    uint64_t rem = 0;
    for (int i = a->n - 1; i >= 0; i--) {
        uint64_t cur = (rem << 32) | a->d[i];
        t.d[i] = (uint32_t)(cur / v);
        rem = cur % v;
    }
    t.n = a->n;
    bn_normalize(&t);
    if (q) bn_swap(q, &t);
    bn_free(&t);
    return (uint32_t)rem;
}

uint32_t bn_mod_u32(const bn *a, uint32_t v)
{
    uint64_t rem = 0;
    for (int i = a->n - 1; i >= 0; i--) rem = ((rem << 32) | a->d[i]) % v;
    return (uint32_t)rem;
}

static int clz32(uint32_t x)
{
    int n = 0;
    if (x == 0) return 32;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

int bn_divmod(bn *q, bn *r, const bn *a, const bn *b)
{
    if (b->n == 0) return -1;
    if (bn_cmp(a, b) < 0) {
        if (r) bn_copy(r, a);
        if (q) bn_set_u32(q, 0);
        return 0;
    }
    if (b->n == 1) {
        bn t;
        bn_init(&t);
        uint32_t rem = bn_divmod_u32(&t, a, b->d[0]);
        if (q) bn_swap(q, &t);
        if (r) bn_set_u32(r, rem);
        bn_free(&t);
        return 0;
    }
    int n = b->n, m = a->n - b->n;
    int s = clz32(b->d[n - 1]);
    uint32_t *v = malloc((size_t)n * sizeof(uint32_t));
    uint32_t *u = malloc((size_t)(a->n + 1) * sizeof(uint32_t));
    uint32_t *qd = calloc((size_t)(m + 1), sizeof(uint32_t));
    if (!v || !u || !qd) exit(2);
    /* normalize */
    for (int i = n - 1; i > 0; i--) v[i] = s ? (b->d[i] << s) | (b->d[i - 1] >> (32 - s)) : b->d[i];
    v[0] = b->d[0] << s;
    u[a->n] = s ? a->d[a->n - 1] >> (32 - s) : 0;
    for (int i = a->n - 1; i > 0; i--) u[i] = s ? (a->d[i] << s) | (a->d[i - 1] >> (32 - s)) : a->d[i];
    u[0] = a->d[0] << s;

    const uint64_t B = 1ull << 32;
    for (int j = m; j >= 0; j--) {
        uint64_t num = ((uint64_t)u[j + n] << 32) | u[j + n - 1];
        uint64_t qhat = num / v[n - 1], rhat = num % v[n - 1];
        while (qhat >= B || qhat * v[n - 2] > ((rhat << 32) | u[j + n - 2])) {
            qhat--;
            rhat += v[n - 1];
            if (rhat >= B) break;
        }
        /* multiply and subtract */
        uint64_t carry = 0, borrow = 0;
        for (int i = 0; i < n; i++) {
            uint64_t p = qhat * v[i] + carry;
            carry = p >> 32;
            uint64_t t = (uint64_t)u[i + j] - (p & 0xFFFFFFFFu) - borrow;
            u[i + j] = (uint32_t)t;
            borrow = (t >> 63) & 1u;
        }
        uint64_t t = (uint64_t)u[j + n] - carry - borrow;
        u[j + n] = (uint32_t)t;
        if (t >> 63) {
            /* add back */
            qhat--;
            uint64_t c = 0;
            for (int i = 0; i < n; i++) {
                uint64_t sum = (uint64_t)u[i + j] + v[i] + c;
                u[i + j] = (uint32_t)sum;
                c = sum >> 32;
            }
            u[j + n] = (uint32_t)((uint64_t)u[j + n] + c);
        }
        qd[j] = (uint32_t)qhat;
    }
    if (q) {
        bn_reserve(q, m + 1);
        memcpy(q->d, qd, (size_t)(m + 1) * sizeof(uint32_t));
        q->n = m + 1;
        bn_normalize(q);
    }
    if (r) {
        bn_reserve(r, n);
        for (int i = 0; i < n; i++) r->d[i] = s ? (u[i] >> s) | (u[i + 1] << (32 - s)) : u[i];
        r->n = n;
        bn_normalize(r);
    }
    free(v);
    free(u);
    free(qd);
    return 0;
}

void bn_mod(bn *r, const bn *a, const bn *m)
{
    bn_divmod(NULL, r, a, m);
}
