/* Radix-2 complex FFT (iterative, in-place), inverse FFT, real-signal
 * spectrum analysis and integer polynomial multiplication via FFT
 * convolution. Input (stdin):
 *   line 1: N (power of two) followed by N real samples
 *   then:   two polynomials, each "degree c0 c1 ... cdeg"            */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846

typedef struct { double re, im; } cpx;

static cpx c_add(cpx a, cpx b) { cpx r = { a.re + b.re, a.im + b.im }; return r; }
static cpx c_sub(cpx a, cpx b) { cpx r = { a.re - b.re, a.im - b.im }; return r; }
static cpx c_mul(cpx a, cpx b) {
    cpx r = { a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re };
    return r;
}
static double c_abs(cpx a) { return sqrt(a.re * a.re + a.im * a.im); }

static unsigned reverse_bits(unsigned x, int bits) {
    unsigned r = 0;
    for (int i = 0; i < bits; i++) { r = (r << 1) | (x & 1u); x >>= 1; }
    return r;
}

static int ilog2(size_t n) { int b = 0; while (((size_t)1 << b) < n) b++; return b; }

static void bit_reverse_permute(cpx *a, size_t n) {
    int bits = ilog2(n);
    for (size_t i = 0; i < n; i++) {
        size_t j = reverse_bits((unsigned)i, bits);
        if (j > i) { cpx t = a[i]; a[i] = a[j]; a[j] = t; }
    }
}

/* iterative Cooley-Tukey; sign=-1 forward, +1 inverse (unscaled) */
static void fft_core(cpx *a, size_t n, int sign) {
    bit_reverse_permute(a, n);
    for (size_t len = 2; len <= n; len <<= 1) {
        double ang = sign * 2.0 * PI / (double)len;
        cpx wlen = { cos(ang), sin(ang) };
        for (size_t i = 0; i < n; i += len) {
            cpx w = { 1.0, 0.0 };
            for (size_t j = 0; j < len / 2; j++) {
                cpx u = a[i + j];
                cpx v = c_mul(a[i + j + len / 2], w);
                a[i + j] = c_add(u, v);
                a[i + j + len / 2] = c_sub(u, v);
                w = c_mul(w, wlen);
            }
        }
    }
}

static void fft(cpx *a, size_t n) { fft_core(a, n, -1); }
static void ifft(cpx *a, size_t n) {
    fft_core(a, n, +1);
    for (size_t i = 0; i < n; i++) { a[i].re /= (double)n; a[i].im /= (double)n; }
}

/* O(n^2) reference DFT used to validate a few bins */
static cpx dft_bin(const cpx *x, size_t n, size_t k) {
    cpx s = { 0, 0 };
    for (size_t t = 0; t < n; t++) {
        double ang = -2.0 * PI * (double)((k * t) % n) / (double)n;
        cpx w = { cos(ang), sin(ang) };
        s = c_add(s, c_mul(x[t], w));
    }
    return s;
}

static void hann_window(cpx *a, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double w = 0.5 - 0.5 * cos(2.0 * PI * (double)i / (double)(n - 1));
        a[i].re *= w; a[i].im *= w;
    }
}

static double *read_doubles(size_t *count) {
    size_t n;
    if (scanf("%zu", &n) != 1) return NULL;
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) if (scanf("%lf", &v[i]) != 1) v[i] = 0.0;
    *count = n;
    return v;
}

static long *read_poly(int *deg) {
    int d;
    if (scanf("%d", &d) != 1 || d < 0) return NULL;
    long *c = malloc((size_t)(d + 1) * sizeof *c);
    for (int i = 0; i <= d; i++) if (scanf("%ld", &c[i]) != 1) c[i] = 0;
    *deg = d;
    return c;
}

