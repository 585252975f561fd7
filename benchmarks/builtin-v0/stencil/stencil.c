/* Jacobi relaxation of the 2D heat equation on a small plate with
 * Dirichlet boundaries and internal fixed heat sources, using the
 * 5-point and the 9-point (Mehrstellen) Laplacian stencils, plus a
 * Gauss-Seidel / SOR variant. Input describes the plate:
 *   rows cols iterations
 *   top bottom left right   (boundary temperatures)
 *   k                       (number of sources)
 *   r c temp   (k lines)                                              */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>

typedef struct {
    int rows, cols;
    double *v;
} grid_t;

typedef struct { int r, c; double t; } source_t;

typedef struct {
    int rows, cols, iters;
    double top, bottom, left, right;
    int nsrc;
    source_t *src;
    unsigned char *mask; /* 1 where a fixed source sits */
} problem_t;

static grid_t grid_new(int rows, int cols) {
    grid_t g; g.rows = rows; g.cols = cols;
    g.v = calloc((size_t)rows * (size_t)cols, sizeof(double));
    return g;
}
static void grid_free(grid_t *g) { free(g->v); g->v = NULL; }
static double *at(grid_t *g, int r, int c) { return &g->v[(size_t)r * (size_t)g->cols + (size_t)c]; }
static double get(const grid_t *g, int r, int c) { return g->v[(size_t)r * (size_t)g->cols + (size_t)c]; }

static void apply_boundary(grid_t *g, const problem_t *p) {
    for (int c = 0; c < g->cols; c++) { *at(g, 0, c) = p->top; *at(g, g->rows - 1, c) = p->bottom; }
    for (int r = 1; r < g->rows - 1; r++) { *at(g, r, 0) = p->left; *at(g, r, g->cols - 1) = p->right; }
}
static void apply_sources(grid_t *g, const problem_t *p) {
    for (int i = 0; i < p->nsrc; i++) *at(g, p->src[i].r, p->src[i].c) = p->src[i].t;
}
static int is_source(const problem_t *p, int r, int c) {
    return p->mask[(size_t)r * (size_t)p->cols + (size_t)c];
}

static double sweep5(const grid_t *in, grid_t *out) {
    double maxd = 0.0;
    for (int r = 1; r < in->rows - 1; r++)
        for (int c = 1; c < in->cols - 1; c++) {
            double nv = 0.25 * (get(in, r - 1, c) + get(in, r + 1, c) + get(in, r, c - 1) + get(in, r, c + 1));
            double d = fabs(nv - get(in, r, c));
            if (d > maxd) maxd = d;
            *at(out, r, c) = nv;
        }
    return maxd;
}

static double sweep9(const grid_t *in, grid_t *out) {
    double maxd = 0.0;
    for (int r = 1; r < in->rows - 1; r++)
        for (int c = 1; c < in->cols - 1; c++) {
            double edge = get(in, r - 1, c) + get(in, r + 1, c) + get(in, r, c - 1) + get(in, r, c + 1);
            double corner = get(in, r - 1, c - 1) + get(in, r - 1, c + 1) + get(in, r + 1, c - 1) + get(in, r + 1, c + 1);
            double nv = (4.0 * edge + corner) / 20.0;
            double d = fabs(nv - get(in, r, c));
            if (d > maxd) maxd = d;
            *at(out, r, c) = nv;
        }
    return maxd;
}

static double sor_sweep(grid_t *g, const problem_t *p, double omega) {
    double maxd = 0.0;
    for (int color = 0; color < 2; color++)
        for (int r = 1; r < g->rows - 1; r++)
            for (int c = 1 + ((r + color) & 1); c < g->cols - 1; c += 2) {
                if (is_source(p, r, c)) continue;
                double gs = 0.25 * (get(g, r - 1, c) + get(g, r + 1, c) + get(g, r, c - 1) + get(g, r, c + 1));
                double old = get(g, r, c);
                double nv = old + omega * (gs - old);
                double d = fabs(nv - old);
                if (d > maxd) maxd = d;
                *at(g, r, c) = nv;
            }
    return maxd;
}

static void report(const char *name, const grid_t *g, int iters, double resid) {
    double sum = 0.0, mx = -1e300, mn = 1e300;
    unsigned long h = 5381;
    for (int r = 0; r < g->rows; r++)
        for (int c = 0; c < g->cols; c++) {
            double v = get(g, r, c);
            sum += v;
            if (v > mx) mx = v;
            if (v < mn) mn = v;
            long q = lround(v * 1000.0);
            h = h * 33u + (unsigned long)q;
        }
    printf("%-8s iters=%4d resid=%.6e mean=%.6f min=%.6f max=%.6f centre=%.6f hash=%08lx\n",
           name, iters, resid, sum / (double)(g->rows * g->cols), mn, mx,
           get(g, g->rows / 2, g->cols / 2), h & 0xffffffffUL);
}

