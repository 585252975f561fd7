/* Knuth-Morris-Pratt string matching of many patterns over a text.
 * Input: text lines, then a line "%%", then one pattern per line.
 * For each pattern: failure function, occurrence count (overlapping),
 * first/last positions, verification against a naive matcher, and
 * the pattern's smallest period. Also a case-insensitive variant and
 * a KMP automaton (DFA) matcher built from the failure function.     */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#define MAXTEXT 65536
#define MAXPAT 128
#define ALPHA 256

static char text[MAXTEXT];
static size_t textlen;

static void build_failure(const char *p, size_t m, int *fail) {
    fail[0] = 0;
    size_t k = 0;
    for (size_t i = 1; i < m; i++) {
        while (k > 0 && p[i] != p[k]) k = (size_t)fail[k - 1];
        if (p[i] == p[k]) k++;
        fail[i] = (int)k;
    }
}

typedef struct { long count; long first, last; unsigned long poshash; } match_info;

static match_info kmp_search(const char *t, size_t n, const char *p, size_t m, const int *fail, int nocase) {
    match_info mi = { 0, -1, -1, 0 };
    size_t q = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)t[i];
        if (nocase) c = tolower(c);
        while (q > 0 && (unsigned char)p[q] != c) q = (size_t)fail[q - 1];
        if ((unsigned char)p[q] == c) q++;
        if (q == m) {
            long pos = (long)(i + 1 - m);
            if (mi.first < 0) mi.first = pos;
            mi.last = pos;
            mi.count++;
            mi.poshash = mi.poshash * 31u + (unsigned long)pos;
            q = (size_t)fail[q - 1];
        }
    }
    return mi;
}

static long naive_count(const char *t, size_t n, const char *p, size_t m) {
    long c = 0;
    if (m > n) return 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && t[i + j] == p[j]) j++;
        if (j == m) c++;
    }
    return c;
}

/* DFA: delta[state][char] for states 0..m */
static long dfa_count(const char *t, size_t n, const char *p, size_t m, const int *fail) {
    int (*delta)[ALPHA] = malloc((m + 1) * sizeof *delta);
    for (int c = 0; c < ALPHA; c++) delta[0][c] = 0;
    delta[0][(unsigned char)p[0]] = 1;
    for (size_t s = 1; s <= m; s++) {
        size_t back = (size_t)fail[s - 1];
        for (int c = 0; c < ALPHA; c++) delta[s][c] = delta[back][c];
        if (s < m) delta[s][(unsigned char)p[s]] = (int)s + 1;
    }
    long cnt = 0;
    int st = 0;
    for (size_t i = 0; i < n; i++) {
        st = delta[st][(unsigned char)t[i]];
        if ((size_t)st == m) cnt++;
    }
    free(delta);
    return cnt;
}

static size_t smallest_period(size_t m, const int *fail) { return m - (size_t)fail[m - 1]; }

int main(void) {
    char line[1024];
    textlen = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "%%", 2) == 0) break;
        size_t l = strlen(line);
        if (textlen + l >= MAXTEXT) l = MAXTEXT - 1 - textlen;
        memcpy(text + textlen, line, l);
        textlen += l;
    }
    text[textlen] = 0;
    printf("text: %zu bytes\n", textlen);
    int npat = 0, agree = 0;
    long total = 0;
    unsigned long h = 0;
    int fail[MAXPAT];
    while (fgets(line, sizeof line, stdin)) {
        size_t m = strcspn(line, "\r\n");
        line[m] = 0;
        if (m == 0 || m >= MAXPAT) continue;
        npat++;
        build_failure(line, m, fail);
        match_info mi = kmp_search(text, textlen, line, m, fail, 0);
        long nv = naive_count(text, textlen, line, m);
        long dc = dfa_count(text, textlen, line, m, fail);
        char low[MAXPAT];
        for (size_t i = 0; i <= m; i++) low[i] = (char)tolower((unsigned char)line[i]);
        int lf[MAXPAT];
        build_failure(low, m, lf);
        match_info ci = kmp_search(text, textlen, low, m, lf, 1);
        int ok = (nv == mi.count && dc == mi.count);
        agree += ok;
        total += mi.count;
        h = h * 1000003u ^ mi.poshash;
        printf("%-24s n=%-5ld nocase=%-5ld first=%-6ld last=%-6ld period=%-3zu %s\n", line, mi.count, ci.count,
               mi.first, mi.last, smallest_period(m, fail), ok ? "ok" : "MISMATCH");
    }
    printf("patterns=%d verified=%d total-matches=%ld poshash=%016lx\n", npat, agree, total, h);
    return 0;
}
