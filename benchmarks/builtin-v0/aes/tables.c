/* tables.c: computes the AES S-box from GF(2^8) inverses and the affine
 * map, its inverse, and the four encryption/decryption T-tables. */
#include "aes.h"

uint8_t SBOX[256];
uint8_t INV_SBOX[256];
uint32_t TE[4][256];
uint32_t TD[4][256];

uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1u) p ^= a;
        uint8_t hi = a & 0x80u;
        a = (uint8_t)(a << 1);
        if (hi) a ^= 0x1b;
        b >>= 1;
    }
    return p;
}

static uint8_t gf_inv(uint8_t a)
{
    if (a == 0) return 0;
    /* a^254 by square-and-multiply */
    uint8_t result = 1, base = a;
    unsigned e = 254;
    while (e) {
        if (e & 1u) result = gf_mul(result, base);
        base = gf_mul(base, base);
        e >>= 1;
    }
    return result;
}

static uint8_t rotl8(uint8_t x, int s) { return (uint8_t)((x << s) | (x >> (8 - s))); }

static uint32_t word(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    return ((uint32_t)a << 24) | ((uint32_t)b << 16) | ((uint32_t)c << 8) | d;
}

static uint32_t ror32(uint32_t x, int s) { return s ? (x >> s) | (x << (32 - s)) : x; }

void aes_init_tables(void)
{
    for (int i = 0; i < 256; i++) {
        uint8_t b = gf_inv((uint8_t)i);
        uint8_t s = (uint8_t)(b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 0x63);
        SBOX[i] = s;
        INV_SBOX[s] = (uint8_t)i;
    }
    for (int i = 0; i < 256; i++) {
        uint8_t s = SBOX[i];
        uint32_t te = word(gf_mul(s, 2), s, s, gf_mul(s, 3));
        uint8_t v = INV_SBOX[i];
        uint32_t td = word(gf_mul(v, 14), gf_mul(v, 9), gf_mul(v, 13), gf_mul(v, 11));
        for (int t = 0; t < 4; t++) {
            TE[t][i] = ror32(te, 8 * t);
            TD[t][i] = ror32(td, 8 * t);
        }
    }
}
