/* bigint: arbitrary-precision unsigned integers on 32-bit limbs, with
 * division, modular arithmetic (plain and Montgomery), primality testing
 * and an RSA-style key generation driven by a fixed PRNG. */
#ifndef BIGINT_BENCH_H
#define BIGINT_BENCH_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int n;        /* limbs in use; 0 means the value zero */
    int cap;
    uint32_t *d;  /* little-endian limbs */
} bn;

/* bn_core.c */
void bn_init(bn *a);
void bn_free(bn *a);
void bn_reserve(bn *a, int limbs);
void bn_normalize(bn *a);
void bn_set_u32(bn *a, uint32_t v);
void bn_set_u64(bn *a, uint64_t v);
void bn_copy(bn *r, const bn *a);
void bn_swap(bn *a, bn *b);
int bn_is_zero(const bn *a);
int bn_is_odd(const bn *a);
int bn_cmp(const bn *a, const bn *b);
int bn_cmp_u32(const bn *a, uint32_t v);
int bn_bits(const bn *a);
int bn_test_bit(const bn *a, int bit);
void bn_set_bit(bn *a, int bit);
void bn_add(bn *r, const bn *a, const bn *b);
void bn_sub(bn *r, const bn *a, const bn *b); /* requires a >= b */
void bn_add_u32(bn *r, const bn *a, uint32_t v);
void bn_sub_u32(bn *r, const bn *a, uint32_t v);
void bn_shl(bn *r, const bn *a, int bits);
void bn_shr(bn *r, const bn *a, int bits);
int bn_from_hex(bn *r, const char *s);
void bn_to_hex(const bn *a, char *out, size_t cap);
int bn_from_dec(bn *r, const char *s);
void bn_to_dec(const bn *a, char *out, size_t cap);
void bn_from_bytes(bn *r, const uint8_t *p, size_t n);
size_t bn_to_bytes(const bn *a, uint8_t *p, size_t cap);

/* bn_mul.c */
void bn_mul_u32(bn *r, const bn *a, uint32_t v);
void bn_mul_school(bn *r, const bn *a, const bn *b);
void bn_sqr(bn *r, const bn *a);
void bn_mul_karatsuba(bn *r, const bn *a, const bn *b);
void bn_mul(bn *r, const bn *a, const bn *b);

/* bn_div.c */
uint32_t bn_divmod_u32(bn *q, const bn *a, uint32_t v);
uint32_t bn_mod_u32(const bn *a, uint32_t v);
int bn_divmod(bn *q, bn *r, const bn *a, const bn *b); /* q or r may be NULL */
void bn_mod(bn *r, const bn *a, const bn *m);

/* bn_mod.c */
void bn_gcd(bn *r, const bn *a, const bn *b);
void bn_gcd_binary(bn *r, const bn *a, const bn *b);
int bn_modinv(bn *r, const bn *a, const bn *m);
void bn_modmul(bn *r, const bn *a, const bn *b, const bn *m);
void bn_modexp_plain(bn *r, const bn *base, const bn *exp, const bn *m);
void bn_modexp_window(bn *r, const bn *base, const bn *exp, const bn *m);
int bn_modexp_mont(bn *r, const bn *base, const bn *exp, const bn *m); /* m odd */
extern unsigned long long bn_mont_muls;

/* prime.c */
typedef struct {
    uint64_t s[4];
} prng;
void prng_seed(prng *g, uint64_t seed);
uint64_t prng_next(prng *g);
void bn_random_bits(bn *r, prng *g, int bits);
void bn_random_below(bn *r, prng *g, const bn *limit);
int bn_is_probable_prime(const bn *n, prng *g, int rounds);
int bn_random_prime(bn *r, prng *g, int bits, int *candidates);

/* rsa.c */
typedef struct {
    int bits;
    bn n, e, d, p, q, dp, dq, qinv;
} rsa_key;
int rsa_generate(rsa_key *k, prng *g, int bits, int *candidates);
void rsa_free(rsa_key *k);
void rsa_public(bn *r, const rsa_key *k, const bn *m);
void rsa_private(bn *r, const rsa_key *k, const bn *c);
void rsa_private_crt(bn *r, const rsa_key *k, const bn *c);
#endif
