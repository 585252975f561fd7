/* core.c: key expansion and the block cipher, in two implementations:
 * a byte-oriented reference following FIPS-197 step by step, and a
 * 32-bit T-table version using the equivalent inverse cipher. */
#include <string.h>
#include "aes.h"

static uint32_t sub_word(uint32_t w)
{
    return ((uint32_t)SBOX[w >> 24] << 24) | ((uint32_t)SBOX[(w >> 16) & 0xFF] << 16) |
           ((uint32_t)SBOX[(w >> 8) & 0xFF] << 8) | SBOX[w & 0xFF];
}

static uint32_t inv_mix_word(uint32_t w)
{
    return TD[0][SBOX[w >> 24]] ^ TD[1][SBOX[(w >> 16) & 0xFF]] ^ TD[2][SBOX[(w >> 8) & 0xFF]] ^
           TD[3][SBOX[w & 0xFF]];
}

int aes_set_key(aes_key *k, const uint8_t *key, int bits)
{
    int nk;
    switch (bits) {
    case 128: nk = 4; break;
    case 192: nk = 6; break;
    case 256: nk = 8; break;
    default: return -1;
    }
    k->key_words = nk;
    k->rounds = nk + 6;
    int total = 4 * (k->rounds + 1);
    for (int i = 0; i < nk; i++)
        k->ek[i] = ((uint32_t)key[4 * i] << 24) | ((uint32_t)key[4 * i + 1] << 16) |
                   ((uint32_t)key[4 * i + 2] << 8) | key[4 * i + 3];
    uint8_t rcon = 1;
    for (int i = nk; i < total; i++) {
        uint32_t t = k->ek[i - 1];
        if (i % nk == 0) {
            t = sub_word((t << 8) | (t >> 24)) ^ ((uint32_t)rcon << 24);
            rcon = gf_mul(rcon, 2);
        } else if (nk > 6 && i % nk == 4) {
            t = sub_word(t);
        }
        k->ek[i] = k->ek[i - nk] ^ t;
    }
    /* decryption keys: reverse round order, InvMixColumns on inner rounds */
    for (int r = 0; r <= k->rounds; r++)
        for (int c = 0; c < 4; c++) {
            uint32_t w = k->ek[4 * (k->rounds - r) + c];
            k->dk[4 * r + c] = (r == 0 || r == k->rounds) ? w : inv_mix_word(w);
        }
    return 0;
}

/* ---------------- reference implementation ---------------- */

static void add_round_key(uint8_t s[16], const uint32_t *rk)
{
    for (int c = 0; c < 4; c++) {
        s[4 * c] ^= (uint8_t)(rk[c] >> 24);
        s[4 * c + 1] ^= (uint8_t)(rk[c] >> 16);
        s[4 * c + 2] ^= (uint8_t)(rk[c] >> 8);
        s[4 * c + 3] ^= (uint8_t)rk[c];
    }
}

static void sub_bytes(uint8_t s[16], const uint8_t *box)
{
    for (int i = 0; i < 16; i++) s[i] = box[s[i]];
}

static void shift_rows(uint8_t s[16])
{
    uint8_t t[16];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) t[4 * c + r] = s[4 * ((c + r) % 4) + r];
    memcpy(s, t, 16);
}

static void inv_shift_rows(uint8_t s[16])
{
    uint8_t t[16];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) t[4 * ((c + r) % 4) + r] = s[4 * c + r];
    memcpy(s, t, 16);
}

static void mix_columns(uint8_t s[16])
{
    for (int c = 0; c < 4; c++) {
        uint8_t *col = s + 4 * c;
        uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3];
        col[0] = (uint8_t)(gf_mul(a0, 2) ^ gf_mul(a1, 3) ^ a2 ^ a3);
        col[1] = (uint8_t)(a0 ^ gf_mul(a1, 2) ^ gf_mul(a2, 3) ^ a3);
        col[2] = (uint8_t)(a0 ^ a1 ^ gf_mul(a2, 2) ^ gf_mul(a3, 3));
        col[3] = (uint8_t)(gf_mul(a0, 3) ^ a1 ^ a2 ^ gf_mul(a3, 2));
    }
}

