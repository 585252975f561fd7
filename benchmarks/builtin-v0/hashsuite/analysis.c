/* analysis.c: derived input buffers, hash-table distribution quality and
 * avalanche statistics for 32-bit hash functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hashsuite.h"

static const char *const names[DERIVE_KINDS] = {
    "identity", "reversed", "upper", "rot13", "xorstream", "delta", "wordrev"};

const char *derive_name(int kind)
{
    return (kind >= 0 && kind < DERIVE_KINDS) ? names[kind] : "?";
}

static uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static int is_word_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Reverse the order of words within each line, keeping separators. */
static size_t word_reverse(const uint8_t *src, size_t n, uint8_t *dst)
{
    size_t out = 0, ls = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || src[i] == '\n') {
            size_t end = i;
            size_t j = end;
            int first = 1;
            while (j > ls) {
                size_t we = j;
                while (we > ls && !is_word_char(src[we - 1])) we--;
                size_t ws = we;
                while (ws > ls && is_word_char(src[ws - 1])) ws--;
                if (we == ws) break;
                if (!first) dst[out++] = ' ';
                memcpy(dst + out, src + ws, we - ws);
                out += we - ws;
                first = 0;
                j = ws;
            }
            if (i < n) dst[out++] = '\n';
            ls = i + 1;
        }
    }
    return out;
}

size_t derive_buffer(int kind, const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
    if (n > cap) n = cap;
    uint32_t st = 0x9E3779B9u;
    switch (kind) {
    case 0:
        memcpy(dst, src, n);
        return n;
    case 1:
        for (size_t i = 0; i < n; i++) dst[i] = src[n - 1 - i];
        return n;
    case 2:
        for (size_t i = 0; i < n; i++)
            dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (uint8_t)(src[i] - 32) : src[i];
        return n;
    case 3:
        for (size_t i = 0; i < n; i++) {
            uint8_t c = src[i];
            if (c >= 'a' && c <= 'z') c = (uint8_t)('a' + (c - 'a' + 13) % 26);
            else if (c >= 'A' && c <= 'Z') c = (uint8_t)('A' + (c - 'A' + 13) % 26);
            dst[i] = c;
        }
        return n;
    case 4:
        for (size_t i = 0; i < n; i++) dst[i] = src[i] ^ (uint8_t)(xorshift32(&st) >> 24);
        return n;
    case 5: {
        uint8_t prev = 0;
        for (size_t i = 0; i < n; i++) {
            dst[i] = (uint8_t)(src[i] - prev);
            prev = src[i];
        }
        return n;
    }
    case 6:
        return word_reverse(src, n, dst);
    default:
        return 0;
    }
}

#define TBITS 10
#define TSIZE (1u << TBITS)
#define MAXWORDS 8192

typedef struct {
    const uint8_t *p;
    size_t len;
    uint32_t hash;
    int next;
    int count;
} word_entry;

void table_quality(const char *name, hash32_fn fn, const uint8_t *buf, size_t n)
{
    int *heads = malloc(TSIZE * sizeof *heads);
    word_entry *words = malloc(MAXWORDS * sizeof *words);
    if (!heads || !words) exit(1);
    for (unsigned i = 0; i < TSIZE; i++) heads[i] = -1;
    int nw = 0;
    size_t tokens = 0, probes = 0, falsehits = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && !is_word_char(buf[i])) i++;
        size_t s = i;
        while (i < n && is_word_char(buf[i])) i++;
        if (i == s) break;
        tokens++;
        uint32_t h = fn(buf + s, i - s);
        unsigned b = h & (TSIZE - 1);
        int found = -1;
        for (int e = heads[b]; e >= 0; e = words[e].next) {
            probes++;
            if (words[e].hash == h) {
                if (words[e].len == i - s && memcmp(words[e].p, buf + s, i - s) == 0) {
                    found = e;
                    break;
                }
                falsehits++;
            }
        }
        if (found >= 0) {
            words[found].count++;
        } else if (nw < MAXWORDS) {
            words[nw].p = buf + s;
            words[nw].len = i - s;
            words[nw].hash = h;
            words[nw].count = 1;
            words[nw].next = heads[b];
            heads[b] = nw;
            nw++;
        }
    }
    unsigned used = 0, maxchain = 0;
    unsigned long long sumsq = 0;
    for (unsigned b = 0; b < TSIZE; b++) {
        unsigned len = 0;
        for (int e = heads[b]; e >= 0; e = words[e].next) len++;
        if (len) used++;
        if (len > maxchain) maxchain = len;
        sumsq += (unsigned long long)len * len;
    }
    /* chi-square style statistic scaled by 1000, integer only */
    unsigned long long expected_x1000 = nw ? (unsigned long long)nw * 1000ull / TSIZE : 1;
    unsigned long long chi = nw ? (sumsq * 1000ull * TSIZE / (unsigned long long)nw) - (unsigned long long)nw * 1000ull : 0;
    int top = 0;
    for (int e = 1; e < nw; e++)
        if (words[e].count > words[top].count) top = e;
    printf("table %-9s tokens=%zu distinct=%d used=%u maxchain=%u probes=%zu false=%zu chi=%llu exp=%llu",
           name, tokens, nw, used, maxchain, probes, falsehits, chi / 1000ull, expected_x1000);
    if (nw) printf(" top=%.*s:%d", (int)words[top].len, (const char *)words[top].p, words[top].count);
    printf("\n");
    free(heads);
    free(words);
}

void avalanche_report(const char *name, hash32_fn fn)
{
    enum { KEYS = 96, KLEN = 12 };
    uint32_t st = 0x12345678u;
    uint32_t flips[KLEN * 8][32];
    memset(flips, 0, sizeof flips);
    unsigned long long total = 0;
    for (int k = 0; k < KEYS; k++) {
        uint8_t key[KLEN];
        for (int i = 0; i < KLEN; i++) key[i] = (uint8_t)xorshift32(&st);
        uint32_t h0 = fn(key, KLEN);
        for (int bit = 0; bit < KLEN * 8; bit++) {
            key[bit >> 3] ^= (uint8_t)(1u << (bit & 7));
            uint32_t d = h0 ^ fn(key, KLEN);
            key[bit >> 3] ^= (uint8_t)(1u << (bit & 7));
            for (int o = 0; o < 32; o++) {
                if (d & (1u << o)) {
                    flips[bit][o]++;
                    total++;
                }
            }
        }
    }
    /* worst bias: max |2*count - KEYS| over all (in,out) pairs */
    unsigned worst = 0;
    for (int b = 0; b < KLEN * 8; b++)
        for (int o = 0; o < 32; o++) {
            unsigned c = flips[b][o];
            unsigned dev = 2 * c > KEYS ? 2 * c - KEYS : KEYS - 2 * c;
            if (dev > worst) worst = dev;
        }
    unsigned long long trials = (unsigned long long)KEYS * KLEN * 8 * 32;
    printf("avalanche %-9s flip-rate=%.4f worst-bias=%.4f\n", name,
           (double)total / (double)trials, (double)worst / (double)KEYS);
}

void hex_string(const uint8_t *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = '\0';
}
