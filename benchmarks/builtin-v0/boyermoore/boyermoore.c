/* Boyer-Moore string search with the bad-character and good-suffix
 * rules, Boyer-Moore-Horspool and Sunday (quick search) variants,
 * each instrumented to count character comparisons and shifts.
 * Input: text, a line "%%", then one pattern per line.              */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTEXT 65536
#define MAXPAT 256
#define ALPHA 256

typedef struct { long matches, compares, shifts, first; unsigned long h; } stats_t;

static unsigned char text[MAXTEXT];
static size_t textlen;

static void bad_char_table(const unsigned char *p, int m, int *bc) {
    for (int c = 0; c < ALPHA; c++) bc[c] = -1;
    for (int i = 0; i < m; i++) bc[p[i]] = i;
}

/* suffix lengths: suff[i] = length of the longest suffix of p ending at i that is a suffix of p */
static void suffixes(const unsigned char *p, int m, int *suff) {
    suff[m - 1] = m;
    int g = m - 1, f = 0;
    for (int i = m - 2; i >= 0; i--) {
        if (i > g && suff[i + m - 1 - f] < i - g) suff[i] = suff[i + m - 1 - f];
        else {
            if (i < g) g = i;
            f = i;
            while (g >= 0 && p[g] == p[g + m - 1 - f]) g--;
            suff[i] = f - g;
        }
    }
}

static void good_suffix_table(const unsigned char *p, int m, int *gs) {
    int suff[MAXPAT];
    suffixes(p, m, suff);
    for (int i = 0; i < m; i++) gs[i] = m;
    int j = 0;
    for (int i = m - 1; i >= 0; i--)
        if (suff[i] == i + 1)
            for (; j < m - 1 - i; j++)
                if (gs[j] == m) gs[j] = m - 1 - i;
    for (int i = 0; i <= m - 2; i++) gs[m - 1 - suff[i]] = m - 1 - i;
}

static void record(stats_t *s, long pos) {
    if (s->first < 0) s->first = pos;
    s->matches++;
    s->h = s->h * 2654435761u + (unsigned long)pos;
}

static stats_t boyer_moore(const unsigned char *t, int n, const unsigned char *p, int m) {
    stats_t s = { 0, 0, 0, -1, 0 };
    int bc[ALPHA], gs[MAXPAT];
    bad_char_table(p, m, bc);
    good_suffix_table(p, m, gs);
    int j = 0;
    while (j <= n - m) {
        int i = m - 1;
        while (i >= 0) {
            s.compares++;
            if (p[i] != t[i + j]) break;
            i--;
        }
        if (i < 0) {
            record(&s, j);
            j += gs[0];
        } else {
            int bcs = i - bc[t[i + j]];
            int shift = gs[i] > bcs ? gs[i] : bcs;
            j += shift;
        }
        s.shifts++;
    }
    return s;
}

static stats_t horspool(const unsigned char *t, int n, const unsigned char *p, int m) {
    stats_t s = { 0, 0, 0, -1, 0 };
    int shift[ALPHA];
    for (int c = 0; c < ALPHA; c++) shift[c] = m;
    for (int i = 0; i < m - 1; i++) shift[p[i]] = m - 1 - i;
    int j = 0;
    while (j <= n - m) {
        unsigned char last = t[j + m - 1];
        s.compares++;
        if (last == p[m - 1]) {
            int i = 0;
            while (i < m - 1) { s.compares++; if (p[i] != t[j + i]) break; i++; }
            if (i == m - 1) record(&s, j);
        }
        j += shift[last];
        s.shifts++;
    }
    return s;
}

static stats_t sunday(const unsigned char *t, int n, const unsigned char *p, int m) {
    stats_t s = { 0, 0, 0, -1, 0 };
    int shift[ALPHA];
    for (int c = 0; c < ALPHA; c++) shift[c] = m + 1;
    for (int i = 0; i < m; i++) shift[p[i]] = m - i;
    int j = 0;
    while (j <= n - m) {
        int i = 0;
        while (i < m) { s.compares++; if (p[i] != t[j + i]) break; i++; }
        if (i == m) record(&s, j);
        if (j + m >= n) break;
        j += shift[t[j + m]];
        s.shifts++;
    }
    return s;
}

static stats_t brute(const unsigned char *t, int n, const unsigned char *p, int m) {
    stats_t s = { 0, 0, 0, -1, 0 };
    for (int j = 0; j <= n - m; j++) {
        int i = 0;
        while (i < m) { s.compares++; if (p[i] != t[j + i]) break; i++; }
        if (i == m) record(&s, j);
        s.shifts++;
    }
    return s;
}

int main(void) {
    char line[1024];
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "%%", 2) == 0) break;
        size_t l = strlen(line);
        if (textlen + l >= MAXTEXT) l = MAXTEXT - 1 - textlen;
        memcpy(text + textlen, line, l);
        textlen += l;
    }
    printf("text %zu bytes\n", textlen);
    printf("%-20s %6s %9s %9s %9s %9s\n", "pattern", "hits", "brute", "bm", "horspool", "sunday");
    long tot[4] = { 0, 0, 0, 0 };
    int bad = 0, np = 0;
    while (fgets(line, sizeof line, stdin)) {
        size_t m = strcspn(line, "\r\n");
        line[m] = 0;
        if (m == 0 || m >= MAXPAT || m > textlen) continue;
        const unsigned char *p = (const unsigned char *)line;
        int n = (int)textlen;
        stats_t a = brute(text, n, p, (int)m), b = boyer_moore(text, n, p, (int)m);
        stats_t c = horspool(text, n, p, (int)m), d = sunday(text, n, p, (int)m);
        if (a.matches != b.matches || a.matches != c.matches || a.matches != d.matches || a.h != b.h || a.h != c.h ||
            a.h != d.h)
            bad++;
        np++;
        tot[0] += a.compares; tot[1] += b.compares; tot[2] += c.compares; tot[3] += d.compares;
        printf("%-20s %6ld %9ld %9ld %9ld %9ld\n", line, a.matches, a.compares, b.compares, c.compares, d.compares);
    }
    printf("%d patterns, %d disagreements\n", np, bad);
    printf("total compares brute=%ld bm=%ld horspool=%ld sunday=%ld\n", tot[0], tot[1], tot[2], tot[3]);
    return 0;
}
