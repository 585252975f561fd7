/* fasthash.c: non-cryptographic hashes: FNV-1/FNV-1a (32/64) and
 * MurmurHash3 (x86_32, x86_128, x64_128). */
#include "hashsuite.h"

uint32_t fnv1_32(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++) {
        h *= 0x01000193u;
        h ^= p[i];
    }
    return h;
}

uint32_t fnv1a_32(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x01000193u;
    }
    return h;
}

uint64_t fnv1_64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h *= 0x100000001b3ull;
        h ^= p[i];
    }
    return h;
}

uint64_t fnv1a_64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

static uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

uint32_t murmur3_x86_32(const uint8_t *p, size_t n, uint32_t seed)
{
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    uint32_t h = seed;
    size_t nblocks = n / 4;
    for (size_t i = 0; i < nblocks; i++) {
        uint32_t k = get32(p + 4 * i);
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5u + 0xe6546b64u;
    }
    const uint8_t *tail = p + nblocks * 4;
    uint32_t k = 0;
    switch (n & 3u) {
    case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
    case 1:
        k ^= tail[0];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)n;
    return fmix32(h);
}

void murmur3_x86_128(const uint8_t *p, size_t n, uint32_t seed, uint32_t out[4])
{
    const uint32_t c1 = 0x239b961bu, c2 = 0xab0e9789u, c3 = 0x38b34ae5u, c4 = 0xa1e38b93u;
    uint32_t h1 = seed, h2 = seed, h3 = seed, h4 = seed;
    size_t nblocks = n / 16;
    for (size_t i = 0; i < nblocks; i++) {
        const uint8_t *b = p + 16 * i;
        uint32_t k1 = get32(b), k2 = get32(b + 4), k3 = get32(b + 8), k4 = get32(b + 12);
        k1 *= c1; k1 = rotl32(k1, 15); k1 *= c2; h1 ^= k1;
        h1 = rotl32(h1, 19); h1 += h2; h1 = h1 * 5u + 0x561ccd1bu;
        k2 *= c2; k2 = rotl32(k2, 16); k2 *= c3; h2 ^= k2;
        h2 = rotl32(h2, 17); h2 += h3; h2 = h2 * 5u + 0x0bcaa747u;
        k3 *= c3; k3 = rotl32(k3, 17); k3 *= c4; h3 ^= k3;
        h3 = rotl32(h3, 15); h3 += h4; h3 = h3 * 5u + 0x96cd1c35u;
        k4 *= c4; k4 = rotl32(k4, 18); k4 *= c1; h4 ^= k4;
        h4 = rotl32(h4, 13); h4 += h1; h4 = h4 * 5u + 0x32ac3b17u;
    }
    const uint8_t *t = p + nblocks * 16;
    uint32_t k1 = 0, k2 = 0, k3 = 0, k4 = 0;
    switch (n & 15u) {
    case 15: k4 ^= (uint32_t)t[14] << 16; /* fall through */
    case 14: k4 ^= (uint32_t)t[13] << 8;  /* fall through */
    case 13: k4 ^= (uint32_t)t[12];
        k4 *= c4; k4 = rotl32(k4, 18); k4 *= c1; h4 ^= k4; /* fall through */
    case 12: k3 ^= (uint32_t)t[11] << 24; /* fall through */
    case 11: k3 ^= (uint32_t)t[10] << 16; /* fall through */
    case 10: k3 ^= (uint32_t)t[9] << 8;   /* fall through */
    case 9: k3 ^= (uint32_t)t[8];
        k3 *= c3; k3 = rotl32(k3, 17); k3 *= c4; h3 ^= k3; /* fall through */
    case 8: k2 ^= (uint32_t)t[7] << 24; /* fall through */
    case 7: k2 ^= (uint32_t)t[6] << 16; /* fall through */
    case 6: k2 ^= (uint32_t)t[5] << 8;  /* fall through */
    case 5: k2 ^= (uint32_t)t[4];
        k2 *= c2; k2 = rotl32(k2, 16); k2 *= c3; h2 ^= k2; /* fall through */
    case 4: k1 ^= (uint32_t)t[3] << 24; /* fall through */
    case 3: k1 ^= (uint32_t)t[2] << 16; /* fall through */
    case 2: k1 ^= (uint32_t)t[1] << 8;  /* fall through */
    case 1: k1 ^= (uint32_t)t[0];
        k1 *= c1; k1 = rotl32(k1, 15); k1 *= c2; h1 ^= k1;
    }
    uint32_t len = (uint32_t)n;
    h1 ^= len; h2 ^= len; h3 ^= len; h4 ^= len;
    h1 += h2; h1 += h3; h1 += h4;
    h2 += h1; h3 += h1; h4 += h1;
    h1 = fmix32(h1); h2 = fmix32(h2); h3 = fmix32(h3); h4 = fmix32(h4);
    h1 += h2; h1 += h3; h1 += h4;
    h2 += h1; h3 += h1; h4 += h1;
    out[0] = h1; out[1] = h2; out[2] = h3; out[3] = h4;
}

void murmur3_x64_128(const uint8_t *p, size_t n, uint32_t seed, uint64_t out[2])
{
    const uint64_t c1 = 0x87c37b91114253d5ull, c2 = 0x4cf5ad432745937full;
    uint64_t h1 = seed, h2 = seed;
    size_t nblocks = n / 16;
    for (size_t i = 0; i < nblocks; i++) {
        uint64_t k1 = get64(p + 16 * i), k2 = get64(p + 16 * i + 8);
        k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1;
        h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5u + 0x52dce729u;
        k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2;
        h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5u + 0x38495ab5u;
    }
    const uint8_t *t = p + nblocks * 16;
    uint64_t k1 = 0, k2 = 0;
    switch (n & 15u) {
    case 15: k2 ^= (uint64_t)t[14] << 48; /* fall through */
    case 14: k2 ^= (uint64_t)t[13] << 40; /* fall through */
    case 13: k2 ^= (uint64_t)t[12] << 32; /* fall through */
    case 12: k2 ^= (uint64_t)t[11] << 24; /* fall through */
    case 11: k2 ^= (uint64_t)t[10] << 16; /* fall through */
    case 10: k2 ^= (uint64_t)t[9] << 8;   /* fall through */
    case 9: k2 ^= (uint64_t)t[8];
        k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2; /* fall through */
    case 8: k1 ^= (uint64_t)t[7] << 56; /* fall through */
    case 7: k1 ^= (uint64_t)t[6] << 48; /* fall through */
    case 6: k1 ^= (uint64_t)t[5] << 40; /* fall through */
    case 5: k1 ^= (uint64_t)t[4] << 32; /* fall through */
    case 4: k1 ^= (uint64_t)t[3] << 24; /* fall through */
    case 3: k1 ^= (uint64_t)t[2] << 16; /* fall through */
    case 2: k1 ^= (uint64_t)t[1] << 8;  /* fall through */
    case 1: k1 ^= (uint64_t)t[0];
        k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1;
    }
    h1 ^= (uint64_t)n; h2 ^= (uint64_t)n;
    h1 += h2; h2 += h1;
    h1 = fmix64(h1); h2 = fmix64(h2);
    h1 += h2; h2 += h1;
    out[0] = h1; out[1] = h2;
}
