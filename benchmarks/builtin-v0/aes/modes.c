/* modes.c: block cipher modes of operation (SP 800-38A) with PKCS#7
 * padding for ECB/CBC, and CMAC (SP 800-38B / RFC 4493). */
#include <string.h>
#include "aes.h"

static void xor_block(uint8_t *dst, const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = a[i] ^ b[i];
}

/* pad in place into out: returns padded length */
static size_t pkcs7_pad(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t pad = AES_BLOCK - n % AES_BLOCK;
    memmove(out, in, n);
    memset(out + n, (int)pad, pad);
    return n + pad;
}

static size_t pkcs7_unpad(const uint8_t *buf, size_t n)
{
    if (n == 0 || n % AES_BLOCK) return (size_t)-1;
    uint8_t pad = buf[n - 1];
    if (pad == 0 || pad > AES_BLOCK) return (size_t)-1;
    for (size_t i = n - pad; i < n; i++)
        if (buf[i] != pad) return (size_t)-1;
    return n - pad;
}

size_t ecb_encrypt(const aes_key *k, block_fn f, const uint8_t *in, size_t n, uint8_t *out)
{
    size_t m = pkcs7_pad(in, n, out);
    for (size_t i = 0; i < m; i += AES_BLOCK) f(k, out + i, out + i);
    return m;
}

size_t ecb_decrypt(const aes_key *k, block_fn f, const uint8_t *in, size_t n, uint8_t *out)
{
    if (n % AES_BLOCK) return (size_t)-1;
    for (size_t i = 0; i < n; i += AES_BLOCK) f(k, in + i, out + i);
    return pkcs7_unpad(out, n);
}

size_t cbc_encrypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
    size_t m = pkcs7_pad(in, n, out);
    uint8_t chain[16];
    memcpy(chain, iv, 16);
    for (size_t i = 0; i < m; i += AES_BLOCK) {
        xor_block(out + i, out + i, chain, AES_BLOCK);
        f(k, out + i, out + i);
        memcpy(chain, out + i, 16);
    }
    return m;
}

size_t cbc_decrypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
    if (n % AES_BLOCK) return (size_t)-1;
    uint8_t chain[16], save[16];
    memcpy(chain, iv, 16);
    for (size_t i = 0; i < n; i += AES_BLOCK) {
        memcpy(save, in + i, 16);
        f(k, in + i, out + i);
        xor_block(out + i, out + i, chain, AES_BLOCK);
        memcpy(chain, save, 16);
    }
    return pkcs7_unpad(out, n);
}

static void increment_be128(uint8_t ctr[16])
{
    for (int i = 15; i >= 0; i--)
        if (++ctr[i] != 0) break;
}

void ctr_crypt(const aes_key *k, block_fn f, const uint8_t nonce[16], const uint8_t *in, size_t n, uint8_t *out)
{
    uint8_t ctr[16], ks[16];
    memcpy(ctr, nonce, 16);
    for (size_t i = 0; i < n; i += AES_BLOCK) {
        f(k, ctr, ks);
        size_t take = n - i < AES_BLOCK ? n - i : AES_BLOCK;
        xor_block(out + i, in + i, ks, take);
        increment_be128(ctr);
    }
}

void cfb_encrypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
    uint8_t reg[16], ks[16];
    memcpy(reg, iv, 16);
    for (size_t i = 0; i < n; i += AES_BLOCK) {
        f(k, reg, ks);
        size_t take = n - i < AES_BLOCK ? n - i : AES_BLOCK;
        xor_block(out + i, in + i, ks, take);
        if (take == AES_BLOCK) memcpy(reg, out + i, 16);
    }
}

void cfb_decrypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
    uint8_t reg[16], ks[16];
    memcpy(reg, iv, 16);
    for (size_t i = 0; i < n; i += AES_BLOCK) {
        f(k, reg, ks);
        size_t take = n - i < AES_BLOCK ? n - i : AES_BLOCK;
        if (take == AES_BLOCK) memcpy(reg, in + i, 16);
        xor_block(out + i, in + i, ks, take);
    }
}

void ofb_crypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
    uint8_t reg[16];
    memcpy(reg, iv, 16);
    for (size_t i = 0; i < n; i += AES_BLOCK) {
        f(k, reg, reg);
        size_t take = n - i < AES_BLOCK ? n - i : AES_BLOCK;
        xor_block(out + i, in + i, reg, take);
    }
}

