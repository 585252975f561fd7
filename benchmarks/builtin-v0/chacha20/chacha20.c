/* chacha20: ChaCha20 stream cipher and Poly1305 MAC (RFC 8439).
 * Poly1305 is implemented twice: 26-bit limbs with 64-bit products, and
 * a slow byte-limb reference that reduces modulo 2^130-5 explicitly. The
 * AEAD construction seals the input as a sequence of records. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_INPUT (1u << 16)
#define RECORD 1000

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

#define QR(a, b, c, d)                  \
    do {                                \
        a += b; d ^= a; d = rotl(d, 16); \
        c += d; b ^= c; b = rotl(b, 12); \
        a += b; d ^= a; d = rotl(d, 8);  \
        c += d; b ^= c; b = rotl(b, 7);  \
    } while (0)

static void chacha_init(uint32_t st[16], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12])
{
    st[0] = 0x61707865u;
    st[1] = 0x3320646eu;
    st[2] = 0x79622d32u;
    st[3] = 0x6b206574u;
    for (int i = 0; i < 8; i++) st[4 + i] = le32(key + 4 * i);
    st[12] = counter;
    st[13] = le32(nonce);
    st[14] = le32(nonce + 4);
    st[15] = le32(nonce + 8);
}

static void chacha_rounds(uint32_t x[16])
{
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
}

static void chacha_block(const uint32_t st[16], uint8_t out[64])
{
    uint32_t x[16];
    memcpy(x, st, sizeof x);
    chacha_rounds(x);
    for (int i = 0; i < 16; i++) put_le32(out + 4 * i, x[i] + st[i]);
}

static void chacha20_xor(const uint8_t key[32], uint32_t counter, const uint8_t nonce[12], const uint8_t *in,
                         size_t n, uint8_t *out)
{
    uint32_t st[16];
    uint8_t ks[64];
    chacha_init(st, key, counter, nonce);
    for (size_t i = 0; i < n; i += 64) {
        chacha_block(st, ks);
        st[12]++;
        size_t take = n - i < 64 ? n - i : 64;
        for (size_t j = 0; j < take; j++) out[i + j] = in[i + j] ^ ks[j];
    }
}

/* HChaCha20 subkey derivation (used by XChaCha20) */
static void hchacha20(const uint8_t key[32], const uint8_t nonce16[16], uint8_t out[32])
{
    uint32_t x[16];
    x[0] = 0x61707865u; x[1] = 0x3320646eu; x[2] = 0x79622d32u; x[3] = 0x6b206574u;
    for (int i = 0; i < 8; i++) x[4 + i] = le32(key + 4 * i);
    for (int i = 0; i < 4; i++) x[12 + i] = le32(nonce16 + 4 * i);
    chacha_rounds(x);
    for (int i = 0; i < 4; i++) {
        put_le32(out + 4 * i, x[i]);
        put_le32(out + 16 + 4 * i, x[12 + i]);
    }
}

/* ---------------- Poly1305, 26-bit limbs ---------------- */
typedef struct {
    uint32_t r[5], h[5], pad[4];
    uint8_t buf[16];
    size_t used;
} poly1305;

static void poly_init(poly1305 *p, const uint8_t key[32])
{
    p->r[0] = le32(key) & 0x3ffffff;
    p->r[1] = (le32(key + 3) >> 2) & 0x3ffff03;
    p->r[2] = (le32(key + 6) >> 4) & 0x3ffc0ff;
    p->r[3] = (le32(key + 9) >> 6) & 0x3f03fff;
    p->r[4] = (le32(key + 12) >> 8) & 0x00fffff;
    for (int i = 0; i < 5; i++) p->h[i] = 0;
    for (int i = 0; i < 4; i++) p->pad[i] = le32(key + 16 + 4 * i);
    p->used = 0;
}

