/* lu: dense LU factorization with partial pivoting (PA = LU), plus a
 * blocked right-looking variant, triangular solves, determinant via
 * log-magnitude and sign, the explicit inverse with an A*inv(A) check,
 * one step of iterative refinement, a 1-norm condition estimate, and a
 * Cholesky factorization of A^T A as a cross-check of the determinant.
 * stdin: "cases C", then per case either "explicit n" + n*n values,
 * "hilbert n", or "random n seed". */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

typedef struct {
    int n;
    double *a; /* row-major n x n */
} matrix;

static matrix mat_new(int n)
{
    matrix m;
    m.n = n;
    m.a = calloc((size_t)n * (size_t)n, sizeof(double));
    if (!m.a) exit(1);
    return m;
}

static matrix mat_copy(const matrix *s)
{
    matrix m = mat_new(s->n);
    memcpy(m.a, s->a, (size_t)s->n * (size_t)s->n * sizeof(double));
    return m;
}

#define AT(m, i, j) ((m)->a[(size_t)(i) * (size_t)(m)->n + (size_t)(j)])

/* in-place unblocked LU; perm receives row permutation; returns swaps or -1 if singular */
static int lu_factor(matrix *m, int *perm)
{
    int n = m->n, swaps = 0;
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int k = 0; k < n; k++) {
        int p = k;
        double best = fabs(AT(m, k, k));
        for (int i = k + 1; i < n; i++)
            if (fabs(AT(m, i, k)) > best) {
                best = fabs(AT(m, i, k));
                p = i;
            }
        if (best == 0.0) return -1;
        if (p != k) {
            for (int j = 0; j < n; j++) {
                double t = AT(m, k, j);
                AT(m, k, j) = AT(m, p, j);
                AT(m, p, j) = t;
            }
            int t = perm[k];
            perm[k] = perm[p];
            perm[p] = t;
            swaps++;
        }
        double piv = AT(m, k, k);
        for (int i = k + 1; i < n; i++) {
            double l = AT(m, i, k) / piv;
            AT(m, i, k) = l;
            for (int j = k + 1; j < n; j++) AT(m, i, j) -= l * AT(m, k, j);
        }
    }
    return swaps;
}

/* blocked right-looking LU: panel factorization then trailing update.
 * Uses the same pivot choices and the same per-element operation order
 * as lu_factor, so results match it exactly. */
static int lu_factor_blocked(matrix *m, int *perm, int bs)
{
    int n = m->n, swaps = 0;
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int k0 = 0; k0 < n; k0 += bs) {
        int k1 = k0 + bs < n ? k0 + bs : n;
        for (int k = k0; k < k1; k++) {
            int p = k;
            double best = fabs(AT(m, k, k));
            for (int i = k + 1; i < n; i++)
                if (fabs(AT(m, i, k)) > best) {
                    best = fabs(AT(m, i, k));
                    p = i;
                }
            if (best == 0.0) return -1;
            if (p != k) {
                for (int j = 0; j < n; j++) {
                    double t = AT(m, k, j);
                    AT(m, k, j) = AT(m, p, j);
                    AT(m, p, j) = t;
                }
                int t = perm[k];
                perm[k] = perm[p];
                perm[p] = t;
                swaps++;
            }
            double piv = AT(m, k, k);
            for (int i = k + 1; i < n; i++) {
                AT(m, i, k) /= piv;
                /* update only inside the panel now */
                for (int j = k + 1; j < k1; j++) AT(m, i, j) -= AT(m, i, k) * AT(m, k, j);
            }
        }
        /* U12 = L11^{-1} A12 and trailing update, column by column of the panel */
        for (int k = k0; k < k1; k++)
            for (int i = k + 1; i < n; i++) {
                double l = AT(m, i, k);
                for (int j = k1; j < n; j++) AT(m, i, j) -= l * AT(m, k, j);
            }
    }
    return swaps;
}

static void lu_solve(const matrix *lu, const int *perm, const double *b, double *x)
{
    int n = lu->n;
    for (int i = 0; i < n; i++) {
        double s = b[perm[i]];
        for (int j = 0; j < i; j++) s -= AT(lu, i, j) * x[j];
        x[i] = s;
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = x[i];
        for (int j = i + 1; j < n; j++) s -= AT(lu, i, j) * x[j];
        x[i] = s / AT(lu, i, i);
    }
}

static void matvec(const matrix *m, const double *x, double *y)
{
    for (int i = 0; i < m->n; i++) {
        double s = 0.0;
        for (int j = 0; j < m->n; j++) s += AT(m, i, j) * x[j];
        y[i] = s;
    }
}

static double norm1(const matrix *m)
{
    double best = 0.0;
    for (int j = 0; j < m->n; j++) {
        double s = 0.0;
        for (int i = 0; i < m->n; i++) s += fabs(AT(m, i, j));
        if (s > best) best = s;
    }
    return best;
}

/* Cholesky of SPD matrix in place (lower); returns 0 on success */
static int cholesky(matrix *m)
{
    int n = m->n;
    for (int j = 0; j < n; j++) {
        double d = AT(m, j, j);
        for (int k = 0; k < j; k++) d -= AT(m, j, k) * AT(m, j, k);
        if (d <= 0.0) return -1;
        d = sqrt(d);
        AT(m, j, j) = d;
        for (int i = j + 1; i < n; i++) {
            double s = AT(m, i, j);
            for (int k = 0; k < j; k++) s -= AT(m, i, k) * AT(m, j, k);
            AT(m, i, j) = s / d;
        }
        for (int k = j + 1; k < n; k++) AT(m, j, k) = 0.0;
    }
    return 0;
}

