/* bigint driver: a small command language on stdin exercising the
 * multiprecision library (see bigint.h). Commands:
 *   arith A B          hex operands: + - * / % gcd, cross-checked
 *   dec N              decimal -> hex -> decimal roundtrip
 *   modexp B E M       three exponentiation methods
 *   modinv A M
 *   factorial N | fib N | pow B E   (decimal)
 *   prime BITS SEED
 *   rsa BITS SEED message...
 *   selftest COUNT SEED  randomized identities */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bigint.h"

#define LINE 4096

static uint32_t fnv_bn(const bn *a)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < a->n; i++)
        for (int k = 0; k < 4; k++) h = (h ^ (uint8_t)(a->d[i] >> (8 * k))) * 16777619u;
    return h;
}

static void show(const char *label, const bn *a)
{
    char buf[LINE];
    bn_to_hex(a, buf, sizeof buf);
    size_t len = strlen(buf);
    if (len <= 64) printf("  %s = %s\n", label, buf);
    else printf("  %s = %.24s...%s (%zu hex digits, fnv %08x)\n", label, buf, buf + len - 8, len, fnv_bn(a));
}

static void show_dec(const char *label, const bn *a)
{
    static char buf[1 << 14];
    bn_to_dec(a, buf, sizeof buf);
    size_t len = strlen(buf);
    unsigned digitsum = 0;
    for (size_t i = 0; i < len; i++) digitsum += (unsigned)(buf[i] - '0');
    if (len <= 60) printf("  %s = %s\n", label, buf);
    else printf("  %s = %.20s...%s (%zu digits, digit sum %u)\n", label, buf, buf + len - 12, len, digitsum);
}

static int failures = 0;

static void check(int cond, const char *what)
{
    if (!cond) {
        failures++;
        printf("  CHECK FAILED: %s\n", what);
    }
}

static void cmd_arith(const char *sa, const char *sb)
{
    bn a, b, r, q, t, u;
    bn_init(&a); bn_init(&b); bn_init(&r); bn_init(&q); bn_init(&t); bn_init(&u);
    if (bn_from_hex(&a, sa) || bn_from_hex(&b, sb)) {
        printf("arith: bad operand\n");
        return;
    }
    printf("arith (%d bits, %d bits)\n", bn_bits(&a), bn_bits(&b));
    bn_add(&r, &a, &b);
    show("a+b", &r);
    if (bn_cmp(&a, &b) >= 0) bn_sub(&r, &a, &b);
    else bn_sub(&r, &b, &a);
    show("|a-b|", &r);
    bn_mul_school(&r, &a, &b);
    bn_mul_karatsuba(&t, &a, &b);
    check(bn_cmp(&r, &t) == 0, "karatsuba == schoolbook");
    show("a*b", &r);
    bn_sqr(&t, &a);
    bn_mul_school(&u, &a, &a);
    check(bn_cmp(&t, &u) == 0, "sqr == a*a");
    if (!bn_is_zero(&b)) {
        bn_divmod(&q, &r, &a, &b);
        show("a/b", &q);
        show("a%b", &r);
        bn_mul(&t, &q, &b);
        bn_add(&t, &t, &r);
        check(bn_cmp(&t, &a) == 0 && bn_cmp(&r, &b) < 0, "q*b + r == a, r < b");
    }
    bn_gcd(&r, &a, &b);
    bn_gcd_binary(&t, &a, &b);
    check(bn_cmp(&r, &t) == 0, "euclid gcd == binary gcd");
    show("gcd", &r);
    bn_free(&a); bn_free(&b); bn_free(&r); bn_free(&q); bn_free(&t); bn_free(&u);
}

