/* search: searching sorted integer arrays.
 * stdin: "keys K" followed by K integers, then "queries Q" followed by Q
 * integers. The keys are sorted (heap sort) and every query is answered
 * with binary, branch-free binary, interpolation, exponential and
 * galloping (finger) search, all returning the lower bound; answers are
 * cross-checked and probe counts reported. Also: equal-range counts,
 * sorted-list intersection by galloping vs linear merge, and a
 * nearest-key query. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static unsigned long long probes;

static long lower_binary(const int64_t *a, long n, int64_t x)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        probes++;
        if (a[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static long upper_binary(const int64_t *a, long n, int64_t x)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        probes++;
        if (a[mid] <= x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static long lower_branchless(const int64_t *a, long n, int64_t x)
{
    if (n == 0) return 0;
    const int64_t *base = a;
    long len = n;
    while (len > 1) {
        long half = len / 2;
        probes++;
        base = (base[half - 1] < x) ? base + half : base;
        len -= half;
    }
    probes++;
    return (long)(base - a) + (*base < x);
}

static long lower_interp(const int64_t *a, long n, int64_t x)
{
    long lo = 0, hi = n - 1;
    if (n == 0) return 0;
    while (lo <= hi) {
        probes++;
        if (x <= a[lo]) return lo;
        if (x > a[hi]) return hi + 1;
        /* a[lo] < x <= a[hi] */
        double span = (double)a[hi] - (double)a[lo];
        long pos = lo + (long)(((double)x - (double)a[lo]) / span * (double)(hi - lo));
        if (pos <= lo) pos = lo + 1;
        if (pos > hi) pos = hi;
        probes++;
        if (a[pos] < x) lo = pos + 1;
        else if (a[pos - 1] < x) return pos;
        else hi = pos - 1;
    }
    return lo;
}

static long lower_exponential(const int64_t *a, long n, int64_t x)
{
    if (n == 0) return 0;
    probes++;
    if (a[0] >= x) return 0;
    long bound = 1;
    while (bound < n) {
        probes++;
        if (a[bound] >= x) break;
        bound *= 2;
    }
    long lo = bound / 2 + 1, hi = bound < n ? bound : n;
    return lo + lower_binary(a + lo, hi - lo, x);
}

/* galloping from a finger position (the previous answer) in either direction */
static long lower_gallop(const int64_t *a, long n, int64_t x, long finger)
{
    if (finger < 0) finger = 0;
    if (finger > n) finger = n;
    if (finger < n && (probes++, a[finger] < x)) {
        long step = 1, lo = finger + 1, hi;
        for (;;) {
            hi = finger + step;
            if (hi >= n) {
                hi = n;
                break;
            }
            probes++;
            if (a[hi] >= x) break;
            lo = hi + 1;
            step *= 2;
        }
        return lo + lower_binary(a + lo, hi - lo, x);
    }
    long step = 1, hi = finger, lo;
    for (;;) {
        lo = finger - step;
        if (lo <= 0) {
            lo = 0;
            break;
        }
        probes++;
        if (a[lo - 1] < x) break;
        hi = lo;
        step *= 2;
    }
    return lo + lower_binary(a + lo, hi - lo, x);
}

static void heap_sort(int64_t *a, long n)
{
    for (long start = n / 2 - 1; start >= 0; start--) {
        long i = start;
        for (;;) {
            long c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && a[c + 1] > a[c]) c++;
            if (a[i] >= a[c]) break;
            int64_t t = a[i]; a[i] = a[c]; a[c] = t;
            i = c;
        }
    }
    for (long end = n - 1; end > 0; end--) {
        int64_t t = a[0]; a[0] = a[end]; a[end] = t;
        long i = 0;
        for (;;) {
            long c = 2 * i + 1;
            if (c >= end) break;
            if (c + 1 < end && a[c + 1] > a[c]) c++;
            if (a[i] >= a[c]) break;
            t = a[i]; a[i] = a[c]; a[c] = t;
            i = c;
        }
    }
}

static long intersect_linear(const int64_t *a, long na, const int64_t *b, long nb)
{
    long i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        probes++;
        if (a[i] < b[j]) i++;
        else if (b[j] < a[i]) j++;
        else {
            c++;
            i++;
            j++;
        }
    }
    return c;
}

