/* hashsuite: runs MD5, SHA-1, SHA-2/512 family, FNV and MurmurHash3 over the
 * input and over buffers derived from it, with known-answer self-tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hashsuite.h"

#define MAX_INPUT (1u << 16)

static uint32_t h_fnv1a32(const uint8_t *p, size_t n) { return fnv1a_32(p, n); }
static uint32_t h_fnv1_32(const uint8_t *p, size_t n) { return fnv1_32(p, n); }
static uint32_t h_fnv1a64(const uint8_t *p, size_t n) { uint64_t h = fnv1a_64(p, n); return (uint32_t)(h ^ (h >> 32)); }
static uint32_t h_murmur(const uint8_t *p, size_t n) { return murmur3_x86_32(p, n, 0x5eed); }
static uint32_t h_murmur128(const uint8_t *p, size_t n) { uint64_t o[2]; murmur3_x64_128(p, n, 7, o); return (uint32_t)o[0]; }
static uint32_t h_md5(const uint8_t *p, size_t n)
{
    uint8_t d[16];
    md5(p, n, d);
    return (uint32_t)d[0] | ((uint32_t)d[1] << 8) | ((uint32_t)d[2] << 16) | ((uint32_t)d[3] << 24);
}
/* a deliberately weak hash to show what bad distribution looks like */
static uint32_t h_additive(const uint8_t *p, size_t n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++) h += p[i];
    return h;
}

typedef struct {
    const char *msg;
    int algo;
    const char *hex;
} kat;

static int run_kat(const kat *k)
{
    uint8_t d[64];
    char hx[129];
    const uint8_t *m = (const uint8_t *)k->msg;
    size_t n = strlen(k->msg), len = 0;
    sha512_ctx c;
    switch (k->algo) {
    case 0: md5(m, n, d); len = 16; break;
    case 1: sha1(m, n, d); len = 20; break;
    case 2: sha512(m, n, d); len = 64; break;
    case 3: sha384_init(&c); sha512_update(&c, m, n); sha512_final(&c, d); len = 48; break;
    case 4: {
        uint32_t v = fnv1a_32(m, n);
        for (int i = 0; i < 4; i++) d[i] = (uint8_t)(v >> (24 - 8 * i));
        len = 4;
        break;
    }
    case 5: {
        uint64_t v = fnv1a_64(m, n);
        for (int i = 0; i < 8; i++) d[i] = (uint8_t)(v >> (56 - 8 * i));
        len = 8;
        break;
    }
    case 6: {
        uint32_t v = murmur3_x86_32(m, n, 0);
        for (int i = 0; i < 4; i++) d[i] = (uint8_t)(v >> (24 - 8 * i));
        len = 4;
        break;
    }
    }
    hex_string(d, len, hx);
    return strcmp(hx, k->hex) == 0;
}