static uint32_t rng_state;
static double rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (double)(rng_state % 20001u) / 10000.0 - 1.0;
}

static void run_case(int id, const char *kind, matrix *A)
{
    int n = A->n;
    int *perm = malloc((size_t)n * sizeof(int)), *perm2 = malloc((size_t)n * sizeof(int));
    double *b = malloc((size_t)n * sizeof(double)), *x = malloc((size_t)n * sizeof(double));
    double *r = malloc((size_t)n * sizeof(double)), *dx = malloc((size_t)n * sizeof(double));
    double *xt = malloc((size_t)n * sizeof(double));
    if (!perm || !perm2 || !b || !x || !r || !dx || !xt) exit(1);
    matrix LU = mat_copy(A), LU2 = mat_copy(A);
    int swaps = lu_factor(&LU, perm);
    int swaps2 = lu_factor_blocked(&LU2, perm2, 8);
    printf("case %d (%s, n=%d): ", id, kind, n);
    if (swaps < 0) {
        printf("singular\n");
        goto done;
    }
    int same = swaps == swaps2 && memcmp(perm, perm2, (size_t)n * sizeof(int)) == 0;
    double maxdiff = 0.0;
    for (int i = 0; i < n * n; i++) {
        double d = fabs(LU.a[i] - LU2.a[i]);
        if (d > maxdiff) maxdiff = d;
    }
    /* determinant as sign * exp(logsum) */
    double logdet = 0.0;
    int sign = (swaps & 1) ? -1 : 1;
    for (int i = 0; i < n; i++) {
        double u = AT(&LU, i, i);
        if (u < 0) sign = -sign;
        logdet += log(fabs(u));
    }
    printf("swaps %d, det = %c%.6e (log10 %.4f), blocked %s (max diff %.1e)\n", swaps, sign < 0 ? '-' : '+',
           exp(logdet), logdet / log(10.0), same ? "same pivots" : "DIFFERENT pivots", maxdiff);

    /* solve with known solution x_true = 1, 2, ..., scaled */
    for (int i = 0; i < n; i++) xt[i] = (double)(i % 7 + 1) / 4.0;
    matvec(A, xt, b);
    lu_solve(&LU, perm, b, x);
    double err = 0.0, res = 0.0;
    matvec(A, x, r);
    for (int i = 0; i < n; i++) {
        if (fabs(x[i] - xt[i]) > err) err = fabs(x[i] - xt[i]);
        r[i] = b[i] - r[i];
        if (fabs(r[i]) > res) res = fabs(r[i]);
    }
    /* one step of iterative refinement */
    lu_solve(&LU, perm, r, dx);
    double err2 = 0.0;
    for (int i = 0; i < n; i++) {
        x[i] += dx[i];
        if (fabs(x[i] - xt[i]) > err2) err2 = fabs(x[i] - xt[i]);
    }
    printf("  solve: forward error %.3e, residual %.3e, after refinement %.3e\n", err, res, err2);

    /* inverse by columns and the identity check */
    matrix inv = mat_new(n);
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < n; i++) b[i] = i == j;
        lu_solve(&LU, perm, b, x);
        for (int i = 0; i < n; i++) AT(&inv, i, j) = x[i];
    }
    double idev = 0.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++) s += AT(A, i, k) * AT(&inv, k, j);
            double d = fabs(s - (i == j ? 1.0 : 0.0));
            if (d > idev) idev = d;
        }
    double cond = norm1(A) * norm1(&inv);
    printf("  inverse: max |A*inv(A) - I| = %.3e, cond1 = %.4e (log10 %.2f)\n", idev, cond, log10(cond));
    free(inv.a);

    /* Cholesky of A^T A: det(A^T A) = det(A)^2 */
    matrix G = mat_new(n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++) s += AT(A, k, i) * AT(A, k, j);
            AT(&G, i, j) = s;
        }
    if (cholesky(&G) == 0) {
        double lg = 0.0;
        for (int i = 0; i < n; i++) lg += log(AT(&G, i, i));
        printf("  cholesky(A^T A): log10 det %.4f vs 2*log10|det A| %.4f\n", 2.0 * lg / log(10.0),
               2.0 * logdet / log(10.0));
    } else {
        printf("  cholesky(A^T A): not positive definite numerically\n");
    }
    free(G.a);
done:
    free(LU.a); free(LU2.a); free(perm); free(perm2); free(b); free(x); free(r); free(dx); free(xt);
}

int main(void)
{
    char word[32];
    int cases;
    if (scanf("%31s %d", word, &cases) != 2 || strcmp(word, "cases") != 0) return 1;
    for (int c = 0; c < cases; c++) {
        int n;
        if (scanf("%31s %d", word, &n) != 2 || n <= 0 || n > 300) return 1;
        matrix A = mat_new(n);
        if (strcmp(word, "explicit") == 0) {
            for (int i = 0; i < n * n; i++)
                if (scanf("%lf", &A.a[i]) != 1) return 1;
        } else if (strcmp(word, "hilbert") == 0) {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) AT(&A, i, j) = 1.0 / (double)(i + j + 1);
        } else if (strcmp(word, "random") == 0) {
            unsigned seed;
            if (scanf("%u", &seed) != 1) return 1;
            rng_state = seed ? seed : 1;
            for (int i = 0; i < n * n; i++) A.a[i] = rnd();
        } else {
            return 1;
        }
        run_case(c, word, &A);
        free(A.a);
    }
    return 0;
}
