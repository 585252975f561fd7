/* sha256: FIPS 180-4 SHA-256 / SHA-224 with a streaming interface,
 * HMAC-SHA256 (RFC 2104), PBKDF2-HMAC-SHA256 with a small iteration count,
 * and a Merkle tree over fixed-size chunks of stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_INPUT (1u << 16)

typedef struct {
    uint32_t h[8];
    uint64_t total;
    uint8_t buf[64];
    size_t used;
    int outlen;
} sha256_ctx;

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha256_compress(uint32_t h[8], const uint8_t blk[64])
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = ((uint32_t)blk[4 * i] << 24) | ((uint32_t)blk[4 * i + 1] << 16) |
               ((uint32_t)blk[4 * i + 2] << 8) | (uint32_t)blk[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + K[i] + w[i];
        uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        hh = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256_init(sha256_ctx *c)
{
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(c->h, iv, sizeof iv);
    c->total = 0;
    c->used = 0;
    c->outlen = 32;
}

static void sha224_init(sha256_ctx *c)
{
    static const uint32_t iv[8] = {0xc1059ed8u, 0x367cd507u, 0x3070dd17u, 0xf70e5939u,
                                   0xffc00b31u, 0x68581511u, 0x64f98fa7u, 0xbefa4fa4u};
    memcpy(c->h, iv, sizeof iv);
    c->total = 0;
    c->used = 0;
    c->outlen = 28;
}

static void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n)
{
    c->total += n;
    if (c->used) {
        size_t take = 64 - c->used;
        if (take > n) take = n;
        memcpy(c->buf + c->used, p, take);
        c->used += take;
        p += take;
        n -= take;
        if (c->used == 64) {
            sha256_compress(c->h, c->buf);
            c->used = 0;
        }
    }
    while (n >= 64) {
        sha256_compress(c->h, p);
        p += 64;
        n -= 64;
    }
    if (n) {
        memcpy(c->buf, p, n);
        c->used = n;
    }
}

static void sha256_final(sha256_ctx *c, uint8_t *out)
{
    uint64_t bits = c->total * 8;
    c->buf[c->used++] = 0x80;
    if (c->used > 56) {
        memset(c->buf + c->used, 0, 64 - c->used);
        sha256_compress(c->h, c->buf);
        c->used = 0;
    }
    memset(c->buf + c->used, 0, 56 - c->used);
    for (int i = 0; i < 8; i++)
        c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_compress(c->h, c->buf);
    for (int i = 0; i < c->outlen / 4; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, p, n);
    sha256_final(&c, out);
}

static void hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen, uint8_t out[32])
{
    uint8_t k0[64], pad[64], inner[32];
    memset(k0, 0, sizeof k0);
    if (klen > 64)
        sha256(key, klen, k0);
    else if (klen)
        memcpy(k0, key, klen);
    sha256_ctx c;
    for (int i = 0; i < 64; i++) pad[i] = k0[i] ^ 0x36;
    sha256_init(&c);
    sha256_update(&c, pad, 64);
    sha256_update(&c, msg, mlen);
    sha256_final(&c, inner);
    for (int i = 0; i < 64; i++) pad[i] = k0[i] ^ 0x5c;
    sha256_init(&c);
    sha256_update(&c, pad, 64);
    sha256_update(&c, inner, 32);
    sha256_final(&c, out);
}

static void pbkdf2_sha256(const uint8_t *pw, size_t pwlen, const uint8_t *salt, size_t slen,
                          unsigned iters, uint8_t *out, size_t outlen)
{
    uint8_t msg[128], u[32], t[32];
    uint32_t block = 1;
    if (slen > 120) slen = 120;
    while (outlen > 0) {
        memcpy(msg, salt, slen);
        msg[slen] = (uint8_t)(block >> 24);
        msg[slen + 1] = (uint8_t)(block >> 16);
        msg[slen + 2] = (uint8_t)(block >> 8);
        msg[slen + 3] = (uint8_t)block;
        hmac_sha256(pw, pwlen, msg, slen + 4, u);
        memcpy(t, u, 32);
        for (unsigned i = 1; i < iters; i++) {
            hmac_sha256(pw, pwlen, u, 32, u);
            for (int j = 0; j < 32; j++) t[j] ^= u[j];
        }
        size_t take = outlen < 32 ? outlen : 32;
        memcpy(out, t, take);
        out += take;
        outlen -= take;
        block++;
    }
}

static void print_hex(const char *label, const uint8_t *d, size_t n)
{
    printf("%s", label);
    for (size_t i = 0; i < n; i++) printf("%02x", d[i]);
    printf("\n");
}

static int hex_equals(const uint8_t *d, size_t n, const char *hex)
{
    char tmp[3];
    for (size_t i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp, "%02x", d[i]);
        if (tmp[0] != hex[2 * i] || tmp[1] != hex[2 * i + 1]) return 0;
    }
    return hex[2 * n] == '\0';
}

static int self_test(void)
{
    uint8_t d[32];
    int ok = 0;
    sha256((const uint8_t *)"abc", 3, d);
    ok += hex_equals(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256((const uint8_t *)"", 0, d);
    ok += hex_equals(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256((const uint8_t *)m2, strlen(m2), d);
    ok += hex_equals(d, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha256_ctx c;
    sha224_init(&c);
    sha256_update(&c, (const uint8_t *)"abc", 3);
    sha256_final(&c, d);
    ok += hex_equals(d, 28, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
    /* RFC 4231 test case 2 */
    hmac_sha256((const uint8_t *)"Jefe", 4, (const uint8_t *)"what do ya want for nothing?", 28, d);
    ok += hex_equals(d, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* one million 'a' in uneven pieces */
    uint8_t chunk[997];
    memset(chunk, 'a', sizeof chunk);
    sha256_init(&c);
    size_t left = 1000000;
    while (left) {
        size_t k = left < sizeof chunk ? left : sizeof chunk;
        sha256_update(&c, chunk, k);
        left -= k;
    }
    sha256_final(&c, d);
    ok += hex_equals(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    return ok;
}

int main(void)
{
    uint8_t *buf = malloc(MAX_INPUT);
    if (!buf) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(buf + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;
    printf("self-test passed: %d/6\n", self_test());
    printf("input bytes: %zu\n", n);

    uint8_t d[32];
    sha256(buf, n, d);
    print_hex("sha256(input) = ", d, 32);
    sha256_ctx c;
    sha224_init(&c);
    for (size_t i = 0; i < n; i += 61)
        sha256_update(&c, buf + i, n - i < 61 ? n - i : 61);
    sha256_final(&c, d);
    print_hex("sha224(input) = ", d, 28);

    /* Merkle tree over 1 KiB leaves */
    size_t leaves = (n + 1023) / 1024;
    if (leaves == 0) leaves = 1;
    uint8_t (*level)[32] = malloc(leaves * 32);
    if (!level) return 1;
    for (size_t i = 0; i < leaves; i++) {
        size_t off = i * 1024, len = n > off ? (n - off < 1024 ? n - off : 1024) : 0;
        uint8_t tmp[1025];
        tmp[0] = 0x00;
        memcpy(tmp + 1, buf + off, len);
        sha256(tmp, len + 1, level[i]);
    }
    size_t count = leaves, depth = 0;
    while (count > 1) {
        size_t out = 0;
        for (size_t i = 0; i < count; i += 2) {
            uint8_t pair[65];
            pair[0] = 0x01;
            memcpy(pair + 1, level[i], 32);
            memcpy(pair + 33, level[i + 1 < count ? i + 1 : i], 32);
            sha256(pair, 65, level[out++]);
        }
        count = out;
        depth++;
    }
    printf("merkle leaves=%zu depth=%zu\n", leaves, depth);
    print_hex("merkle root = ", level[0], 32);
    free(level);

    /* HMAC of each line keyed by the first line, folded */
    size_t first = 0;
    while (first < n && buf[first] != '\n') first++;
    uint8_t fold[32];
    memset(fold, 0, sizeof fold);
    size_t lines = 0, start = first + 1;
    for (size_t i = start; i <= n; i++) {
        if (i == n || buf[i] == '\n') {
            if (i > start) {
                hmac_sha256(buf, first, buf + start, i - start, d);
                for (int j = 0; j < 32; j++) fold[j] ^= d[j];
                lines++;
            }
            start = i + 1;
        }
    }
    printf("hmac lines=%zu\n", lines);
    print_hex("hmac fold = ", fold, 32);

    uint8_t dk[48];
    pbkdf2_sha256(buf, first, (const uint8_t *)"rl-compiler salt", 16, 64, dk, sizeof dk);
    print_hex("pbkdf2(64 iters) = ", dk, sizeof dk);
    free(buf);
    return 0;
}
