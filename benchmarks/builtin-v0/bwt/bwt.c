/* bwt: block-sorting transform pipeline as in bzip2.
 * Per block: suffix array by prefix doubling with LSD radix sort,
 * Burrows-Wheeler transform with an implicit end-of-block sentinel,
 * move-to-front coding, zero-run coding (RUNA/RUNB), and an order-0
 * cost estimate; then the exact inverse (un-RLE, inverse MTF, LF-mapping
 * inverse BWT) is applied and checked against the input. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#define MAX_INPUT (1u << 16)
#define BLOCK 8192

/* Suffix array of s[0..n) with an implicit terminator smaller than any byte. */
static void suffix_array(const uint8_t *s, int n, int *sa, int *rank, int *tmp, int *cnt)
{
    for (int i = 0; i < n; i++) {
        sa[i] = i;
        rank[i] = s[i];
    }
    /* initial sort by first byte (counting sort) */
    int maxr = 256;
    memset(cnt, 0, (size_t)(maxr + 1) * sizeof(int));
    for (int i = 0; i < n; i++) cnt[rank[i] + 1]++;
    for (int i = 1; i <= maxr; i++) cnt[i] += cnt[i - 1];
    for (int i = 0; i < n; i++) sa[cnt[rank[i]]++] = i;
    /* re-rank */
    tmp[sa[0]] = 0;
    for (int i = 1; i < n; i++) tmp[sa[i]] = tmp[sa[i - 1]] + (s[sa[i]] != s[sa[i - 1]]);
    memcpy(rank, tmp, (size_t)n * sizeof(int));
    for (int k = 1; k < n; k <<= 1) {
        if (rank[sa[n - 1]] == n - 1) break;
        int classes = rank[sa[n - 1]] + 2; /* +1 for "past end" key (-1 -> 0) */
        /* sort by second key rank[i+k] (past end = smallest), stable, then by first key */
        int *sa2 = tmp;
        int p = 0;
        for (int i = n - k; i < n; i++) sa2[p++] = i;           /* second key = past end */
        for (int i = 0; i < n; i++) if (sa[i] >= k) sa2[p++] = sa[i] - k; /* already sorted by rank[i+k] */
        memset(cnt, 0, (size_t)(classes + 1) * sizeof(int));
        for (int i = 0; i < n; i++) cnt[rank[i] + 1]++;
        for (int i = 1; i <= classes; i++) cnt[i] += cnt[i - 1];
        for (int i = 0; i < n; i++) sa[cnt[rank[sa2[i]]]++] = sa2[i];
        /* new ranks */
        int *nr = sa2; /* reuse */
        nr[sa[0]] = 0;
        for (int i = 1; i < n; i++) {
            int a = sa[i - 1], b = sa[i];
            int ra2 = a + k < n ? rank[a + k] : -1, rb2 = b + k < n ? rank[b + k] : -1;
            nr[b] = nr[a] + (rank[a] != rank[b] || ra2 != rb2);
        }
        memcpy(rank, nr, (size_t)n * sizeof(int));
    }
}

/* BWT output has n+1 symbols; the sentinel position is returned as primary
 * and its slot is filled with 0 (skipped by the inverse). */
static int bwt_forward(const uint8_t *s, int n, uint8_t *out, int *sa, int *rank, int *tmp, int *cnt)
{
    suffix_array(s, n, sa, rank, tmp, cnt);
    int primary = 0;
    out[0] = s[n - 1]; /* row 0 is the sentinel suffix, preceded by the last byte */
    for (int i = 0; i < n; i++) {
        if (sa[i] == 0) {
            primary = i + 1;
            out[i + 1] = 0;
        } else {
            out[i + 1] = s[sa[i] - 1];
        }
    }
    return primary;
}

static void bwt_inverse(const uint8_t *L, int n, int primary, uint8_t *out, int *lf)
{
    int count[257] = {0};
    /* rows: 0..n, row 0 = sentinel suffix; L[primary] is the sentinel */
    for (int i = 0; i <= n; i++)
        if (i != primary) count[L[i] + 1]++;
    count[0] = 1; /* sentinel occupies F[0] */
    int base[257];
    base[0] = 0;
    /* F order: sentinel, then bytes 0..255 */
    int acc = 1;
    for (int c = 0; c < 256; c++) {
        base[c + 1] = acc;
        acc += count[c + 1];
    }
    int seen[256] = {0};
    for (int i = 0; i <= n; i++) {
        if (i == primary) lf[i] = 0;
        else lf[i] = base[L[i] + 1] + seen[L[i]]++;
    }
    int row = 0;
    for (int k = n - 1; k >= 0; k--) {
        out[k] = L[row];
        row = lf[row];
    }
}

static void mtf_encode(const uint8_t *in, int n, uint8_t *out)
{
    uint8_t order[256];
    for (int i = 0; i < 256; i++) order[i] = (uint8_t)i;
    for (int i = 0; i < n; i++) {
        uint8_t c = in[i];
        int j = 0;
        while (order[j] != c) j++;
        out[i] = (uint8_t)j;
        memmove(order + 1, order, (size_t)j);
        order[0] = c;
    }
}

static void mtf_decode(const uint8_t *in, int n, uint8_t *out)
{
    uint8_t order[256];
    for (int i = 0; i < 256; i++) order[i] = (uint8_t)i;
    for (int i = 0; i < n; i++) {
        int j = in[i];
        uint8_t c = order[j];
        out[i] = c;
        memmove(order + 1, order, (size_t)j);
        order[0] = c;
    }
}

