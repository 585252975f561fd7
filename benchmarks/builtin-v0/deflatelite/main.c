/* deflatelite: compress several inputs (the stdin text and synthetic data
 * derived from it) at three effort levels, with forced block types and a
 * corruption sweep; every stream is decoded again and verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deflate.h"

#define MAX_INPUT (1u << 16)

static uint32_t rng_state = 0x2545F491u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

typedef struct {
    const char *name;
    uint8_t *data;
    size_t len;
} sample;

static size_t make_csv(uint8_t *dst, size_t cap)
{
    size_t n = 0;
    static const char *const cities[] = {"Oslo", "Lima", "Pune", "Graz", "Kobe", "Cork", "Bern", "Nice"};
    int row = 0;
    while (n + 64 < cap && row < 300) {
        char line[96];
        unsigned t = rng();
        int k = snprintf(line, sizeof line, "%d,%s,%u.%02u,%u,%s\n", row, cities[t % 8], (t >> 3) % 400,
                         (t >> 12) % 100, (t >> 20) % 7, (t & 0x100) ? "yes" : "no");
        memcpy(dst + n, line, (size_t)k);
        n += (size_t)k;
        row++;
    }
    return n;
}

static size_t make_runs(uint8_t *dst, size_t cap)
{
    size_t n = 0;
    while (n < cap && n < 12000) {
        unsigned t = rng();
        size_t run = 1 + (t % 300);
        uint8_t v = (t >> 9) % 3 == 0 ? 0 : (uint8_t)"abcXYZ"[(t >> 11) % 6];
        for (size_t k = 0; k < run && n < cap; k++) dst[n++] = v;
        if ((t >> 20) % 4 == 0)
            for (int k = 0; k < 24 && n < cap; k++) dst[n++] = (uint8_t)("pattern-pattern-pattern-"[k]);
    }
    return n;
}

static size_t make_noise(uint8_t *dst, size_t cap)
{
    size_t n = cap < 3000 ? cap : 3000;
    for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)(rng() >> 24);
    return n;
}

static int same(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    if (an != bn) return 0;
    return an == 0 || memcmp(a, b, an) == 0;
}

int main(void)
{
    uint8_t *text = malloc(MAX_INPUT);
    if (!text) return 1;
    size_t tn = 0, r;
    while (tn < MAX_INPUT && (r = fread(text + tn, 1, MAX_INPUT - tn, stdin)) > 0) tn += r;

    sample samples[6];
    samples[0].name = "text";
    samples[0].data = text;
    samples[0].len = tn;
    samples[1].name = "csv";
    samples[1].data = malloc(MAX_INPUT);
    samples[1].len = make_csv(samples[1].data, MAX_INPUT);
    samples[2].name = "runs";
    samples[2].data = malloc(MAX_INPUT);
    samples[2].len = make_runs(samples[2].data, MAX_INPUT);
    samples[3].name = "noise";
    samples[3].data = malloc(MAX_INPUT);
    samples[3].len = make_noise(samples[3].data, MAX_INPUT);
    samples[4].name = "empty";
    samples[4].data = malloc(1);
    samples[4].len = 0;
    samples[5].name = "text+noise";
    samples[5].data = malloc(MAX_INPUT);
    {
        size_t k = tn < 6000 ? tn : 6000;
        memcpy(samples[5].data, text, k);
        memcpy(samples[5].data + k, samples[3].data, samples[3].len);
        memcpy(samples[5].data + k + samples[3].len, text, k);
        samples[5].len = 2 * k + samples[3].len;
    }

    static const lz_params levels[3] = {
        {4, 16, 0, "fast"},
        {32, 64, 1, "default"},
        {256, 258, 1, "best"},
    };

    int failures = 0;
    printf("%-10s %-7s %6s %6s %7s %3s %3s %3s %8s %s\n", "sample", "level", "in", "out", "ratio", "S", "F", "D",
           "adler", "check");
    for (int s = 0; s < 6; s++) {
        for (int l = 0; l < 3; l++) {
            bytebuf z, back;
            bb_init(&z);
            bb_init(&back);
            deflate_stats st;
            zlib_compress(samples[s].data, samples[s].len, &levels[l], FORCE_AUTO, &z, &st);
            int rc = zlib_decompress(z.data, z.len, &back);
            int ok = rc > 0 && same(back.data, back.len, samples[s].data, samples[s].len);
            failures += !ok;
            printf("%-10s %-7s %6zu %6zu %7.4f %3d %3d %3d %08x %s\n", samples[s].name, levels[l].name,
                   samples[s].len, z.len, samples[s].len ? (double)z.len / (double)samples[s].len : 0.0,
                   st.stored, st.fixed, st.dynamic, adler32(1, z.data, z.len), ok ? "ok" : "FAIL");
            bb_free(&z);
            bb_free(&back);
        }
    }

    /* forced block types on the text sample */
    static const char *const forced[4] = {"auto", "stored", "fixed", "dynamic"};
    for (int f = 1; f <= 3; f++) {
        bytebuf z, back;
        bb_init(&z);
        bb_init(&back);
        deflate_stats st;
        deflate_compress(text, tn, &levels[1], f, &z, &st);
        int blocks = 0;
        int rc = inflate_decompress(z.data, z.len, &back, &blocks);
        int ok = rc == 0 && same(back.data, back.len, text, tn);
        failures += !ok;
        printf("forced %-8s raw deflate %6zu bytes, %d blocks, header bits %llu, crc %08x %s\n", forced[f], z.len,
               blocks, st.header_bits, crc32(0, z.data, z.len), ok ? "ok" : "FAIL");
        bb_free(&z);
        bb_free(&back);
    }

    /* corruption sweep: flip one bit at many positions; decoder must not crash */
    {
        bytebuf z;
        bb_init(&z);
        deflate_stats st;
        zlib_compress(samples[1].data, samples[1].len, &levels[1], FORCE_AUTO, &z, &st);
        int detected = 0, silent = 0, trials = 0;
        int hist[12];
        memset(hist, 0, sizeof hist);
        for (size_t pos = 2; pos + 4 < z.len; pos += 7) {
            uint8_t bit = (uint8_t)(1u << (pos % 8));
            z.data[pos] ^= bit;
            bytebuf back;
            bb_init(&back);
            int rc = zlib_decompress(z.data, z.len, &back);
            if (rc <= 0) {
                detected++;
                hist[rc < 0 && rc >= -11 ? -rc : 0]++;
            } else if (!same(back.data, back.len, samples[1].data, samples[1].len)) {
                silent++;
            }
            trials++;
            bb_free(&back);
            z.data[pos] ^= bit;
        }
        printf("corruption: %d trials, %d detected, %d undetected\n", trials, detected, silent);
        printf("error kinds:");
        for (int i = 1; i < 12; i++) printf(" %d", hist[i]);
        printf("\n");
        bb_free(&z);
    }
    /* gzip container roundtrip and symbol statistics */
    {
        bytebuf g, back;
        bb_init(&g);
        bb_init(&back);
        gzip_compress(text, tn, "input.txt", &levels[2], &g);
        char name[32];
        int rc = gzip_decompress(g.data, g.len, &back, name, sizeof name);
        int ok = rc > 0 && same(back.data, back.len, text, tn);
        failures += !ok;
        printf("gzip: %zu bytes, name=%s, blocks=%d, crc %08x %s\n", g.len, name, rc, crc32(0, g.data, g.len),
               ok ? "ok" : "FAIL");
        g.data[5] ^= 1; /* damage MTIME: header CRC must catch it */
        bb_free(&back);
        bb_init(&back);
        printf("gzip damaged header -> %d\n", gzip_decompress(g.data, g.len, &back, name, sizeof name));
        bb_free(&g);
        bb_free(&back);
    }
    report_symbol_stats("text", text, tn, &levels[1]);
    report_symbol_stats("csv", samples[1].data, samples[1].len, &levels[2]);
    report_block_sizes("text", text, tn, &levels[0]);
    report_block_sizes("text+noise", samples[5].data, samples[5].len, &levels[1]);
    printf("failures: %d\n", failures);
    for (int s = 1; s < 6; s++) free(samples[s].data);
    free(text);
    return 0;
}