static void dbl(uint8_t b[16])
{
    uint8_t carry = b[0] & 0x80u;
    for (int i = 0; i < 15; i++) b[i] = (uint8_t)((b[i] << 1) | (b[i + 1] >> 7));
    b[15] = (uint8_t)(b[15] << 1);
    if (carry) b[15] ^= 0x87;
}

void cmac(const aes_key *k, block_fn f, const uint8_t *msg, size_t n, uint8_t tag[16])
{
    uint8_t l[16], k1[16], k2[16], x[16], last[16];
    memset(l, 0, 16);
    f(k, l, l);
    memcpy(k1, l, 16);
    dbl(k1);
    memcpy(k2, k1, 16);
    dbl(k2);
    size_t nblocks = n == 0 ? 1 : (n + 15) / 16;
    int complete = n != 0 && n % 16 == 0;
    size_t lastoff = (nblocks - 1) * 16;
    if (complete) {
        xor_block(last, msg + lastoff, k1, 16);
    } else {
        size_t rem = n - lastoff;
        memset(last, 0, 16);
        if (rem) memcpy(last, msg + lastoff, rem);
        last[rem] = 0x80;
        xor_block(last, last, k2, 16);
    }
    memset(x, 0, 16);
    for (size_t i = 0; i + 1 < nblocks; i++) {
        xor_block(x, x, msg + 16 * i, 16);
        f(k, x, x);
    }
    xor_block(x, x, last, 16);
    f(k, x, tag);
}

/* CFB-8: one byte of feedback per block operation */
void cfb8_crypt(const aes_key *k, block_fn f, const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out,
                int encrypting)
{
    uint8_t reg[16], ks[16];
    memcpy(reg, iv, 16);
    for (size_t i = 0; i < n; i++) {
        f(k, reg, ks);
        uint8_t c = in[i] ^ ks[0];
        uint8_t fb = encrypting ? c : in[i];
        out[i] = c;
        memmove(reg, reg + 1, 15);
        reg[15] = fb;
    }
}

/* multiply the XTS tweak by x in GF(2^128), little-endian convention */
static void xts_mul_x(uint8_t t[16])
{
    uint8_t carry = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t nc = t[i] >> 7;
        t[i] = (uint8_t)((t[i] << 1) | carry);
        carry = nc;
    }
    if (carry) t[0] ^= 0x87;
}

/* XTS-AES (IEEE 1619) for one data unit, with ciphertext stealing.
 * k1 encrypts data, k2 encrypts the tweak; f is the data direction. */
int xts_crypt(const aes_key *k1, const aes_key *k2, block_fn f, uint64_t unit, const uint8_t *in, size_t n,
              uint8_t *out, int encrypting)
{
    if (n < 16) return -1;
    uint8_t tweak[16], blk[16];
    memset(tweak, 0, 16);
    for (int i = 0; i < 8; i++) tweak[i] = (uint8_t)(unit >> (8 * i));
    aes_encrypt_fast(k2, tweak, tweak);
    size_t full = n / 16, tail = n % 16;
    if (tail) full--; /* last full block participates in stealing */
    for (size_t b = 0; b < full; b++) {
        xor_block(blk, in + 16 * b, tweak, 16);
        f(k1, blk, blk);
        xor_block(out + 16 * b, blk, tweak, 16);
        xts_mul_x(tweak);
    }
    if (tail) {
        uint8_t t1[16], t2[16], cc[16];
        memcpy(t1, tweak, 16);
        memcpy(t2, tweak, 16);
        xts_mul_x(t2);
        const uint8_t *pm = in + 16 * full;
        /* encryption uses t1 then t2; decryption uses t2 then t1 */
        const uint8_t *first = encrypting ? t1 : t2, *second = encrypting ? t2 : t1;
        xor_block(blk, pm, first, 16);
        f(k1, blk, blk);
        xor_block(cc, blk, first, 16);
        uint8_t pp[16];
        memcpy(pp, pm + 16, tail);
        memcpy(pp + tail, cc + tail, 16 - tail);
        memcpy(out + 16 * full + 16, cc, tail);
        xor_block(blk, pp, second, 16);
        f(k1, blk, blk);
        xor_block(out + 16 * full, blk, second, 16);
    }
    return 0;
}
