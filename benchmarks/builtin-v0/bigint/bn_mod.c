/* bn_mod.c: gcd (Euclid and binary), modular inverse by the extended
 * Euclidean algorithm with signed cofactors, and modular exponentiation:
 * right-to-left binary, left-to-right sliding window, and Montgomery. */
#include <stdlib.h>
#include <string.h>
#include "bigint.h"

unsigned long long bn_mont_muls = 0;

void bn_gcd(bn *r, const bn *a, const bn *b)
{
    bn x, y, t;
    bn_init(&x); bn_init(&y); bn_init(&t);
    bn_copy(&x, a);
    bn_copy(&y, b);
    while (!bn_is_zero(&y)) {
        bn_mod(&t, &x, &y);
        bn_swap(&x, &y);
        bn_swap(&y, &t);
    }
    bn_swap(r, &x);
    bn_free(&x); bn_free(&y); bn_free(&t);
}

static int trailing_zeros(const bn *a)
{
    int z = 0;
    for (int i = 0; i < a->n; i++) {
        if (a->d[i] == 0) {
            z += 32;
            continue;
        }
        uint32_t v = a->d[i];
        while (!(v & 1u)) {
            v >>= 1;
            z++;
        }
        break;
    }
    return z;
}

void bn_gcd_binary(bn *r, const bn *a, const bn *b)
{
    if (bn_is_zero(a)) {
        bn_copy(r, b);
        return;
    }
    if (bn_is_zero(b)) {
        bn_copy(r, a);
        return;
    }
    bn u, v;
    bn_init(&u); bn_init(&v);
    bn_copy(&u, a);
    bn_copy(&v, b);
    int za = trailing_zeros(&u), zb = trailing_zeros(&v);
    int k = za < zb ? za : zb;
    bn_shr(&u, &u, za);
    bn_shr(&v, &v, zb);
    for (;;) {
        /* both odd */
        int c = bn_cmp(&u, &v);
        if (c == 0) break;
        if (c > 0) bn_swap(&u, &v);
        bn_sub(&v, &v, &u);
        bn_shr(&v, &v, trailing_zeros(&v));
    }
    bn_shl(r, &u, k);
    bn_free(&u); bn_free(&v);
}

/* signed helper: value = (neg ? -mag : mag) */
typedef struct {
    bn mag;
    int neg;
} sbn;

static void sbn_sub_mul(sbn *r, const sbn *a, const bn *q, const sbn *b)
{
    /* r = a - q*b */
    bn prod;
    bn_init(&prod);
    bn_mul(&prod, q, &b->mag);
    int pneg = b->neg;
    sbn res;
    bn_init(&res.mag);
    if (a->neg != pneg) {
        /* a - (prod) where signs differ: magnitudes add, sign of a */
        bn_add(&res.mag, &a->mag, &prod);
        res.neg = a->neg;
    } else if (bn_cmp(&a->mag, &prod) >= 0) {
        bn_sub(&res.mag, &a->mag, &prod);
        res.neg = a->neg;
    } else {
        bn_sub(&res.mag, &prod, &a->mag);
        res.neg = !a->neg;
    }
    if (bn_is_zero(&res.mag)) res.neg = 0;
    bn_swap(&r->mag, &res.mag);
    r->neg = res.neg;
    bn_free(&res.mag);
    bn_free(&prod);
}

