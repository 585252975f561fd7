/* bn_core.c: allocation, comparison, addition/subtraction, shifts and
 * conversions (hex, decimal, big-endian bytes). */
#include <stdlib.h>
#include <string.h>
#include "bigint.h"

void bn_init(bn *a)
{
    a->n = 0;
    a->cap = 0;
    a->d = NULL;
}

void bn_free(bn *a)
{
    free(a->d);
    bn_init(a);
}

void bn_reserve(bn *a, int limbs)
{
    if (limbs <= a->cap) return;
    int nc = a->cap ? a->cap : 4;
    while (nc < limbs) nc *= 2;
    uint32_t *nd = realloc(a->d, (size_t)nc * sizeof(uint32_t));
    if (!nd) exit(2);
    memset(nd + a->cap, 0, (size_t)(nc - a->cap) * sizeof(uint32_t));
    a->d = nd;
    a->cap = nc;
}

void bn_normalize(bn *a)
{
    while (a->n > 0 && a->d[a->n - 1] == 0) a->n--;
}

void bn_set_u32(bn *a, uint32_t v)
{
    bn_reserve(a, 1);
    a->d[0] = v;
    a->n = v ? 1 : 0;
}

void bn_set_u64(bn *a, uint64_t v)
{
    bn_reserve(a, 2);
    a->d[0] = (uint32_t)v;
    a->d[1] = (uint32_t)(v >> 32);
    a->n = 2;
    bn_normalize(a);
}

void bn_copy(bn *r, const bn *a)
{
    if (r == a) return;
    bn_reserve(r, a->n);
    if (a->n) memcpy(r->d, a->d, (size_t)a->n * sizeof(uint32_t));
    r->n = a->n;
}

void bn_swap(bn *a, bn *b)
{
    bn t = *a;
    *a = *b;
    *b = t;
}

int bn_is_zero(const bn *a) { return a->n == 0; }
int bn_is_odd(const bn *a) { return a->n > 0 && (a->d[0] & 1u); }

int bn_cmp(const bn *a, const bn *b)
{
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

int bn_cmp_u32(const bn *a, uint32_t v)
{
    if (a->n > 1) return 1;
    uint32_t x = a->n ? a->d[0] : 0;
    return x < v ? -1 : x > v;
}

int bn_bits(const bn *a)
{
    if (a->n == 0) return 0;
    uint32_t top = a->d[a->n - 1];
    int b = 0;
    while (top) {
        b++;
        top >>= 1;
    }
    return (a->n - 1) * 32 + b;
}

int bn_test_bit(const bn *a, int bit)
{
    int limb = bit / 32;
    if (limb >= a->n) return 0;
    return (a->d[limb] >> (bit % 32)) & 1u;
}

void bn_set_bit(bn *a, int bit)
{
    int limb = bit / 32;
    bn_reserve(a, limb + 1);
    while (a->n <= limb) a->d[a->n++] = 0;
    a->d[limb] |= 1u << (bit % 32);
}

void bn_add(bn *r, const bn *a, const bn *b)
{
    if (a->n < b->n) {
        const bn *t = a;
        a = b;
        b = t;
    }
    bn t;
    bn_init(&t);
    bn_reserve(&t, a->n + 1);
    uint64_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t s = (uint64_t)a->d[i] + (i < b->n ? b->d[i] : 0) + carry;
        t.d[i] = (uint32_t)s;
        carry = s >> 32;
    }
    t.d[a->n] = (uint32_t)carry;
    t.n = a->n + 1;
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
}

void bn_sub(bn *r, const bn *a, const bn *b)
{
    bn t;
    bn_init(&t);
    bn_reserve(&t, a->n);
    uint64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t s = (uint64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        t.d[i] = (uint32_t)s;
        borrow = (s >> 63) & 1u;
    }
    t.n = a->n;
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
}

void bn_add_u32(bn *r, const bn *a, uint32_t v)
{
    bn t;
    bn_init(&t);
    bn_set_u32(&t, v);
    bn_add(r, a, &t);
    bn_free(&t);
}

void bn_sub_u32(bn *r, const bn *a, uint32_t v)
{
    bn t;
    bn_init(&t);
    bn_set_u32(&t, v);
    bn_sub(r, a, &t);
    bn_free(&t);
}