/* Zero-run coding: symbols 0/1 are RUNA/RUNB (bijective base-2 run length
 * of zeros), MTF value v>0 becomes v+1. Output symbols are uint16. */
static int zrle_encode(const uint8_t *in, int n, uint16_t *out)
{
    int o = 0, i = 0;
    while (i < n) {
        if (in[i] == 0) {
            int run = 0;
            while (i < n && in[i] == 0) { run++; i++; }
            run++; /* emit the digits of run+1 below its leading 1 */
            while (run > 1) {
                out[o++] = (uint16_t)(run & 1); /* low digit first */
                run >>= 1;
            }
        } else {
            out[o++] = (uint16_t)(in[i] + 1);
            i++;
        }
    }
    return o;
}

static int zrle_decode(const uint16_t *in, int n, uint8_t *out, int cap)
{
    int o = 0, i = 0;
    while (i < n) {
        if (in[i] <= 1) {
            int run = 0, bit = 0;
            while (i < n && in[i] <= 1) {
                run |= in[i] << bit; /* low digits of run+1, LSB first */
                bit++;
                i++;
            }
            run |= 1 << bit; /* implicit leading 1 */
            run -= 1;
            if (o + run > cap) return -1;
            memset(out + o, 0, (size_t)run);
            o += run;
        } else {
            if (o >= cap) return -1;
            out[o++] = (uint8_t)(in[i] - 1);
            i++;
        }
    }
    return o;
}

static double order0_bits(const uint16_t *s, int n)
{
    static uint32_t f[258];
    memset(f, 0, sizeof f);
    for (int i = 0; i < n; i++) f[s[i]]++;
    double bits = 0.0;
    for (int c = 0; c < 258; c++)
        if (f[c]) bits -= (double)f[c] * log2((double)f[c] / (double)n);
    return bits;
}

int main(void)
{
    uint8_t *in = malloc(MAX_INPUT);
    if (!in) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(in + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;
    int *sa = malloc((BLOCK + 1) * sizeof(int)), *rank = malloc((BLOCK + 1) * sizeof(int));
    int *tmp = malloc((BLOCK + 1) * sizeof(int)), *cnt = malloc((BLOCK + 2) * sizeof(int));
    uint8_t *L = malloc(BLOCK + 1), *mtf = malloc(BLOCK + 1), *back = malloc(BLOCK + 1), *mtf2 = malloc(BLOCK + 1);
    uint16_t *z = malloc((BLOCK + 1) * 2 * sizeof(uint16_t));
    if (!sa || !rank || !tmp || !cnt || !L || !mtf || !back || !mtf2 || !z) return 1;

    printf("input %zu bytes, block %d\n", n, BLOCK);
    double total_bits = 0.0, raw_bits = 0.0;
    int failures = 0, blocks = 0;
    uint32_t hash = 2166136261u;
    for (size_t off = 0; off < n; off += BLOCK) {
        int bn = (int)(n - off < BLOCK ? n - off : BLOCK);
        const uint8_t *blk = in + off;
        int primary = bwt_forward(blk, bn, L, sa, rank, tmp, cnt);
        mtf_encode(L, bn + 1, mtf);
        int zn = zrle_encode(mtf, bn + 1, z);
        /* cost of the raw block under order-0 for comparison */
        for (int i = 0; i < bn; i++) z[zn + i] = blk[i];
        raw_bits += order0_bits(z + zn, bn);
        double bits = order0_bits(z, zn);
        total_bits += bits;
        int zeros = 0, runs = 1;
        for (int i = 0; i <= bn; i++) zeros += mtf[i] == 0;
        for (int i = 1; i <= bn; i++) runs += L[i] != L[i - 1];
        for (int i = 0; i <= bn; i++) hash = (hash ^ L[i]) * 16777619u;
        /* inverse */
        int mn = zrle_decode(z, zn, mtf2, bn + 1);
        mtf_decode(mtf2, bn + 1, back);
        int ok = mn == bn + 1 && memcmp(back, L, (size_t)bn + 1) == 0;
        bwt_inverse(back, bn, primary, mtf2, sa);
        ok = ok && memcmp(mtf2, blk, (size_t)bn) == 0;
        failures += !ok;
        printf("block %d: n=%d primary=%d runs=%d mtf-zeros=%d zrle=%d est=%.1f bytes %s\n", blocks, bn,
               primary, runs, zeros, zn, bits / 8.0, ok ? "ok" : "FAIL");
        blocks++;
    }
    printf("bwt hash %08x\n", hash);
    printf("order-0 raw estimate %.1f bytes, after bwt+mtf+zrle %.1f bytes\n", raw_bits / 8.0, total_bits / 8.0);
    /* small known example */
    const char *ex = "banana_bandana";
    int en = (int)strlen(ex);
    int pr = bwt_forward((const uint8_t *)ex, en, L, sa, rank, tmp, cnt);
    printf("bwt(%s) = ", ex);
    for (int i = 0; i <= en; i++) putchar(i == pr ? '$' : L[i]);
    printf(" primary=%d\n", pr);
    printf("failures: %d\n", failures);
    free(in); free(sa); free(rank); free(tmp); free(cnt);
    free(L); free(mtf); free(back); free(mtf2); free(z);
    return 0;
}
