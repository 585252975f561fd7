/* sort: integer and string sorting algorithms over data read from stdin.
 * Integers: quicksort (median-of-three, insertion cutoff), top-down merge
 * sort, heapsort, shellsort (Ciura gaps) and LSD radix sort on signed
 * keys. Each runs on several distributions derived from the input and
 * is checked against the others. Strings: 3-way radix quicksort and a
 * bottom-up merge sort, cross-checked, with comparison counters. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_INPUT (1u << 16)
#define MAX_INTS 20000
#define MAX_WORDS 8000

static unsigned long long cmp_count;

static int lt(int32_t a, int32_t b)
{
    cmp_count++;
    return a < b;
}

static void swap(int32_t *a, int32_t *b)
{
    int32_t t = *a;
    *a = *b;
    *b = t;
}

static void insertion(int32_t *a, long lo, long hi)
{
    for (long i = lo + 1; i <= hi; i++) {
        int32_t v = a[i];
        long j = i - 1;
        while (j >= lo && lt(v, a[j])) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quick_rec(int32_t *a, long lo, long hi, int depth)
{
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2;
        if (lt(a[mid], a[lo])) swap(&a[mid], &a[lo]);
        if (lt(a[hi], a[lo])) swap(&a[hi], &a[lo]);
        if (lt(a[hi], a[mid])) swap(&a[hi], &a[mid]);
        int32_t pivot = a[mid];
        long i = lo, j = hi;
        while (i <= j) {
            while (lt(a[i], pivot)) i++;
            while (lt(pivot, a[j])) j--;
            if (i <= j) {
                swap(&a[i], &a[j]);
                i++;
                j--;
            }
        }
        /* recurse into the smaller side */
        if (j - lo < hi - i) {
            quick_rec(a, lo, j, depth + 1);
            lo = i;
        } else {
            quick_rec(a, i, hi, depth + 1);
            hi = j;
        }
    }
    insertion(a, lo, hi);
}

static void quicksort(int32_t *a, long n) { if (n > 1) quick_rec(a, 0, n - 1, 0); }

static void merge_rec(int32_t *a, int32_t *tmp, long lo, long hi)
{
    if (hi - lo < 12) {
        insertion(a, lo, hi);
        return;
    }
    long mid = lo + (hi - lo) / 2;
    merge_rec(a, tmp, lo, mid);
    merge_rec(a, tmp, mid + 1, hi);
    if (!lt(a[mid + 1], a[mid])) return; /* already ordered */
    long i = lo, j = mid + 1, k = lo;
    while (i <= mid && j <= hi) tmp[k++] = lt(a[j], a[i]) ? a[j++] : a[i++];
    while (i <= mid) tmp[k++] = a[i++];
    while (j <= hi) tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, (size_t)(hi - lo + 1) * sizeof *a);
}

static void mergesort_ints(int32_t *a, long n)
{
    if (n < 2) return;
    int32_t *tmp = malloc((size_t)n * sizeof *tmp);
    if (!tmp) exit(1);
    merge_rec(a, tmp, 0, n - 1);
    free(tmp);
}

static void sift(int32_t *a, long i, long n)
{
    for (;;) {
        long l = 2 * i + 1, m = i;
        if (l < n && lt(a[m], a[l])) m = l;
        if (l + 1 < n && lt(a[m], a[l + 1])) m = l + 1;
        if (m == i) return;
        swap(&a[i], &a[m]);
        i = m;
    }
}

static void heapsort_ints(int32_t *a, long n)
{
    for (long i = n / 2 - 1; i >= 0; i--) sift(a, i, n);
    for (long end = n - 1; end > 0; end--) {
        swap(&a[0], &a[end]);
        sift(a, 0, end);
    }
}

static void shellsort(int32_t *a, long n)
{
    static const long gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        long h = gaps[g];
        for (long i = h; i < n; i++) {
            int32_t v = a[i];
            long j = i;
            while (j >= h && lt(v, a[j - h])) {
                a[j] = a[j - h];
                j -= h;
            }
            a[j] = v;
        }
    }
}

