/* lz77: LZSS-style LZ77 compressor/decompressor.
 * Token stream: a flag byte precedes each group of 8 items; a 1 bit means a
 * literal byte, a 0 bit a (offset, length) pair packed into two or three
 * bytes. Matches are found with hash chains; three parser configurations
 * (greedy, lazy, and small-window greedy) are compared, each verified by a
 * full decompress-and-compare roundtrip. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_INPUT (1u << 16)
#define MIN_MATCH 3
#define HASH_BITS 13
#define HASH_SIZE (1u << HASH_BITS)

typedef struct {
    const char *name;
    unsigned window;     /* max distance */
    unsigned max_len;    /* longest match */
    unsigned max_chain;  /* hash chain probes */
    int lazy;            /* one-step lazy evaluation */
} lz_config;

typedef struct {
    uint8_t *data;
    size_t len, cap;
    size_t flag_pos;
    int flag_bit;
} out_stream;

typedef struct {
    unsigned literals, matches;
    unsigned long long matched_bytes;
    unsigned longest;
} lz_stats;

static void os_put(out_stream *o, uint8_t b)
{
    if (o->len == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 1024;
        o->data = realloc(o->data, o->cap);
        if (!o->data) exit(1);
    }
    o->data[o->len++] = b;
}

static void os_item(out_stream *o, int literal)
{
    if (o->flag_bit == 8) {
        o->flag_pos = o->len;
        os_put(o, 0);
        o->flag_bit = 0;
    }
    if (literal) o->data[o->flag_pos] |= (uint8_t)(1u << o->flag_bit);
    o->flag_bit++;
}

static uint32_t hash3(const uint8_t *p)
{
    uint32_t v = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

typedef struct {
    int *head;
    int *prev;
} match_finder;

static void mf_insert(match_finder *mf, const uint8_t *buf, size_t pos, size_t n)
{
    if (pos + MIN_MATCH > n) return;
    uint32_t h = hash3(buf + pos);
    mf->prev[pos] = mf->head[h];
    mf->head[h] = (int)pos;
}

static unsigned mf_longest(const match_finder *mf, const lz_config *cfg, const uint8_t *buf,
                           size_t pos, size_t n, unsigned *dist_out)
{
    if (pos + MIN_MATCH > n) return 0;
    unsigned best = 0, bestd = 0, chain = cfg->max_chain;
    size_t limit = n - pos < cfg->max_len ? n - pos : cfg->max_len;
    int cand = mf->head[hash3(buf + pos)];
    while (cand >= 0 && chain-- > 0) {
        size_t d = pos - (size_t)cand;
        if (d > cfg->window) break;
        if (buf[cand + best] == buf[pos + best]) {
            unsigned l = 0;
            while (l < limit && buf[cand + l] == buf[pos + l]) l++;
            if (l > best) {
                best = l;
                bestd = (unsigned)d;
                if (l == limit) break;
            }
        }
        cand = mf->prev[cand];
    }
    *dist_out = bestd;
    return best >= MIN_MATCH ? best : 0;
}

/* Match encoding: if len-3 < 15 and dist <= 4096: 2 bytes
 * [llll dddd][dddd dddd] with dist-1 in 12 bits; otherwise an escape
 * nibble 0xF followed by a length byte (len-3) and 16-bit dist-1. */
static void emit_match(out_stream *o, unsigned len, unsigned dist)
{
    os_item(o, 0);
    unsigned d = dist - 1;
    if (len - MIN_MATCH < 15 && d < 4096) {
        os_put(o, (uint8_t)(((len - MIN_MATCH) << 4) | (d >> 8)));
        os_put(o, (uint8_t)(d & 0xFF));
    } else {
        os_put(o, 0xF0);
        os_put(o, (uint8_t)(len - MIN_MATCH));
        os_put(o, (uint8_t)(d >> 8));
        os_put(o, (uint8_t)(d & 0xFF));
    }
}

static size_t lz_compress(const lz_config *cfg, const uint8_t *in, size_t n, uint8_t **out, lz_stats *st)
{
    match_finder mf;
    mf.head = malloc(HASH_SIZE * sizeof(int));
    mf.prev = malloc((n + 1) * sizeof(int));
    if (!mf.head || !mf.prev) exit(1);
    for (unsigned i = 0; i < HASH_SIZE; i++) mf.head[i] = -1;
    out_stream o = {NULL, 0, 0, 0, 8};
    memset(st, 0, sizeof *st);
    /* header: original length, 4 bytes little endian */
    for (int i = 0; i < 4; i++) os_put(&o, (uint8_t)(n >> (8 * i)));
    size_t pos = 0;
    while (pos < n) {
        unsigned dist = 0, len = mf_longest(&mf, cfg, in, pos, n, &dist);
        if (len && cfg->lazy && pos + 1 < n) {
            mf_insert(&mf, in, pos, n);
            unsigned d2 = 0, l2 = mf_longest(&mf, cfg, in, pos + 1, n, &d2);
            if (l2 > len) {
                os_item(&o, 1);
                os_put(&o, in[pos]);
                st->literals++;
                pos++;
                len = l2;
                dist = d2;
                mf_insert(&mf, in, pos, n);
            }
            emit_match(&o, len, dist);
            st->matches++;
            st->matched_bytes += len;
            if (len > st->longest) st->longest = len;
            for (size_t k = pos + 1; k < pos + len; k++) mf_insert(&mf, in, k, n);
            pos += len;
            continue;
        }
        if (len) {
            emit_match(&o, len, dist);
            st->matches++;
            st->matched_bytes += len;
            if (len > st->longest) st->longest = len;
            for (size_t k = pos; k < pos + len; k++) mf_insert(&mf, in, k, n);
            pos += len;
        } else {
            os_item(&o, 1);
            os_put(&o, in[pos]);
            st->literals++;
            mf_insert(&mf, in, pos, n);
            pos++;
        }
    }
    free(mf.head);
    free(mf.prev);
    *out = o.data;
    return o.len;
}

/* Returns decompressed length, or (size_t)-1 on a malformed stream. */
static size_t lz_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    if (n < 4) return (size_t)-1;
    size_t olen = (size_t)in[0] | ((size_t)in[1] << 8) | ((size_t)in[2] << 16) | ((size_t)in[3] << 24);
    if (olen > cap) return (size_t)-1;
    size_t ip = 4, op = 0;
    unsigned flags = 0;
    int bits = 0;
    while (op < olen) {
        if (bits == 0) {
            if (ip >= n) return (size_t)-1;
            flags = in[ip++];
            bits = 8;
        }
        int lit = flags & 1u;
        flags >>= 1;
        bits--;
        if (lit) {
            if (ip >= n) return (size_t)-1;
            out[op++] = in[ip++];
        } else {
            if (ip + 2 > n) return (size_t)-1;
            unsigned b0 = in[ip], b1 = in[ip + 1];
            unsigned len, dist;
            if ((b0 >> 4) != 0xF) {
                len = (b0 >> 4) + MIN_MATCH;
                dist = (((b0 & 0xFu) << 8) | b1) + 1;
                ip += 2;
            } else {
                if (ip + 4 > n) return (size_t)-1;
                len = (unsigned)in[ip + 1] + MIN_MATCH;
                dist = (((unsigned)in[ip + 2] << 8) | in[ip + 3]) + 1;
                ip += 4;
            }
            if (dist > op || op + len > olen) return (size_t)-1;
            for (unsigned k = 0; k < len; k++, op++) out[op] = out[op - dist];
        }
    }
    return op;
}