static void poly_blocks(poly1305 *p, const uint8_t *m, size_t n, uint32_t hibit)
{
    const uint32_t r0 = p->r[0], r1 = p->r[1], r2 = p->r[2], r3 = p->r[3], r4 = p->r[4];
    const uint32_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
    uint32_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2], h3 = p->h[3], h4 = p->h[4];
    while (n >= 16) {
        h0 += le32(m) & 0x3ffffff;
        h1 += (le32(m + 3) >> 2) & 0x3ffffff;
        h2 += (le32(m + 6) >> 4) & 0x3ffffff;
        h3 += (le32(m + 9) >> 6) & 0x3ffffff;
        h4 += (le32(m + 12) >> 8) | hibit;
        uint64_t d0 = (uint64_t)h0 * r0 + (uint64_t)h1 * s4 + (uint64_t)h2 * s3 + (uint64_t)h3 * s2 + (uint64_t)h4 * s1;
        uint64_t d1 = (uint64_t)h0 * r1 + (uint64_t)h1 * r0 + (uint64_t)h2 * s4 + (uint64_t)h3 * s3 + (uint64_t)h4 * s2;
        uint64_t d2 = (uint64_t)h0 * r2 + (uint64_t)h1 * r1 + (uint64_t)h2 * r0 + (uint64_t)h3 * s4 + (uint64_t)h4 * s3;
        uint64_t d3 = (uint64_t)h0 * r3 + (uint64_t)h1 * r2 + (uint64_t)h2 * r1 + (uint64_t)h3 * r0 + (uint64_t)h4 * s4;
        uint64_t d4 = (uint64_t)h0 * r4 + (uint64_t)h1 * r3 + (uint64_t)h2 * r2 + (uint64_t)h3 * r1 + (uint64_t)h4 * r0;
        uint32_t c = (uint32_t)(d0 >> 26); h0 = (uint32_t)d0 & 0x3ffffff;
        d1 += c; c = (uint32_t)(d1 >> 26); h1 = (uint32_t)d1 & 0x3ffffff;
        d2 += c; c = (uint32_t)(d2 >> 26); h2 = (uint32_t)d2 & 0x3ffffff;
        d3 += c; c = (uint32_t)(d3 >> 26); h3 = (uint32_t)d3 & 0x3ffffff;
        d4 += c; c = (uint32_t)(d4 >> 26); h4 = (uint32_t)d4 & 0x3ffffff;
        h0 += c * 5; c = h0 >> 26; h0 &= 0x3ffffff;
        h1 += c;
        m += 16;
        n -= 16;
    }
    p->h[0] = h0; p->h[1] = h1; p->h[2] = h2; p->h[3] = h3; p->h[4] = h4;
}

static void poly_update(poly1305 *p, const uint8_t *m, size_t n)
{
    if (p->used) {
        size_t take = 16 - p->used;
        if (take > n) take = n;
        memcpy(p->buf + p->used, m, take);
        p->used += take;
        m += take;
        n -= take;
        if (p->used < 16) return;
        poly_blocks(p, p->buf, 16, 1u << 24);
        p->used = 0;
    }
    size_t full = n & ~(size_t)15;
    poly_blocks(p, m, full, 1u << 24);
    m += full;
    n -= full;
    if (n) {
        memcpy(p->buf, m, n);
        p->used = n;
    }
}

