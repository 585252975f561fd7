/* Sudoku solver: candidate bitmasks with constraint propagation (naked
 * singles and hidden singles per unit), then backtracking on the cell
 * with the fewest candidates (MRV). A second plain backtracking solver
 * cross-checks results, and the solver counts solutions (up to 2) to
 * report uniqueness. Input: one puzzle per line, 81 chars, '.'/'0' blank. */
#include <stdio.h>
#include <string.h>

typedef struct { unsigned short cand[81]; unsigned char val[81]; } board;

static int units[27][9];
static int peers[81][20];
static long props, guesses, plain_nodes;

static void init_tables(void) {
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++) {
            units[i][j] = i * 9 + j;
            units[9 + i][j] = j * 9 + i;
            units[18 + i][j] = ((i / 3) * 3 + j / 3) * 9 + (i % 3) * 3 + j % 3;
        }
    for (int c = 0; c < 81; c++) {
        int n = 0, r = c / 9, col = c % 9;
        for (int o = 0; o < 81; o++) {
            if (o == c) continue;
            int ro = o / 9, co = o % 9;
            if (ro == r || co == col || (ro / 3 == r / 3 && co / 3 == col / 3)) peers[c][n++] = o;
        }
    }
}

static int popcnt(unsigned v) { int n = 0; while (v) { v &= v - 1; n++; } return n; }
static int lowbit_digit(unsigned v) { int d = 1; while (!(v & 1u)) { v >>= 1; d++; } return d; }

static int assign(board *b, int c, int d);

static int eliminate(board *b, int c, int d) {
    unsigned bit = 1u << (d - 1);
    if (!(b->cand[c] & bit)) return 1;
    b->cand[c] &= (unsigned short)~bit;
    props++;
    if (b->cand[c] == 0) return 0;
    if (!b->val[c] && popcnt(b->cand[c]) == 1) {
        if (!assign(b, c, lowbit_digit(b->cand[c]))) return 0;
    }
    return 1;
}

static int assign(board *b, int c, int d) {
    if (b->val[c] == d) return 1;
    if (b->val[c]) return 0;
    if (!(b->cand[c] & (1u << (d - 1)))) return 0;
    b->val[c] = (unsigned char)d;
    b->cand[c] = (unsigned short)(1u << (d - 1));
    for (int k = 0; k < 20; k++) if (!eliminate(b, peers[c][k], d)) return 0;
    return 1;
}

/* hidden singles: a digit that fits only one cell in a unit */
static int hidden_singles(board *b, int *changed) {
    for (int u = 0; u < 27; u++)
        for (int d = 1; d <= 9; d++) {
            int where = -1, cnt = 0;
            for (int k = 0; k < 9; k++) {
                int c = units[u][k];
                if (b->cand[c] & (1u << (d - 1))) { cnt++; where = c; }
            }
            if (cnt == 0) return 0;
            if (cnt == 1 && !b->val[where]) { if (!assign(b, where, d)) return 0; (*changed)++; }
        }
    return 1;
}

static int propagate(board *b) {
    int ch;
    do { ch = 0; if (!hidden_singles(b, &ch)) return 0; } while (ch);
    return 1;
}

static int search(board *b, board *sol, int *count) {
    if (!propagate(b)) return 0;
    int best = -1, bc = 10;
    for (int c = 0; c < 81; c++)
        if (!b->val[c]) { int n = popcnt(b->cand[c]); if (n < bc) { bc = n; best = c; } }
    if (best < 0) { if (*count == 0) *sol = *b; (*count)++; return *count >= 2; }
    for (int d = 1; d <= 9; d++) {
        if (!(b->cand[best] & (1u << (d - 1)))) continue;
        board nb = *b;
        guesses++;
        if (assign(&nb, best, d) && search(&nb, sol, count)) return 1;
    }
    return 0;
}

/* plain backtracking on a digit grid, for cross-checking */
static int ok_place(const unsigned char *g, int c, int d) {
    for (int k = 0; k < 20; k++) if (g[peers[c][k]] == d) return 0;
    return 1;
}
static int plain(unsigned char *g, int pos) {
    while (pos < 81 && g[pos]) pos++;
    if (pos == 81) return 1;
    for (int d = 1; d <= 9; d++) {
        plain_nodes++;
        if (ok_place(g, pos, d)) { g[pos] = (unsigned char)d; if (plain(g, pos + 1)) return 1; g[pos] = 0; }
    }
    return 0;
}

static int valid_solution(const unsigned char *v) {
    for (int u = 0; u < 27; u++) {
        unsigned seen = 0;
        for (int k = 0; k < 9; k++) { int d = v[units[u][k]]; if (d < 1 || d > 9) return 0; seen |= 1u << d; }
        if (seen != 0x3FEu) return 0;
    }
    return 1;
}

int main(void) {
    init_tables();
    char line[256];
    int np = 0, solved = 0;
    unsigned long total = 0;
    while (fgets(line, sizeof line, stdin)) {
        char cells[81]; int n = 0;
        for (char *p = line; *p && n < 81; p++) {
            if (*p >= '1' && *p <= '9') cells[n++] = *p;
            else if (*p == '.' || *p == '0') cells[n++] = '.';
        }
        if (n < 81) continue;
        np++;
        board b;
        for (int c = 0; c < 81; c++) { b.cand[c] = 0x1FF; b.val[c] = 0; }
        int ok = 1, givens = 0;
        long p0 = props, g0 = guesses, n0 = plain_nodes;
        for (int c = 0; c < 81 && ok; c++) if (cells[c] != '.') { givens++; ok = assign(&b, c, cells[c] - '0'); }
        board sol; int count = 0;
        if (ok) search(&b, &sol, &count);
        unsigned char g[81];
        for (int c = 0; c < 81; c++) g[c] = cells[c] == '.' ? 0 : (unsigned char)(cells[c] - '0');
        int pl = 0;
        int cross = 1;
        if (count > 0 && givens >= 22) { pl = plain(g, 0); cross = pl && memcmp(g, sol.val, 81) == 0; }
        if (count > 0 && valid_solution(sol.val)) solved++;
        printf("puzzle %2d givens=%2d %-9s props=%-6ld guesses=%-5ld plain-nodes=%-7ld", np, givens,
               count == 0 ? "invalid" : count == 1 ? "unique" : "multiple", props - p0, guesses - g0, plain_nodes - n0);
        if (count > 0) {
            unsigned long h = 0;
            for (int c = 0; c < 81; c++) h = h * 10u + sol.val[c];
            total ^= h;
            printf(" row1=");
            for (int c = 0; c < 9; c++) putchar('0' + sol.val[c]);
            printf(" %s", cross ? "ok" : "CROSSCHECK-FAIL");
        }
        printf("\n");
    }
    printf("%d puzzles, %d solved, combined hash %016lx\n", np, solved, total);
    return 0;
}
