/* adler32: Adler-32 (zlib), Fletcher-16 and Fletcher-32 checksums over stdin.
 * Each checksum has a naive reference and an optimised (deferred modulo)
 * implementation; also rolling Adler-32 over a sliding window, as used by
 * rsync-style block matching, and Fletcher check bytes that zero a message. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define ADLER_MOD 65521u
#define ADLER_NMAX 5552u
#define MAX_INPUT (1u << 16)
#define WINDOW 64

static uint32_t adler32_naive(uint32_t adler, const uint8_t *p, size_t n)
{
    uint32_t a = adler & 0xFFFFu, b = adler >> 16;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % ADLER_MOD;
        b = (b + a) % ADLER_MOD;
    }
    return (b << 16) | a;
}

static uint32_t adler32_fast(uint32_t adler, const uint8_t *p, size_t n)
{
    uint32_t a = adler & 0xFFFFu, b = adler >> 16;
    while (n > 0) {
        size_t k = n < ADLER_NMAX ? n : ADLER_NMAX;
        n -= k;
        while (k >= 8) {
            a += p[0]; b += a;
            a += p[1]; b += a;
            a += p[2]; b += a;
            a += p[3]; b += a;
            a += p[4]; b += a;
            a += p[5]; b += a;
            a += p[6]; b += a;
            a += p[7]; b += a;
            p += 8;
            k -= 8;
        }
        while (k--) {
            a += *p++;
            b += a;
        }
        a %= ADLER_MOD;
        b %= ADLER_MOD;
    }
    return (b << 16) | a;
}

static uint32_t adler32_combine(uint32_t ad1, uint32_t ad2, size_t len2)
{
    uint32_t rem = (uint32_t)(len2 % ADLER_MOD);
    uint32_t sum1 = ad1 & 0xFFFFu;
    uint32_t sum2 = (rem * sum1) % ADLER_MOD;
    sum1 += (ad2 & 0xFFFFu) + ADLER_MOD - 1;
    sum2 += (ad1 >> 16) + (ad2 >> 16) + ADLER_MOD - rem;
    if (sum1 >= ADLER_MOD) sum1 -= ADLER_MOD;
    if (sum1 >= ADLER_MOD) sum1 -= ADLER_MOD;
    if (sum2 >= (ADLER_MOD << 1)) sum2 -= (ADLER_MOD << 1);
    if (sum2 >= ADLER_MOD) sum2 -= ADLER_MOD;
    return sum1 | (sum2 << 16);
}

/* Rolling checksum: remove byte `out`, add byte `in`, window length w. */
static uint32_t adler32_roll(uint32_t adler, uint8_t out, uint8_t in, uint32_t w)
{
    uint32_t a = adler & 0xFFFFu, b = adler >> 16;
    a = (a + ADLER_MOD - out + in) % ADLER_MOD;
    b = (b + ADLER_MOD - (uint32_t)((w * (uint64_t)out) % ADLER_MOD) + a + ADLER_MOD - 1) % ADLER_MOD;
    return (b << 16) | a;
}

static uint16_t fletcher16_naive(const uint8_t *p, size_t n)
{
    uint16_t s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        s1 = (uint16_t)((s1 + p[i]) % 255);
        s2 = (uint16_t)((s2 + s1) % 255);
    }
    return (uint16_t)((s2 << 8) | s1);
}

static uint16_t fletcher16_fast(const uint8_t *p, size_t n)
{
    uint32_t c0 = 0, c1 = 0;
    while (n > 0) {
        size_t blk = n < 5802 ? n : 5802;
        n -= blk;
        do {
            c0 += *p++;
            c1 += c0;
        } while (--blk);
        c0 %= 255;
        c1 %= 255;
    }
    return (uint16_t)((c1 << 8) | c0);
}

/* Check bytes that, appended to the message, make Fletcher-16 zero. */
static void fletcher16_checkbytes(uint16_t csum, uint8_t *cb0, uint8_t *cb1)
{
    uint32_t f0 = csum & 0xFFu, f1 = (csum >> 8) & 0xFFu;
    uint32_t c0 = 255 - ((f0 + f1) % 255);
    uint32_t c1 = 255 - ((f0 + c0) % 255);
    *cb0 = (uint8_t)c0;
    *cb1 = (uint8_t)c1;
}

static uint32_t fletcher32_naive(const uint8_t *p, size_t n)
{
    uint32_t s1 = 0, s2 = 0;
    size_t words = n / 2;
    for (size_t i = 0; i < words; i++) {
        uint32_t w = (uint32_t)p[2 * i] | ((uint32_t)p[2 * i + 1] << 8);
        s1 = (s1 + w) % 65535u;
        s2 = (s2 + s1) % 65535u;
    }
    if (n & 1u) {
        s1 = (s1 + p[n - 1]) % 65535u;
        s2 = (s2 + s1) % 65535u;
    }
    return (s2 << 16) | s1;
}

static uint32_t fletcher32_fast(const uint8_t *p, size_t n)
{
    uint32_t c0 = 0, c1 = 0;
    size_t words = n / 2;
    const uint8_t *q = p;
    while (words > 0) {
        size_t blk = words < 359 ? words : 359;
        words -= blk;
        do {
            c0 += (uint32_t)q[0] | ((uint32_t)q[1] << 8);
            c1 += c0;
            q += 2;
        } while (--blk);
        c0 %= 65535u;
        c1 %= 65535u;
    }
    if (n & 1u) {
        c0 = (c0 + p[n - 1]) % 65535u;
        c1 = (c1 + c0) % 65535u;
    }
    return (c1 << 16) | c0;
}

