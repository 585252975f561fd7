/* huffman: static Huffman coding with canonical codes.
 * Builds the code tree with a binary min-heap, derives code lengths,
 * enforces a maximum code length (Kraft-sum repair), assigns canonical
 * codes, encodes with an MSB-first bit writer and decodes with the
 * canonical first-code/offset tables. Runs over the whole input and over
 * independent 4 KiB blocks; verifies every roundtrip. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#define MAX_INPUT (1u << 16)
#define NSYM 256
#define MAX_BITS 12

typedef struct {
    uint32_t freq;
    int left, right;  /* children, -1 for leaves */
    int sym;
} node;

typedef struct {
    int idx[2 * NSYM];
    int size;
    const node *nodes;
} min_heap;

static int heap_less(const min_heap *h, int a, int b)
{
    const node *x = &h->nodes[h->idx[a]], *y = &h->nodes[h->idx[b]];
    if (x->freq != y->freq) return x->freq < y->freq;
    return h->idx[a] < h->idx[b]; /* deterministic tie-break */
}

static void heap_swap(min_heap *h, int a, int b)
{
    int t = h->idx[a];
    h->idx[a] = h->idx[b];
    h->idx[b] = t;
}

static void heap_push(min_heap *h, int v)
{
    int i = h->size++;
    h->idx[i] = v;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!heap_less(h, i, p)) break;
        heap_swap(h, i, p);
        i = p;
    }
}

static int heap_pop(min_heap *h)
{
    int top = h->idx[0];
    h->idx[0] = h->idx[--h->size];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->size && heap_less(h, l, m)) m = l;
        if (r < h->size && heap_less(h, r, m)) m = r;
        if (m == i) break;
        heap_swap(h, i, m);
        i = m;
    }
    return top;
}

static void assign_depths(const node *nodes, int n, int depth, uint8_t *len)
{
    if (nodes[n].left < 0) {
        len[nodes[n].sym] = (uint8_t)(depth ? depth : 1);
        return;
    }
    assign_depths(nodes, nodes[n].left, depth + 1, len);
    assign_depths(nodes, nodes[n].right, depth + 1, len);
}

/* Build code lengths; returns number of symbols used. */
static int build_lengths(const uint32_t *freq, uint8_t *len)
{
    node nodes[2 * NSYM];
    min_heap h;
    int nn = 0;
    h.size = 0;
    h.nodes = nodes;
    memset(len, 0, NSYM);
    for (int s = 0; s < NSYM; s++) {
        if (freq[s]) {
            nodes[nn].freq = freq[s];
            nodes[nn].left = nodes[nn].right = -1;
            nodes[nn].sym = s;
            heap_push(&h, nn++);
        }
    }
    int used = nn;
    if (used == 0) return 0;
    while (h.size > 1) {
        int a = heap_pop(&h), b = heap_pop(&h);
        nodes[nn].freq = nodes[a].freq + nodes[b].freq;
        nodes[nn].left = a;
        nodes[nn].right = b;
        nodes[nn].sym = -1;
        heap_push(&h, nn++);
    }
    assign_depths(nodes, heap_pop(&h), 0, len);
    return used;
}

/* Clamp lengths to MAX_BITS and repair the Kraft inequality by
 * lengthening the longest codes that are still below the limit. */
static int limit_lengths(uint8_t *len, const uint32_t *freq)
{
    int changed = 0;
    for (int s = 0; s < NSYM; s++)
        if (len[s] > MAX_BITS) {
            len[s] = MAX_BITS;
            changed = 1;
        }
    if (!changed) return 0;
    /* kraft sum in units of 2^-MAX_BITS */
    uint32_t kraft = 0;
    for (int s = 0; s < NSYM; s++)
        if (len[s]) kraft += 1u << (MAX_BITS - len[s]);
    while (kraft > (1u << MAX_BITS)) {
        /* lengthen the least frequent symbol whose length < MAX_BITS */
        int best = -1;
        for (int s = 0; s < NSYM; s++)
            if (len[s] && len[s] < MAX_BITS && (best < 0 || freq[s] < freq[best] ||
                                                (freq[s] == freq[best] && len[s] > len[best])))
                best = s;
        kraft -= 1u << (MAX_BITS - len[best] - 1);
        len[best]++;
    }
    return 1;
}

