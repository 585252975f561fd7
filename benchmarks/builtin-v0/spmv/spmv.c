/* Sparse matrix kernels on a CSR matrix assembled from coordinate input.
 * Input: "n m" then m lines "i j value" giving the lower triangle
 * (i >= j) of a symmetric matrix; duplicates are summed. The program
 * builds CSR (sorting + merging), runs SpMV, transposed SpMV, plain and
 * Jacobi-preconditioned conjugate gradient, and power iteration.       */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

typedef struct { int i, j; double v; int ord; } triplet; /* ord: input order, keeps the sort stable */

typedef struct {
    int n, nnz;
    int *rowptr, *col;
    double *val;
} csr_t;

static int trip_cmp(const void *a, const void *b) {
    const triplet *x = a, *y = b;
    if (x->i != y->i) return x->i < y->i ? -1 : 1;
    if (x->j != y->j) return x->j < y->j ? -1 : 1;
    return (x->ord > y->ord) - (x->ord < y->ord);
}

static csr_t build_csr(int n, triplet *t, int m) {
    qsort(t, (size_t)m, sizeof *t, trip_cmp);
    /* merge duplicates in place */
    int k = 0;
    for (int r = 0; r < m; r++) {
        if (k > 0 && t[k - 1].i == t[r].i && t[k - 1].j == t[r].j) t[k - 1].v += t[r].v;
        else t[k++] = t[r];
    }
    csr_t a;
    a.n = n; a.nnz = k;
    a.rowptr = calloc((size_t)n + 1, sizeof(int));
    a.col = malloc((size_t)k * sizeof(int));
    a.val = malloc((size_t)k * sizeof(double));
    for (int r = 0; r < k; r++) a.rowptr[t[r].i + 1]++;
    for (int r = 0; r < n; r++) a.rowptr[r + 1] += a.rowptr[r];
    for (int r = 0; r < k; r++) { a.col[r] = t[r].j; a.val[r] = t[r].v; }
    return a;
}

static void csr_free(csr_t *a) { free(a->rowptr); free(a->col); free(a->val); }

static void spmv(const csr_t *a, const double *x, double *y) {
    for (int i = 0; i < a->n; i++) {
        double s = 0.0;
        for (int p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) s += a->val[p] * x[a->col[p]];
        y[i] = s;
    }
}

static void spmv_t(const csr_t *a, const double *x, double *y) {
    memset(y, 0, (size_t)a->n * sizeof *y);
    for (int i = 0; i < a->n; i++)
        for (int p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) y[a->col[p]] += a->val[p] * x[i];
}

static double dot(const double *a, const double *b, int n) {
    double s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s;
}
static void axpy(double alpha, const double *x, double *y, int n) {
    for (int i = 0; i < n; i++) y[i] += alpha * x[i];
}

static void diag_of(const csr_t *a, double *d) {
    for (int i = 0; i < a->n; i++) {
        d[i] = 1.0;
        for (int p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) if (a->col[p] == i) d[i] = a->val[p];
    }
}

