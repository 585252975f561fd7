/* lz.c: hash-chain LZ77 parser producing DEFLATE literal/length/distance
 * symbols, with optional lazy matching; plus the length/distance code maps. */
#include <stdlib.h>
#include <string.h>
#include "deflate.h"

const uint16_t LEN_BASE[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
                               31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const uint8_t LEN_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                               2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
const uint16_t DIST_BASE[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
                                193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
                                6145, 8193, 12289, 16385, 24577};
const uint8_t DIST_EXTRA[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

int length_code(int len, int *extra_bits, int *extra_val)
{
    int lo = 0, hi = 28;
    while (lo < hi) { /* last base <= len */
        int mid = (lo + hi + 1) / 2;
        if (LEN_BASE[mid] <= len) lo = mid;
        else hi = mid - 1;
    }
    if (len == 258) lo = 28;
    else if (lo == 28) lo = 27;
    *extra_bits = LEN_EXTRA[lo];
    *extra_val = len - LEN_BASE[lo];
    return 257 + lo;
}

int dist_code(int dist, int *extra_bits, int *extra_val)
{
    int lo = 0, hi = 29;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (DIST_BASE[mid] <= dist) lo = mid;
        else hi = mid - 1;
    }
    *extra_bits = DIST_EXTRA[lo];
    *extra_val = dist - DIST_BASE[lo];
    return lo;
}

#define HASH_BITS 14
#define HASH_SIZE (1 << HASH_BITS)

typedef struct {
    int head[HASH_SIZE];
    int *prev;
    const uint8_t *in;
    size_t n;
} chains;

static unsigned hash_at(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
    return (v * 0x9E3779B1u) >> (32 - HASH_BITS);
}

static void insert(chains *c, size_t pos)
{
    if (pos + MIN_MATCH > c->n) return;
    unsigned h = hash_at(c->in + pos);
    c->prev[pos] = c->head[h];
    c->head[h] = (int)pos;
}

static int longest_match(const chains *c, size_t pos, const lz_params *p, int prev_len, int *dist)
{
    if (pos + MIN_MATCH > c->n) return 0;
    int best = prev_len > MIN_MATCH - 1 ? prev_len : MIN_MATCH - 1;
    int found = 0;
    size_t maxlen = c->n - pos < MAX_MATCH ? c->n - pos : MAX_MATCH;
    int chain = p->max_chain;
    if (prev_len >= p->nice_len) chain >>= 2;
    int cand = c->head[hash_at(c->in + pos)];
    const uint8_t *cur = c->in + pos;
    while (cand >= 0 && chain-- > 0) {
        size_t d = pos - (size_t)cand;
        if (d > WINDOW_SIZE) break;
        const uint8_t *m = c->in + cand;
        if ((size_t)best < maxlen && m[best] == cur[best] && m[0] == cur[0] && m[1] == cur[1]) {
            size_t l = 2;
            while (l < maxlen && m[l] == cur[l]) l++;
            if ((int)l > best) {
                best = (int)l;
                *dist = (int)d;
                found = 1;
                if ((int)l >= p->nice_len || l == maxlen) break;
            }
        }
        cand = c->prev[cand];
    }
    return found ? best : 0;
}

size_t lz_parse(const uint8_t *in, size_t n, const lz_params *p, lz_symbol *out)
{
    chains *c = malloc(sizeof *c);
    if (!c) exit(2);
    c->prev = malloc((n + 1) * sizeof(int));
    if (!c->prev) exit(2);
    for (int i = 0; i < HASH_SIZE; i++) c->head[i] = -1;
    c->in = in;
    c->n = n;
    size_t o = 0, pos = 0;
    while (pos < n) {
        int dist = 0;
        int len = longest_match(c, pos, p, 0, &dist);
        if (len >= MIN_MATCH && p->lazy && len < p->nice_len && pos + 1 < n) {
            insert(c, pos);
            int d2 = 0;
            int l2 = longest_match(c, pos + 1, p, len, &d2);
            if (l2 > len) {
                out[o].litlen = in[pos];
                out[o].dist = 0;
                o++;
                pos++;
                len = l2;
                dist = d2;
                insert(c, pos);
            }
            out[o].litlen = (uint16_t)len;
            out[o].dist = (uint16_t)dist;
            o++;
            for (size_t k = pos + 1; k < pos + (size_t)len; k++) insert(c, k);
            pos += (size_t)len;
            continue;
        }
        if (len >= MIN_MATCH) {
            out[o].litlen = (uint16_t)len;
            out[o].dist = (uint16_t)dist;
            o++;
            for (size_t k = pos; k < pos + (size_t)len; k++) insert(c, k);
            pos += (size_t)len;
        } else {
            out[o].litlen = in[pos];
            out[o].dist = 0;
            o++;
            insert(c, pos);
            pos++;
        }
    }
    free(c->prev);
    free(c);
    return o;
}
