/* gemm: dense matrix multiplication kernels in the style of PolyBench.
 * stdin: "M N K alpha beta seed" (alpha, beta as integers over 4).
 * Matrices are filled from a linear congruential generator with values
 * that are multiples of 1/8, so every double-precision sum is exact and
 * all loop orders must agree bit for bit. Kernels (double and uint32):
 *   gemm  C = alpha*A*B + beta*C   in ijk, ikj, jki, blocked and
 *         packed-transposed-B forms
 *   syrk  C = alpha*A*A^T + beta*C (lower triangle), plain and blocked
 *   atb   C = A^T * B
 * Results are cross-checked and summarized with checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAXD 160

static uint32_t lcg;

static uint32_t next_rand(void)
{
    lcg = lcg * 1103515245u + 12345u;
    return lcg >> 8;
}

static double *dmat(int r, int c)
{
    double *m = calloc((size_t)r * (size_t)c, sizeof(double));
    if (!m) exit(1);
    return m;
}

static uint32_t *umat(int r, int c)
{
    uint32_t *m = calloc((size_t)r * (size_t)c, sizeof(uint32_t));
    if (!m) exit(1);
    return m;
}

static void fill(double *d, uint32_t *u, int n)
{
    for (int i = 0; i < n; i++) {
        uint32_t v = next_rand();
        d[i] = ((double)(int)(v % 33) - 16.0) / 8.0;
        u[i] = v;
    }
}

/* ---------------- double kernels ---------------- */
static void gemm_ijk(int M, int N, int K, double alpha, double beta, const double *A, const double *B, double *C)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
            C[i * N + j] = alpha * s + beta * C[i * N + j];
        }
}

static void gemm_ikj(int M, int N, int K, double alpha, double beta, const double *A, const double *B, double *C)
{
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) C[i * N + j] *= beta;
        for (int k = 0; k < K; k++) {
            double a = alpha * A[i * K + k];
            for (int j = 0; j < N; j++) C[i * N + j] += a * B[k * N + j];
        }
    }
}

static void gemm_jki(int M, int N, int K, double alpha, double beta, const double *A, const double *B, double *C)
{
    for (int j = 0; j < N; j++) {
        for (int i = 0; i < M; i++) C[i * N + j] *= beta;
        for (int k = 0; k < K; k++) {
            double b = alpha * B[k * N + j];
            for (int i = 0; i < M; i++) C[i * N + j] += A[i * K + k] * b;
        }
    }
}

static void gemm_blocked(int M, int N, int K, double alpha, double beta, const double *A, const double *B, double *C,
                         int bs)
{
    for (int i = 0; i < M * N; i++) C[i] *= beta;
    for (int ii = 0; ii < M; ii += bs)
        for (int kk = 0; kk < K; kk += bs)
            for (int jj = 0; jj < N; jj += bs) {
                int ie = ii + bs < M ? ii + bs : M, ke = kk + bs < K ? kk + bs : K, je = jj + bs < N ? jj + bs : N;
                for (int i = ii; i < ie; i++)
                    for (int k = kk; k < ke; k++) {
                        double a = alpha * A[i * K + k];
                        for (int j = jj; j < je; j++) C[i * N + j] += a * B[k * N + j];
                    }
            }
}

static void gemm_packed(int M, int N, int K, double alpha, double beta, const double *A, const double *B, double *C)
{
    double *BT = dmat(N, K);
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++) BT[j * K + k] = B[k * N + j];
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            const double *a = A + i * K, *b = BT + j * K;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int k = 0;
            for (; k + 3 < K; k += 4) {
                s0 += a[k] * b[k];
                s1 += a[k + 1] * b[k + 1];
                s2 += a[k + 2] * b[k + 2];
                s3 += a[k + 3] * b[k + 3];
            }
            for (; k < K; k++) s0 += a[k] * b[k];
            C[i * N + j] = alpha * ((s0 + s1) + (s2 + s3)) + beta * C[i * N + j];
        }
    free(BT);
}