static int self_tests(void)
{
    static const kat kats[] = {
        {"", 0, "d41d8cd98f00b204e9800998ecf8427e"},
        {"abc", 0, "900150983cd24fb0d6963f7d28e17f72"},
        {"The quick brown fox jumps over the lazy dog", 0, "9e107d9d372bb6826bd81d3542a419d6"},
        {"", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"abc", 2, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                   "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
        {"abc", 3, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
                   "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
        {"", 4, "811c9dc5"},
        {"a", 4, "e40c292c"},
        {"a", 5, "af63dc4c8601ec8c"},
        {"", 6, "00000000"},
        {"hello", 6, "248bfa47"},
        {"The quick brown fox jumps over the lazy dog", 6, "2e4ff723"},
    };
    int pass = 0, total = (int)(sizeof kats / sizeof kats[0]);
    for (int i = 0; i < total; i++) {
        if (run_kat(&kats[i])) pass++;
        else printf("KAT %d failed\n", i);
    }
    printf("known-answer tests: %d/%d\n", pass, total);
    return pass == total;
}

static void digest_line(const char *label, const uint8_t *buf, size_t n)
{
    uint8_t d[64];
    char hx[129];
    printf("[%s] len=%zu\n", label, n);
    md5(buf, n, d);
    hex_string(d, 16, hx);
    printf("  md5    %s\n", hx);
    sha1(buf, n, d);
    hex_string(d, 20, hx);
    printf("  sha1   %s\n", hx);
    sha512(buf, n, d);
    hex_string(d, 24, hx);
    printf("  sha512 %s..\n", hx);
    uint32_t m128[4];
    uint64_t m64[2];
    murmur3_x86_128(buf, n, 42, m128);
    murmur3_x64_128(buf, n, 42, m64);
    printf("  fnv1a32=%08x fnv1a64=%016llx mm32=%08x mm86=%08x%08x mm64=%016llx\n",
           fnv1a_32(buf, n), (unsigned long long)fnv1a_64(buf, n), murmur3_x86_32(buf, n, 42),
           m128[0], m128[3], (unsigned long long)m64[1]);
}

/* incremental-vs-oneshot consistency for every chunk size pattern */
static int streaming_check(const uint8_t *buf, size_t n)
{
    int bad = 0;
    uint8_t a[64], b[64];
    static const size_t steps[] = {1, 3, 63, 64, 65, 127, 128, 129, 1000};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        size_t lim = n < 3000 ? n : 3000;
        md5_ctx mc; sha1_ctx sc; sha512_ctx xc;
        md5_init(&mc); sha1_init(&sc); sha512_init(&xc);
        for (size_t i = 0; i < lim; i += steps[s]) {
            size_t k = lim - i < steps[s] ? lim - i : steps[s];
            md5_update(&mc, buf + i, k);
            sha1_update(&sc, buf + i, k);
            sha512_update(&xc, buf + i, k);
        }
        md5_final(&mc, a); md5(buf, lim, b); bad += memcmp(a, b, 16) != 0;
        sha1_final(&sc, a); sha1(buf, lim, b); bad += memcmp(a, b, 20) != 0;
        sha512_final(&xc, a); sha512(buf, lim, b); bad += memcmp(a, b, 64) != 0;
    }
    return bad;
}

int main(void)
{
    uint8_t *buf = malloc(MAX_INPUT);
    uint8_t *der = malloc(MAX_INPUT);
    if (!buf || !der) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(buf + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;
    self_tests();
    printf("streaming mismatches: %d\n", streaming_check(buf, n));

    for (int k = 0; k < DERIVE_KINDS; k++) {
        size_t m = derive_buffer(k, buf, n, der, MAX_INPUT);
        digest_line(derive_name(k), der, m);
    }

    uint8_t d[64];
    char hx[129];
    sha512_ctx c;
    sha384_init(&c);
    sha512_update(&c, buf, n);
    sha512_final(&c, d);
    hex_string(d, 48, hx);
    printf("sha384(input)     = %s\n", hx);
    sha512_256_init(&c);
    sha512_update(&c, buf, n);
    sha512_final(&c, d);
    hex_string(d, 32, hx);
    printf("sha512/256(input) = %s\n", hx);

    /* digest chain: md5 -> sha1 -> sha512 -> md5 ... */
    uint8_t chain[64];
    size_t clen = 16;
    md5(buf, n, chain);
    for (int i = 0; i < 300; i++) {
        uint8_t t[64];
        switch (i % 3) {
        case 0: sha1(chain, clen, t); clen = 20; break;
        case 1: sha512(chain, clen, t); clen = 64; break;
        default: md5(chain, clen, t); clen = 16; break;
        }
        memcpy(chain, t, clen);
    }
    hex_string(chain, clen, hx);
    printf("digest chain(300) = %s\n", hx);

    table_quality("fnv1a32", h_fnv1a32, buf, n);
    table_quality("fnv1-32", h_fnv1_32, buf, n);
    table_quality("fnv1a64", h_fnv1a64, buf, n);
    table_quality("murmur3", h_murmur, buf, n);
    table_quality("md5", h_md5, buf, n);
    table_quality("additive", h_additive, buf, n);
    avalanche_report("fnv1a32", h_fnv1a32);
    avalanche_report("murmur3", h_murmur);
    avalanche_report("mm3x64", h_murmur128);
    avalanche_report("md5", h_md5);
    avalanche_report("additive", h_additive);
    free(buf);
    free(der);
    return 0;
}
