/* Halftoning / colour-depth reduction of a procedurally generated grey
 * image. Methods: fixed threshold, random threshold (own xorshift PRNG),
 * ordered dithering with 2x2/4x4/8x8 Bayer matrices, Floyd-Steinberg
 * (raster and serpentine scan), Jarvis-Judice-Ninke, Stucki and Atkinson
 * error diffusion, each for 1-bit and multi-level palettes. Reports
 * mean error, a low-pass (blurred) error metric, black fraction and a
 * checksum. Input: "width height levels..." lines, plus a scene seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int w, h; int *p; } img;

static img mk(int w, int h) { img m = { w, h, calloc((size_t)w * (size_t)h, sizeof(int)) }; return m; }

static unsigned xs;
static unsigned xorshift(void) { xs ^= xs << 13; xs ^= xs >> 17; xs ^= xs << 5; return xs; }

/* integer-only scene: radial gradient, rings, ramps and a checker */
static img scene(int w, int h, unsigned seed) {
    img m = mk(w, h);
    xs = seed ? seed : 1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int v = x * 255 / (w - 1);
            int dx = x - w / 3, dy = y - h / 2, r2 = dx * dx + dy * dy;
            int R = h / 3;
            if (r2 < R * R) v = 255 - r2 * 255 / (R * R);
            if (((r2 / 40) & 7) == 3 && r2 < 4 * R * R) v = v / 2;
            if (y > h * 3 / 4) v = (x / 8 + y / 8) % 2 ? 200 : 60;
            if (x > w * 3 / 4 && y < h / 4) v = y * 255 / (h / 4);
            v += (int)(xorshift() % 9) - 4;
            m.p[y * w + x] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
    return m;
}

static int quant(int v, int levels) {
    if (v < 0) v = 0; else if (v > 255) v = 255;
    int step = levels - 1;
    int q = (v * step + 127) / 255;
    return q * 255 / step;
}

static void bayer(int n, int *m) { /* recursive construction, n power of two */
    if (n == 1) { m[0] = 0; return; }
    int h = n / 2;
    int *s = malloc(sizeof(int) * (size_t)(h * h));
    bayer(h, s);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < h; x++) {
            int v = 4 * s[y * h + x];
            m[y * n + x] = v;
            m[y * n + x + h] = v + 2;
            m[(y + h) * n + x] = v + 3;
            m[(y + h) * n + x + h] = v + 1;
        }
    free(s);
}

static img ordered(const img *s, int n, int levels) {
    img d = mk(s->w, s->h);
    int *m = malloc(sizeof(int) * (size_t)(n * n));
    bayer(n, m);
    int spread = 256 / (levels - 1);
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            int t = (2 * m[(y % n) * n + x % n] + 1) * spread / (2 * n * n) - spread / 2;
            d.p[y * s->w + x] = quant(s->p[y * s->w + x] + t, levels);
        }
    free(m);
    return d;
}

typedef struct { int dx, dy, wgt; } tap;
static const tap FS[] = { { 1, 0, 7 }, { -1, 1, 3 }, { 0, 1, 5 }, { 1, 1, 1 } };
static const tap JJN[] = { { 1, 0, 7 }, { 2, 0, 5 }, { -2, 1, 3 }, { -1, 1, 5 }, { 0, 1, 7 }, { 1, 1, 5 }, { 2, 1, 3 },
                           { -2, 2, 1 }, { -1, 2, 3 }, { 0, 2, 5 }, { 1, 2, 3 }, { 2, 2, 1 } };
static const tap STUCKI[] = { { 1, 0, 8 }, { 2, 0, 4 }, { -2, 1, 2 }, { -1, 1, 4 }, { 0, 1, 8 }, { 1, 1, 4 }, { 2, 1, 2 },
                              { -2, 2, 1 }, { -1, 2, 2 }, { 0, 2, 4 }, { 1, 2, 2 }, { 2, 2, 1 } };
static const tap ATK[] = { { 1, 0, 1 }, { 2, 0, 1 }, { -1, 1, 1 }, { 0, 1, 1 }, { 1, 1, 1 }, { 0, 2, 1 } };

