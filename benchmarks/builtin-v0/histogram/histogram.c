/* Grey-level image analysis on an ASCII PGM image from stdin:
 * histogram statistics (mean, variance, median, percentiles, entropy in
 * fixed point), histogram equalisation, Otsu's global threshold,
 * iterative (isodata) threshold for comparison, binarisation, and
 * connected-component labelling (4- and 8-connectivity, two-pass with
 * union-find) with per-component area, bounding box and centroid.     */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static int W, H;
static int *pix;

static int next_int(int *out) {
    int c;
    do { c = getchar(); if (c == '#') while (c != '\n' && c != EOF) c = getchar(); } while (c != EOF && !isdigit(c) && c != 'P');
    if (c == EOF) return 0;
    if (c == 'P') { c = getchar(); *out = -(c - '0'); return 1; }
    int v = 0;
    while (c != EOF && isdigit(c)) { v = v * 10 + (c - '0'); c = getchar(); }
    *out = v;
    return 1;
}

static void histogram(const int *p, int n, long *h) {
    memset(h, 0, 256 * sizeof(long));
    for (int i = 0; i < n; i++) h[p[i]]++;
}

static int percentile(const long *h, long n, int pct) {
    long target = (n * pct + 99) / 100, acc = 0;
    for (int v = 0; v < 256; v++) { acc += h[v]; if (acc >= target) return v; }
    return 255;
}

/* entropy in millibits using integer log2 approximation (fixed point 16.16) */
static long ilog2_fx(long x) { /* returns log2(x) * 65536 for x >= 1 */
    long r = 0;
    while (x >= 2) { x >>= 1; r += 65536; }
    return r;
}
static long log2_frac(long num, long den) { /* log2(num/den)*65536, num<=den, refined by squaring */
    long ip = ilog2_fx(den) - ilog2_fx(num);
    /* refine with 16 iterations of the classic binary-log algorithm on the normalised ratio */
    unsigned long long y = ((unsigned long long)num << 32) / (unsigned long long)den; /* num/den in 32.32 */
    int shift = 0;
    while (y < (1ULL << 32)) { y <<= 1; shift++; }
    long frac = 0;
    for (int i = 15; i >= 0; i--) {
        y = (y >> 16) * (y >> 16);
        if (y >= (2ULL << 32)) { y >>= 1; frac += 1L << i; }
    }
    (void)ip;
    return -(long)shift * 65536 + frac;
}

static int otsu(const long *h, long n) {
    double sum = 0; for (int v = 0; v < 256; v++) sum += (double)v * (double)h[v];
    double sumb = 0, best = -1; long wb = 0; int thr = 0;
    for (int t = 0; t < 256; t++) {
        wb += h[t];
        if (wb == 0) continue;
        long wf = n - wb;
        if (wf == 0) break;
        sumb += (double)t * (double)h[t];
        double mb = sumb / (double)wb, mf = (sum - sumb) / (double)wf;
        double between = (double)wb * (double)wf * (mb - mf) * (mb - mf);
        if (between > best) { best = between; thr = t; }
    }
    return thr;
}

static int isodata(const long *h) {
    int t = 128, prev = -1, iters = 0;
    while (t != prev && iters++ < 100) {
        prev = t;
        long s1 = 0, n1 = 0, s2 = 0, n2 = 0;
        for (int v = 0; v < 256; v++) { if (v <= t) { s1 += v * h[v]; n1 += h[v]; } else { s2 += v * h[v]; n2 += h[v]; } }
        long m1 = n1 ? s1 / n1 : 0, m2 = n2 ? s2 / n2 : 255;
        t = (int)((m1 + m2) / 2);
    }
    return t;
}

/* union-find */
static int *parent;
static int uf_find(int x) { while (parent[x] != x) { parent[x] = parent[parent[x]]; x = parent[x]; } return x; }
static void uf_union(int a, int b) { a = uf_find(a); b = uf_find(b); if (a < b) parent[b] = a; else if (b < a) parent[a] = b; }

typedef struct { long area, sx, sy; int x0, y0, x1, y1; } comp;

static int cmp_comp(const void *a, const void *b) {
    const comp *x = a, *y = b;
    if (x->area != y->area) return x->area < y->area ? 1 : -1;
    if (x->y0 != y->y0) return x->y0 - y->y0;
    return x->x0 - y->x0;
}

