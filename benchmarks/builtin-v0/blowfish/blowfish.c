/* blowfish: the Blowfish block cipher (Feistel network, 16 rounds,
 * key-dependent S-boxes). The initial P-array and S-boxes, normally the
 * hex digits of pi, are generated here by a fixed xoshiro128** generator,
 * so the cipher is structurally Blowfish but not interoperable. Includes
 * the standard key schedule for 4..56 byte keys, an EksBlowfish-style
 * expensive key setup (salted, cost parameter), and ECB/CBC/CFB modes. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_INPUT (1u << 15)
#define ROUNDS 16

typedef struct {
    uint32_t P[ROUNDS + 2];
    uint32_t S[4][256];
} bf_ctx;

static bf_ctx INITIAL;

static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static void init_constants(void)
{
    uint32_t s[4] = {0x243F6A88u, 0x85A308D3u, 0x13198A2Eu, 0x03707344u};
    uint32_t *dst = INITIAL.P;
    size_t total = (ROUNDS + 2) + 4 * 256;
    for (size_t i = 0; i < total; i++) {
        uint32_t result = rotl(s[1] * 5u, 7) * 9u;
        uint32_t t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 11);
        if (i < ROUNDS + 2) dst[i] = result;
        else INITIAL.S[(i - (ROUNDS + 2)) / 256][(i - (ROUNDS + 2)) % 256] = result;
    }
}

static uint32_t F(const bf_ctx *c, uint32_t x)
{
    return ((c->S[0][x >> 24] + c->S[1][(x >> 16) & 0xFF]) ^ c->S[2][(x >> 8) & 0xFF]) + c->S[3][x & 0xFF];
}

static void bf_encrypt(const bf_ctx *c, uint32_t *xl, uint32_t *xr)
{
    uint32_t l = *xl, r = *xr;
    for (int i = 0; i < ROUNDS; i += 2) {
        l ^= c->P[i];
        r ^= F(c, l);
        r ^= c->P[i + 1];
        l ^= F(c, r);
    }
    l ^= c->P[ROUNDS];
    r ^= c->P[ROUNDS + 1];
    *xl = r;
    *xr = l;
}

static void bf_decrypt(const bf_ctx *c, uint32_t *xl, uint32_t *xr)
{
    uint32_t l = *xl, r = *xr;
    for (int i = ROUNDS + 1; i > 1; i -= 2) {
        l ^= c->P[i];
        r ^= F(c, l);
        r ^= c->P[i - 1];
        l ^= F(c, r);
    }
    l ^= c->P[1];
    r ^= c->P[0];
    *xl = r;
    *xr = l;
}

static uint32_t stream_word(const uint8_t *data, size_t len, size_t *pos)
{
    uint32_t w = 0;
    for (int i = 0; i < 4; i++) {
        w = (w << 8) | data[*pos];
        *pos = (*pos + 1) % len;
    }
    return w;
}

/* standard Blowfish key schedule */
static int bf_set_key(bf_ctx *c, const uint8_t *key, size_t len)
{
    if (len < 4 || len > 56) return -1;
    *c = INITIAL;
    size_t pos = 0;
    for (int i = 0; i < ROUNDS + 2; i++) c->P[i] ^= stream_word(key, len, &pos);
    uint32_t l = 0, r = 0;
    for (int i = 0; i < ROUNDS + 2; i += 2) {
        bf_encrypt(c, &l, &r);
        c->P[i] = l;
        c->P[i + 1] = r;
    }
    for (int s = 0; s < 4; s++)
        for (int i = 0; i < 256; i += 2) {
            bf_encrypt(c, &l, &r);
            c->S[s][i] = l;
            c->S[s][i + 1] = r;
        }
    return 0;
}