void bn_shl(bn *r, const bn *a, int bits)
{
    if (a->n == 0) {
        bn_set_u32(r, 0);
        return;
    }
    int limbs = bits / 32, sh = bits % 32;
    bn t;
    bn_init(&t);
    bn_reserve(&t, a->n + limbs + 1);
    for (int i = 0; i < limbs; i++) t.d[i] = 0;
    uint32_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint32_t v = a->d[i];
        t.d[i + limbs] = sh ? (v << sh) | carry : v;
        carry = sh ? v >> (32 - sh) : 0;
    }
    t.d[a->n + limbs] = carry;
    t.n = a->n + limbs + 1;
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
}

void bn_shr(bn *r, const bn *a, int bits)
{
    int limbs = bits / 32, sh = bits % 32;
    if (limbs >= a->n) {
        bn_set_u32(r, 0);
        return;
    }
    bn t;
    bn_init(&t);
    int n = a->n - limbs;
    bn_reserve(&t, n);
    for (int i = 0; i < n; i++) {
        uint32_t lo = a->d[i + limbs];
        uint32_t hi = i + limbs + 1 < a->n ? a->d[i + limbs + 1] : 0;
        t.d[i] = sh ? (lo >> sh) | (hi << (32 - sh)) : lo;
    }
    t.n = n;
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int bn_from_hex(bn *r, const char *s)
{
    size_t len = strlen(s);
    if (len == 0) return -1;
    bn t;
    bn_init(&t);
    bn_reserve(&t, (int)(len / 8 + 1));
    t.n = (int)(len / 8 + 1);
    memset(t.d, 0, (size_t)t.n * sizeof(uint32_t));
    for (size_t i = 0; i < len; i++) {
        int v = hex_val(s[len - 1 - i]);
        if (v < 0) {
            bn_free(&t);
            return -1;
        }
        t.d[i / 8] |= (uint32_t)v << (4 * (i % 8));
    }
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
    return 0;
}

void bn_to_hex(const bn *a, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    if (cap < 2) return;
    if (a->n == 0) {
        out[0] = '0';
        out[1] = '\0';
        return;
    }
    size_t pos = 0;
    int started = 0;
    for (int i = a->n - 1; i >= 0; i--)
        for (int k = 7; k >= 0; k--) {
            int v = (a->d[i] >> (4 * k)) & 15;
            if (!started && v == 0) continue;
            started = 1;
            if (pos + 1 < cap) out[pos++] = digits[v];
        }
    out[pos] = '\0';
}

int bn_from_dec(bn *r, const char *s)
{
    if (!*s) return -1;
    bn t;
    bn_init(&t);
    bn_set_u32(&t, 0);
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            bn_free(&t);
            return -1;
        }
        bn_mul_u32(&t, &t, 10);
        bn_add_u32(&t, &t, (uint32_t)(*s - '0'));
    }
    bn_swap(r, &t);
    bn_free(&t);
    return 0;
}

void bn_to_dec(const bn *a, char *out, size_t cap)
{
    if (cap < 2) return;
    if (a->n == 0) {
        out[0] = '0';
        out[1] = '\0';
        return;
    }
    /* repeated division by 10^9 */
    bn t;
    bn_init(&t);
    bn_copy(&t, a);
    uint32_t *chunks = malloc((size_t)(a->n * 2 + 2) * sizeof(uint32_t));
    if (!chunks) exit(2);
    int nc = 0;
    while (!bn_is_zero(&t)) chunks[nc++] = bn_divmod_u32(&t, &t, 1000000000u);
    size_t pos = 0;
    for (int i = nc - 1; i >= 0; i--) {
        char buf[16];
        int len = 0;
        uint32_t v = chunks[i];
        do {
            buf[len++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        if (i != nc - 1)
            while (len < 9) buf[len++] = '0';
        while (len > 0 && pos + 1 < cap) out[pos++] = buf[--len];
    }
    out[pos] = '\0';
    free(chunks);
    bn_free(&t);
}

void bn_from_bytes(bn *r, const uint8_t *p, size_t n)
{
    bn t;
    bn_init(&t);
    int limbs = (int)((n + 3) / 4);
    bn_reserve(&t, limbs + 1);
    memset(t.d, 0, (size_t)(limbs + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) t.d[i / 4] |= (uint32_t)p[n - 1 - i] << (8 * (i % 4));
    t.n = limbs;
    bn_normalize(&t);
    bn_swap(r, &t);
    bn_free(&t);
}

size_t bn_to_bytes(const bn *a, uint8_t *p, size_t cap)
{
    size_t len = ((size_t)bn_bits(a) + 7) / 8;
    if (len > cap) return 0;
    for (size_t i = 0; i < len; i++) p[len - 1 - i] = (uint8_t)(a->d[i / 4] >> (8 * (i % 4)));
    return len;
}