static void cmd_dec(const char *s)
{
    bn a;
    bn_init(&a);
    if (bn_from_dec(&a, s)) {
        printf("dec: bad number\n");
        return;
    }
    char buf[LINE];
    bn_to_dec(&a, buf, sizeof buf);
    printf("dec %zu digits -> %d bits, roundtrip %s\n", strlen(s), bn_bits(&a), strcmp(buf, s) == 0 ? "ok" : "FAIL");
    check(strcmp(buf, s) == 0, "decimal roundtrip");
    show("hex", &a);
    bn_free(&a);
}

static void cmd_modexp(const char *sb, const char *se, const char *sm)
{
    bn b, e, m, r1, r2, r3;
    bn_init(&b); bn_init(&e); bn_init(&m); bn_init(&r1); bn_init(&r2); bn_init(&r3);
    if (bn_from_hex(&b, sb) || bn_from_hex(&e, se) || bn_from_hex(&m, sm) || bn_is_zero(&m)) {
        printf("modexp: bad operand\n");
        return;
    }
    bn_modexp_plain(&r1, &b, &e, &m);
    bn_modexp_window(&r2, &b, &e, &m);
    printf("modexp (%d-bit exponent, %d-bit modulus)\n", bn_bits(&e), bn_bits(&m));
    check(bn_cmp(&r1, &r2) == 0, "binary == window");
    if (bn_is_odd(&m)) {
        unsigned long long before = bn_mont_muls;
        bn_modexp_mont(&r3, &b, &e, &m);
        check(bn_cmp(&r1, &r3) == 0, "binary == montgomery");
        printf("  montgomery multiplications: %llu\n", bn_mont_muls - before);
    }
    show("result", &r1);
    bn_free(&b); bn_free(&e); bn_free(&m); bn_free(&r1); bn_free(&r2); bn_free(&r3);
}

static void cmd_modinv(const char *sa, const char *sm)
{
    bn a, m, r, t;
    bn_init(&a); bn_init(&m); bn_init(&r); bn_init(&t);
    if (bn_from_hex(&a, sa) || bn_from_hex(&m, sm) || bn_is_zero(&m)) {
        printf("modinv: bad operand\n");
        return;
    }
    printf("modinv\n");
    if (bn_modinv(&r, &a, &m) != 0) {
        printf("  not invertible\n");
    } else {
        bn_modmul(&t, &r, &a, &m);
        check(bn_cmp_u32(&t, 1) == 0 || bn_cmp_u32(&m, 1) == 0, "a * inv(a) == 1");
        show("inverse", &r);
    }
    bn_free(&a); bn_free(&m); bn_free(&r); bn_free(&t);
}

static void cmd_factorial(int n)
{
    bn f;
    bn_init(&f);
    bn_set_u32(&f, 1);
    for (int i = 2; i <= n; i++) bn_mul_u32(&f, &f, (uint32_t)i);
    printf("factorial %d (%d bits)\n", n, bn_bits(&f));
    show_dec("n!", &f);
    /* trailing zeros must equal sum floor(n/5^k) */
    int tz = 0;
    bn t;
    bn_init(&t);
    bn_copy(&t, &f);
    while (!bn_is_zero(&t) && bn_mod_u32(&t, 10) == 0) {
        bn_divmod_u32(&t, &t, 10);
        tz++;
    }
    int expect = 0;
    for (int p = 5; p <= n; p *= 5) expect += n / p;
    check(tz == expect, "factorial trailing zeros");
    bn_free(&t);
    bn_free(&f);
}

static void cmd_fib(int n)
{
    bn a, b;
    bn_init(&a); bn_init(&b);
    bn_set_u32(&a, 0);
    bn_set_u32(&b, 1);
    for (int i = 0; i < n; i++) {
        bn_add(&a, &a, &b);
        bn_swap(&a, &b);
    }
    printf("fib %d (%d bits)\n", n, bn_bits(&a));
    show_dec("F(n)", &a);
    bn_free(&a); bn_free(&b);
}

