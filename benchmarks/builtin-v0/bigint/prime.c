/* prime.c: xoshiro256** generator, random big integers, trial division
 * by a sieve of small primes, Miller-Rabin, and random prime search. */
#include <stdlib.h>
#include <string.h>
#include "bigint.h"

#define SIEVE_LIMIT 2000

static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void prng_seed(prng *g, uint64_t seed)
{
    /* splitmix64 to expand the seed */
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        g->s[i] = z ^ (z >> 31);
    }
}

uint64_t prng_next(prng *g)
{
    uint64_t *s = g->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

void bn_random_bits(bn *r, prng *g, int bits)
{
    int limbs = (bits + 31) / 32;
    bn_reserve(r, limbs > 0 ? limbs : 1);
    for (int i = 0; i < limbs; i += 2) {
        uint64_t v = prng_next(g);
        r->d[i] = (uint32_t)v;
        if (i + 1 < limbs) r->d[i + 1] = (uint32_t)(v >> 32);
    }
    if (bits % 32) r->d[limbs - 1] &= (1u << (bits % 32)) - 1u;
    r->n = limbs;
    bn_normalize(r);
}

/* uniform in [0, limit) by rejection */
void bn_random_below(bn *r, prng *g, const bn *limit)
{
    int bits = bn_bits(limit);
    do {
        bn_random_bits(r, g, bits);
    } while (bn_cmp(r, limit) >= 0);
}

static uint32_t small_primes[400];
static int n_small = 0;

static void init_small_primes(void)
{
    if (n_small) return;
    char composite[SIEVE_LIMIT];
    memset(composite, 0, sizeof composite);
    for (int i = 2; i < SIEVE_LIMIT; i++) {
        if (composite[i]) continue;
        if (n_small < 400) small_primes[n_small++] = (uint32_t)i;
        for (int j = i * i; j < SIEVE_LIMIT; j += i) composite[j] = 1;
    }
}

int bn_is_probable_prime(const bn *n, prng *g, int rounds)
{
    init_small_primes();
    if (bn_cmp_u32(n, 2) < 0) return 0;
    for (int i = 0; i < n_small; i++) {
        if (bn_cmp_u32(n, small_primes[i]) == 0) return 1;
        if (bn_mod_u32(n, small_primes[i]) == 0) return 0;
    }
    /* n - 1 = d * 2^s */
    bn nm1, d, a, x, lim;
    bn_init(&nm1); bn_init(&d); bn_init(&a); bn_init(&x); bn_init(&lim);
    bn_sub_u32(&nm1, n, 1);
    int s = 0;
    while (!bn_test_bit(&nm1, s)) s++;
    bn_shr(&d, &nm1, s);
    bn_sub_u32(&lim, n, 3);
    int prime = 1;
    for (int round = 0; round < rounds && prime; round++) {
        bn_random_below(&a, g, &lim);
        bn_add_u32(&a, &a, 2); /* a in [2, n-2] */
        bn_modexp_mont(&x, &a, &d, n);
        if (bn_cmp_u32(&x, 1) == 0 || bn_cmp(&x, &nm1) == 0) continue;
        int witness = 1;
        for (int i = 1; i < s; i++) {
            bn_modmul(&x, &x, &x, n);
            if (bn_cmp(&x, &nm1) == 0) {
                witness = 0;
                break;
            }
        }
        if (witness) prime = 0;
    }
    bn_free(&nm1); bn_free(&d); bn_free(&a); bn_free(&x); bn_free(&lim);
    return prime;
}

/* incremental search from a random odd start, with a residue sieve */
int bn_random_prime(bn *r, prng *g, int bits, int *candidates)
{
    init_small_primes();
    bn_random_bits(r, g, bits);
    bn_set_bit(r, bits - 1);
    bn_set_bit(r, bits - 2);
    r->d[0] |= 1u;
    uint32_t res[400];
    for (int i = 0; i < n_small; i++) res[i] = bn_mod_u32(r, small_primes[i]);
    *candidates = 0;
    uint32_t delta = 0;
    for (int tries = 0; tries < 20000; tries++, delta += 2) {
        int divisible = 0;
        for (int i = 1; i < n_small && !divisible; i++) /* skip 2: always odd */
            divisible = (res[i] + delta) % small_primes[i] == 0;
        if (divisible) continue;
        bn cand;
        bn_init(&cand);
        bn_add_u32(&cand, r, delta);
        (*candidates)++;
        if (bn_bits(&cand) == bits && bn_is_probable_prime(&cand, g, 12)) {
            bn_swap(r, &cand);
            bn_free(&cand);
            return 0;
        }
        bn_free(&cand);
    }
    return -1;
}
