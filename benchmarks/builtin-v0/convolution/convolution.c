/* 2D image filtering on a grey-scale image read as ASCII PGM (P2) from
 * stdin: box blur (direct and separable via running sums), Gaussian
 * blur (integer 5x5 and separable 1-4-6-4-1), Sobel gradient magnitude
 * and orientation histogram, Laplacian, unsharp-mask sharpen, median
 * 3x3 and morphological erode/dilate. Borders use clamp-to-edge.
 * Each result is summarised with mean, min/max and a checksum.        */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

typedef struct { int w, h; int *p; } image;

static image img_new(int w, int h) { image m; m.w = w; m.h = h; m.p = calloc((size_t)w * (size_t)h, sizeof(int)); return m; }
static int px(const image *m, int x, int y) {
    x = x < 0 ? 0 : x >= m->w ? m->w - 1 : x;
    y = y < 0 ? 0 : y >= m->h ? m->h - 1 : y;
    return m->p[y * m->w + x];
}
static int clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

static int read_token(char *buf, int n) {
    int c, k = 0;
    for (;;) {
        c = getchar();
        if (c == EOF) return 0;
        if (c == '#') { while (c != '\n' && c != EOF) c = getchar(); continue; }
        if (!isspace(c)) break;
    }
    while (c != EOF && !isspace(c) && k < n - 1) { buf[k++] = (char)c; c = getchar(); }
    buf[k] = 0;
    return 1;
}

static int read_pgm(image *m) {
    char t[32];
    if (!read_token(t, sizeof t) || strcmp(t, "P2") != 0) return 0;
    int w, h, mx;
    if (!read_token(t, sizeof t)) return 0;
    w = atoi(t);
    if (!read_token(t, sizeof t)) return 0;
    h = atoi(t);
    if (!read_token(t, sizeof t)) return 0;
    mx = atoi(t);
    if (w <= 0 || h <= 0 || w > 4096 || h > 4096 || mx <= 0) return 0;
    *m = img_new(w, h);
    for (int i = 0; i < w * h; i++) { if (!read_token(t, sizeof t)) return 0; m->p[i] = atoi(t) * 255 / mx; }
    return 1;
}

static void summary(const char *name, const image *m) {
    long sum = 0; int mn = 1 << 30, mx = -(1 << 30);
    unsigned h = 2166136261u;
    for (int i = 0; i < m->w * m->h; i++) {
        int v = m->p[i];
        sum += v; if (v < mn) mn = v; if (v > mx) mx = v;
        h = (h ^ (unsigned)v) * 16777619u;
    }
    long n = (long)m->w * m->h;
    printf("%-14s mean=%4ld.%02ld min=%4d max=%4d crc=%08x\n", name, sum / n, (labs(sum) % n) * 100 / n, mn, mx, h);
}

static image convolve(const image *src, const int *k, int ks, int div, int bias) {
    image d = img_new(src->w, src->h);
    int r = ks / 2;
    for (int y = 0; y < src->h; y++)
        for (int x = 0; x < src->w; x++) {
            int acc = 0;
            for (int j = -r; j <= r; j++)
                for (int i = -r; i <= r; i++) acc += k[(j + r) * ks + (i + r)] * px(src, x + i, y + j);
            d.p[y * d.w + x] = clamp255((acc + (acc >= 0 ? div / 2 : -div / 2)) / div + bias);
        }
    return d;
}

static image box_separable(const image *s, int r) {
    image t = img_new(s->w, s->h), d = img_new(s->w, s->h);
    int n = 2 * r + 1;
    for (int y = 0; y < s->h; y++) {
        int acc = 0;
        for (int i = -r; i <= r; i++) acc += px(s, i, y);
        for (int x = 0; x < s->w; x++) {
            t.p[y * s->w + x] = acc;
            acc += px(s, x + r + 1, y) - px(s, x - r, y);
        }
    }
    for (int x = 0; x < s->w; x++) {
        int acc = 0;
        for (int j = -r; j <= r; j++) acc += px(&t, x, j);
        for (int y = 0; y < s->h; y++) {
            d.p[y * s->w + x] = (acc + n * n / 2) / (n * n);
            acc += px(&t, x, y + r + 1) - px(&t, x, y - r);
        }
    }
    free(t.p);
    return d;
}

static image gauss_separable(const image *s) {
    static const int g[5] = { 1, 4, 6, 4, 1 };
    image t = img_new(s->w, s->h), d = img_new(s->w, s->h);
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            int a = 0;
            for (int i = -2; i <= 2; i++) a += g[i + 2] * px(s, x + i, y);
            t.p[y * s->w + x] = a;
        }
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            int a = 0;
            for (int j = -2; j <= 2; j++) a += g[j + 2] * px(&t, x, y + j);
            d.p[y * s->w + x] = (a + 128) / 256;
        }
    free(t.p);
    return d;
}

static int isqrt(int v) { int r = 0; while ((r + 1) * (r + 1) <= v) r++; return r; }