typedef struct {
    uint16_t code[NSYM];
    uint8_t len[NSYM];
    uint16_t count[MAX_BITS + 1];
    uint16_t first[MAX_BITS + 1];
    uint16_t offset[MAX_BITS + 1];
    uint8_t sorted[NSYM];
} canon;

static void make_canonical(canon *c, const uint8_t *len)
{
    memcpy(c->len, len, NSYM);
    memset(c->count, 0, sizeof c->count);
    for (int s = 0; s < NSYM; s++) c->count[len[s]]++;
    c->count[0] = 0;
    uint16_t code = 0, off = 0;
    for (int b = 1; b <= MAX_BITS; b++) {
        code = (uint16_t)((code + c->count[b - 1]) << 1);
        c->first[b] = code;
        c->offset[b] = off;
        off = (uint16_t)(off + c->count[b]);
    }
    uint16_t next[MAX_BITS + 1];
    uint16_t pos[MAX_BITS + 1];
    memcpy(next, c->first, sizeof next);
    memcpy(pos, c->offset, sizeof pos);
    for (int s = 0; s < NSYM; s++) {
        if (len[s]) {
            c->code[s] = next[len[s]]++;
            c->sorted[pos[len[s]]++] = (uint8_t)s;
        }
    }
}

typedef struct {
    uint8_t *buf;
    size_t pos;   /* bytes */
    uint32_t acc;
    int nbits;
} bit_writer;

static void bw_put(bit_writer *w, uint32_t code, int len)
{
    for (int i = len - 1; i >= 0; i--) {
        w->acc = (w->acc << 1) | ((code >> i) & 1u);
        if (++w->nbits == 8) {
            w->buf[w->pos++] = (uint8_t)w->acc;
            w->acc = 0;
            w->nbits = 0;
        }
    }
}

static void bw_flush(bit_writer *w)
{
    if (w->nbits) {
        w->buf[w->pos++] = (uint8_t)(w->acc << (8 - w->nbits));
        w->acc = 0;
        w->nbits = 0;
    }
}

typedef struct {
    const uint8_t *buf;
    size_t n, bitpos;
} bit_reader;

static int br_bit(bit_reader *r)
{
    if (r->bitpos >= r->n * 8) return -1;
    int b = (r->buf[r->bitpos >> 3] >> (7 - (r->bitpos & 7))) & 1;
    r->bitpos++;
    return b;
}

static int decode_symbol(const canon *c, bit_reader *r)
{
    int code = 0;
    for (int b = 1; b <= MAX_BITS; b++) {
        int bit = br_bit(r);
        if (bit < 0) return -1;
        code = (code << 1) | bit;
        int idx = code - c->first[b];
        if (idx >= 0 && idx < c->count[b]) return c->sorted[c->offset[b] + idx];
    }
    return -1;
}

/* Stream: 256 nibble-packed code lengths (128 bytes) + payload bits. */
static size_t encode_block(const uint8_t *in, size_t n, uint8_t *out, int *limited, int *used)
{
    uint32_t freq[NSYM] = {0};
    uint8_t len[NSYM];
    canon c;
    for (size_t i = 0; i < n; i++) freq[in[i]]++;
    *used = build_lengths(freq, len);
    *limited = limit_lengths(len, freq);
    make_canonical(&c, len);
    for (int s = 0; s < NSYM; s += 2) out[s / 2] = (uint8_t)((len[s] << 4) | len[s + 1]);
    bit_writer w = {out + 128, 0, 0, 0};
    for (size_t i = 0; i < n; i++) bw_put(&w, c.code[in[i]], c.len[in[i]]);
    bw_flush(&w);
    return 128 + w.pos;
}

static size_t decode_block(const uint8_t *in, size_t n, uint8_t *out, size_t count)
{
    uint8_t len[NSYM];
    canon c;
    if (n < 128) return 0;
    for (int s = 0; s < NSYM; s += 2) {
        len[s] = in[s / 2] >> 4;
        len[s + 1] = in[s / 2] & 15;
    }
    make_canonical(&c, len);
    bit_reader r = {in + 128, n - 128, 0};
    size_t i;
    for (i = 0; i < count; i++) {
        int s = decode_symbol(&c, &r);
        if (s < 0) break;
        out[i] = (uint8_t)s;
    }
    return i;
}

