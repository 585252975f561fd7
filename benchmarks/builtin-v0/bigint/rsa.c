/* rsa.c: RSA key generation (e = 65537, d from lambda(n)), public and
 * private operations, and CRT decryption (Garner's recombination). */
#include "bigint.h"

static void init_key(rsa_key *k)
{
    bn_init(&k->n); bn_init(&k->e); bn_init(&k->d); bn_init(&k->p);
    bn_init(&k->q); bn_init(&k->dp); bn_init(&k->dq); bn_init(&k->qinv);
}

void rsa_free(rsa_key *k)
{
    bn_free(&k->n); bn_free(&k->e); bn_free(&k->d); bn_free(&k->p);
    bn_free(&k->q); bn_free(&k->dp); bn_free(&k->dq); bn_free(&k->qinv);
}

int rsa_generate(rsa_key *k, prng *g, int bits, int *candidates)
{
    init_key(k);
    k->bits = bits;
    bn_set_u32(&k->e, 65537);
    bn pm1, qm1, g1, lambda, t;
    bn_init(&pm1); bn_init(&qm1); bn_init(&g1); bn_init(&lambda); bn_init(&t);
    int total = 0, c;
    for (int attempt = 0; attempt < 16; attempt++) {
        if (bn_random_prime(&k->p, g, bits / 2, &c) != 0) return -1;
        total += c;
        do {
            if (bn_random_prime(&k->q, g, bits - bits / 2, &c) != 0) return -1;
            total += c;
        } while (bn_cmp(&k->p, &k->q) == 0);
        if (bn_cmp(&k->p, &k->q) < 0) bn_swap(&k->p, &k->q); /* p > q */
        bn_sub_u32(&pm1, &k->p, 1);
        bn_sub_u32(&qm1, &k->q, 1);
        /* e must be coprime to p-1 and q-1 */
        bn_gcd(&t, &k->e, &pm1);
        if (bn_cmp_u32(&t, 1) != 0) continue;
        bn_gcd(&t, &k->e, &qm1);
        if (bn_cmp_u32(&t, 1) != 0) continue;
        bn_mul(&k->n, &k->p, &k->q);
        if (bn_bits(&k->n) != bits) continue;
        /* lambda = lcm(p-1, q-1) */
        bn_gcd_binary(&g1, &pm1, &qm1);
        bn_mul(&t, &pm1, &qm1);
        bn_divmod(&lambda, NULL, &t, &g1);
        if (bn_modinv(&k->d, &k->e, &lambda) != 0) continue;
        bn_mod(&k->dp, &k->d, &pm1);
        bn_mod(&k->dq, &k->d, &qm1);
        if (bn_modinv(&k->qinv, &k->q, &k->p) != 0) continue;
        *candidates = total;
        bn_free(&pm1); bn_free(&qm1); bn_free(&g1); bn_free(&lambda); bn_free(&t);
        return 0;
    }
    bn_free(&pm1); bn_free(&qm1); bn_free(&g1); bn_free(&lambda); bn_free(&t);
    return -1;
}

void rsa_public(bn *r, const rsa_key *k, const bn *m)
{
    bn_modexp_window(r, m, &k->e, &k->n);
}

void rsa_private(bn *r, const rsa_key *k, const bn *c)
{
    bn_modexp_mont(r, c, &k->d, &k->n);
}

void rsa_private_crt(bn *r, const rsa_key *k, const bn *c)
{
    bn m1, m2, h;
    bn_init(&m1); bn_init(&m2); bn_init(&h);
    bn_modexp_mont(&m1, c, &k->dp, &k->p);
    bn_modexp_mont(&m2, c, &k->dq, &k->q);
    /* h = qinv * (m1 - m2) mod p */
    bn m2p;
    bn_init(&m2p);
    bn_mod(&m2p, &m2, &k->p);
    if (bn_cmp(&m1, &m2p) >= 0) {
        bn_sub(&h, &m1, &m2p);
    } else {
        bn_add(&h, &m1, &k->p);
        bn_sub(&h, &h, &m2p);
    }
    bn_modmul(&h, &h, &k->qinv, &k->p);
    bn_mul(&h, &h, &k->q);
    bn_add(r, &h, &m2);
    bn_free(&m1); bn_free(&m2); bn_free(&h); bn_free(&m2p);
}