static void analyse_signal(const double *x, size_t n) {
    cpx *a = malloc(n * sizeof *a), *orig = malloc(n * sizeof *a);
    for (size_t i = 0; i < n; i++) { a[i].re = x[i]; a[i].im = 0; orig[i] = a[i]; }
    fft(a, n);
    /* check against naive DFT on a few bins */
    double maxerr = 0.0;
    for (size_t k = 0; k < n; k += n / 8) {
        cpx r = dft_bin(orig, n, k);
        double e = c_abs(c_sub(r, a[k]));
        if (e > maxerr) maxerr = e;
    }
    printf("fft n=%zu dft-check %s\n", n, maxerr < 1e-6 ? "ok" : "FAIL");
    /* power spectrum peaks */
    double energy_t = 0, energy_f = 0;
    for (size_t i = 0; i < n; i++) energy_t += x[i] * x[i];
    for (size_t i = 0; i < n; i++) energy_f += a[i].re * a[i].re + a[i].im * a[i].im;
    energy_f /= (double)n;
    printf("parseval time=%.6f freq=%.6f\n", energy_t, energy_f);
    for (int p = 0; p < 3; p++) {
        size_t best = 1; double bm = -1;
        for (size_t k = 1; k < n / 2; k++) {
            double m = c_abs(a[k]);
            if (m > bm) { bm = m; best = k; }
        }
        printf("peak %d: bin %zu mag %.6f phase %.6f\n", p, best, bm, atan2(a[best].im, a[best].re));
        a[best].re = a[best].im = 0; /* remove to find the next */
    }
    /* round trip with window */
    for (size_t i = 0; i < n; i++) a[i] = orig[i];
    hann_window(a, n);
    cpx *w = malloc(n * sizeof *w);
    memcpy(w, a, n * sizeof *w);
    fft(a, n);
    double dc = a[0].re;
    ifft(a, n);
    double rt = 0;
    for (size_t i = 0; i < n; i++) { double e = c_abs(c_sub(a[i], w[i])); if (e > rt) rt = e; }
    printf("windowed dc=%.6f roundtrip %s\n", dc, rt < 1e-9 ? "ok" : "FAIL");
    free(a); free(orig); free(w);
}

static void poly_multiply(const long *p, int dp, const long *q, int dq) {
    int dr = dp + dq;
    size_t n = 1;
    while (n < (size_t)(dr + 1)) n <<= 1;
    cpx *fa = calloc(n, sizeof *fa), *fb = calloc(n, sizeof *fb);
    for (int i = 0; i <= dp; i++) fa[i].re = (double)p[i];
    for (int i = 0; i <= dq; i++) fb[i].re = (double)q[i];
    fft(fa, n); fft(fb, n);
    for (size_t i = 0; i < n; i++) fa[i] = c_mul(fa[i], fb[i]);
    ifft(fa, n);
    long *r = malloc((size_t)(dr + 1) * sizeof *r);
    for (int i = 0; i <= dr; i++) r[i] = lround(fa[i].re);
    /* direct convolution for verification */
    int mism = 0;
    for (int k = 0; k <= dr; k++) {
        long s = 0;
        for (int i = 0; i <= dp; i++) { int j = k - i; if (j >= 0 && j <= dq) s += p[i] * q[j]; }
        if (s != r[k]) mism++;
    }
    unsigned long h = 1469598103934665603UL;
    long sum = 0;
    for (int i = 0; i <= dr; i++) { h = (h ^ (unsigned long)r[i]) * 1099511628211UL; sum += r[i]; }
    printf("polymul deg %d x %d -> %d, fftsize %zu, mismatches %d\n", dp, dq, dr, n, mism);
    printf("coef[0]=%ld coef[mid]=%ld coef[last]=%ld sum=%ld hash=%016lx\n", r[0], r[dr / 2], r[dr], sum, h);
    free(fa); free(fb); free(r);
}

/* circular convolution of signal with a short smoothing kernel via FFT */
static void smooth_signal(const double *x, size_t n) {
    cpx *a = calloc(n, sizeof *a), *k = calloc(n, sizeof *k);
    for (size_t i = 0; i < n; i++) a[i].re = x[i];
    double kern[5] = { 1, 4, 6, 4, 1 };
    for (int i = -2; i <= 2; i++) k[(size_t)((long)n + i) % n].re = kern[i + 2] / 16.0;
    fft(a, n); fft(k, n);
    for (size_t i = 0; i < n; i++) a[i] = c_mul(a[i], k[i]);
    ifft(a, n);
    double s = 0, mx = -1e300, mn = 1e300;
    for (size_t i = 0; i < n; i++) { s += a[i].re; if (a[i].re > mx) mx = a[i].re; if (a[i].re < mn) mn = a[i].re; }
    printf("smoothed sum=%.6f min=%.6f max=%.6f s[10]=%.6f\n", s, mn, mx, a[10].re);
    free(a); free(k);
}

int main(void) {
    size_t n;
    double *x = read_doubles(&n);
    if (!x || n < 16 || (n & (n - 1))) { printf("bad input\n"); return 0; }
    analyse_signal(x, n);
    smooth_signal(x, n);
    int dp, dq;
    long *p = read_poly(&dp), *q = read_poly(&dq);
    if (p && q) poly_multiply(p, dp, q, dq);
    free(x); free(p); free(q);
    return 0;
}