static uint32_t checksum(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return (b << 16) | a;
}

int main(void)
{
    uint8_t *in = malloc(MAX_INPUT);
    uint8_t *back = malloc(MAX_INPUT);
    if (!in || !back) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(in + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;
    printf("input: %zu bytes, checksum %08x\n", n, checksum(in, n));

    static const lz_config cfgs[] = {
        {"greedy-4k", 4096, MIN_MATCH + 255, 16, 0},
        {"lazy-32k", 32768, MIN_MATCH + 255, 64, 1},
        {"greedy-512", 512, 17, 4, 0},
        {"greedy-64k-deep", 65535, MIN_MATCH + 255, 256, 0},
    };
    int failures = 0;
    for (size_t c = 0; c < sizeof cfgs / sizeof cfgs[0]; c++) {
        uint8_t *comp = NULL;
        lz_stats st;
        size_t clen = lz_compress(&cfgs[c], in, n, &comp, &st);
        size_t dlen = lz_decompress(comp, clen, back, MAX_INPUT);
        int ok = dlen == n && memcmp(back, in, n) == 0;
        failures += !ok;
        printf("%-16s comp=%6zu ratio=%.3f lit=%u match=%u avglen=%.2f longest=%u csum=%08x roundtrip=%s\n",
               cfgs[c].name, clen, n ? (double)clen / (double)n : 0.0, st.literals, st.matches,
               st.matches ? (double)st.matched_bytes / st.matches : 0.0, st.longest,
               checksum(comp, clen), ok ? "ok" : "FAIL");
        /* corrupt a byte and make sure the decoder does not crash */
        if (clen > 10) {
            comp[clen / 2] ^= 0x5A;
            size_t bad = lz_decompress(comp, clen, back, MAX_INPUT);
            printf("%-16s corrupted stream -> %s\n", cfgs[c].name,
                   bad == (size_t)-1 ? "rejected" : (bad == n && memcmp(back, in, n) == 0 ? "same" : "differs"));
        }
        free(comp);
    }
    /* compress the compressed output of the first config (should not shrink much) */
    uint8_t *c1 = NULL, *c2 = NULL;
    lz_stats st;
    size_t l1 = lz_compress(&cfgs[0], in, n, &c1, &st);
    size_t l2 = lz_compress(&cfgs[0], c1, l1, &c2, &st);
    printf("recompress: %zu -> %zu\n", l1, l2);
    printf("failures: %d\n", failures);
    free(c1);
    free(c2);
    free(in);
    free(back);
    return 0;
}
