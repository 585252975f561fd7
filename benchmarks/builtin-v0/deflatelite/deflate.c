/* deflate.c: block writer. The LZ77 symbol stream is cut into blocks and
 * each block is emitted as stored, fixed-Huffman or dynamic-Huffman,
 * whichever is cheapest (or as forced by the caller). */
#include <stdlib.h>
#include <string.h>
#include "deflate.h"

size_t deflate_block_symbols = 2048;

static const uint8_t CL_ORDER[NUM_CL] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

typedef struct {
    uint8_t sym;
    uint8_t extra;
} cl_item;

static void fixed_lengths(uint8_t *lit, uint8_t *dist)
{
    int s = 0;
    for (; s < 144; s++) lit[s] = 8;
    for (; s < 256; s++) lit[s] = 9;
    for (; s < 280; s++) lit[s] = 7;
    for (; s < MAX_SYMS; s++) lit[s] = 8;
    for (s = 0; s < NUM_DIST; s++) dist[s] = 5;
}

static void count_block(const lz_symbol *sy, size_t n, uint32_t *lf, uint32_t *df)
{
    memset(lf, 0, MAX_SYMS * sizeof(uint32_t));
    memset(df, 0, NUM_DIST * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) {
        if (sy[i].dist == 0) {
            lf[sy[i].litlen]++;
        } else {
            int eb, ev;
            lf[length_code(sy[i].litlen, &eb, &ev)]++;
            df[dist_code(sy[i].dist, &eb, &ev)]++;
        }
    }
    lf[256]++;
}

static unsigned long long data_bits(const uint32_t *lf, const uint32_t *df, const uint8_t *ll, const uint8_t *dl)
{
    unsigned long long bits = 0;
    for (int s = 0; s < NUM_LITLEN; s++) {
        bits += (unsigned long long)lf[s] * ll[s];
        if (s >= 257) bits += (unsigned long long)lf[s] * LEN_EXTRA[s - 257];
    }
    for (int d = 0; d < NUM_DIST; d++) bits += (unsigned long long)df[d] * (dl[d] + DIST_EXTRA[d]);
    return bits;
}

/* make sure a tree has at least two codes so every decoder accepts it */
static void ensure_two(uint32_t *f, int n)
{
    int used = 0;
    for (int i = 0; i < n; i++) used += f[i] != 0;
    for (int i = 0; used < 2 && i < n; i++)
        if (!f[i]) {
            f[i] = 1;
            used++;
        }
}

/* Run-length encode the concatenated code lengths with symbols 16/17/18. */
static int rle_lengths(const uint8_t *lens, int n, cl_item *out)
{
    int o = 0, i = 0;
    while (i < n) {
        uint8_t v = lens[i];
        int run = 1;
        while (i + run < n && lens[i + run] == v) run++;
        int left = run;
        if (v == 0) {
            while (left >= 11) {
                int k = left > 138 ? 138 : left;
                out[o].sym = 18;
                out[o++].extra = (uint8_t)(k - 11);
                left -= k;
            }
            if (left >= 3) {
                out[o].sym = 17;
                out[o++].extra = (uint8_t)(left - 3);
                left = 0;
            }
            while (left-- > 0) {
                out[o].sym = 0;
                out[o++].extra = 0;
            }
        } else {
            out[o].sym = v;
            out[o++].extra = 0;
            left--;
            while (left >= 3) {
                int k = left > 6 ? 6 : left;
                out[o].sym = 16;
                out[o++].extra = (uint8_t)(k - 3);
                left -= k;
            }
            while (left-- > 0) {
                out[o].sym = v;
                out[o++].extra = 0;
            }
        }
        i += run;
    }
    return o;
}

typedef struct {
    uint8_t ll[MAX_SYMS], dl[NUM_DIST], cl[NUM_CL];
    int hlit, hdist, hclen;
    cl_item items[MAX_SYMS + NUM_DIST];
    int nitems;
    unsigned long long header_bits;
} dyn_header;

static void plan_dynamic(dyn_header *h, uint32_t *lf, uint32_t *df)
{
    ensure_two(lf, NUM_LITLEN);
    ensure_two(df, NUM_DIST);
    huff_build_lengths(lf, NUM_LITLEN, MAX_CODE_BITS, h->ll);
    huff_build_lengths(df, NUM_DIST, MAX_CODE_BITS, h->dl);
    h->hlit = NUM_LITLEN;
    while (h->hlit > 257 && h->ll[h->hlit - 1] == 0) h->hlit--;
    h->hdist = NUM_DIST;
    while (h->hdist > 1 && h->dl[h->hdist - 1] == 0) h->hdist--;
    uint8_t all[MAX_SYMS + NUM_DIST];
    memcpy(all, h->ll, (size_t)h->hlit);
    memcpy(all + h->hlit, h->dl, (size_t)h->hdist);
    h->nitems = rle_lengths(all, h->hlit + h->hdist, h->items);
    uint32_t cf[NUM_CL];
    memset(cf, 0, sizeof cf);
    for (int i = 0; i < h->nitems; i++) cf[h->items[i].sym]++;
    ensure_two(cf, NUM_CL);
    huff_build_lengths(cf, NUM_CL, MAX_CL_BITS, h->cl);
    h->hclen = NUM_CL;
    while (h->hclen > 4 && h->cl[CL_ORDER[h->hclen - 1]] == 0) h->hclen--;
    unsigned long long bits = 5 + 5 + 4 + 3ull * (unsigned)h->hclen;
    for (int i = 0; i < h->nitems; i++) {
        int s = h->items[i].sym;
        bits += h->cl[s];
        bits += s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0;
    }
    h->header_bits = bits;
}