static double entropy_bits(const uint8_t *in, size_t n)
{
    uint32_t freq[NSYM] = {0};
    for (size_t i = 0; i < n; i++) freq[in[i]]++;
    double h = 0.0;
    for (int s = 0; s < NSYM; s++)
        if (freq[s]) {
            double p = (double)freq[s] / (double)n;
            h -= p * log2(p);
        }
    return h;
}

int main(void)
{
    uint8_t *in = malloc(MAX_INPUT);
    uint8_t *enc = malloc(2 * MAX_INPUT + 256);
    uint8_t *dec = calloc(MAX_INPUT, 1);
    if (!in || !enc || !dec) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(in + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;

    int limited, used;
    size_t elen = encode_block(in, n, enc, &limited, &used);
    size_t dlen = decode_block(enc, elen, dec, n);
    int ok = dlen == n && memcmp(in, dec, n) == 0;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < elen; i++) h = (h ^ enc[i]) * 16777619u;
    printf("input %zu bytes, %d symbols, entropy %.4f bits/byte\n", n, used, entropy_bits(in, n));
    printf("whole: encoded %zu bytes (%.4f bits/byte) limited=%d fnv=%08x roundtrip=%s\n", elen,
           n ? 8.0 * (double)(elen - 128) / (double)n : 0.0, limited, h, ok ? "ok" : "FAIL");

    /* print the canonical code table for the most frequent symbols */
    uint32_t freq[NSYM] = {0};
    uint8_t len[NSYM];
    canon c;
    for (size_t i = 0; i < n; i++) freq[in[i]]++;
    build_lengths(freq, len);
    limit_lengths(len, freq);
    make_canonical(&c, len);
    int order[NSYM];
    for (int s = 0; s < NSYM; s++) order[s] = s;
    for (int i = 1; i < NSYM; i++) { /* insertion sort by freq desc */
        int v = order[i], j = i - 1;
        while (j >= 0 && (freq[order[j]] < freq[v] || (freq[order[j]] == freq[v] && order[j] > v))) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = v;
    }
    for (int k = 0; k < 8 && freq[order[k]]; k++) {
        int s = order[k];
        printf("  sym %3d freq %5u len %2u code ", s, freq[s], c.len[s]);
        for (int b = c.len[s] - 1; b >= 0; b--) putchar('0' + ((c.code[s] >> b) & 1));
        putchar('\n');
    }
    int maxlen = 0;
    for (int s = 0; s < NSYM; s++) if (c.len[s] > maxlen) maxlen = c.len[s];
    printf("max code length %d\n", maxlen);

    /* independent 4 KiB blocks */
    size_t total = 0, blocks = 0, bad = 0, limited_blocks = 0;
    for (size_t off = 0; off < n; off += 4096) {
        size_t bl = n - off < 4096 ? n - off : 4096;
        size_t el = encode_block(in + off, bl, enc, &limited, &used);
        size_t dl = decode_block(enc, el, dec, bl);
        if (dl != bl || memcmp(in + off, dec, bl) != 0) bad++;
        total += el;
        blocks++;
        limited_blocks += (size_t)limited;
    }
    printf("blocks: %zu total %zu bytes, limited %zu, failures %zu\n", blocks, total, limited_blocks, bad);

    /* skewed synthetic source forces the length limiter */
    size_t sn = 0;
    uint32_t fib_a = 1, fib_b = 1;
    for (int s = 0; s < 20 && sn < MAX_INPUT; s++) {
        for (uint32_t k = 0; k < fib_a && sn < MAX_INPUT; k++) in[sn++] = (uint8_t)('A' + s);
        uint32_t t = fib_a + fib_b;
        fib_a = fib_b;
        fib_b = t;
    }
    elen = encode_block(in, sn, enc, &limited, &used);
    dlen = decode_block(enc, elen, dec, sn);
    ok = dlen == sn && memcmp(in, dec, sn) == 0;
    printf("fibonacci source: %zu bytes -> %zu, limited=%d, roundtrip=%s\n", sn, elen, limited, ok ? "ok" : "FAIL");
    free(in);
    free(enc);
    free(dec);
    return 0;
}