static size_t read_all(uint8_t *buf, size_t cap)
{
    size_t n = 0, r;
    while (n < cap && (r = fread(buf + n, 1, cap - n, stdin)) > 0)
        n += r;
    return n;
}

/* Find windows in the input whose rolling checksum equals that of an
 * earlier aligned block (rsync-like duplicate detection). */
static void rolling_matches(const uint8_t *buf, size_t n)
{
    enum { HBITS = 12 };
    size_t nblocks = n / WINDOW;
    if (nblocks == 0) {
        printf("rolling: input too short\n");
        return;
    }
    uint32_t *sums = malloc(nblocks * sizeof *sums);
    int *head = malloc(sizeof(int) << HBITS);
    int *next = malloc(nblocks * sizeof *next);
    if (!sums || !head || !next)
        exit(1);
    for (int i = 0; i < (1 << HBITS); i++)
        head[i] = -1;
    for (size_t i = 0; i < nblocks; i++) {
        sums[i] = adler32_fast(1, buf + i * WINDOW, WINDOW);
        uint32_t h = (sums[i] ^ (sums[i] >> 16)) & ((1u << HBITS) - 1);
        next[i] = head[h];
        head[h] = (int)i;
    }
    uint32_t r = adler32_fast(1, buf, WINDOW);
    size_t matches = 0, verified = 0, mismatched = 0;
    uint32_t mix = 0;
    for (size_t pos = 0;; pos++) {
        uint32_t h = (r ^ (r >> 16)) & ((1u << HBITS) - 1);
        for (int j = head[h]; j >= 0; j = next[j]) {
            if (sums[j] == r && (size_t)j * WINDOW != pos) {
                matches++;
                if (memcmp(buf + (size_t)j * WINDOW, buf + pos, WINDOW) == 0) {
                    verified++;
                    mix = mix * 131u + (uint32_t)pos;
                }
            }
        }
        if (pos + WINDOW >= n)
            break;
        r = adler32_roll(r, buf[pos], buf[pos + WINDOW], WINDOW);
        if ((pos & 1023u) == 0 && r != adler32_fast(1, buf + pos + 1, WINDOW))
            mismatched++;
    }
    printf("rolling: blocks=%zu candidates=%zu verified=%zu mix=%08x rollerr=%zu\n",
           nblocks, matches, verified, mix, mismatched);
    free(sums);
    free(head);
    free(next);
}

int main(void)
{
    uint8_t *buf = malloc(MAX_INPUT + 2);
    if (!buf)
        return 1;
    size_t n = read_all(buf, MAX_INPUT);
    int errors = 0;
    printf("input bytes: %zu\n", n);

    uint32_t an = adler32_naive(1, buf, n), af = adler32_fast(1, buf, n);
    if (an != af) errors++;
    printf("adler32: naive=%08x fast=%08x\n", an, af);

    /* combine over halves and thirds */
    size_t h = n / 2;
    uint32_t c = adler32_combine(adler32_fast(1, buf, h), adler32_fast(1, buf + h, n - h), n - h);
    size_t t1 = n / 3, t2 = 2 * n / 3;
    uint32_t d = adler32_fast(1, buf, t1);
    d = adler32_combine(d, adler32_fast(1, buf + t1, t2 - t1), t2 - t1);
    d = adler32_combine(d, adler32_fast(1, buf + t2, n - t2), n - t2);
    if (c != af || d != af) errors++;
    printf("adler32 combine: halves=%08x thirds=%08x\n", c, d);

    uint16_t f16n = fletcher16_naive(buf, n), f16f = n ? fletcher16_fast(buf, n) : 0;
    if (f16n != f16f) errors++;
    printf("fletcher16: naive=%04x fast=%04x\n", f16n, f16f);
    uint8_t cb0, cb1;
    fletcher16_checkbytes(f16f, &cb0, &cb1);
    buf[n] = cb0;
    buf[n + 1] = cb1;
    uint16_t z = fletcher16_naive(buf, n + 2);
    printf("fletcher16 check bytes: %02x %02x -> %04x\n", cb0, cb1, z);

    uint32_t f32n = fletcher32_naive(buf, n), f32f = fletcher32_fast(buf, n);
    if (f32n != f32f) errors++;
    printf("fletcher32: naive=%08x fast=%08x\n", f32n, f32f);

    /* per-paragraph (blank-line or 512-byte) checksum table */
    uint32_t tab = 0;
    size_t segs = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || buf[i] == '\n' || i - start >= 512) {
            if (i > start) {
                uint32_t a = adler32_fast(1, buf + start, i - start);
                uint16_t f = fletcher16_fast(buf + start, i - start);
                tab ^= a + ((uint32_t)f << 7) + (uint32_t)segs;
                segs++;
            }
            start = i + (i < n && buf[i] == '\n');
        }
    }
    printf("segments=%zu segmix=%08x\n", segs, tab);
    rolling_matches(buf, n);
    printf("consistency errors: %d\n", errors);
    free(buf);
    return 0;
}