static void poly_finish(poly1305 *p, uint8_t tag[16])
{
    if (p->used) {
        p->buf[p->used] = 1;
        for (size_t i = p->used + 1; i < 16; i++) p->buf[i] = 0;
        poly_blocks(p, p->buf, 16, 0);
    }
    uint32_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2], h3 = p->h[3], h4 = p->h[4], c;
    c = h1 >> 26; h1 &= 0x3ffffff; h2 += c;
    c = h2 >> 26; h2 &= 0x3ffffff; h3 += c;
    c = h3 >> 26; h3 &= 0x3ffffff; h4 += c;
    c = h4 >> 26; h4 &= 0x3ffffff; h0 += c * 5;
    c = h0 >> 26; h0 &= 0x3ffffff; h1 += c;
    uint32_t g0 = h0 + 5; c = g0 >> 26; g0 &= 0x3ffffff;
    uint32_t g1 = h1 + c; c = g1 >> 26; g1 &= 0x3ffffff;
    uint32_t g2 = h2 + c; c = g2 >> 26; g2 &= 0x3ffffff;
    uint32_t g3 = h3 + c; c = g3 >> 26; g3 &= 0x3ffffff;
    uint32_t g4 = h4 + c - (1u << 26);
    uint32_t mask = (g4 >> 31) - 1u; /* all ones if h >= p */
    h0 = (h0 & ~mask) | (g0 & mask);
    h1 = (h1 & ~mask) | (g1 & mask);
    h2 = (h2 & ~mask) | (g2 & mask);
    h3 = (h3 & ~mask) | (g3 & mask);
    h4 = (h4 & ~mask) | (g4 & mask);
    uint32_t w0 = h0 | (h1 << 26), w1 = (h1 >> 6) | (h2 << 20), w2 = (h2 >> 12) | (h3 << 14), w3 = (h3 >> 18) | (h4 << 8);
    uint64_t f = (uint64_t)w0 + p->pad[0];
    put_le32(tag, (uint32_t)f);
    f = (uint64_t)w1 + p->pad[1] + (f >> 32);
    put_le32(tag + 4, (uint32_t)f);
    f = (uint64_t)w2 + p->pad[2] + (f >> 32);
    put_le32(tag + 8, (uint32_t)f);
    f = (uint64_t)w3 + p->pad[3] + (f >> 32);
    put_le32(tag + 12, (uint32_t)f);
}

/* ---------------- Poly1305 reference, byte limbs ---------------- */
#define NL 17 /* 136 bits */

static void ref_reduce(uint32_t *prod, int len, uint32_t out[NL])
{
    /* value = lo + hi * 2^130 == lo + 5*hi (mod p); repeat until < 2^131 */
    uint32_t cur[2 * NL + 2];
    memset(cur, 0, sizeof cur);
    memcpy(cur, prod, (size_t)len * sizeof(uint32_t));
    for (int iter = 0; iter < 4; iter++) {
        uint32_t hi[2 * NL + 2];
        memset(hi, 0, sizeof hi);
        /* hi = cur >> 130 (bit 2 of byte 16) */
        for (int i = 16; i < 2 * NL + 2; i++) {
            uint32_t v = cur[i] >> 2;
            if (i + 1 < 2 * NL + 2) v |= (cur[i + 1] << 6) & 0xFF;
            hi[i - 16] = v & 0xFF;
        }
        cur[16] &= 3;
        for (int i = 17; i < 2 * NL + 2; i++) cur[i] = 0;
        uint32_t carry = 0;
        for (int i = 0; i < 2 * NL + 2; i++) {
            uint32_t v = cur[i] + 5 * hi[i] + carry;
            cur[i] = v & 0xFF;
            carry = v >> 8;
        }
    }
    /* final conditional subtraction of p = 2^130 - 5 */
    static const uint32_t P[NL] = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03};
    for (int rep = 0; rep < 2; rep++) {
        uint32_t t[NL];
        int borrow = 0;
        for (int i = 0; i < NL; i++) {
            int v = (int)cur[i] - (int)P[i] - borrow;
            borrow = v < 0;
            t[i] = (uint32_t)(v + (borrow ? 256 : 0));
        }
        int upper = 0;
        for (int i = NL; i < 2 * NL + 2; i++) upper |= cur[i] != 0;
        if (!borrow || upper) memcpy(cur, t, sizeof t);
    }
    memcpy(out, cur, NL * sizeof(uint32_t));
}

