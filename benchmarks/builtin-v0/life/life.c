/* Cellular automata. (1) Conway's Game of Life on a torus: the initial
 * pattern is read from stdin (rows of '.' and 'O' placed at offsets),
 * evolved with a straightforward neighbour-count kernel and with a
 * bit-packed 64-bit row kernel; both are cross-checked, and population,
 * bounding box and period detection (hash history) are reported.
 * (2) Elementary 1D automata (rules 30, 90, 110, 184) on a ring.       */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define W 64
#define H 48

typedef struct { unsigned char c[H][W]; } grid;
typedef struct { uint64_t r[H]; } bgrid;

static void step_naive(const grid *a, grid *b) {
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int n = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    if (!dx && !dy) continue;
                    n += a->c[(y + dy + H) % H][(x + dx + W) % W];
                }
            b->c[y][x] = (unsigned char)(n == 3 || (n == 2 && a->c[y][x]));
        }
}

static uint64_t rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }

/* bit-parallel: sum of 8 neighbour bit-planes with a carry-save adder */
static void step_bits(const bgrid *a, bgrid *b) {
    for (int y = 0; y < H; y++) {
        uint64_t up = a->r[(y + H - 1) % H], mid = a->r[y], dn = a->r[(y + 1) % H];
        uint64_t nb[8] = { rotl(up, 1), up, rotl(up, 63), rotl(mid, 1), rotl(mid, 63), rotl(dn, 1), dn, rotl(dn, 63) };
        uint64_t s0 = 0, s1 = 0, s2 = 0; /* 3-bit counter (8 wraps to 0, fine: 8 neighbours -> dead) */
        for (int k = 0; k < 8; k++) {
            uint64_t c0 = s0 & nb[k];
            s0 ^= nb[k];
            uint64_t c1 = s1 & c0;
            s1 ^= c0;
            s2 ^= c1;
        }
        /* alive next iff count==3 or (count==2 and alive) */
        b->r[y] = ~s2 & s1 & (s0 | mid);
    }
}

static void to_bits(const grid *g, bgrid *b) {
    for (int y = 0; y < H; y++) {
        uint64_t v = 0;
        for (int x = 0; x < W; x++) if (g->c[y][x]) v |= (uint64_t)1 << x;
        b->r[y] = v;
    }
}
static int same(const grid *g, const bgrid *b) { bgrid t; to_bits(g, &t); return memcmp(&t, b, sizeof t) == 0; }
static int population(const bgrid *b) { int p = 0; for (int y = 0; y < H; y++) { uint64_t v = b->r[y]; while (v) { v &= v - 1; p++; } } return p; }
static uint64_t ghash(const bgrid *b) { uint64_t h = 14695981039346656037ULL; for (int y = 0; y < H; y++) h = (h ^ b->r[y]) * 1099511628211ULL; return h; }

static void bbox(const bgrid *b, int *x0, int *y0, int *x1, int *y1) {
    *x0 = W; *y0 = H; *x1 = -1; *y1 = -1;
    for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) if ((b->r[y] >> x) & 1) {
        if (x < *x0) *x0 = x;
        if (x > *x1) *x1 = x;
        if (y < *y0) *y0 = y;
        if (y > *y1) *y1 = y;
    }
}

static void elementary(int rule, int width, int steps) {
    unsigned char *a = calloc((size_t)width, 1), *b = calloc((size_t)width, 1);
    a[width / 2] = 1;
    unsigned long h = 0;
    long ones = 0;
    unsigned centre_bits = 0;
    for (int t = 0; t < steps; t++) {
        for (int i = 0; i < width; i++) {
            int l = a[(i + width - 1) % width], c = a[i], r = a[(i + 1) % width];
            b[i] = (unsigned char)((rule >> (l << 2 | c << 1 | r)) & 1);
        }
        unsigned char *t2 = a; a = b; b = t2;
        for (int i = 0; i < width; i++) { ones += a[i]; h = h * 3u + a[i]; }
        if (t < 32) centre_bits = centre_bits << 1 | a[width / 2];
    }
    printf("rule %3d width %d steps %d: live cells %ld, centre column bits %08x, hash %016lx\n", rule, width, steps, ones,
           centre_bits, h);
    free(a); free(b);
}

#define HIST 512
int main(void) {
    static grid g, g2;
    bgrid b, b2;
    int steps;
    char line[256];
    if (!fgets(line, sizeof line, stdin) || sscanf(line, "%d", &steps) != 1) return 1;
    int ox = 0, oy = 0, row = 0, patterns = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == '@') { if (sscanf(line + 1, "%d %d", &ox, &oy) == 2) { row = 0; patterns++; } continue; }
        if (line[0] == '#') break;
        for (int x = 0; line[x] && line[x] != '\n'; x++)
            if (line[x] == 'O' || line[x] == '*') g.c[(oy + row) % H][(ox + x) % W] = 1;
        row++;
    }
    to_bits(&g, &b);
    printf("patterns=%d initial population=%d\n", patterns, population(&b));
    static uint64_t hist[HIST];
    int mismatches = 0, period = 0, period_at = -1;
    for (int t = 1; t <= steps; t++) {
        step_naive(&g, &g2); g = g2;
        step_bits(&b, &b2); b = b2;
        if (!same(&g, &b)) mismatches++;
        uint64_t h = ghash(&b);
        if (!period)
            for (int k = 1; k < HIST && k < t; k++)
                if (hist[(t - k) % HIST] == h) { period = k; period_at = t; break; }
        hist[t % HIST] = h;
        if (t % 50 == 0) {
            int x0, y0, x1, y1; bbox(&b, &x0, &y0, &x1, &y1);
            printf("gen %4d pop %4d bbox (%d,%d)-(%d,%d) hash %016llx\n", t, population(&b), x0, y0, x1, y1, (unsigned long long)h);
        }
    }
    printf("kernel mismatches=%d", mismatches);
    if (period) printf(" first repeat: period %d detected at gen %d\n", period, period_at);
    else printf(" no repetition within history\n");
    int rules[4] = { 30, 90, 110, 184 };
    int width, esteps;
    if (scanf("%d %d", &width, &esteps) == 2)
        for (int k = 0; k < 4; k++) elementary(rules[k], width, esteps);
    return 0;
}