static void cmd_pow(const char *sb, int e)
{
    bn b, r;
    bn_init(&b); bn_init(&r);
    if (bn_from_dec(&b, sb) || e < 0) {
        printf("pow: bad operand\n");
        return;
    }
    bn_set_u32(&r, 1);
    bn base;
    bn_init(&base);
    bn_copy(&base, &b);
    for (int x = e; x > 0; x >>= 1) {
        if (x & 1) bn_mul(&r, &r, &base);
        if (x > 1) bn_mul(&base, &base, &base);
    }
    printf("pow %s^%d (%d bits)\n", sb, e, bn_bits(&r));
    show_dec("result", &r);
    bn_free(&b); bn_free(&r); bn_free(&base);
}

static void cmd_prime(int bits, unsigned long long seed)
{
    prng g;
    prng_seed(&g, seed);
    bn p;
    bn_init(&p);
    int cand = 0;
    if (bits < 8 || bn_random_prime(&p, &g, bits, &cand) != 0) {
        printf("prime: failed\n");
        return;
    }
    printf("prime %d bits (seed %llu): %d candidates tested\n", bits, seed, cand);
    show("p", &p);
    bn_free(&p);
}

static void cmd_rsa(int bits, unsigned long long seed, const char *msg)
{
    prng g;
    prng_seed(&g, seed);
    rsa_key k;
    int cand = 0;
    if (bits < 64 || rsa_generate(&k, &g, bits, &cand) != 0) {
        printf("rsa: keygen failed\n");
        return;
    }
    printf("rsa %d bits (seed %llu): %d prime candidates\n", bits, seed, cand);
    show("n", &k.n);
    show("d", &k.d);
    show("p", &k.p);
    show("q", &k.q);
    /* encode message bytes as an integer below n, in chunks */
    size_t len = strlen(msg), chunk = (size_t)(bits / 8 - 2);
    bn m, c, m1, m2, h, s, v;
    bn_init(&m); bn_init(&c); bn_init(&m1); bn_init(&m2); bn_init(&h); bn_init(&s); bn_init(&v);
    uint32_t cfold = 0;
    int chunks = 0;
    for (size_t off = 0; off < len || off == 0; off += chunk) {
        size_t take = len - off < chunk ? len - off : chunk;
        bn_from_bytes(&m, (const uint8_t *)msg + off, take);
        rsa_public(&c, &k, &m);
        rsa_private(&m1, &k, &c);
        rsa_private_crt(&m2, &k, &c);
        check(bn_cmp(&m, &m1) == 0, "rsa decrypt");
        check(bn_cmp(&m, &m2) == 0, "rsa crt decrypt");
        cfold = cfold * 31u + fnv_bn(&c);
        chunks++;
        if (len == 0) break;
    }
    printf("  message %zu bytes in %d blocks, ciphertext fold %08x\n", len, chunks, cfold);
    /* textbook signature over a digest of the message */
    uint8_t dig[16];
    uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0x84222325cbf29ce4ull;
    for (size_t i = 0; i < len; i++) {
        h1 = (h1 ^ (uint8_t)msg[i]) * 0x100000001b3ull;
        h2 = (h2 + (uint8_t)msg[i]) * 0x9E3779B97F4A7C15ull;
    }
    for (int i = 0; i < 8; i++) {
        dig[i] = (uint8_t)(h1 >> (8 * i));
        dig[8 + i] = (uint8_t)(h2 >> (8 * i));
    }
    bn_from_bytes(&h, dig, 16);
    rsa_private_crt(&s, &k, &h);
    rsa_public(&v, &k, &s);
    check(bn_cmp(&v, &h) == 0, "signature verifies");
    show("signature", &s);
    bn_free(&m); bn_free(&c); bn_free(&m1); bn_free(&m2); bn_free(&h); bn_free(&s); bn_free(&v);
    rsa_free(&k);
}