static void radixsort(int32_t *a, long n)
{
    uint32_t *k = malloc((size_t)n * sizeof *k), *t = malloc((size_t)n * sizeof *t);
    if (!k || !t) exit(1);
    for (long i = 0; i < n; i++) k[i] = (uint32_t)a[i] ^ 0x80000000u; /* order-preserving */
    for (int shift = 0; shift < 32; shift += 8) {
        long count[257];
        memset(count, 0, sizeof count);
        for (long i = 0; i < n; i++) count[((k[i] >> shift) & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (long i = 0; i < n; i++) t[count[(k[i] >> shift) & 0xFF]++] = k[i];
        uint32_t *s = k;
        k = t;
        t = s;
    }
    for (long i = 0; i < n; i++) a[i] = (int32_t)(k[i] ^ 0x80000000u);
    free(k);
    free(t);
}

/* ---------------- strings ---------------- */
static unsigned long long scmp_count;

static int char_at(const char *s, int d) { return (unsigned char)s[d]; }

static void str_swap(const char **a, const char **b)
{
    const char *t = *a;
    *a = *b;
    *b = t;
}

static void radix3(const char **a, long lo, long hi, int d)
{
    while (hi > lo) {
        int v = char_at(a[lo], d);
        long lt_ = lo, gt = hi, i = lo + 1;
        while (i <= gt) {
            int c = char_at(a[i], d);
            scmp_count++;
            if (c < v) str_swap(&a[lt_++], &a[i++]);
            else if (c > v) str_swap(&a[i], &a[gt--]);
            else i++;
        }
        radix3(a, lo, lt_ - 1, d);
        if (v > 0) radix3(a, lt_, gt, d + 1);
        lo = gt + 1;
    }
}

static int str_less(const char *a, const char *b)
{
    scmp_count++;
    return strcmp(a, b) < 0;
}

static void merge_strings(const char **a, long n)
{
    const char **tmp = malloc((size_t)(n ? n : 1) * sizeof *tmp);
    if (!tmp) exit(1);
    for (long w = 1; w < n; w *= 2) {
        for (long lo = 0; lo < n - w; lo += 2 * w) {
            long mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = str_less(a[j], a[i]) ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
            memcpy(a + lo, tmp + lo, (size_t)(hi - lo) * sizeof *a);
        }
    }
    free(tmp);
}

static uint32_t checksum_ints(const int32_t *a, long n)
{
    uint32_t h = 2166136261u;
    for (long i = 0; i < n; i++) h = (h ^ (uint32_t)a[i]) * 16777619u;
    return h;
}

static int is_sorted(const int32_t *a, long n)
{
    for (long i = 1; i < n; i++)
        if (a[i] < a[i - 1]) return 0;
    return 1;
}

typedef void (*sort_fn)(int32_t *, long);

int main(void)
{
    char *text = malloc(MAX_INPUT + 1);
    int32_t *base = malloc(MAX_INTS * sizeof *base), *work = malloc(MAX_INTS * sizeof *work);
    int32_t *ref = malloc(MAX_INTS * sizeof *ref);
    const char **words = malloc(MAX_WORDS * sizeof *words), **w2 = malloc(MAX_WORDS * sizeof *w2);
    if (!text || !base || !work || !ref || !words || !w2) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT && (r = fread(text + n, 1, MAX_INPUT - n, stdin)) > 0) n += r;
    text[n] = '\0';

    long nints = 0, nwords = 0;
    char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
        if (!*p) break;
        char *start = p;
        while (*p && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') p++;
        if (*p) *p++ = '\0';
        char *end;
        long v = strtol(start, &end, 10);
        if (*end == '\0' && end != start) {
            if (nints < MAX_INTS) base[nints++] = (int32_t)v;
        } else if (nwords < MAX_WORDS) {
            words[nwords++] = start;
        }
    }
    printf("read %ld integers and %ld words\n", nints, nwords);

    /* distributions: input order, sorted, reversed, few-unique, sawtooth, expanded */
    static const char *const dist_names[] = {"input", "sorted", "reversed", "fewuniq", "pairswap", "expanded"};
    static const char *const sort_names[] = {"quick", "merge", "heap", "shell", "radix"};
    static const sort_fn sorts[] = {quicksort, mergesort_ints, heapsort_ints, shellsort, radixsort};
    int failures = 0;
    for (int d = 0; d < 6; d++) {
        long m = nints;
        memcpy(ref, base, (size_t)nints * sizeof *ref);
        switch (d) {
        case 1: radixsort(ref, m); break;
        case 2:
            radixsort(ref, m);
            for (long i = 0; i < m / 2; i++) swap(&ref[i], &ref[m - 1 - i]);
            break;
        case 3:
            for (long i = 0; i < m; i++) ref[i] = (int32_t)((uint32_t)ref[i] % 7u);
            break;
        case 4:
            radixsort(ref, m);
            for (long i = 0; i < m / 2; i += 2) swap(&ref[i], &ref[m - 1 - i]);
            break;
        case 5: {
            uint32_t s = 12345u;
            m = MAX_INTS;
            for (long i = 0; i < m; i++) {
                s = s * 1664525u + 1013904223u;
                ref[i] = (int32_t)(s >> 8) - (1 << 23) + (nints ? base[i % nints] : 0);
            }
            break;
        }
        }
        printf("%-9s n=%5ld", dist_names[d], m);
        uint32_t expect = 0;
        for (int s = 0; s < 5; s++) {
            memcpy(work, ref, (size_t)m * sizeof *work);
            cmp_count = 0;
            sorts[s](work, m);
            uint32_t h = checksum_ints(work, m);
            if (s == 0) expect = h;
            int ok = is_sorted(work, m) && h == expect;
            failures += !ok;
            printf(" %s=%llu%s", sort_names[s], s == 4 ? 0ull : cmp_count, ok ? "" : "!");
        }
        printf(" sum=%08x\n", expect);
    }
    memcpy(work, base, (size_t)nints * sizeof *work);
    quicksort(work, nints);
    if (nints > 0)
        printf("ints: min %d median %d max %d\n", work[0], work[nints / 2], work[nints - 1]);

    memcpy(w2, words, (size_t)nwords * sizeof *w2);
    scmp_count = 0;
    radix3(words, 0, nwords - 1, 0);
    unsigned long long c1 = scmp_count;
    scmp_count = 0;
    merge_strings(w2, nwords);
    unsigned long long c2 = scmp_count;
    int same = 1;
    long distinct = nwords > 0;
    uint32_t hs = 2166136261u;
    for (long i = 0; i < nwords; i++) {
        if (strcmp(words[i], w2[i]) != 0) same = 0;
        if (i && strcmp(words[i], words[i - 1]) != 0) distinct++;
        for (const char *c = words[i]; *c; c++) hs = (hs ^ (uint8_t)*c) * 16777619u;
    }
    failures += !same;
    printf("strings: radix3 %llu char-compares, merge %llu compares, agree=%d distinct=%ld hash=%08x\n", c1, c2, same,
           distinct, hs);
    if (nwords) printf("first '%s' last '%s'\n", words[0], words[nwords - 1]);
    printf("failures: %d\n", failures);
    free(text); free(base); free(work); free(ref); free(words); free(w2);
    return 0;
}
