/* dp: classic dynamic programming problems on input data.
 *   - Levenshtein edit distance: full table with traceback (counts of
 *     matches/substitutions/insertions/deletions) and a two-row version
 *   - longest common subsequence: table with reconstruction, and the
 *     bit-parallel (Allison-Dix / Hyyro) length computation
 *   - 0/1 knapsack: 2D table with item recovery and a 1D rolling version
 *   - matrix-chain multiplication order with optimal parenthesization
 * stdin sections: "pairs P" then 2*P lines; "knapsack N W" then N lines
 * "weight value"; "chain N" then N+1 dimensions. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAXLEN 600

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

static int edit_full(const char *a, int n, const char *b, int m, int *ops)
{
    int *d = malloc((size_t)(n + 1) * (size_t)(m + 1) * sizeof(int));
    if (!d) exit(1);
#define D(i, j) d[(size_t)(i) * (size_t)(m + 1) + (size_t)(j)]
    for (int i = 0; i <= n; i++) D(i, 0) = i;
    for (int j = 0; j <= m; j++) D(0, j) = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++)
            D(i, j) = min3(D(i - 1, j) + 1, D(i, j - 1) + 1, D(i - 1, j - 1) + (a[i - 1] != b[j - 1]));
    int result = D(n, m);
    /* traceback preferring diagonal moves */
    int i = n, j = m;
    ops[0] = ops[1] = ops[2] = ops[3] = 0;
    while (i > 0 || j > 0) {
        if (i > 0 && j > 0 && D(i, j) == D(i - 1, j - 1) + (a[i - 1] != b[j - 1])) {
            ops[a[i - 1] != b[j - 1]]++;
            i--;
            j--;
        } else if (i > 0 && D(i, j) == D(i - 1, j) + 1) {
            ops[3]++; /* deletion */
            i--;
        } else {
            ops[2]++; /* insertion */
            j--;
        }
    }
#undef D
    free(d);
    return result;
}

static int edit_rows(const char *a, int n, const char *b, int m)
{
    int *prev = malloc((size_t)(m + 1) * sizeof(int)), *cur = malloc((size_t)(m + 1) * sizeof(int));
    if (!prev || !cur) exit(1);
    for (int j = 0; j <= m; j++) prev[j] = j;
    for (int i = 1; i <= n; i++) {
        cur[0] = i;
        for (int j = 1; j <= m; j++) cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]));
        int *t = prev;
        prev = cur;
        cur = t;
    }
    int r = prev[m];
    free(prev);
    free(cur);
    return r;
}

static int lcs_table(const char *a, int n, const char *b, int m, char *out)
{
    uint16_t *L = malloc((size_t)(n + 1) * (size_t)(m + 1) * sizeof(uint16_t));
    if (!L) exit(1);
#define T(i, j) L[(size_t)(i) * (size_t)(m + 1) + (size_t)(j)]
    for (int i = 0; i <= n; i++)
        for (int j = 0; j <= m; j++) {
            if (i == 0 || j == 0) T(i, j) = 0;
            else if (a[i - 1] == b[j - 1]) T(i, j) = (uint16_t)(T(i - 1, j - 1) + 1);
            else T(i, j) = T(i - 1, j) > T(i, j - 1) ? T(i - 1, j) : T(i, j - 1);
        }
    int len = T(n, m), k = len;
    out[k] = '\0';
    int i = n, j = m;
    while (i > 0 && j > 0) {
        if (a[i - 1] == b[j - 1]) {
            out[--k] = a[i - 1];
            i--;
            j--;
        } else if (T(i - 1, j) >= T(i, j - 1)) {
            i--;
        } else {
            j--;
        }
    }
#undef T
    free(L);
    return len;
}