static void write_symbols(bit_writer *w, const lz_symbol *sy, size_t n, const huff_enc *lit, const huff_enc *dist)
{
    for (size_t i = 0; i < n; i++) {
        if (sy[i].dist == 0) {
            bw_code(w, lit->code[sy[i].litlen], lit->len[sy[i].litlen]);
        } else {
            int eb, ev;
            int lc = length_code(sy[i].litlen, &eb, &ev);
            bw_code(w, lit->code[lc], lit->len[lc]);
            bw_bits(w, (uint32_t)ev, eb);
            int dc = dist_code(sy[i].dist, &eb, &ev);
            bw_code(w, dist->code[dc], dist->len[dc]);
            bw_bits(w, (uint32_t)ev, eb);
        }
    }
    bw_code(w, lit->code[256], lit->len[256]);
}

static void write_stored(bit_writer *w, const uint8_t *raw, size_t n, int final)
{
    size_t pos = 0;
    do {
        size_t k = n - pos > 65535 ? 65535 : n - pos;
        int last = final && pos + k == n;
        bw_bits(w, (uint32_t)last, 1);
        bw_bits(w, 0, 2);
        bw_align(w);
        bw_bits(w, (uint32_t)k, 16);
        bw_bits(w, (uint32_t)(~k & 0xFFFFu), 16);
        for (size_t i = 0; i < k; i++) bw_bits(w, raw[pos + i], 8);
        pos += k;
    } while (pos < n);
}

void deflate_compress(const uint8_t *in, size_t n, const lz_params *p, int force, bytebuf *out,
                      deflate_stats *st)
{
    lz_symbol *sy = malloc((n + 1) * sizeof *sy);
    if (!sy) exit(2);
    size_t ns = lz_parse(in, n, p, sy);
    memset(st, 0, sizeof *st);
    st->symbols = ns;
    for (size_t i = 0; i < ns; i++) st->matches += sy[i].dist != 0;

    bit_writer w;
    bw_init(&w, out);
    uint8_t fl[MAX_SYMS], fd[NUM_DIST];
    fixed_lengths(fl, fd);
    huff_enc fixed_lit, fixed_dist;
    huff_assign_codes(&fixed_lit, fl, MAX_SYMS);
    huff_assign_codes(&fixed_dist, fd, NUM_DIST);

    size_t s0 = 0, raw0 = 0;
    do {
        size_t s1 = ns - s0 > deflate_block_symbols ? s0 + deflate_block_symbols : ns;
        size_t raw1 = raw0;
        for (size_t i = s0; i < s1; i++) raw1 += sy[i].dist ? sy[i].litlen : 1;
        int final = s1 == ns;
        uint32_t lf[MAX_SYMS], df[NUM_DIST];
        count_block(sy + s0, s1 - s0, lf, df);
        unsigned long long fixed_cost = 3 + data_bits(lf, df, fl, fd);
        unsigned long long stored_cost = 3 + 7 + 32 + 8ull * (raw1 - raw0) + 40ull * ((raw1 - raw0) / 65535);
        dyn_header *h = malloc(sizeof *h);
        if (!h) exit(2);
        plan_dynamic(h, lf, df);
        unsigned long long dyn_cost = 3 + h->header_bits + data_bits(lf, df, h->ll, h->dl);
        int type = FORCE_DYNAMIC;
        if (force != FORCE_AUTO) type = force;
        else if (stored_cost <= fixed_cost && stored_cost <= dyn_cost) type = FORCE_STORED;
        else if (fixed_cost <= dyn_cost) type = FORCE_FIXED;

        if (type == FORCE_STORED) {
            write_stored(&w, in + raw0, raw1 - raw0, final);
            st->stored++;
        } else if (type == FORCE_FIXED) {
            bw_bits(&w, (uint32_t)final, 1);
            bw_bits(&w, 1, 2);
            write_symbols(&w, sy + s0, s1 - s0, &fixed_lit, &fixed_dist);
            st->fixed++;
        } else {
            huff_enc lit, dist, cl;
            huff_assign_codes(&lit, h->ll, NUM_LITLEN);
            huff_assign_codes(&dist, h->dl, NUM_DIST);
            huff_assign_codes(&cl, h->cl, NUM_CL);
            unsigned long long before = w.total_bits;
            bw_bits(&w, (uint32_t)final, 1);
            bw_bits(&w, 2, 2);
            bw_bits(&w, (uint32_t)(h->hlit - 257), 5);
            bw_bits(&w, (uint32_t)(h->hdist - 1), 5);
            bw_bits(&w, (uint32_t)(h->hclen - 4), 4);
            for (int i = 0; i < h->hclen; i++) bw_bits(&w, h->cl[CL_ORDER[i]], 3);
            for (int i = 0; i < h->nitems; i++) {
                int s = h->items[i].sym;
                bw_code(&w, cl.code[s], cl.len[s]);
                if (s == 16) bw_bits(&w, h->items[i].extra, 2);
                else if (s == 17) bw_bits(&w, h->items[i].extra, 3);
                else if (s == 18) bw_bits(&w, h->items[i].extra, 7);
            }
            st->header_bits += w.total_bits - before;
            write_symbols(&w, sy + s0, s1 - s0, &lit, &dist);
            st->dynamic++;
        }
        free(h);
        s0 = s1;
        raw0 = raw1;
    } while (s0 < ns);
    bw_align(&w);
    free(sy);
}

void zlib_compress(const uint8_t *in, size_t n, const lz_params *p, int force, bytebuf *out,
                   deflate_stats *st)
{
    bb_push(out, 0x78);
    bb_push(out, 0x9C);
    deflate_compress(in, n, p, force, out, st);
    uint32_t a = adler32(1, in, n);
    for (int i = 3; i >= 0; i--) bb_push(out, (uint8_t)(a >> (8 * i)));
}