int bn_modinv(bn *r, const bn *a, const bn *m)
{
    bn old_r, cur_r, q, t;
    sbn old_s, cur_s, tmp;
    bn_init(&old_r); bn_init(&cur_r); bn_init(&q); bn_init(&t);
    bn_init(&old_s.mag); bn_init(&cur_s.mag); bn_init(&tmp.mag);
    bn_mod(&old_r, a, m);
    bn_copy(&cur_r, m);
    bn_set_u32(&old_s.mag, 1);
    old_s.neg = 0;
    bn_set_u32(&cur_s.mag, 0);
    cur_s.neg = 0;
    /* invariant: old_s * a == old_r (mod m) */
    while (!bn_is_zero(&cur_r)) {
        bn_divmod(&q, &t, &old_r, &cur_r);
        bn_swap(&old_r, &cur_r);
        bn_swap(&cur_r, &t);
        sbn_sub_mul(&tmp, &old_s, &q, &cur_s);
        bn_swap(&old_s.mag, &cur_s.mag);
        old_s.neg = cur_s.neg;
        bn_swap(&cur_s.mag, &tmp.mag);
        cur_s.neg = tmp.neg;
    }
    int ok = bn_cmp_u32(&old_r, 1) == 0;
    if (ok) {
        if (old_s.neg) {
            bn_mod(&old_s.mag, &old_s.mag, m);
            if (!bn_is_zero(&old_s.mag)) bn_sub(&old_s.mag, m, &old_s.mag);
        } else {
            bn_mod(&old_s.mag, &old_s.mag, m);
        }
        bn_copy(r, &old_s.mag);
    }
    bn_free(&old_r); bn_free(&cur_r); bn_free(&q); bn_free(&t);
    bn_free(&old_s.mag); bn_free(&cur_s.mag); bn_free(&tmp.mag);
    return ok ? 0 : -1;
}

void bn_modmul(bn *r, const bn *a, const bn *b, const bn *m)
{
    bn t;
    bn_init(&t);
    bn_mul(&t, a, b);
    bn_mod(r, &t, m);
    bn_free(&t);
}

void bn_modexp_plain(bn *r, const bn *base, const bn *exp, const bn *m)
{
    bn result, b;
    bn_init(&result); bn_init(&b);
    bn_set_u32(&result, 1);
    bn_mod(&result, &result, m);
    bn_mod(&b, base, m);
    int bits = bn_bits(exp);
    for (int i = 0; i < bits; i++) {
        if (bn_test_bit(exp, i)) bn_modmul(&result, &result, &b, m);
        if (i + 1 < bits) bn_modmul(&b, &b, &b, m);
    }
    bn_swap(r, &result);
    bn_free(&result); bn_free(&b);
}

#define WIN 4

void bn_modexp_window(bn *r, const bn *base, const bn *exp, const bn *m)
{
    bn table[1 << (WIN - 1)], b2, result;
    for (int i = 0; i < (1 << (WIN - 1)); i++) bn_init(&table[i]);
    bn_init(&b2); bn_init(&result);
    /* table[i] = base^(2i+1) */
    bn_mod(&table[0], base, m);
    bn_modmul(&b2, &table[0], &table[0], m);
    for (int i = 1; i < (1 << (WIN - 1)); i++) bn_modmul(&table[i], &table[i - 1], &b2, m);
    bn_set_u32(&result, 1);
    bn_mod(&result, &result, m);
    int i = bn_bits(exp) - 1;
    while (i >= 0) {
        if (!bn_test_bit(exp, i)) {
            bn_modmul(&result, &result, &result, m);
            i--;
            continue;
        }
        /* find the longest window [i..l] with l >= i-WIN+1 ending in a 1 bit */
        int l = i - WIN + 1 < 0 ? 0 : i - WIN + 1;
        while (!bn_test_bit(exp, l)) l++;
        int val = 0;
        for (int k = i; k >= l; k--) {
            val = (val << 1) | bn_test_bit(exp, k);
            bn_modmul(&result, &result, &result, m);
        }
        bn_modmul(&result, &result, &table[val >> 1], m);
        i = l - 1;
    }
    bn_swap(r, &result);
    for (int k = 0; k < (1 << (WIN - 1)); k++) bn_free(&table[k]);
    bn_free(&b2); bn_free(&result);
}

/* ---------------- Montgomery arithmetic ---------------- */
typedef struct {
    const bn *m;
    int k;           /* limbs of m */
    uint32_t m0inv;  /* -m^{-1} mod 2^32 */
    uint32_t *t;     /* scratch, 2k+2 limbs */
} mont_ctx;