/* CG on A x = b; if precond, uses Jacobi (diagonal) preconditioner */
static int cg(const csr_t *a, const double *b, double *x, int precond, double tol, int maxit, double *res_out) {
    int n = a->n;
    double *r = malloc((size_t)n * sizeof *r), *z = malloc((size_t)n * sizeof *z);
    double *p = malloc((size_t)n * sizeof *p), *ap = malloc((size_t)n * sizeof *ap);
    double *d = malloc((size_t)n * sizeof *d);
    diag_of(a, d);
    memset(x, 0, (size_t)n * sizeof *x);
    memcpy(r, b, (size_t)n * sizeof *r);
    for (int i = 0; i < n; i++) z[i] = precond ? r[i] / d[i] : r[i];
    memcpy(p, z, (size_t)n * sizeof *p);
    double rz = dot(r, z, n), bn = sqrt(dot(b, b, n));
    int it;
    double rn = sqrt(dot(r, r, n));
    for (it = 0; it < maxit && rn > tol * bn; it++) {
        spmv(a, p, ap);
        double alpha = rz / dot(p, ap, n);
        axpy(alpha, p, x, n);
        axpy(-alpha, ap, r, n);
        for (int i = 0; i < n; i++) z[i] = precond ? r[i] / d[i] : r[i];
        double rz2 = dot(r, z, n);
        double beta = rz2 / rz;
        rz = rz2;
        for (int i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
        rn = sqrt(dot(r, r, n));
    }
    *res_out = rn / bn;
    free(r); free(z); free(p); free(ap); free(d);
    return it;
}

static double power_iteration(const csr_t *a, int iters) {
    int n = a->n;
    double *v = malloc((size_t)n * sizeof *v), *w = malloc((size_t)n * sizeof *w);
    for (int i = 0; i < n; i++) v[i] = 1.0 + (double)(i % 7) * 0.125;
    double lambda = 0;
    for (int k = 0; k < iters; k++) {
        double nv = sqrt(dot(v, v, n));
        for (int i = 0; i < n; i++) v[i] /= nv;
        spmv(a, v, w);
        lambda = dot(v, w, n);
        double *t = v; v = w; w = t;
    }
    free(v); free(w);
    return lambda;
}

int main(void) {
    int n, m;
    if (scanf("%d %d", &n, &m) != 2) return 1;
    triplet *t = malloc((size_t)m * 2 * sizeof *t);
    int k = 0;
    for (int r = 0; r < m; r++) {
        triplet e;
        if (scanf("%d %d %lf", &e.i, &e.j, &e.v) != 3) break;
        if (e.i < 0 || e.i >= n || e.j < 0 || e.j >= n) continue;
        e.ord = k;
        t[k++] = e;
        if (e.i != e.j) { triplet f = { e.j, e.i, e.v, k }; t[k++] = f; }
    }
    csr_t a = build_csr(n, t, k);
    free(t);
    int minr = n, maxr = 0;
    for (int i = 0; i < n; i++) {
        int c = a.rowptr[i + 1] - a.rowptr[i];
        if (c < minr) minr = c;
        if (c > maxr) maxr = c;
    }
    printf("matrix n=%d nnz=%d rowlen min=%d max=%d avg=%.3f\n", n, a.nnz, minr, maxr, (double)a.nnz / n);
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y), *yt = malloc((size_t)n * sizeof *yt);
    double *b = malloc((size_t)n * sizeof *b);
    for (int i = 0; i < n; i++) x[i] = sin(0.1 * i) + 1.0;
    spmv(&a, x, y);
    spmv_t(&a, x, yt);
    double sym = 0;
    for (int i = 0; i < n; i++) { double d = fabs(y[i] - yt[i]); if (d > sym) sym = d; }
    printf("spmv |Ax|=%.6f sum=%.6f symmetry-err %s\n", sqrt(dot(y, y, n)), y[0] + y[n / 2] + y[n - 1], sym < 1e-9 ? "ok" : "BAD");
    /* repeated SpMV chain (normalised) */
    double chk = 0;
    for (int rep = 0; rep < 20; rep++) {
        spmv(&a, x, y);
        double nrm = sqrt(dot(y, y, n));
        for (int i = 0; i < n; i++) x[i] = y[i] / nrm;
        chk += x[rep % n];
    }
    printf("spmv-chain checksum %.6f\n", chk);
    /* right-hand side with known solution */
    for (int i = 0; i < n; i++) x[i] = (double)((i * 37) % 11) - 5.0;
    spmv(&a, x, b);
    double res;
    for (int pc = 0; pc < 2; pc++) {
        int it = cg(&a, b, y, pc, 1e-10, 4 * n, &res);
        double err = 0;
        for (int i = 0; i < n; i++) { double d = fabs(y[i] - x[i]); if (d > err) err = d; }
        printf("cg%s iterations=%d converged=%s maxerr<1e-6=%s x[1]=%.6f\n", pc ? "+jacobi" : "", it,
               res < 1e-10 ? "yes" : "no", err < 1e-6 ? "yes" : "no", y[1]);
    }
    printf("power-iteration lambda_max=%.6f\n", power_iteration(&a, 200));
    free(x); free(y); free(yt); free(b);
    csr_free(&a);
    return 0;
}