/* error diffusion in fixed point (errors scaled by 16 to keep precision) */
static img diffuse(const img *s, const tap *taps, int ntaps, int div, int levels, int serpentine) {
    img d = mk(s->w, s->h);
    int *buf = malloc(sizeof(int) * (size_t)(s->w * s->h));
    for (int i = 0; i < s->w * s->h; i++) buf[i] = s->p[i] * 16;
    for (int y = 0; y < s->h; y++) {
        int rev = serpentine && (y & 1);
        for (int k = 0; k < s->w; k++) {
            int x = rev ? s->w - 1 - k : k;
            int old = buf[y * s->w + x];
            int v = (old >= 0 ? old + 8 : old - 8) / 16;
            int q = quant(v, levels);
            d.p[y * s->w + x] = q;
            int err = old - q * 16;
            for (int t = 0; t < ntaps; t++) {
                int nx = x + (rev ? -taps[t].dx : taps[t].dx), ny = y + taps[t].dy;
                if (nx < 0 || nx >= s->w || ny >= s->h) continue;
                buf[ny * s->w + nx] += err * taps[t].wgt / div;
            }
        }
    }
    free(buf);
    return d;
}

static img threshold(const img *s, int levels, int randomised) {
    img d = mk(s->w, s->h);
    xs = 12345;
    int spread = 256 / (levels - 1);
    for (int i = 0; i < s->w * s->h; i++) {
        int t = randomised ? (int)(xorshift() % (unsigned)spread) - spread / 2 : 0;
        d.p[i] = quant(s->p[i] + t, levels);
    }
    return d;
}

static void report(const char *name, const img *s, const img *d) {
    long abs_err = 0, blur_err = 0, black = 0;
    unsigned h = 2166136261u;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            int i = y * s->w + x;
            abs_err += labs((long)s->p[i] - d->p[i]);
            black += d->p[i] == 0;
            h = (h ^ (unsigned)d->p[i]) * 16777619u;
            if (x > 0 && y > 0 && x < s->w - 1 && y < s->h - 1) {
                long a = 0, b = 0;
                for (int j = -1; j <= 1; j++) for (int k = -1; k <= 1; k++) { a += s->p[i + j * s->w + k]; b += d->p[i + j * s->w + k]; }
                blur_err += labs(a - b) / 9;
            }
        }
    long n = (long)s->w * s->h;
    printf("  %-16s err=%3ld.%02ld lowpass=%3ld.%02ld black=%5.1f%% hash=%08x\n", name, abs_err / n, abs_err % n * 100 / n,
           blur_err / n, blur_err % n * 100 / n, 100.0 * (double)black / (double)n, h);
}

int main(void) {
    int w, h, levels;
    unsigned seed;
    while (scanf("%d %d %u %d", &w, &h, &seed, &levels) == 4) {
        if (w < 8 || h < 8 || w > 1024 || h > 1024 || levels < 2 || levels > 256) continue;
        img s = scene(w, h, seed);
        printf("scene %dx%d seed %u, %d levels\n", w, h, seed, levels);
        img r[11];
        const char *names[11] = { "threshold", "random", "bayer2", "bayer4", "bayer8", "floyd-steinberg", "fs-serpentine",
                                  "jarvis", "stucki", "atkinson", "" };
        r[0] = threshold(&s, levels, 0);
        r[1] = threshold(&s, levels, 1);
        r[2] = ordered(&s, 2, levels);
        r[3] = ordered(&s, 4, levels);
        r[4] = ordered(&s, 8, levels);
        r[5] = diffuse(&s, FS, 4, 16, levels, 0);
        r[6] = diffuse(&s, FS, 4, 16, levels, 1);
        r[7] = diffuse(&s, JJN, 12, 48, levels, 0);
        r[8] = diffuse(&s, STUCKI, 12, 42, levels, 0);
        r[9] = diffuse(&s, ATK, 6, 8, levels, 0);
        for (int k = 0; k < 10; k++) { report(names[k], &s, &r[k]); }
        if (levels == 2) { /* coarse ASCII preview of Floyd-Steinberg */
            for (int y = 0; y < h; y += h / 8) {
                printf("  |");
                for (int x = 0; x < w; x += w / 48) {
                    int on = 0, tot = 0;
                    for (int j = 0; j < h / 8 && y + j < h; j++) for (int i = 0; i < w / 48 && x + i < w; i++) { on += r[5].p[(y + j) * w + x + i] > 0; tot++; }
                    putchar(" .:-=+*#%@"[on * 9 / (tot ? tot : 1)]);
                }
                printf("|\n");
            }
        }
        for (int k = 0; k < 10; k++) free(r[k].p);
        free(s.p);
    }
    return 0;
}