static void mont_mul(const mont_ctx *c, uint32_t *out, const uint32_t *a, const uint32_t *b)
{
    int k = c->k;
    uint32_t *t = c->t;
    const uint32_t *m = c->m->d;
    memset(t, 0, (size_t)(2 * k + 2) * sizeof(uint32_t));
    /* CIOS: interleaved multiplication and reduction */
    for (int i = 0; i < k; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < k; j++) {
            uint64_t p = (uint64_t)a[j] * b[i] + t[j] + carry;
            t[j] = (uint32_t)p;
            carry = p >> 32;
        }
        uint64_t s = (uint64_t)t[k] + carry;
        t[k] = (uint32_t)s;
        t[k + 1] = (uint32_t)(s >> 32);
        uint32_t u = t[0] * c->m0inv;
        carry = ((uint64_t)u * m[0] + t[0]) >> 32;
        for (int j = 1; j < k; j++) {
            uint64_t p = (uint64_t)u * m[j] + t[j] + carry;
            t[j - 1] = (uint32_t)p;
            carry = p >> 32;
        }
        s = (uint64_t)t[k] + carry;
        t[k - 1] = (uint32_t)s;
        t[k] = t[k + 1] + (uint32_t)(s >> 32);
    }
    /* conditional subtraction */
    int ge = t[k] != 0;
    if (!ge) {
        ge = 1;
        for (int i = k - 1; i >= 0; i--)
            if (t[i] != m[i]) {
                ge = t[i] > m[i];
                break;
            }
    }
    if (ge) {
        uint64_t borrow = 0;
        for (int i = 0; i < k; i++) {
            uint64_t d = (uint64_t)t[i] - m[i] - borrow;
            out[i] = (uint32_t)d;
            borrow = (d >> 63) & 1u;
        }
    } else {
        memcpy(out, t, (size_t)k * sizeof(uint32_t));
    }
    bn_mont_muls++;
}

static void to_limbs(const bn *a, uint32_t *out, int k)
{
    memset(out, 0, (size_t)k * sizeof(uint32_t));
    memcpy(out, a->d, (size_t)(a->n < k ? a->n : k) * sizeof(uint32_t));
}

int bn_modexp_mont(bn *r, const bn *base, const bn *exp, const bn *m)
{
    if (!bn_is_odd(m)) return -1;
    mont_ctx c;
    c.m = m;
    c.k = m->n;
    uint32_t inv = 1, m0 = m->d[0];
    for (int i = 0; i < 5; i++) inv *= 2u - m0 * inv;
    c.m0inv = 0u - inv;
    int k = c.k;
    c.t = malloc((size_t)(2 * k + 2) * sizeof(uint32_t));
    uint32_t *x = malloc((size_t)k * sizeof(uint32_t)), *acc = malloc((size_t)k * sizeof(uint32_t));
    uint32_t *r2 = malloc((size_t)k * sizeof(uint32_t)), *one = calloc((size_t)k, sizeof(uint32_t));
    if (!c.t || !x || !acc || !r2 || !one) exit(2);
    /* R^2 mod m with R = 2^(32k) */
    bn R2, bm;
    bn_init(&R2); bn_init(&bm);
    bn_set_u32(&R2, 1);
    bn_shl(&R2, &R2, 64 * k);
    bn_mod(&R2, &R2, m);
    to_limbs(&R2, r2, k);
    bn_mod(&bm, base, m);
    to_limbs(&bm, x, k);
    one[0] = 1;
    mont_mul(&c, x, x, r2);      /* x in Montgomery form */
    mont_mul(&c, acc, one, r2);  /* 1 in Montgomery form */
    for (int i = bn_bits(exp) - 1; i >= 0; i--) {
        mont_mul(&c, acc, acc, acc);
        if (bn_test_bit(exp, i)) mont_mul(&c, acc, acc, x);
    }
    mont_mul(&c, acc, acc, one); /* leave Montgomery form */
    bn_reserve(r, k);
    memcpy(r->d, acc, (size_t)k * sizeof(uint32_t));
    r->n = k;
    bn_normalize(r);
    free(c.t); free(x); free(acc); free(r2); free(one);
    bn_free(&R2); bn_free(&bm);
    return 0;
}