static void cmd_selftest(int count, unsigned long long seed)
{
    prng g;
    prng_seed(&g, seed);
    bn a, b, c, q, r, t, u;
    bn_init(&a); bn_init(&b); bn_init(&c); bn_init(&q); bn_init(&r); bn_init(&t); bn_init(&u);
    int bad = 0;
    for (int i = 0; i < count; i++) {
        int ba = 1 + (int)(prng_next(&g) % 1600), bb = 1 + (int)(prng_next(&g) % 900);
        bn_random_bits(&a, &g, ba);
        bn_random_bits(&b, &g, bb);
        if (bn_is_zero(&b)) bn_set_u32(&b, 7);
        /* (a*b)/b == a, remainder 0 */
        bn_mul(&c, &a, &b);
        bn_divmod(&q, &r, &c, &b);
        bad += bn_cmp(&q, &a) != 0 || !bn_is_zero(&r);
        /* (a+b)-b == a */
        bn_add(&t, &a, &b);
        bn_sub(&t, &t, &b);
        bad += bn_cmp(&t, &a) != 0;
        /* karatsuba agrees with schoolbook */
        bn_mul_karatsuba(&t, &a, &b);
        bn_mul_school(&u, &a, &b);
        bad += bn_cmp(&t, &u) != 0;
        /* shifts */
        int sh = (int)(prng_next(&g) % 100);
        bn_shl(&t, &a, sh);
        bn_shr(&t, &t, sh);
        bad += bn_cmp(&t, &a) != 0;
        /* divmod identity for arbitrary operands */
        bn_divmod(&q, &r, &a, &b);
        bn_mul(&t, &q, &b);
        bn_add(&t, &t, &r);
        bad += bn_cmp(&t, &a) != 0 || bn_cmp(&r, &b) >= 0;
    }
    printf("selftest %d rounds: %d failures\n", count, bad);
    check(bad == 0, "selftest");
    bn_free(&a); bn_free(&b); bn_free(&c); bn_free(&q); bn_free(&r); bn_free(&t); bn_free(&u);
}

int main(void)
{
    static char line[LINE];
    int lines = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#') continue;
        lines++;
        char cmd[32], a1[LINE / 2], a2[LINE / 4], a3[LINE / 4];
        int nf = sscanf(line, "%31s %2047s %1023s %1023s", cmd, a1, a2, a3);
        if (nf < 1) continue;
        if (strcmp(cmd, "arith") == 0 && nf >= 3) cmd_arith(a1, a2);
        else if (strcmp(cmd, "dec") == 0 && nf >= 2) cmd_dec(a1);
        else if (strcmp(cmd, "modexp") == 0 && nf >= 4) cmd_modexp(a1, a2, a3);
        else if (strcmp(cmd, "modinv") == 0 && nf >= 3) cmd_modinv(a1, a2);
        else if (strcmp(cmd, "factorial") == 0 && nf >= 2) cmd_factorial(atoi(a1));
        else if (strcmp(cmd, "fib") == 0 && nf >= 2) cmd_fib(atoi(a1));
        else if (strcmp(cmd, "pow") == 0 && nf >= 3) cmd_pow(a1, atoi(a2));
        else if (strcmp(cmd, "prime") == 0 && nf >= 3) cmd_prime(atoi(a1), strtoull(a2, NULL, 10));
        else if (strcmp(cmd, "rsa") == 0 && nf >= 3) {
            /* message is the rest of the line after the third field */
            const char *p = line;
            for (int f = 0; f < 3; f++) {
                while (*p == ' ') p++;
                while (*p && *p != ' ') p++;
            }
            while (*p == ' ') p++;
            cmd_rsa(atoi(a1), strtoull(a2, NULL, 10), p);
        } else if (strcmp(cmd, "selftest") == 0 && nf >= 3) cmd_selftest(atoi(a1), strtoull(a2, NULL, 10));
        else printf("unknown command: %s\n", cmd);
    }
    printf("%d commands, %d check failures, %llu montgomery multiplications\n", lines, failures, bn_mont_muls);
    return 0;
}
