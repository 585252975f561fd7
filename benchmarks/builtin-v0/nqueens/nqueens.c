/* N-queens: counts solutions for a range of board sizes with three
 * independent solvers (bitmask backtracking, array backtracking with
 * column/diagonal occupancy tables, and a permutation-based solver),
 * plus counting fundamental solutions under the 8 board symmetries.
 * Input: "lo hi" board-size range (and optional extra sizes).         */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long nodes_bits, nodes_arr, nodes_perm;

static long solve_bits(int n, unsigned cols, unsigned d1, unsigned d2) {
    unsigned full = (1u << n) - 1;
    if (cols == full) return 1;
    long count = 0;
    unsigned avail = full & ~(cols | d1 | d2);
    while (avail) {
        unsigned bit = avail & (0u - avail);
        avail ^= bit;
        nodes_bits++;
        count += solve_bits(n, cols | bit, ((d1 | bit) << 1) & full, (d2 | bit) >> 1);
    }
    return count;
}

typedef struct { int n; int col[16]; char usedc[16], diag1[32], diag2[32]; long count; int first[16]; int have_first; } arr_state;

static void solve_arr(arr_state *s, int row) {
    if (row == s->n) {
        if (!s->have_first) { memcpy(s->first, s->col, sizeof s->first); s->have_first = 1; }
        s->count++;
        return;
    }
    for (int c = 0; c < s->n; c++) {
        if (s->usedc[c] || s->diag1[row + c] || s->diag2[row - c + s->n - 1]) continue;
        nodes_arr++;
        s->usedc[c] = s->diag1[row + c] = s->diag2[row - c + s->n - 1] = 1;
        s->col[row] = c;
        solve_arr(s, row + 1);
        s->usedc[c] = s->diag1[row + c] = s->diag2[row - c + s->n - 1] = 0;
    }
}

/* permutation solver: row r holds queen in column perm[r]; only diagonals need checks */
static long solve_perm(int *perm, int n, int k) {
    if (k == n) return 1;
    long c = 0;
    for (int i = k; i < n; i++) {
        int t = perm[k]; perm[k] = perm[i]; perm[i] = t;
        int ok = 1;
        for (int j = 0; j < k && ok; j++) if (abs(perm[j] - perm[k]) == k - j) ok = 0;
        nodes_perm++;
        if (ok) c += solve_perm(perm, n, k + 1);
        t = perm[k]; perm[k] = perm[i]; perm[i] = t;
    }
    return c;
}

/* symmetry: enumerate all solutions, keep those that are lexicographically minimal among their 8 images */
static void transform(const int *q, int n, int t, int *out) {
    for (int r = 0; r < n; r++) {
        int c = q[r], nr = r, nc = c;
        switch (t) {
        case 0: nr = r; nc = c; break;
        case 1: nr = c; nc = n - 1 - r; break;
        case 2: nr = n - 1 - r; nc = n - 1 - c; break;
        case 3: nr = n - 1 - c; nc = r; break;
        case 4: nr = r; nc = n - 1 - c; break;
        case 5: nr = n - 1 - r; nc = c; break;
        case 6: nr = c; nc = r; break;
        case 7: nr = n - 1 - c; nc = n - 1 - r; break;
        }
        out[nr] = nc;
    }
}
static long unique_count, total_sym;
static void sym_rec(int *q, int n, int row, unsigned cols, unsigned d1, unsigned d2) {
    if (row == n) {
        total_sym++;
        int img[16], minimal = 1;
        for (int t = 1; t < 8 && minimal; t++) {
            transform(q, n, t, img);
            for (int r = 0; r < n; r++) {
                if (img[r] < q[r]) { minimal = 0; break; }
                if (img[r] > q[r]) break;
            }
        }
        unique_count += minimal;
        return;
    }
    for (int c = 0; c < n; c++) {
        unsigned b = 1u << c, e1 = 1u << (row + c), e2 = 1u << (row - c + n - 1);
        if ((cols & b) || (d1 & e1) || (d2 & e2)) continue;
        q[row] = c;
        sym_rec(q, n, row + 1, cols | b, d1 | e1, d2 | e2);
    }
}

static void run(int n) {
    nodes_bits = nodes_arr = nodes_perm = 0;
    long a = solve_bits(n, 0, 0, 0);
    arr_state s; memset(&s, 0, sizeof s); s.n = n;
    solve_arr(&s, 0);
    int perm[16];
    for (int i = 0; i < n; i++) perm[i] = i;
    long c = n <= 9 ? solve_perm(perm, n, 0) : a;
    int q[16];
    unique_count = total_sym = 0;
    sym_rec(q, n, 0, 0, 0, 0);
    printf("n=%2d solutions=%6ld %s unique=%5ld nodes bits=%ld arr=%ld perm=%ld", n, a,
           (a == s.count && a == c && a == total_sym) ? "agree" : "DISAGREE", unique_count, nodes_bits, nodes_arr, nodes_perm);
    if (s.have_first) {
        printf(" first=");
        for (int i = 0; i < n; i++) printf("%c", s.first[i] < 10 ? '0' + s.first[i] : 'a' + s.first[i] - 10);
    }
    printf("\n");
}

int main(void) {
    int lo, hi, x;
    if (scanf("%d %d", &lo, &hi) != 2) return 1;
    for (int n = lo; n <= hi; n++) if (n >= 1 && n <= 14) run(n);
    while (scanf("%d", &x) == 1) if (x >= 1 && x <= 11) run(x);
    return 0;
}
