/* hashsuite: shared declarations for the hash implementations. */
#ifndef HASHSUITE_H
#define HASHSUITE_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t s[4];
    uint64_t total;
    uint8_t buf[64];
    size_t used;
} md5_ctx;

typedef struct {
    uint32_t s[5];
    uint64_t total;
    uint8_t buf[64];
    size_t used;
} sha1_ctx;

typedef struct {
    uint64_t s[8];
    uint64_t total_lo, total_hi;
    uint8_t buf[128];
    size_t used;
    size_t outlen;
} sha512_ctx;

void md5_init(md5_ctx *c);
void md5_update(md5_ctx *c, const uint8_t *p, size_t n);
void md5_final(md5_ctx *c, uint8_t out[16]);
void md5(const uint8_t *p, size_t n, uint8_t out[16]);

void sha1_init(sha1_ctx *c);
void sha1_update(sha1_ctx *c, const uint8_t *p, size_t n);
void sha1_final(sha1_ctx *c, uint8_t out[20]);
void sha1(const uint8_t *p, size_t n, uint8_t out[20]);

void sha512_init(sha512_ctx *c);
void sha384_init(sha512_ctx *c);
void sha512_256_init(sha512_ctx *c);
void sha512_update(sha512_ctx *c, const uint8_t *p, size_t n);
void sha512_final(sha512_ctx *c, uint8_t *out);
void sha512(const uint8_t *p, size_t n, uint8_t out[64]);

uint32_t fnv1_32(const uint8_t *p, size_t n);
uint32_t fnv1a_32(const uint8_t *p, size_t n);
uint64_t fnv1_64(const uint8_t *p, size_t n);
uint64_t fnv1a_64(const uint8_t *p, size_t n);
uint32_t murmur3_x86_32(const uint8_t *p, size_t n, uint32_t seed);
void murmur3_x86_128(const uint8_t *p, size_t n, uint32_t seed, uint32_t out[4]);
void murmur3_x64_128(const uint8_t *p, size_t n, uint32_t seed, uint64_t out[2]);

/* derived buffers and analysis (analysis.c) */
typedef uint32_t (*hash32_fn)(const uint8_t *p, size_t n);
size_t derive_buffer(int kind, const uint8_t *src, size_t n, uint8_t *dst, size_t cap);
const char *derive_name(int kind);
#define DERIVE_KINDS 7
void table_quality(const char *name, hash32_fn fn, const uint8_t *buf, size_t n);
void avalanche_report(const char *name, hash32_fn fn);

void hex_string(const uint8_t *d, size_t n, char *out);
#endif