static void poly_reference(const uint8_t key[32], const uint8_t *m, size_t n, uint8_t tag[16])
{
    uint32_t r[NL], h[NL], s[NL];
    memset(r, 0, sizeof r);
    memset(h, 0, sizeof h);
    memset(s, 0, sizeof s);
    for (int i = 0; i < 16; i++) {
        r[i] = key[i];
        s[i] = key[16 + i];
    }
    r[3] &= 15; r[7] &= 15; r[11] &= 15; r[15] &= 15;
    r[4] &= 252; r[8] &= 252; r[12] &= 252;
    for (size_t off = 0; off < n; off += 16) {
        size_t k = n - off < 16 ? n - off : 16;
        uint32_t c[NL];
        memset(c, 0, sizeof c);
        for (size_t i = 0; i < k; i++) c[i] = m[off + i];
        c[k] = 1;
        uint32_t carry = 0;
        for (int i = 0; i < NL; i++) {
            uint32_t v = h[i] + c[i] + carry;
            h[i] = v & 0xFF;
            carry = v >> 8;
        }
        uint32_t prod[2 * NL];
        memset(prod, 0, sizeof prod);
        for (int i = 0; i < NL; i++)
            for (int j = 0; j < NL; j++) prod[i + j] += h[i] * r[j];
        carry = 0;
        for (int i = 0; i < 2 * NL; i++) {
            uint32_t v = prod[i] + carry;
            prod[i] = v & 0xFF;
            carry = v >> 8;
        }
        ref_reduce(prod, 2 * NL, h);
    }
    uint32_t carry = 0;
    for (int i = 0; i < 16; i++) {
        uint32_t v = h[i] + s[i] + carry;
        tag[i] = (uint8_t)v;
        carry = v >> 8;
    }
}

/* ---------------- AEAD (RFC 8439 section 2.8) ---------------- */
static void aead_tag(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t alen,
                     const uint8_t *ct, size_t clen, uint8_t tag[16])
{
    uint8_t otk[64], zero[64] = {0}, lens[16];
    chacha20_xor(key, 0, nonce, zero, 64, otk);
    poly1305 p;
    poly_init(&p, otk);
    poly_update(&p, aad, alen);
    if (alen % 16) poly_update(&p, zero, 16 - alen % 16);
    poly_update(&p, ct, clen);
    if (clen % 16) poly_update(&p, zero, 16 - clen % 16);
    for (int i = 0; i < 8; i++) {
        lens[i] = (uint8_t)((uint64_t)alen >> (8 * i));
        lens[8 + i] = (uint8_t)((uint64_t)clen >> (8 * i));
    }
    poly_update(&p, lens, 16);
    poly_finish(&p, tag);
}

static void aead_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t alen,
                      const uint8_t *pt, size_t n, uint8_t *ct, uint8_t tag[16])
{
    chacha20_xor(key, 1, nonce, pt, n, ct);
    aead_tag(key, nonce, aad, alen, ct, n, tag);
}

static int aead_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t alen,
                     const uint8_t *ct, size_t n, const uint8_t tag[16], uint8_t *pt)
{
    uint8_t t[16], d = 0;
    aead_tag(key, nonce, aad, alen, ct, n, t);
    for (int i = 0; i < 16; i++) d |= (uint8_t)(t[i] ^ tag[i]);
    if (d) return -1;
    chacha20_xor(key, 1, nonce, ct, n, pt);
    return 0;
}

static void hex(const char *label, const uint8_t *p, size_t n)
{
    printf("%s", label);
    for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
    printf("\n");
}

static int self_test(void)
{
    int pass = 0;
    uint8_t key[32], nonce[12], out[64];
    for (int i = 0; i < 32; i++) key[i] = (uint8_t)i;
    static const uint8_t n1[12] = {0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0};
    memcpy(nonce, n1, 12);
    uint32_t st[16];
    chacha_init(st, key, 1, nonce);
    chacha_block(st, out);
    static const uint8_t want_block[8] = {0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15};
    pass += memcmp(out, want_block, 8) == 0;
    static const uint8_t pkey[32] = {0x85, 0xd6, 0xbe, 0x78, 0x57, 0x55, 0x6d, 0x33, 0x7f, 0x44, 0x52,
                                     0xfe, 0x42, 0xd5, 0x06, 0xa8, 0x01, 0x03, 0x80, 0x8a, 0xfb, 0x0d,
                                     0xb2, 0xfd, 0x4a, 0xbf, 0xf6, 0xaf, 0x41, 0x49, 0xf5, 0x1b};
    static const uint8_t want_tag[16] = {0xa8, 0x06, 0x1d, 0xc1, 0x30, 0x51, 0x36, 0xc6,
                                         0xc2, 0x2b, 0x8b, 0xaf, 0x0c, 0x01, 0x27, 0xa9};
    const char *msg = "Cryptographic Forum Research Group";
    uint8_t tag[16];
    poly1305 p;
    poly_init(&p, pkey);
    poly_update(&p, (const uint8_t *)msg, strlen(msg));
    poly_finish(&p, tag);
    pass += memcmp(tag, want_tag, 16) == 0;
    poly_reference(pkey, (const uint8_t *)msg, strlen(msg), tag);
    pass += memcmp(tag, want_tag, 16) == 0;
    /* HChaCha20 test vector (draft-irtf-cfrg-xchacha 2.2.1) first bytes */
    static const uint8_t hn[16] = {0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x4a,
                                   0x00, 0x00, 0x00, 0x00, 0x31, 0x41, 0x59, 0x27};
    hchacha20(key, hn, out);
    static const uint8_t want_h[4] = {0x82, 0x41, 0x3b, 0x42};
    pass += memcmp(out, want_h, 4) == 0;
    return pass;
}