/* bit-parallel LCS length: words of 64 bits over b */
static int lcs_bits(const char *a, int n, const char *b, int m)
{
    int words = (m + 63) / 64;
    uint64_t *match = calloc((size_t)256 * (size_t)words, sizeof(uint64_t));
    uint64_t *v = malloc((size_t)words * sizeof(uint64_t));
    if (!match || !v) exit(1);
    for (int j = 0; j < m; j++) match[(size_t)(unsigned char)b[j] * (size_t)words + (size_t)(j / 64)] |= 1ull << (j % 64);
    for (int w = 0; w < words; w++) v[w] = ~0ull;
    for (int i = 0; i < n; i++) {
        const uint64_t *mt = match + (size_t)(unsigned char)a[i] * (size_t)words;
        uint64_t carry = 0;
        for (int w = 0; w < words; w++) {
            uint64_t u = v[w] & mt[w];
            uint64_t sum = v[w] + u;
            uint64_t c1 = sum < v[w];
            uint64_t sum2 = sum + carry;
            uint64_t c2 = sum2 < sum;
            v[w] = sum2 | (v[w] - u);
            carry = c1 | c2;
        }
    }
    int zeros = 0;
    for (int j = 0; j < m; j++) zeros += !((v[j / 64] >> (j % 64)) & 1u);
    free(match);
    free(v);
    return zeros;
}

static long knapsack_2d(const int *w, const int *val, int n, int cap, char *take)
{
    long *K = malloc((size_t)(n + 1) * (size_t)(cap + 1) * sizeof(long));
    if (!K) exit(1);
#define KK(i, c) K[(size_t)(i) * (size_t)(cap + 1) + (size_t)(c)]
    for (int c = 0; c <= cap; c++) KK(0, c) = 0;
    for (int i = 1; i <= n; i++)
        for (int c = 0; c <= cap; c++) {
            KK(i, c) = KK(i - 1, c);
            if (w[i - 1] <= c && KK(i - 1, c - w[i - 1]) + val[i - 1] > KK(i, c))
                KK(i, c) = KK(i - 1, c - w[i - 1]) + val[i - 1];
        }
    long best = KK(n, cap);
    int c = cap;
    for (int i = n; i >= 1; i--) {
        take[i - 1] = KK(i, c) != KK(i - 1, c);
        if (take[i - 1]) c -= w[i - 1];
    }
#undef KK
    free(K);
    return best;
}

static long knapsack_1d(const int *w, const int *val, int n, int cap)
{
    long *best = calloc((size_t)cap + 1, sizeof(long));
    if (!best) exit(1);
    for (int i = 0; i < n; i++)
        for (int c = cap; c >= w[i]; c--)
            if (best[c - w[i]] + val[i] > best[c]) best[c] = best[c - w[i]] + val[i];
    long r = best[cap];
    free(best);
    return r;
}

static void print_parens(const int *split, int n, int i, int j, char *buf, size_t *pos, size_t cap)
{
    if (*pos + 8 >= cap) return;
    if (i == j) {
        *pos += (size_t)snprintf(buf + *pos, cap - *pos, "A%d", i + 1);
        return;
    }
    buf[(*pos)++] = '(';
    print_parens(split, n, i, split[i * n + j], buf, pos, cap);
    print_parens(split, n, split[i * n + j] + 1, j, buf, pos, cap);
    if (*pos + 1 < cap) buf[(*pos)++] = ')';
    buf[*pos] = '\0';
}

/* cost of a given parenthesization, computed recursively */
static unsigned long long eval_order(const int *split, const long *dims, int n, int i, int j)
{
    if (i == j) return 0;
    int k = split[i * n + j];
    return eval_order(split, dims, n, i, k) + eval_order(split, dims, n, k + 1, j) +
           (unsigned long long)dims[i] * (unsigned long long)dims[k + 1] * (unsigned long long)dims[j + 1];
}