static void label(const unsigned char *bin, int conn8, const char *name) {
    int *lab = calloc((size_t)W * (size_t)H, sizeof(int));
    parent = malloc(sizeof(int) * (size_t)(W * H / 2 + 2));
    int next = 1;
    parent[0] = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            if (!bin[y * W + x]) continue;
            int nb[4], k = 0;
            if (x > 0 && bin[y * W + x - 1]) nb[k++] = lab[y * W + x - 1];
            if (y > 0 && bin[(y - 1) * W + x]) nb[k++] = lab[(y - 1) * W + x];
            if (conn8 && y > 0 && x > 0 && bin[(y - 1) * W + x - 1]) nb[k++] = lab[(y - 1) * W + x - 1];
            if (conn8 && y > 0 && x < W - 1 && bin[(y - 1) * W + x + 1]) nb[k++] = lab[(y - 1) * W + x + 1];
            if (!k) {
                if (next >= W * H / 2 + 1) { parent = realloc(parent, sizeof(int) * (size_t)(W * H + 2)); }
                parent[next] = next;
                lab[y * W + x] = next++;
            } else {
                int m = nb[0];
                for (int i = 1; i < k; i++) if (nb[i] < m) m = nb[i];
                lab[y * W + x] = m;
                for (int i = 0; i < k; i++) uf_union(m, nb[i]);
            }
        }
    /* second pass: compact labels */
    int *remap = calloc((size_t)next, sizeof(int));
    int ncomp = 0;
    for (int l = 1; l < next; l++) { int r = uf_find(l); if (!remap[r]) remap[r] = ++ncomp; }
    comp *cs = calloc((size_t)ncomp + 1, sizeof(comp));
    for (int i = 1; i <= ncomp; i++) { cs[i].x0 = W; cs[i].y0 = H; cs[i].x1 = -1; cs[i].y1 = -1; }
    unsigned long hash = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int l = lab[y * W + x];
            if (!l) { hash = hash * 3u; continue; }
            int c = remap[uf_find(l)];
            comp *p = &cs[c];
            p->area++; p->sx += x; p->sy += y;
            if (x < p->x0) p->x0 = x;
            if (x > p->x1) p->x1 = x;
            if (y < p->y0) p->y0 = y;
            if (y > p->y1) p->y1 = y;
            hash = hash * 3u + (unsigned long)c;
        }
    qsort(cs + 1, (size_t)ncomp, sizeof(comp), cmp_comp);
    int small = 0;
    for (int i = 1; i <= ncomp; i++) small += cs[i].area < 5;
    printf("%s: %d components (%d smaller than 5 px), provisional labels %d, label hash %016lx\n", name, ncomp, small, next - 1, hash);
    for (int i = 1; i <= ncomp && i <= 4; i++)
        printf("  #%d area=%ld bbox=(%d,%d)-(%d,%d) centroid=(%ld.%ld,%ld.%ld)\n", i, cs[i].area, cs[i].x0, cs[i].y0, cs[i].x1,
               cs[i].y1, cs[i].sx / cs[i].area, cs[i].sx % cs[i].area * 10 / cs[i].area, cs[i].sy / cs[i].area,
               cs[i].sy % cs[i].area * 10 / cs[i].area);
    free(lab); free(parent); free(remap); free(cs);
}

int main(void) {
    int magic, mx;
    if (!next_int(&magic) || magic != -2 || !next_int(&W) || !next_int(&H) || !next_int(&mx) || W <= 0 || H <= 0 || mx <= 0) {
        printf("bad image\n");
        return 1;
    }
    int n = W * H;
    pix = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) { int v = 0; next_int(&v); pix[i] = v * 255 / mx; if (pix[i] > 255) pix[i] = 255; }
    long h[256];
    histogram(pix, n, h);
    long sum = 0, sq = 0;
    for (int v = 0; v < 256; v++) { sum += v * h[v]; sq += (long)v * v * h[v]; }
    long mean100 = sum * 100 / n, var = (sq - sum * sum / n) / n;
    long ent = 0;
    for (int v = 0; v < 256; v++) if (h[v]) ent -= h[v] * log2_frac(h[v], n) / n;
    printf("image %dx%d mean=%ld.%02ld variance=%ld entropy=%ld.%03ld bits\n", W, H, mean100 / 100, mean100 % 100, var,
           ent / 65536, (ent % 65536) * 1000 / 65536);
    printf("percentiles p1=%d p10=%d p50=%d p90=%d p99=%d\n", percentile(h, n, 1), percentile(h, n, 10), percentile(h, n, 50),
           percentile(h, n, 90), percentile(h, n, 99));
    /* equalisation */
    long cdf[256], acc = 0, cdfmin = 0;
    for (int v = 0; v < 256; v++) { acc += h[v]; cdf[v] = acc; if (!cdfmin && acc) cdfmin = acc; }
    int *eq = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) eq[i] = n > cdfmin ? (int)((cdf[pix[i]] - cdfmin) * 255 / (n - cdfmin)) : pix[i];
    long he[256];
    histogram(eq, n, he);
    int used = 0, maxbin = 0;
    for (int v = 0; v < 256; v++) { used += he[v] > 0; if (he[v] > he[maxbin]) maxbin = v; }
    printf("equalised: levels used=%d fullest bin=%d (%ld px) p10=%d p50=%d p90=%d\n", used, maxbin, he[maxbin],
           percentile(he, n, 10), percentile(he, n, 50), percentile(he, n, 90));
    /* coarse histogram bars (16 bins) */
    printf("histogram:");
    for (int b = 0; b < 16; b++) { long s = 0; for (int v = b * 16; v < b * 16 + 16; v++) s += h[v]; printf(" %ld", s); }
    printf("\n");
    int t1 = otsu(h, n), t2 = isodata(h);
    printf("thresholds otsu=%d isodata=%d\n", t1, t2);
    unsigned char *bin = malloc((size_t)n);
    long fg = 0;
    for (int i = 0; i < n; i++) { bin[i] = pix[i] > t1; fg += bin[i]; }
    printf("foreground pixels=%ld (%ld%%)\n", fg, fg * 100 / n);
    label(bin, 0, "4-connected");
    label(bin, 1, "8-connected");
    for (int i = 0; i < n; i++) bin[i] = !bin[i];
    label(bin, 1, "background-8");
    free(pix); free(eq); free(bin);
    return 0;
}