static long intersect_gallop(const int64_t *a, long na, const int64_t *b, long nb)
{
    /* gallop through the larger array for each element of the smaller */
    if (na > nb) {
        const int64_t *t = a; a = b; b = t;
        long tn = na; na = nb; nb = tn;
    }
    long c = 0, pos = 0;
    for (long i = 0; i < na; i++) {
        if (i > 0 && a[i] == a[i - 1]) {
            /* multiset semantics: match the next equal element */
            if (pos < nb && b[pos] == a[i]) {
                c++;
                pos++;
            }
            continue;
        }
        pos = lower_gallop(b, nb, a[i], pos);
        if (pos < nb && b[pos] == a[i]) {
            c++;
            pos++;
        }
    }
    return c;
}

static int read_section(const char *name, int64_t **out, long *count)
{
    char word[32];
    long k;
    if (scanf("%31s %ld", word, &k) != 2 || strcmp(word, name) != 0 || k < 0 || k > 1000000) return -1;
    *out = malloc((size_t)(k ? k : 1) * sizeof **out);
    if (!*out) return -1;
    for (long i = 0; i < k; i++) {
        long long v;
        if (scanf("%lld", &v) != 1) return -1;
        (*out)[i] = v;
    }
    *count = k;
    return 0;
}

int main(void)
{
    int64_t *keys, *queries;
    long n, q;
    if (read_section("keys", &keys, &n) || read_section("queries", &queries, &q)) {
        printf("bad input\n");
        return 1;
    }
    heap_sort(keys, n);
    printf("keys %ld (min %lld max %lld), queries %ld\n", n, n ? (long long)keys[0] : 0LL,
           n ? (long long)keys[n - 1] : 0LL, q);

    static const char *const names[] = {"binary", "branchless", "interpolation", "exponential", "gallop"};
    unsigned long long cost[5] = {0};
    long mismatches = 0, found = 0, finger = 0;
    unsigned long long total_count = 0;
    uint32_t h = 2166136261u;
    for (long i = 0; i < q; i++) {
        int64_t x = queries[i];
        long ans[5];
        probes = 0; ans[0] = lower_binary(keys, n, x); cost[0] += probes;
        probes = 0; ans[1] = lower_branchless(keys, n, x); cost[1] += probes;
        probes = 0; ans[2] = lower_interp(keys, n, x); cost[2] += probes;
        probes = 0; ans[3] = lower_exponential(keys, n, x); cost[3] += probes;
        probes = 0; ans[4] = lower_gallop(keys, n, x, finger); cost[4] += probes;
        finger = ans[4];
        for (int k = 1; k < 5; k++) mismatches += ans[k] != ans[0];
        long up = upper_binary(keys, n, x);
        if (up > ans[0]) found++;
        total_count += (unsigned long long)(up - ans[0]);
        h = (h ^ (uint32_t)ans[0]) * 16777619u;
    }
    printf("found %ld of %ld queries, total occurrences %llu, answer hash %08x\n", found, q, total_count, h);
    for (int k = 0; k < 5; k++)
        printf("  %-13s probes %8llu (%.2f per query)\n", names[k], cost[k], q ? (double)cost[k] / (double)q : 0.0);
    printf("mismatches: %ld\n", mismatches);

    /* sorted queries make the galloping finger shine */
    int64_t *sq = malloc((size_t)(q ? q : 1) * sizeof *sq);
    if (!sq) return 1;
    memcpy(sq, queries, (size_t)q * sizeof *sq);
    heap_sort(sq, q);
    unsigned long long gsum = 0, bsum = 0;
    finger = 0;
    long bad = 0;
    for (long i = 0; i < q; i++) {
        probes = 0;
        long g = lower_gallop(keys, n, sq[i], finger);
        gsum += probes;
        probes = 0;
        long b = lower_binary(keys, n, sq[i]);
        bsum += probes;
        bad += g != b;
        finger = g;
    }
    printf("sorted queries: gallop %llu probes, binary %llu probes, mismatches %ld\n", gsum, bsum, bad);

    probes = 0;
    long c1 = intersect_linear(keys, n, sq, q);
    unsigned long long p1 = probes;
    probes = 0;
    long c2 = intersect_gallop(keys, n, sq, q);
    printf("intersection: linear %ld (%llu steps), gallop %ld (%llu probes)\n", c1, p1, c2, probes);

    /* nearest key to each of a few queries */
    long long distsum = 0;
    for (long i = 0; i < q && n > 0; i += 97) {
        long pos = lower_binary(keys, n, queries[i]);
        int64_t best = pos < n ? keys[pos] - queries[i] : INT64_MAX;
        if (pos > 0 && queries[i] - keys[pos - 1] < best) best = queries[i] - keys[pos - 1];
        distsum += best;
    }
    printf("nearest-key distance sum (every 97th query): %lld\n", distsum);
    free(keys);
    free(queries);
    free(sq);
    return 0;
}