static void inv_mix_columns(uint8_t s[16])
{
    for (int c = 0; c < 4; c++) {
        uint8_t *col = s + 4 * c;
        uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3];
        col[0] = (uint8_t)(gf_mul(a0, 14) ^ gf_mul(a1, 11) ^ gf_mul(a2, 13) ^ gf_mul(a3, 9));
        col[1] = (uint8_t)(gf_mul(a0, 9) ^ gf_mul(a1, 14) ^ gf_mul(a2, 11) ^ gf_mul(a3, 13));
        col[2] = (uint8_t)(gf_mul(a0, 13) ^ gf_mul(a1, 9) ^ gf_mul(a2, 14) ^ gf_mul(a3, 11));
        col[3] = (uint8_t)(gf_mul(a0, 11) ^ gf_mul(a1, 13) ^ gf_mul(a2, 9) ^ gf_mul(a3, 14));
    }
}

void aes_encrypt_ref(const aes_key *k, const uint8_t in[16], uint8_t out[16])
{
    uint8_t s[16];
    memcpy(s, in, 16);
    add_round_key(s, k->ek);
    for (int r = 1; r < k->rounds; r++) {
        sub_bytes(s, SBOX);
        shift_rows(s);
        mix_columns(s);
        add_round_key(s, k->ek + 4 * r);
    }
    sub_bytes(s, SBOX);
    shift_rows(s);
    add_round_key(s, k->ek + 4 * k->rounds);
    memcpy(out, s, 16);
}

void aes_decrypt_ref(const aes_key *k, const uint8_t in[16], uint8_t out[16])
{
    uint8_t s[16];
    memcpy(s, in, 16);
    add_round_key(s, k->ek + 4 * k->rounds);
    for (int r = k->rounds - 1; r > 0; r--) {
        inv_shift_rows(s);
        sub_bytes(s, INV_SBOX);
        add_round_key(s, k->ek + 4 * r);
        inv_mix_columns(s);
    }
    inv_shift_rows(s);
    sub_bytes(s, INV_SBOX);
    add_round_key(s, k->ek);
    memcpy(out, s, 16);
}

/* ---------------- T-table implementation ---------------- */

static uint32_t load32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void aes_encrypt_fast(const aes_key *k, const uint8_t in[16], uint8_t out[16])
{
    const uint32_t *rk = k->ek;
    uint32_t s0 = load32(in) ^ rk[0], s1 = load32(in + 4) ^ rk[1];
    uint32_t s2 = load32(in + 8) ^ rk[2], s3 = load32(in + 12) ^ rk[3];
    uint32_t t0, t1, t2, t3;
    for (int r = 1; r < k->rounds; r++) {
        rk += 4;
        t0 = TE[0][s0 >> 24] ^ TE[1][(s1 >> 16) & 0xFF] ^ TE[2][(s2 >> 8) & 0xFF] ^ TE[3][s3 & 0xFF] ^ rk[0];
        t1 = TE[0][s1 >> 24] ^ TE[1][(s2 >> 16) & 0xFF] ^ TE[2][(s3 >> 8) & 0xFF] ^ TE[3][s0 & 0xFF] ^ rk[1];
        t2 = TE[0][s2 >> 24] ^ TE[1][(s3 >> 16) & 0xFF] ^ TE[2][(s0 >> 8) & 0xFF] ^ TE[3][s1 & 0xFF] ^ rk[2];
        t3 = TE[0][s3 >> 24] ^ TE[1][(s0 >> 16) & 0xFF] ^ TE[2][(s1 >> 8) & 0xFF] ^ TE[3][s2 & 0xFF] ^ rk[3];
        s0 = t0; s1 = t1; s2 = t2; s3 = t3;
    }
    rk += 4;
    t0 = ((uint32_t)SBOX[s0 >> 24] << 24) ^ ((uint32_t)SBOX[(s1 >> 16) & 0xFF] << 16) ^
         ((uint32_t)SBOX[(s2 >> 8) & 0xFF] << 8) ^ SBOX[s3 & 0xFF] ^ rk[0];
    t1 = ((uint32_t)SBOX[s1 >> 24] << 24) ^ ((uint32_t)SBOX[(s2 >> 16) & 0xFF] << 16) ^
         ((uint32_t)SBOX[(s3 >> 8) & 0xFF] << 8) ^ SBOX[s0 & 0xFF] ^ rk[1];
    t2 = ((uint32_t)SBOX[s2 >> 24] << 24) ^ ((uint32_t)SBOX[(s3 >> 16) & 0xFF] << 16) ^
         ((uint32_t)SBOX[(s0 >> 8) & 0xFF] << 8) ^ SBOX[s1 & 0xFF] ^ rk[2];
    t3 = ((uint32_t)SBOX[s3 >> 24] << 24) ^ ((uint32_t)SBOX[(s0 >> 16) & 0xFF] << 16) ^
         ((uint32_t)SBOX[(s1 >> 8) & 0xFF] << 8) ^ SBOX[s2 & 0xFF] ^ rk[3];
    store32(out, t0);
    store32(out + 4, t1);
    store32(out + 8, t2);
    store32(out + 12, t3);
}