static double max_change(const grid_t *a, const grid_t *b) {
    double m = 0.0;
    for (size_t i = 0; i < (size_t)a->rows * (size_t)a->cols; i++) {
        double d = fabs(a->v[i] - b->v[i]);
        if (d > m) m = d;
    }
    return m;
}

typedef double (*sweep_fn)(const grid_t *, grid_t *);

static void run_jacobi(const char *name, const problem_t *p, sweep_fn fn) {
    grid_t a = grid_new(p->rows, p->cols), b = grid_new(p->rows, p->cols);
    apply_boundary(&a, p); apply_sources(&a, p);
    apply_boundary(&b, p); apply_sources(&b, p);
    double resid = 0.0;
    int it;
    for (it = 0; it < p->iters; it++) {
        fn(&a, &b);
        apply_sources(&b, p);
        resid = max_change(&a, &b);
        grid_t t = a; a = b; b = t;
        if (resid < 1e-10) { it++; break; }
    }
    report(name, &a, it, resid);
    grid_free(&a); grid_free(&b);
}

static void run_sor(const problem_t *p, double omega) {
    grid_t g = grid_new(p->rows, p->cols);
    apply_boundary(&g, p); apply_sources(&g, p);
    double resid = 0.0;
    int it;
    for (it = 0; it < p->iters; it++) {
        resid = sor_sweep(&g, p, omega);
        if (resid < 1e-10) { it++; break; }
    }
    char name[32];
    snprintf(name, sizeof name, "sor%.2f", omega);
    report(name, &g, it, resid);
    grid_free(&g);
}

/* total heat flux through the boundary (discrete gradient) */
static void flux_report(const problem_t *p) {
    grid_t a = grid_new(p->rows, p->cols), b = grid_new(p->rows, p->cols);
    apply_boundary(&a, p); apply_sources(&a, p);
    apply_boundary(&b, p); apply_sources(&b, p);
    for (int it = 0; it < p->iters; it++) {
        sweep5(&a, &b); apply_sources(&b, p);
        grid_t t = a; a = b; b = t;
    }
    double ft = 0, fb = 0, fl = 0, fr = 0;
    for (int c = 1; c < p->cols - 1; c++) {
        ft += get(&a, 1, c) - get(&a, 0, c);
        fb += get(&a, p->rows - 2, c) - get(&a, p->rows - 1, c);
    }
    for (int r = 1; r < p->rows - 1; r++) {
        fl += get(&a, r, 1) - get(&a, r, 0);
        fr += get(&a, r, p->cols - 2) - get(&a, r, p->cols - 1);
    }
    printf("flux top=%.6f bottom=%.6f left=%.6f right=%.6f net=%.6f\n", ft, fb, fl, fr, ft + fb + fl + fr);
    grid_free(&a); grid_free(&b);
}

int main(void) {
    problem_t p;
    if (scanf("%d %d %d", &p.rows, &p.cols, &p.iters) != 3) return 1;
    if (scanf("%lf %lf %lf %lf", &p.top, &p.bottom, &p.left, &p.right) != 4) return 1;
    if (scanf("%d", &p.nsrc) != 1) return 1;
    p.src = malloc((size_t)(p.nsrc > 0 ? p.nsrc : 1) * sizeof *p.src);
    int k = 0;
    for (int i = 0; i < p.nsrc; i++) {
        source_t s;
        if (scanf("%d %d %lf", &s.r, &s.c, &s.t) != 3) break;
        if (s.r > 0 && s.r < p.rows - 1 && s.c > 0 && s.c < p.cols - 1) p.src[k++] = s;
    }
    p.nsrc = k;
    p.mask = calloc((size_t)p.rows * (size_t)p.cols, 1);
    for (int i = 0; i < k; i++) p.mask[(size_t)p.src[i].r * (size_t)p.cols + (size_t)p.src[i].c] = 1;
    printf("plate %dx%d, %d sources, max %d iterations\n", p.rows, p.cols, p.nsrc, p.iters);
    run_jacobi("jacobi5", &p, sweep5);
    run_jacobi("jacobi9", &p, sweep9);
    run_sor(&p, 1.0);
    run_sor(&p, 1.5);
    run_sor(&p, 1.85);
    flux_report(&p);
    free(p.src);
    free(p.mask);
    return 0;
}