static void syrk(int N, int K, double alpha, double beta, const double *A, double *C)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j <= i; j++) C[i * N + j] *= beta;
        for (int k = 0; k < K; k++)
            for (int j = 0; j <= i; j++) C[i * N + j] += alpha * A[i * K + k] * A[j * K + k];
    }
}

static void syrk_blocked(int N, int K, double alpha, double beta, const double *A, double *C, int bs)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) C[i * N + j] *= beta;
    for (int ii = 0; ii < N; ii += bs)
        for (int jj = 0; jj <= ii; jj += bs)
            for (int kk = 0; kk < K; kk += bs) {
                int ie = ii + bs < N ? ii + bs : N, ke = kk + bs < K ? kk + bs : K;
                for (int i = ii; i < ie; i++) {
                    int je = jj + bs < N ? jj + bs : N;
                    if (je > i + 1) je = i + 1;
                    for (int j = jj; j < je; j++) {
                        double s = 0.0;
                        for (int k = kk; k < ke; k++) s += A[i * K + k] * A[j * K + k];
                        C[i * N + j] += alpha * s;
                    }
                }
            }
}

/* C (K x N) = A^T (K x M) * B (M x N) */
static void atb(int M, int N, int K, const double *A, const double *B, double *C)
{
    for (int i = 0; i < K * N; i++) C[i] = 0.0;
    for (int r = 0; r < M; r++)
        for (int i = 0; i < K; i++) {
            double a = A[r * K + i];
            for (int j = 0; j < N; j++) C[i * N + j] += a * B[r * N + j];
        }
}

/* ---------------- uint32 kernels (wrapping arithmetic) ---------------- */
static void igemm_ijk(int M, int N, int K, uint32_t alpha, uint32_t beta, const uint32_t *A, const uint32_t *B,
                      uint32_t *C)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            uint32_t s = 0;
            for (int k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
            C[i * N + j] = alpha * s + beta * C[i * N + j];
        }
}

static void igemm_blocked(int M, int N, int K, uint32_t alpha, uint32_t beta, const uint32_t *A, const uint32_t *B,
                          uint32_t *C, int bs)
{
    for (int i = 0; i < M * N; i++) C[i] *= beta;
    for (int ii = 0; ii < M; ii += bs)
        for (int kk = 0; kk < K; kk += bs)
            for (int jj = 0; jj < N; jj += bs) {
                int ie = ii + bs < M ? ii + bs : M, ke = kk + bs < K ? kk + bs : K, je = jj + bs < N ? jj + bs : N;
                for (int i = ii; i < ie; i++)
                    for (int k = kk; k < ke; k++) {
                        uint32_t a = alpha * A[i * K + k];
                        for (int j = jj; j < je; j++) C[i * N + j] += a * B[k * N + j];
                    }
            }
}

static double dsum(const double *m, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) s += m[i] * (double)(i % 7 + 1);
    return s;
}

static uint32_t usum(const uint32_t *m, int n)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) h = (h ^ m[i]) * 16777619u;
    return h;
}

