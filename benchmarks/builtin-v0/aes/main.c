/* aes benchmark driver: known-answer tests (FIPS-197, SP 800-38A,
 * RFC 4493), then every mode and key size over stdin with both cipher
 * cores, verifying that they agree and that decryption restores the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aes.h"

#define MAX_INPUT (1u << 15)

void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        }
        out[i] = (uint8_t)v;
    }
}

void bytes_to_hex(const uint8_t *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int check(const char *name, const uint8_t *got, const char *want_hex, size_t n)
{
    char hx[80];
    bytes_to_hex(got, n, hx);
    int ok = strcmp(hx, want_hex) == 0;
    if (!ok) printf("KAT %s FAILED: %s\n", name, hx);
    return ok;
}

static int known_answers(void)
{
    int pass = 0;
    uint8_t key[32], pt[16], ct[16], back[16], iv[16];
    aes_key k;
    static const struct {
        int bits;
        const char *key, *ct;
    } fips[3] = {
        {128, "000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"},
        {192, "000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191"},
        {256, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089"},
    };
    hex_to_bytes("00112233445566778899aabbccddeeff", pt, 16);
    for (int i = 0; i < 3; i++) {
        hex_to_bytes(fips[i].key, key, (size_t)fips[i].bits / 8);
        aes_set_key(&k, key, fips[i].bits);
        aes_encrypt_ref(&k, pt, ct);
        pass += check("fips-ref", ct, fips[i].ct, 16);
        aes_encrypt_fast(&k, pt, ct);
        pass += check("fips-fast", ct, fips[i].ct, 16);
        aes_decrypt_ref(&k, ct, back);
        pass += check("fips-dec-ref", back, "00112233445566778899aabbccddeeff", 16);
        aes_decrypt_fast(&k, ct, back);
        pass += check("fips-dec-fast", back, "00112233445566778899aabbccddeeff", 16);
    }
    /* SP 800-38A F.1.1 / F.2.1 / F.3.13 / F.4.1 / F.5.1 first blocks, AES-128 */
    hex_to_bytes("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
    aes_set_key(&k, key, 128);
    hex_to_bytes("6bc1bee22e409f96e93d7e117393172a", pt, 16);
    uint8_t buf[32];
    ecb_encrypt(&k, aes_encrypt_fast, pt, 16, buf);
    pass += check("ecb", buf, "3ad77bb40d7a3660a89ecaf32466ef97", 16);
    hex_to_bytes("000102030405060708090a0b0c0d0e0f", iv, 16);
    cbc_encrypt(&k, aes_encrypt_fast, iv, pt, 16, buf);
    pass += check("cbc", buf, "7649abac8119b246cee98e9b12e9197d", 16);
    cfb_encrypt(&k, aes_encrypt_fast, iv, pt, 16, buf);
    pass += check("cfb", buf, "3b3fd92eb72dad20333449f8e83cfb4a", 16);
    ofb_crypt(&k, aes_encrypt_fast, iv, pt, 16, buf);
    pass += check("ofb", buf, "3b3fd92eb72dad20333449f8e83cfb4a", 16);
    hex_to_bytes("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, 16);
    ctr_crypt(&k, aes_encrypt_fast, iv, pt, 16, buf);
    pass += check("ctr", buf, "874d6191b620e3261bef6864990db6ce", 16);
    /* RFC 4493 CMAC examples 1 and 2 */
    cmac(&k, aes_encrypt_fast, pt, 0, buf);
    pass += check("cmac0", buf, "bb1d6929e95937287fa37d129b756746", 16);
    cmac(&k, aes_encrypt_ref, pt, 16, buf);
    pass += check("cmac16", buf, "070a16b46b4d4144f79bdd9dd04a287c", 16);
    /* GCM test cases 2 and 3 (McGrew & Viega), both GHASH implementations */
    for (int t = 0; t < 2; t++) {
        uint8_t z[16] = {0}, g[64], tg[16], gp[64], iv12[12];
        aes_set_key(&k, z, 128);
        memset(iv12, 0, 12);
        gcm_encrypt(&k, t, iv12, 12, NULL, 0, z, 16, g, tg);
        pass += check("gcm2-ct", g, "0388dace60b6a392f328c2b971b2fe78", 16);
        pass += check("gcm2-tag", tg, "ab6e47d42cec13bdf53a67b21257bddf", 16);
        hex_to_bytes("feffe9928665731c6d6a8f9467308308", key, 16);
        aes_set_key(&k, key, 128);
        hex_to_bytes("cafebabefacedbaddecaf888", iv12, 12);
        hex_to_bytes("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255", gp, 64);
        gcm_encrypt(&k, t, iv12, 12, NULL, 0, gp, 64, g, tg);
        pass += check("gcm3-ct", g + 48, "1ba30b396a0aac973d58e091473f5985", 16);
        pass += check("gcm3-tag", tg, "4d5c2af327cd64a62cf35abd2ba6fab4", 16);
    }
    /* IEEE 1619 XTS-AES-128 vector 1: all-zero keys, unit 0, 32 zero bytes */
    {
        uint8_t z[32] = {0}, xo[32], xb[32];
        aes_key k1, k2;
        aes_set_key(&k1, z, 128);
        aes_set_key(&k2, z, 128);
        xts_crypt(&k1, &k2, aes_encrypt_fast, 0, z, 32, xo, 1);
        pass += check("xts", xo, "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e", 32);
        xts_crypt(&k1, &k2, aes_decrypt_fast, 0, xo, 32, xb, 0);
        pass += memcmp(xb, z, 32) == 0;
    }
    /* RFC 3394 section 4.1 */
    {
        uint8_t kek[16], data[16], wrapped[24], un[16];
        hex_to_bytes("000102030405060708090a0b0c0d0e0f", kek, 16);
        hex_to_bytes("00112233445566778899aabbccddeeff", data, 16);
        aes_set_key(&k, kek, 128);
        key_wrap(&k, data, 16, wrapped);
        pass += check("kw", wrapped, "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", 24);
        pass += key_unwrap(&k, wrapped, 24, un) == 0 && memcmp(un, data, 16) == 0;
    }
    return pass;
}

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

/* derive key material from the input with a xorshift generator */
static void derive(const uint8_t *in, size_t n, uint32_t salt, uint8_t *out, size_t m)
{
    uint32_t s = fnv(in, n) ^ salt;
    if (!s) s = 1;
    for (size_t i = 0; i < m; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        out[i] = (uint8_t)(s >> 11);
    }
}

enum { M_ECB, M_CBC, M_CFB, M_OFB, M_CTR, NMODES };
static const char *const MODE_NAMES[NMODES] = {"ECB", "CBC", "CFB", "OFB", "CTR"};

static size_t encrypt_mode(int mode, const aes_key *k, block_fn enc, const uint8_t *iv, const uint8_t *in,
                           size_t n, uint8_t *out)
{
    switch (mode) {
    case M_ECB: return ecb_encrypt(k, enc, in, n, out);
    case M_CBC: return cbc_encrypt(k, enc, iv, in, n, out);
    case M_CFB: cfb_encrypt(k, enc, iv, in, n, out); return n;
    case M_OFB: ofb_crypt(k, enc, iv, in, n, out); return n;
    default: ctr_crypt(k, enc, iv, in, n, out); return n;
    }
}

static size_t decrypt_mode(int mode, const aes_key *k, block_fn enc, block_fn dec, const uint8_t *iv,
                           const uint8_t *in, size_t n, uint8_t *out)
{
    switch (mode) {
    case M_ECB: return ecb_decrypt(k, dec, in, n, out);
    case M_CBC: return cbc_decrypt(k, dec, iv, in, n, out);
    case M_CFB: cfb_decrypt(k, enc, iv, in, n, out); return n;
    case M_OFB: ofb_crypt(k, enc, iv, in, n, out); return n;
    default: ctr_crypt(k, enc, iv, in, n, out); return n;
    }
}

int main(void)
{
    aes_init_tables();
    uint8_t *in = malloc(MAX_INPUT);
    uint8_t *c1 = malloc(MAX_INPUT + 32), *c2 = malloc(MAX_INPUT + 32), *p1 = malloc(MAX_INPUT + 32);
    if (!in || !c1 || !c2 || !p1) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(in + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;
    printf("sbox[00]=%02x sbox[53]=%02x inv[63]=%02x\n", SBOX[0], SBOX[0x53], INV_SBOX[0x63]);
    printf("known-answer tests passed: %d/31\n", known_answers());
    printf("input %zu bytes fnv %08x\n", n, fnv(in, n));

    static const int sizes[3] = {128, 192, 256};
    int failures = 0;
    for (int s = 0; s < 3; s++) {
        uint8_t key[32], iv[16];
        aes_key k;
        derive(in, n, (uint32_t)sizes[s], key, 32);
        derive(in, n, 0xA5A5u + (uint32_t)s, iv, 16);
        aes_set_key(&k, key, sizes[s]);
        printf("AES-%d last round key %08x%08x%08x%08x\n", sizes[s], k.ek[4 * k.rounds], k.ek[4 * k.rounds + 1],
               k.ek[4 * k.rounds + 2], k.ek[4 * k.rounds + 3]);
        /* the reference core is slow: use it on a prefix only */
        size_t refn = n < 1024 ? n : 1024;
        for (int m = 0; m < NMODES; m++) {
            size_t cl = encrypt_mode(m, &k, aes_encrypt_fast, iv, in, n, c1);
            size_t cr = encrypt_mode(m, &k, aes_encrypt_ref, iv, in, refn, c2);
            size_t cf = encrypt_mode(m, &k, aes_encrypt_fast, iv, in, refn, p1);
            int agree = cr == cf && memcmp(c2, p1, cr) == 0;
            size_t pl = decrypt_mode(m, &k, aes_encrypt_fast, aes_decrypt_fast, iv, c1, cl, p1);
            int ok = pl == n && memcmp(p1, in, n) == 0;
            size_t pr = decrypt_mode(m, &k, aes_encrypt_ref, aes_decrypt_ref, iv, c2, cr, p1);
            ok = ok && pr == refn && memcmp(p1, in, refn) == 0 && agree;
            failures += !ok;
            char hx[33];
            bytes_to_hex(c1 + (cl >= 32 ? cl - 16 : 0), 16, hx);
            printf("  %s len=%zu fnv=%08x tail=%s %s\n", MODE_NAMES[m], cl, fnv(c1, cl), hx, ok ? "ok" : "FAIL");
        }
        uint8_t tag[16];
        char hx[33];
        cmac(&k, aes_encrypt_fast, in, n, tag);
        bytes_to_hex(tag, 16, hx);
        printf("  CMAC %s\n", hx);
        /* flip one bit in the CBC ciphertext: exactly two plaintext blocks change */
        size_t cl = cbc_encrypt(&k, aes_encrypt_fast, iv, in, n, c1);
        c1[cl / 2] ^= 0x10;
        size_t pl = cbc_decrypt(&k, aes_decrypt_fast, iv, c1, cl, p1);
        int changed = 0;
        for (size_t b = 0; b + 16 <= n && pl != (size_t)-1; b += 16) changed += memcmp(p1 + b, in + b, 16) != 0;
        printf("  CBC bit flip -> %d blocks changed\n", changed);
    }
    /* AES-GCM over the input with AAD = first line, both GHASH variants */
    {
        uint8_t key[32], iv[12], t1[16], t2[16];
        aes_key k;
        derive(in, n, 0x6C6Cu, key, 32);
        derive(in, n, 0x1212u, iv, 12);
        aes_set_key(&k, key, 256);
        size_t aadlen = 0;
        while (aadlen < n && in[aadlen] != '\n') aadlen++;
        gcm_encrypt(&k, 1, iv, 12, in, aadlen, in, n, c1, t1);
        gcm_encrypt(&k, 0, iv, 12, in, aadlen, in, n < 1024 ? n : 1024, c2, t2);
        int agree = n < 1024 ? memcmp(t1, t2, 16) == 0 : memcmp(c1, c2, 1024) == 0;
        int dec = gcm_decrypt(&k, 1, iv, 12, in, aadlen, c1, n, p1, t1);
        int ok = dec == 0 && memcmp(p1, in, n) == 0 && agree;
        c1[n / 3] ^= 1;
        int forged = gcm_decrypt(&k, 1, iv, 12, in, aadlen, c1, n, p1, t1);
        char hx[33];
        bytes_to_hex(t1, 16, hx);
        printf("GCM-256 aad=%zu tag=%s fnv=%08x %s, tampered -> %s\n", aadlen, hx, fnv(c1, n), ok ? "ok" : "FAIL",
               forged ? "rejected" : "ACCEPTED");
        failures += !ok || !forged;
        /* non-96-bit IV path */
        uint8_t iv20[20];
        derive(in, n, 0x2020u, iv20, 20);
        gcm_encrypt(&k, 1, iv20, 20, NULL, 0, in, 100, c1, t1);
        gcm_encrypt(&k, 0, iv20, 20, NULL, 0, in, 100, c2, t2);
        bytes_to_hex(t1, 16, hx);
        printf("GCM-256 iv20 tag=%s tables-agree=%d\n", hx, memcmp(t1, t2, 16) == 0);
        /* wrap a derived 256-bit key */
        uint8_t wrapped[40], un[32];
        key_wrap(&k, key, 32, wrapped);
        int kw = key_unwrap(&k, wrapped, 40, un);
        bytes_to_hex(wrapped, 16, hx);
        printf("key wrap: %s.. unwrap=%d match=%d\n", hx, kw, kw == 0 && memcmp(un, key, 32) == 0);
    }
    /* XTS over 512-byte data units (the last one partial: ciphertext
     * stealing) and CFB-8 over a prefix */
    {
        uint8_t key[32], iv[16];
        aes_key k1, k2;
        derive(in, n, 0x7575u, key, 32);
        derive(in, n, 0x8686u, iv, 16);
        aes_set_key(&k1, key, 128);
        aes_set_key(&k2, key + 16, 128);
        size_t units = 0, bad = 0;
        uint32_t h = 0;
        for (size_t off = 0; off + 16 <= n; off += 512) {
            size_t len = n - off < 512 ? n - off : 512;
            xts_crypt(&k1, &k2, aes_encrypt_fast, units, in + off, len, c1 + off, 1);
            xts_crypt(&k1, &k2, aes_decrypt_ref, units, c1 + off, len, p1 + off, 0);
            bad += memcmp(p1 + off, in + off, len) != 0;
            h = h * 33u + fnv(c1 + off, len);
            units++;
        }
        printf("XTS-128 units=%zu hash=%08x %s\n", units, h, bad ? "FAIL" : "ok");
        failures += bad != 0;
        size_t cn = n < 1500 ? n : 1500;
        cfb8_crypt(&k1, aes_encrypt_fast, iv, in, cn, c1, 1);
        cfb8_crypt(&k1, aes_encrypt_ref, iv, c1, cn, p1, 0);
        int ok8 = memcmp(p1, in, cn) == 0;
        failures += !ok8;
        printf("CFB-8 %zu bytes fnv=%08x %s\n", cn, fnv(c1, cn), ok8 ? "ok" : "FAIL");
    }
    /* key avalanche: flipping each key bit changes ~half the ciphertext bits */
    {
        uint8_t key[16], pt[16], base[16], ct[16];
        aes_key k;
        derive(in, n, 77, key, 16);
        derive(in, n, 78, pt, 16);
        aes_set_key(&k, key, 128);
        aes_encrypt_fast(&k, pt, base);
        unsigned total = 0, minb = 128, maxb = 0;
        for (int b = 0; b < 128; b++) {
            key[b / 8] ^= (uint8_t)(1u << (b % 8));
            aes_set_key(&k, key, 128);
            aes_encrypt_fast(&k, pt, ct);
            key[b / 8] ^= (uint8_t)(1u << (b % 8));
            unsigned d = 0;
            for (int i = 0; i < 16; i++)
                for (uint8_t x = base[i] ^ ct[i]; x; x &= (uint8_t)(x - 1)) d++;
            total += d;
            if (d < minb) minb = d;
            if (d > maxb) maxb = d;
        }
        printf("key avalanche: mean %.3f min %u max %u\n", total / 128.0, minb, maxb);
    }
    printf("failures: %d\n", failures);
    free(in);
    free(c1);
    free(c2);
    free(p1);
    return 0;
}