int main(void)
{
    char word[32];
    int pairs;
    if (scanf("%31s %d", word, &pairs) != 2 || strcmp(word, "pairs") != 0) return 1;
    char *a = malloc(MAXLEN + 2), *b = malloc(MAXLEN + 2), *lcs = malloc(MAXLEN + 2);
    if (!a || !b || !lcs) return 1;
    int c;
    while ((c = getchar()) != '\n' && c != EOF) {
    }
    long total_ed = 0;
    for (int p = 0; p < pairs; p++) {
        if (!fgets(a, MAXLEN + 2, stdin) || !fgets(b, MAXLEN + 2, stdin)) return 1;
        a[strcspn(a, "\n")] = '\0';
        b[strcspn(b, "\n")] = '\0';
        int n = (int)strlen(a), m = (int)strlen(b), ops[4];
        int e1 = edit_full(a, n, b, m, ops);
        int e2 = edit_rows(a, n, b, m);
        int l1 = lcs_table(a, n, b, m, lcs);
        int l2 = lcs_bits(a, n, b, m);
        total_ed += e1;
        printf("pair %d: |a|=%d |b|=%d edit=%d (match %d sub %d ins %d del %d)%s lcs=%d%s \"%.24s%s\"\n", p, n, m, e1,
               ops[0], ops[1], ops[2], ops[3], e1 == e2 ? "" : " ROWS-MISMATCH", l1, l1 == l2 ? "" : " BITS-MISMATCH",
               lcs, l1 > 24 ? "..." : "");
    }
    printf("total edit distance %ld\n", total_ed);

    int n, cap;
    if (scanf("%31s %d %d", word, &n, &cap) != 3 || strcmp(word, "knapsack") != 0 || n <= 0 || cap <= 0) return 1;
    int *w = malloc((size_t)n * sizeof(int)), *val = malloc((size_t)n * sizeof(int));
    char *take = malloc((size_t)n);
    if (!w || !val || !take) return 1;
    for (int i = 0; i < n; i++)
        if (scanf("%d %d", &w[i], &val[i]) != 2 || w[i] <= 0) return 1;
    long k2 = knapsack_2d(w, val, n, cap, take), k1 = knapsack_1d(w, val, n, cap);
    long tw = 0, tv = 0;
    int cnt = 0;
    for (int i = 0; i < n; i++)
        if (take[i]) {
            tw += w[i];
            tv += val[i];
            cnt++;
        }
    printf("knapsack: %d items, capacity %d, best %ld (1d %ld), chosen %d items weight %ld value %ld\n", n, cap, k2, k1,
           cnt, tw, tv);
    printf("chosen:");
    for (int i = 0; i < n; i++)
        if (take[i]) printf(" %d", i);
    printf("\n");

    int nm;
    if (scanf("%31s %d", word, &nm) != 2 || strcmp(word, "chain") != 0 || nm <= 0 || nm > 200) return 1;
    long *dims = malloc((size_t)(nm + 1) * sizeof(long));
    unsigned long long *cost = malloc((size_t)nm * (size_t)nm * sizeof(unsigned long long));
    int *split = malloc((size_t)nm * (size_t)nm * sizeof(int));
    if (!dims || !cost || !split) return 1;
    for (int i = 0; i <= nm; i++)
        if (scanf("%ld", &dims[i]) != 1) return 1;
    for (int i = 0; i < nm; i++) cost[i * nm + i] = 0;
    for (int len = 2; len <= nm; len++)
        for (int i = 0; i + len - 1 < nm; i++) {
            int j = i + len - 1;
            cost[i * nm + j] = UINT64_MAX;
            for (int k = i; k < j; k++) {
                unsigned long long q = cost[i * nm + k] + cost[(k + 1) * nm + j] +
                                       (unsigned long long)dims[i] * (unsigned long long)dims[k + 1] *
                                           (unsigned long long)dims[j + 1];
                if (q < cost[i * nm + j]) {
                    cost[i * nm + j] = q;
                    split[i * nm + j] = k;
                }
            }
        }
    unsigned long long naive = 0;
    for (int k = 1; k < nm; k++) naive += (unsigned long long)dims[0] * (unsigned long long)dims[k] * (unsigned long long)dims[k + 1];
    char buf[2048];
    size_t pos = 0;
    buf[0] = '\0';
    print_parens(split, nm, 0, nm - 1, buf, &pos, sizeof buf);
    printf("matrix chain: %d matrices, optimal %llu (check %llu), left-to-right %llu\n", nm, cost[nm - 1],
           eval_order(split, dims, nm, 0, nm - 1), naive);
    printf("order: %.300s%s\n", buf, pos > 300 ? "..." : "");
    free(a); free(b); free(lcs); free(w); free(val); free(take); free(dims); free(cost); free(split);
    return 0;
}