int main(void)
{
    uint8_t *in = malloc(MAX_INPUT), *ct = malloc(MAX_INPUT), *pt = malloc(MAX_INPUT);
    if (!in || !ct || !pt) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(in + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;
    printf("self-test: %d/4\n", self_test());
    printf("input: %zu bytes\n", n);

    /* key and nonce: HChaCha20 of a fixed key over a prefix of the input */
    uint8_t master[32], key[32], nonce[12], h16[16];
    for (int i = 0; i < 32; i++) master[i] = (uint8_t)(0xA0 + 7 * i);
    memset(h16, 0, 16);
    memcpy(h16, in, n < 16 ? n : 16);
    hchacha20(master, h16, key);
    hex("derived key: ", key, 32);

    /* stream cipher over the whole input, then in odd-sized pieces */
    memset(nonce, 0, 12);
    nonce[4] = 0x42;
    chacha20_xor(key, 7, nonce, in, n, ct);
    uint8_t t1[16], t2[16];
    poly1305 p;
    poly_init(&p, key);
    poly_update(&p, ct, n);
    poly_finish(&p, t1);
    hex("poly1305(ciphertext): ", t1, 16);
    size_t refn = n < 4096 ? n : 4096;
    poly_init(&p, key);
    for (size_t i = 0; i < refn; i += 37) poly_update(&p, ct + i, refn - i < 37 ? refn - i : 37);
    poly_finish(&p, t1);
    poly_reference(key, ct, refn, t2);
    printf("poly1305 limb vs reference (%zu bytes): %s\n", refn, memcmp(t1, t2, 16) == 0 ? "agree" : "DIFFER");
    chacha20_xor(key, 7, nonce, ct, n, pt);
    printf("stream roundtrip: %s\n", memcmp(pt, in, n) == 0 ? "ok" : "FAIL");

    /* AEAD records: nonce = record number, aad = header with length */
    size_t records = 0, failures = 0, rejected = 0;
    uint8_t fold[16] = {0};
    for (size_t off = 0; off < n; off += RECORD) {
        size_t len = n - off < RECORD ? n - off : RECORD;
        uint8_t rn[12] = {0}, aad[8], tag[16];
        put_le32(rn + 4, (uint32_t)records);
        put_le32(aad, 0x52454331u);
        put_le32(aad + 4, (uint32_t)len);
        aead_seal(key, rn, aad, 8, in + off, len, ct + off, tag);
        for (int i = 0; i < 16; i++) fold[i] ^= tag[i];
        if (aead_open(key, rn, aad, 8, ct + off, len, tag, pt + off) != 0 || memcmp(pt + off, in + off, len) != 0)
            failures++;
        ct[off + len / 2] ^= 0x80;
        if (aead_open(key, rn, aad, 8, ct + off, len, tag, pt + off) != 0) rejected++;
        ct[off + len / 2] ^= 0x80;
        records++;
    }
    printf("aead records: %zu, failures %zu, tampered rejected %zu\n", records, failures, rejected);
    hex("aead tag fold: ", fold, 16);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ ct[i]) * 16777619u;
    printf("ciphertext fnv: %08x\n", h);
    free(in);
    free(ct);
    free(pt);
    return 0;
}