static image sobel(const image *s, int *hist8) {
    image d = img_new(s->w, s->h);
    for (int i = 0; i < 8; i++) hist8[i] = 0;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            int gx = -px(s, x - 1, y - 1) - 2 * px(s, x - 1, y) - px(s, x - 1, y + 1) + px(s, x + 1, y - 1) + 2 * px(s, x + 1, y) + px(s, x + 1, y + 1);
            int gy = -px(s, x - 1, y - 1) - 2 * px(s, x, y - 1) - px(s, x + 1, y - 1) + px(s, x - 1, y + 1) + 2 * px(s, x, y + 1) + px(s, x + 1, y + 1);
            int mag = isqrt(gx * gx + gy * gy);
            d.p[y * s->w + x] = clamp255(mag / 4);
            if (mag > 100) {
                /* octant of the gradient direction using integer comparisons */
                int ax = abs(gx), ay = abs(gy), o;
                if (ay * 5 < ax * 2) o = 0; else if (ax * 5 < ay * 2) o = 2; else o = 1;
                if (gx < 0) o = 4 - o;
                if (gy < 0) o = (8 - o) % 8;
                hist8[o]++;
            }
        }
    return d;
}

static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static image median3(const image *s) {
    image d = img_new(s->w, s->h);
    int win[9];
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            int k = 0;
            for (int j = -1; j <= 1; j++) for (int i = -1; i <= 1; i++) win[k++] = px(s, x + i, y + j);
            qsort(win, 9, sizeof(int), cmp_int);
            d.p[y * s->w + x] = win[4];
        }
    return d;
}
static image morph(const image *s, int dilate) {
    image d = img_new(s->w, s->h);
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            int v = dilate ? 0 : 255;
            for (int j = -1; j <= 1; j++) for (int i = -1; i <= 1; i++) {
                int q = px(s, x + i, y + j);
                if (dilate ? q > v : q < v) v = q;
            }
            d.p[y * s->w + x] = v;
        }
    return d;
}

static int count_diff(const image *a, const image *b) {
    int n = 0, maxd = 0;
    for (int i = 0; i < a->w * a->h; i++) { int d = abs(a->p[i] - b->p[i]); if (d) n++; if (d > maxd) maxd = d; }
    return n * 1000 + maxd; /* encoded: differing pixels and max deviation */
}

int main(void) {
    image src;
    if (!read_pgm(&src)) { printf("bad image\n"); return 1; }
    printf("image %dx%d\n", src.w, src.h);
    summary("source", &src);
    static const int box3[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    static const int gauss5[25] = { 1, 4, 6, 4, 1, 4, 16, 24, 16, 4, 6, 24, 36, 24, 6, 4, 16, 24, 16, 4, 1, 4, 6, 4, 1 };
    static const int sharpen[9] = { 0, -1, 0, -1, 5, -1, 0, -1, 0 };
    static const int lap[9] = { 1, 1, 1, 1, -8, 1, 1, 1, 1 };
    static const int emboss[9] = { -2, -1, 0, -1, 1, 1, 0, 1, 2 };
    image b1 = convolve(&src, box3, 3, 9, 0); summary("box3", &b1);
    image b2 = box_separable(&src, 1); summary("box3-sep", &b2);
    int dd = count_diff(&b1, &b2);
    printf("box direct vs separable: %d pixels differ (max %d)\n", dd / 1000, dd % 1000);
    image b5 = box_separable(&src, 3); summary("box7-sep", &b5);
    image g1 = convolve(&src, gauss5, 5, 256, 0); summary("gauss5", &g1);
    image g2 = gauss_separable(&src); summary("gauss5-sep", &g2);
    dd = count_diff(&g1, &g2);
    printf("gauss direct vs separable: %d pixels differ (max %d)\n", dd / 1000, dd % 1000);
    int hist8[8];
    image so = sobel(&g2, hist8); summary("sobel(gauss)", &so);
    printf("edge orientation octants:");
    for (int i = 0; i < 8; i++) printf(" %d", hist8[i]);
    printf("\n");
    image sh = convolve(&src, sharpen, 3, 1, 0); summary("sharpen", &sh);
    image lp = convolve(&g2, lap, 3, 1, 128); summary("laplacian", &lp);
    image em = convolve(&src, emboss, 3, 1, 0); summary("emboss", &em);
    image md = median3(&src); summary("median3", &md);
    image er = morph(&md, 0), di = morph(&md, 1);
    summary("erode", &er); summary("dilate", &di);
    image grad = img_new(src.w, src.h);
    for (int i = 0; i < src.w * src.h; i++) grad.p[i] = di.p[i] - er.p[i];
    summary("morph-gradient", &grad);
    /* unsharp mask: src + (src - blur) */
    image um = img_new(src.w, src.h);
    for (int i = 0; i < src.w * src.h; i++) um.p[i] = clamp255(2 * src.p[i] - g2.p[i]);
    summary("unsharp", &um);
    image *all[] = { &src, &b1, &b2, &b5, &g1, &g2, &so, &sh, &lp, &em, &md, &er, &di, &grad, &um };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]->p);
    return 0;
}