/* EksBlowfish ExpandKey(state, salt, key) */
static void expand_key(bf_ctx *c, const uint8_t salt[16], const uint8_t *key, size_t klen)
{
    size_t kp = 0, sp = 0;
    for (int i = 0; i < ROUNDS + 2; i++) c->P[i] ^= stream_word(key, klen, &kp);
    uint32_t l = 0, r = 0;
    for (int i = 0; i < ROUNDS + 2; i += 2) {
        if (salt) {
            l ^= stream_word(salt, 16, &sp);
            r ^= stream_word(salt, 16, &sp);
        }
        bf_encrypt(c, &l, &r);
        c->P[i] = l;
        c->P[i + 1] = r;
    }
    for (int s = 0; s < 4; s++)
        for (int i = 0; i < 256; i += 2) {
            if (salt) {
                l ^= stream_word(salt, 16, &sp);
                r ^= stream_word(salt, 16, &sp);
            }
            bf_encrypt(c, &l, &r);
            c->S[s][i] = l;
            c->S[s][i + 1] = r;
        }
}

static void eks_setup(bf_ctx *c, int cost, const uint8_t salt[16], const uint8_t *key, size_t klen)
{
    *c = INITIAL;
    expand_key(c, salt, key, klen);
    for (long i = 0; i < (1L << cost); i++) {
        expand_key(c, NULL, key, klen);
        expand_key(c, NULL, salt, 16);
    }
}

/* bcrypt-like hash: encrypt "OrpheanBeholderScryDoubt" 64 times */
static void eks_hash(int cost, const uint8_t salt[16], const uint8_t *key, size_t klen, uint8_t out[24])
{
    bf_ctx *c = malloc(sizeof *c);
    if (!c) exit(1);
    eks_setup(c, cost, salt, key, klen);
    static const char magic[] = "OrpheanBeholderScryDoubt";
    uint32_t w[6];
    size_t pos = 0;
    for (int i = 0; i < 6; i++) w[i] = stream_word((const uint8_t *)magic, 24, &pos);
    for (int k = 0; k < 64; k++)
        for (int i = 0; i < 6; i += 2) bf_encrypt(c, &w[i], &w[i + 1]);
    for (int i = 0; i < 6; i++) {
        out[4 * i] = (uint8_t)(w[i] >> 24);
        out[4 * i + 1] = (uint8_t)(w[i] >> 16);
        out[4 * i + 2] = (uint8_t)(w[i] >> 8);
        out[4 * i + 3] = (uint8_t)w[i];
    }
    free(c);
}

static void load_block(const uint8_t *p, uint32_t *l, uint32_t *r)
{
    *l = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    *r = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
}

static void store_block(uint8_t *p, uint32_t l, uint32_t r)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(l >> (24 - 8 * i));
        p[4 + i] = (uint8_t)(r >> (24 - 8 * i));
    }
}

enum { MODE_ECB, MODE_CBC, MODE_CFB };

/* n must be a multiple of 8 for ECB/CBC (caller pads) */
static void bf_crypt(const bf_ctx *c, int mode, int enc, uint64_t iv, const uint8_t *in, size_t n, uint8_t *out)
{
    uint32_t cl = (uint32_t)(iv >> 32), cr = (uint32_t)iv;
    for (size_t i = 0; i < n; i += 8) {
        uint32_t l, r;
        if (mode == MODE_CFB) {
            uint32_t kl = cl, kr = cr;
            bf_encrypt(c, &kl, &kr);
            uint8_t ks[8], blk[8];
            store_block(ks, kl, kr);
            size_t take = n - i < 8 ? n - i : 8;
            memset(blk, 0, 8);
            for (size_t j = 0; j < take; j++) {
                out[i + j] = in[i + j] ^ ks[j];
                blk[j] = enc ? out[i + j] : in[i + j];
            }
            load_block(blk, &cl, &cr);
            continue;
        }
        load_block(in + i, &l, &r);
        if (enc) {
            if (mode == MODE_CBC) {
                l ^= cl;
                r ^= cr;
            }
            bf_encrypt(c, &l, &r);
            cl = l;
            cr = r;
        } else {
            uint32_t sl = l, sr = r;
            bf_decrypt(c, &l, &r);
            if (mode == MODE_CBC) {
                l ^= cl;
                r ^= cr;
            }
            cl = sl;
            cr = sr;
        }
        store_block(out + i, l, r);
    }
}

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

