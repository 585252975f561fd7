/* aead.c: AES-GCM (SP 800-38D) with two GHASH multipliers (bitwise
 * reference and Shoup's 4-bit table method) and AES key wrap (RFC 3394). */
#include <string.h>
#include "aes.h"

typedef struct {
    uint64_t hi, lo;
} u128;

static u128 load128(const uint8_t *p)
{
    u128 r = {0, 0};
    for (int i = 0; i < 8; i++) {
        r.hi = (r.hi << 8) | p[i];
        r.lo = (r.lo << 8) | p[8 + i];
    }
    return r;
}

static void store128(uint8_t *p, u128 v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v.hi;
        p[8 + i] = (uint8_t)v.lo;
        v.hi >>= 8;
        v.lo >>= 8;
    }
}

/* reference: bit-by-bit multiplication in GF(2^128), GCM bit order */
static u128 gf128_mul_ref(u128 x, u128 y)
{
    u128 z = {0, 0}, v = y;
    for (int i = 0; i < 128; i++) {
        uint64_t bit = i < 64 ? (x.hi >> (63 - i)) & 1u : (x.lo >> (127 - i)) & 1u;
        if (bit) {
            z.hi ^= v.hi;
            z.lo ^= v.lo;
        }
        uint64_t lsb = v.lo & 1u;
        v.lo = (v.lo >> 1) | (v.hi << 63);
        v.hi >>= 1;
        if (lsb) v.hi ^= 0xE100000000000000ull;
    }
    return z;
}

typedef struct {
    u128 table[16];
    int use_table;
    u128 h;
} ghash_key;

static const uint64_t REDUCE4[16] = {
    0x0000, 0x1C20, 0x3840, 0x2460, 0x7080, 0x6CA0, 0x48C0, 0x54E0,
    0xE100, 0xFD20, 0xD940, 0xC560, 0x9180, 0x8DA0, 0xA9C0, 0xB5E0};

static void ghash_init(ghash_key *g, u128 h, int use_table)
{
    g->h = h;
    g->use_table = use_table;
    /* table[i] = i * H where the 4-bit i uses GCM's reflected bit order */
    g->table[0].hi = g->table[0].lo = 0;
    g->table[8] = h;
    u128 v = h;
    for (int i = 4; i > 0; i >>= 1) {
        uint64_t lsb = v.lo & 1u;
        v.lo = (v.lo >> 1) | (v.hi << 63);
        v.hi >>= 1;
        if (lsb) v.hi ^= 0xE100000000000000ull;
        g->table[i] = v;
    }
    for (int i = 2; i < 16; i <<= 1)
        for (int j = 1; j < i; j++) {
            g->table[i + j].hi = g->table[i].hi ^ g->table[j].hi;
            g->table[i + j].lo = g->table[i].lo ^ g->table[j].lo;
        }
}

static u128 gf128_mul_table(const ghash_key *g, u128 x)
{
    uint8_t xb[16];
    store128(xb, x);
    u128 z = {0, 0};
    for (int i = 15; i >= 0; i--) {
        for (int half = 0; half < 2; half++) {
            unsigned nib = half == 0 ? (xb[i] & 0x0Fu) : (xb[i] >> 4);
            if (!(i == 15 && half == 0)) {
                unsigned rem = (unsigned)(z.lo & 0x0Fu);
                z.lo = (z.lo >> 4) | (z.hi << 60);
                z.hi = (z.hi >> 4) ^ (REDUCE4[rem] << 48);
            }
            z.hi ^= g->table[nib].hi;
            z.lo ^= g->table[nib].lo;
        }
    }
    return z;
}

static u128 ghash_mul(const ghash_key *g, u128 x)
{
    return g->use_table ? gf128_mul_table(g, x) : gf128_mul_ref(x, g->h);
}

static void ghash_update(const ghash_key *g, u128 *acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        uint8_t blk[16];
        size_t take = n - i < 16 ? n - i : 16;
        memset(blk, 0, 16);
        memcpy(blk, p + i, take);
        u128 b = load128(blk);
        acc->hi ^= b.hi;
        acc->lo ^= b.lo;
        *acc = ghash_mul(g, *acc);
    }
}

