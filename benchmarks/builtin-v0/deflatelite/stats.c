/* stats.c: analysis of the LZ77 symbol stream (length/distance code
 * histograms, literal entropy) and a block-size sweep. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include "deflate.h"

void report_symbol_stats(const char *name, const uint8_t *in, size_t n, const lz_params *p)
{
    lz_symbol *sy = malloc((n + 1) * sizeof *sy);
    if (!sy) exit(2);
    size_t ns = lz_parse(in, n, p, sy);
    unsigned lens[29] = {0}, dists[30] = {0}, lit[256] = {0};
    size_t nlit = 0, nmatch = 0;
    unsigned long long covered = 0, extra_bits = 0;
    for (size_t i = 0; i < ns; i++) {
        if (sy[i].dist == 0) {
            lit[sy[i].litlen]++;
            nlit++;
        } else {
            int eb, ev;
            int lc = length_code(sy[i].litlen, &eb, &ev) - 257;
            lens[lc]++;
            extra_bits += (unsigned)eb;
            int dc = dist_code(sy[i].dist, &eb, &ev);
            dists[dc]++;
            extra_bits += (unsigned)eb;
            nmatch++;
            covered += sy[i].litlen;
        }
    }
    double h = 0.0;
    for (int c = 0; c < 256; c++)
        if (lit[c]) {
            double q = (double)lit[c] / (double)nlit;
            h -= q * log2(q);
        }
    printf("%s/%s: symbols=%zu literals=%zu matches=%zu covered=%llu extra-bits=%llu lit-entropy=%.3f\n", name,
           p->name, ns, nlit, nmatch, covered, extra_bits, h);
    printf("  length codes:");
    for (int i = 0; i < 29; i++)
        if (lens[i]) printf(" %d:%u", 257 + i, lens[i]);
    printf("\n  dist codes:");
    for (int i = 0; i < 30; i++)
        if (dists[i]) printf(" %d:%u", i, dists[i]);
    printf("\n");
    free(sy);
}

void report_block_sizes(const char *name, const uint8_t *in, size_t n, const lz_params *p)
{
    static const size_t sizes[] = {256, 1024, 4096, 16384};
    size_t saved = deflate_block_symbols;
    printf("%s block sweep:", name);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        deflate_block_symbols = sizes[i];
        bytebuf z;
        bb_init(&z);
        deflate_stats st;
        deflate_compress(in, n, p, FORCE_AUTO, &z, &st);
        printf(" %zu->%zu(%d/%d/%d)", sizes[i], z.len, st.stored, st.fixed, st.dynamic);
        bb_free(&z);
    }
    printf("\n");
    deflate_block_symbols = saved;
}