int main(void)
{
    init_constants();
    uint8_t *in = calloc(MAX_INPUT + 8, 1), *ct = malloc(MAX_INPUT + 8), *pt = malloc(MAX_INPUT + 8);
    if (!in || !ct || !pt) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(in + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;
    size_t padded = (n + 7) & ~(size_t)7;
    printf("input %zu bytes (padded %zu), P[0]=%08x S[3][255]=%08x\n", n, padded, INITIAL.P[0], INITIAL.S[3][255]);

    bf_ctx *c = malloc(sizeof *c);
    if (!c) return 1;
    static const char *const keys[] = {"abcd", "blowfish-key", "a much longer key with many characters in it!",
                                       "0123456789012345678901234567890123456789012345678901234"};
    static const char *const modes[] = {"ECB", "CBC", "CFB"};
    int failures = 0;
    for (int k = 0; k < 4; k++) {
        size_t kl = strlen(keys[k]);
        if (bf_set_key(c, (const uint8_t *)keys[k], kl) != 0) {
            printf("key %d rejected (len %zu)\n", k, kl);
            continue;
        }
        printf("key %d (len %zu): P[17]=%08x S[0][0]=%08x\n", k, kl, c->P[17], c->S[0][0]);
        for (int m = 0; m < 3; m++) {
            size_t len = m == MODE_CFB ? n : padded;
            uint64_t iv = 0x0123456789ABCDEFull * (uint64_t)(k + 1);
            bf_crypt(c, m, 1, iv, in, len, ct);
            bf_crypt(c, m, 0, iv, ct, len, pt);
            int ok = memcmp(pt, in, len) == 0;
            failures += !ok;
            printf("  %s fnv=%08x first=%02x%02x%02x%02x %s\n", modes[m], fnv(ct, len), ct[0], ct[1], ct[2], ct[3],
                   ok ? "ok" : "FAIL");
        }
    }
    /* a 57-byte key must be rejected */
    uint8_t longkey[57];
    memset(longkey, 'k', sizeof longkey);
    printf("57-byte key: %s\n", bf_set_key(c, longkey, sizeof longkey) ? "rejected" : "accepted");

    /* plaintext avalanche in ECB: flip each bit of block 0 */
    bf_set_key(c, (const uint8_t *)keys[1], strlen(keys[1]));
    uint32_t l0, r0;
    load_block(in, &l0, &r0);
    uint32_t bl = l0, br = r0;
    bf_encrypt(c, &bl, &br);
    unsigned total = 0;
    for (int b = 0; b < 64; b++) {
        uint32_t l = l0 ^ (b < 32 ? 1u << b : 0), rr = r0 ^ (b >= 32 ? 1u << (b - 32) : 0);
        bf_encrypt(c, &l, &rr);
        uint64_t d = ((uint64_t)(l ^ bl) << 32) | (rr ^ br);
        while (d) {
            d &= d - 1;
            total++;
        }
    }
    printf("avalanche: %.3f bits per flip\n", total / 64.0);

    /* EksBlowfish password hashes with salts taken from the input */
    for (int cost = 2; cost <= 4; cost++) {
        uint8_t salt[16], out[24];
        for (int i = 0; i < 16; i++) salt[i] = in[(size_t)(cost * 16 + i) % (n ? n : 1)];
        eks_hash(cost, salt, (const uint8_t *)keys[2], strlen(keys[2]) + 1, out);
        printf("eks cost %d: ", cost);
        for (int i = 0; i < 23; i++) printf("%02x", out[i]);
        printf("\n");
    }
    printf("failures: %d\n", failures);
    free(c);
    free(in);
    free(ct);
    free(pt);
    return 0;
}