static void gcm_core(const aes_key *k, int use_table, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
                     size_t aadlen, const uint8_t *in, size_t n, uint8_t *out, int encrypting, uint8_t tag[16])
{
    uint8_t zero[16] = {0}, hb[16], j0[16], ctr[16], ks[16];
    aes_encrypt_fast(k, zero, hb);
    ghash_key g;
    ghash_init(&g, load128(hb), use_table);
    if (ivlen == 12) {
        memcpy(j0, iv, 12);
        j0[12] = j0[13] = j0[14] = 0;
        j0[15] = 1;
    } else {
        u128 acc = {0, 0};
        ghash_update(&g, &acc, iv, ivlen);
        u128 lens = {0, (uint64_t)ivlen * 8};
        acc.hi ^= lens.hi;
        acc.lo ^= lens.lo;
        acc = ghash_mul(&g, acc);
        store128(j0, acc);
    }
    u128 acc = {0, 0};
    ghash_update(&g, &acc, aad, aadlen);
    memcpy(ctr, j0, 16);
    const uint8_t *cipher = encrypting ? out : in;
    for (size_t i = 0; i < n; i += 16) {
        for (int b = 15; b >= 12; b--)
            if (++ctr[b] != 0) break;
        aes_encrypt_fast(k, ctr, ks);
        size_t take = n - i < 16 ? n - i : 16;
        for (size_t j = 0; j < take; j++) out[i + j] = in[i + j] ^ ks[j];
    }
    ghash_update(&g, &acc, cipher, n);
    acc.hi ^= (uint64_t)aadlen * 8;
    acc.lo ^= (uint64_t)n * 8;
    acc = ghash_mul(&g, acc);
    uint8_t s[16];
    store128(s, acc);
    aes_encrypt_fast(k, j0, ks);
    for (int i = 0; i < 16; i++) tag[i] = s[i] ^ ks[i];
}

void gcm_encrypt(const aes_key *k, int use_table, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
                 size_t aadlen, const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[16])
{
    gcm_core(k, use_table, iv, ivlen, aad, aadlen, in, n, out, 1, tag);
}

int gcm_decrypt(const aes_key *k, int use_table, const uint8_t *iv, size_t ivlen, const uint8_t *aad,
                size_t aadlen, const uint8_t *in, size_t n, uint8_t *out, const uint8_t tag[16])
{
    uint8_t t[16];
    gcm_core(k, use_table, iv, ivlen, aad, aadlen, in, n, out, 0, t);
    uint8_t diff = 0;
    for (int i = 0; i < 16; i++) diff |= (uint8_t)(t[i] ^ tag[i]);
    if (diff) {
        memset(out, 0, n);
        return -1;
    }
    return 0;
}

/* RFC 3394 key wrap: n 64-bit blocks -> n+1 blocks */
int key_wrap(const aes_key *k, const uint8_t *in, size_t n, uint8_t *out)
{
    if (n % 8 || n < 16) return -1;
    size_t blocks = n / 8;
    uint8_t a[8], b[16];
    memset(a, 0xA6, 8);
    memcpy(out + 8, in, n);
    for (int j = 0; j < 6; j++)
        for (size_t i = 1; i <= blocks; i++) {
            memcpy(b, a, 8);
            memcpy(b + 8, out + 8 * i, 8);
            aes_encrypt_fast(k, b, b);
            uint64_t t = (uint64_t)blocks * (uint64_t)j + i;
            for (int q = 7; q >= 0; q--) {
                a[q] = b[q] ^ (uint8_t)t;
                t >>= 8;
            }
            memcpy(out + 8 * i, b + 8, 8);
        }
    memcpy(out, a, 8);
    return 0;
}

int key_unwrap(const aes_key *k, const uint8_t *in, size_t n, uint8_t *out)
{
    if (n % 8 || n < 24) return -1;
    size_t blocks = n / 8 - 1;
    uint8_t a[8], b[16];
    memcpy(a, in, 8);
    memcpy(out, in + 8, n - 8);
    for (int j = 5; j >= 0; j--)
        for (size_t i = blocks; i >= 1; i--) {
            uint64_t t = (uint64_t)blocks * (uint64_t)j + i;
            for (int q = 7; q >= 0; q--) {
                b[q] = a[q] ^ (uint8_t)t;
                t >>= 8;
            }
            memcpy(b + 8, out + 8 * (i - 1), 8);
            aes_decrypt_fast(k, b, b);
            memcpy(a, b, 8);
            memcpy(out + 8 * (i - 1), b + 8, 8);
        }
    for (int q = 0; q < 8; q++)
        if (a[q] != 0xA6) return -2;
    return 0;
}