static int same(const double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

int main(void)
{
    int M, N, K, ia, ib;
    unsigned seed;
    if (scanf("%d %d %d %d %d %u", &M, &N, &K, &ia, &ib, &seed) != 6 || M <= 0 || N <= 0 || K <= 0 || M > MAXD ||
        N > MAXD || K > MAXD) {
        printf("bad input\n");
        return 1;
    }
    lcg = seed;
    double alpha = ia / 4.0, beta = ib / 4.0;
    double *A = dmat(M, K), *B = dmat(K, N), *C0 = dmat(M, N), *C = dmat(M, N), *R = dmat(M, N);
    uint32_t *IA = umat(M, K), *IB = umat(K, N), *IC0 = umat(M, N), *IC = umat(M, N), *IR = umat(M, N);
    fill(A, IA, M * K);
    fill(B, IB, K * N);
    fill(C0, IC0, M * N);
    printf("gemm M=%d N=%d K=%d alpha=%.2f beta=%.2f\n", M, N, K, alpha, beta);

    int failures = 0;
    memcpy(R, C0, (size_t)M * N * sizeof(double));
    gemm_ijk(M, N, K, alpha, beta, A, B, R);
    printf("  ijk      checksum %.4f  C[0][0]=%.4f C[M-1][N-1]=%.4f\n", dsum(R, M * N), R[0], R[M * N - 1]);
    static const char *const names[] = {"ikj", "jki", "blocked16", "blocked24", "packed"};
    for (int v = 0; v < 5; v++) {
        memcpy(C, C0, (size_t)M * N * sizeof(double));
        switch (v) {
        case 0: gemm_ikj(M, N, K, alpha, beta, A, B, C); break;
        case 1: gemm_jki(M, N, K, alpha, beta, A, B, C); break;
        case 2: gemm_blocked(M, N, K, alpha, beta, A, B, C, 16); break;
        case 3: gemm_blocked(M, N, K, alpha, beta, A, B, C, 24); break;
        default: gemm_packed(M, N, K, alpha, beta, A, B, C); break;
        }
        int ok = same(C, R, M * N);
        failures += !ok;
        printf("  %-9s checksum %.4f %s\n", names[v], dsum(C, M * N), ok ? "match" : "DIFFER");
    }

    /* syrk on A (M x K): C is M x M */
    double *S0 = dmat(M, M), *S1 = dmat(M, M);
    for (int i = 0; i < M * M; i++) S0[i] = S1[i] = (double)(i % 5) / 4.0;
    syrk(M, K, alpha, beta, A, S0);
    syrk_blocked(M, K, alpha, beta, A, S1, 20);
    int sok = same(S0, S1, M * M);
    failures += !sok;
    printf("syrk N=%d K=%d checksum %.4f diag0 %.4f %s\n", M, K, dsum(S0, M * M), S0[0], sok ? "match" : "DIFFER");

    /* A^T B with B' = first M rows of a fresh M x N matrix */
    double *B2 = dmat(M, N), *T = dmat(K, N);
    uint32_t *tmpu = umat(M, N);
    fill(B2, tmpu, M * N);
    atb(M, N, K, A, B2, T);
    /* check against explicit transpose + ijk */
    double *AT = dmat(K, M), *T2 = dmat(K, N);
    for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++) AT[k * M + i] = A[i * K + k];
    gemm_ijk(K, N, M, 1.0, 0.0, AT, B2, T2);
    int tok = same(T, T2, K * N);
    failures += !tok;
    printf("atb %dx%d checksum %.4f %s\n", K, N, dsum(T, K * N), tok ? "match" : "DIFFER");

    /* integer gemm */
    uint32_t ua = (uint32_t)ia * 2654435761u, ub = (uint32_t)ib + 3u;
    memcpy(IR, IC0, (size_t)M * N * sizeof(uint32_t));
    igemm_ijk(M, N, K, ua, ub, IA, IB, IR);
    memcpy(IC, IC0, (size_t)M * N * sizeof(uint32_t));
    igemm_blocked(M, N, K, ua, ub, IA, IB, IC, 32);
    int iok = memcmp(IC, IR, (size_t)M * N * sizeof(uint32_t)) == 0;
    failures += !iok;
    printf("igemm hash %08x C[1][2]=%u %s\n", usum(IR, M * N), IR[1 * N + 2], iok ? "match" : "DIFFER");

    /* repeated squaring of a small normalized matrix: trace of A_sq^8 */
    int S = M < 48 ? M : 48;
    double *P = dmat(S, S), *Q = dmat(S, S);
    for (int i = 0; i < S; i++)
        for (int j = 0; j < S; j++) P[i * S + j] = A[i * K + (j % K)] / 8.0;
    for (int it = 0; it < 3; it++) {
        gemm_ikj(S, S, S, 1.0, 0.0, P, P, Q);
        double *t = P; P = Q; Q = t;
    }
    double tr = 0.0;
    for (int i = 0; i < S; i++) tr += P[i * S + i];
    printf("trace((A/8)^8) over %dx%d = %.6e\n", S, S, tr);
    printf("failures: %d\n", failures);
    free(A); free(B); free(C0); free(C); free(R); free(IA); free(IB); free(IC0); free(IC); free(IR);
    free(S0); free(S1); free(B2); free(T); free(tmpu); free(AT); free(T2); free(P); free(Q);
    return 0;
}