void aes_decrypt_fast(const aes_key *k, const uint8_t in[16], uint8_t out[16])
{
    const uint32_t *rk = k->dk;
    uint32_t s0 = load32(in) ^ rk[0], s1 = load32(in + 4) ^ rk[1];
    uint32_t s2 = load32(in + 8) ^ rk[2], s3 = load32(in + 12) ^ rk[3];
    uint32_t t0, t1, t2, t3;
    for (int r = 1; r < k->rounds; r++) {
        rk += 4;
        t0 = TD[0][s0 >> 24] ^ TD[1][(s3 >> 16) & 0xFF] ^ TD[2][(s2 >> 8) & 0xFF] ^ TD[3][s1 & 0xFF] ^ rk[0];
        t1 = TD[0][s1 >> 24] ^ TD[1][(s0 >> 16) & 0xFF] ^ TD[2][(s3 >> 8) & 0xFF] ^ TD[3][s2 & 0xFF] ^ rk[1];
        t2 = TD[0][s2 >> 24] ^ TD[1][(s1 >> 16) & 0xFF] ^ TD[2][(s0 >> 8) & 0xFF] ^ TD[3][s3 & 0xFF] ^ rk[2];
        t3 = TD[0][s3 >> 24] ^ TD[1][(s2 >> 16) & 0xFF] ^ TD[2][(s1 >> 8) & 0xFF] ^ TD[3][s0 & 0xFF] ^ rk[3];
        s0 = t0; s1 = t1; s2 = t2; s3 = t3;
    }
    rk += 4;
    t0 = ((uint32_t)INV_SBOX[s0 >> 24] << 24) ^ ((uint32_t)INV_SBOX[(s3 >> 16) & 0xFF] << 16) ^
         ((uint32_t)INV_SBOX[(s2 >> 8) & 0xFF] << 8) ^ INV_SBOX[s1 & 0xFF] ^ rk[0];
    t1 = ((uint32_t)INV_SBOX[s1 >> 24] << 24) ^ ((uint32_t)INV_SBOX[(s0 >> 16) & 0xFF] << 16) ^
         ((uint32_t)INV_SBOX[(s3 >> 8) & 0xFF] << 8) ^ INV_SBOX[s2 & 0xFF] ^ rk[1];
    t2 = ((uint32_t)INV_SBOX[s2 >> 24] << 24) ^ ((uint32_t)INV_SBOX[(s1 >> 16) & 0xFF] << 16) ^
         ((uint32_t)INV_SBOX[(s0 >> 8) & 0xFF] << 8) ^ INV_SBOX[s3 & 0xFF] ^ rk[2];
    t3 = ((uint32_t)INV_SBOX[s3 >> 24] << 24) ^ ((uint32_t)INV_SBOX[(s2 >> 16) & 0xFF] << 16) ^
         ((uint32_t)INV_SBOX[(s1 >> 8) & 0xFF] << 8) ^ INV_SBOX[s0 & 0xFF] ^ rk[3];
    store32(out, t0);
    store32(out + 4, t1);
    store32(out + 8, t2);
    store32(out + 12, t3);
}
