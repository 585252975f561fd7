/* apsp: all-pairs shortest paths with negative edge weights.
 * stdin: a number of graphs, each "n m", m lines "u v w" (w may be
 * negative), then "q" and q lines "s t" of path queries. For each graph:
 * Floyd-Warshall with a next-hop matrix, Bellman-Ford from every source
 * (early exit), and Johnson's algorithm (Bellman-Ford potentials and
 * Dijkstra on reweighted edges). Negative cycles are detected; otherwise
 * the three distance matrices are compared and paths reconstructed. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define INF (INT64_MAX / 4)

typedef struct {
    int u, v;
    int64_t w;
} edge;

static int64_t *mat_alloc(int n)
{
    int64_t *m = malloc((size_t)n * (size_t)n * sizeof(int64_t));
    if (!m) exit(1);
    return m;
}

/* returns 1 if a negative cycle exists */
static int floyd_warshall(int n, const edge *e, int m, int64_t *d, int *next)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            d[i * n + j] = i == j ? 0 : INF;
            next[i * n + j] = i == j ? j : -1;
        }
    for (int k = 0; k < m; k++) {
        int u = e[k].u, v = e[k].v;
        if (e[k].w < d[u * n + v]) {
            d[u * n + v] = e[k].w;
            next[u * n + v] = v;
        }
    }
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++) {
            int64_t dik = d[i * n + k];
            if (dik >= INF) continue;
            for (int j = 0; j < n; j++) {
                int64_t dkj = d[k * n + j];
                if (dkj >= INF) continue;
                if (dik + dkj < d[i * n + j]) {
                    d[i * n + j] = dik + dkj;
                    next[i * n + j] = next[i * n + k];
                }
            }
        }
    for (int i = 0; i < n; i++)
        if (d[i * n + i] < 0) return 1;
    return 0;
}

/* single-source Bellman-Ford; returns passes used, or -1 on negative cycle */
static int bellman_ford(int n, const edge *e, int m, int src, int64_t *dist)
{
    for (int i = 0; i < n; i++) dist[i] = INF;
    dist[src] = 0;
    for (int pass = 1; pass <= n; pass++) {
        int changed = 0;
        for (int k = 0; k < m; k++) {
            if (dist[e[k].u] >= INF) continue;
            int64_t nd = dist[e[k].u] + e[k].w;
            if (nd < dist[e[k].v]) {
                dist[e[k].v] = nd;
                changed = 1;
            }
        }
        if (!changed) return pass;
        if (pass == n) return -1;
    }
    return n;
}

static int johnson(int n, const edge *e, int m, int64_t *d)
{
    /* potentials from a virtual source connected to all vertices with 0 */
    int64_t *h = malloc((size_t)n * sizeof(int64_t));
    if (!h) exit(1);
    for (int i = 0; i < n; i++) h[i] = 0;
    for (int pass = 0; pass < n; pass++) {
        int changed = 0;
        for (int k = 0; k < m; k++)
            if (h[e[k].u] + e[k].w < h[e[k].v]) {
                h[e[k].v] = h[e[k].u] + e[k].w;
                changed = 1;
            }
        if (!changed) break;
        if (pass == n - 1) {
            free(h);
            return -1;
        }
    }
    /* CSR of reweighted (non-negative) edges */
    int *start = calloc((size_t)n + 1, sizeof(int)), *to = malloc((size_t)(m ? m : 1) * sizeof(int));
    int64_t *w = malloc((size_t)(m ? m : 1) * sizeof(int64_t));
    int64_t *dist = malloc((size_t)n * sizeof(int64_t));
    char *done = malloc((size_t)n);
    if (!start || !to || !w || !dist || !done) exit(1);
    for (int k = 0; k < m; k++) start[e[k].u + 1]++;
    for (int i = 0; i < n; i++) start[i + 1] += start[i];
    int *fill = malloc((size_t)n * sizeof(int));
    if (!fill) exit(1);
    memcpy(fill, start, (size_t)n * sizeof(int));
    for (int k = 0; k < m; k++) {
        int p = fill[e[k].u]++;
        to[p] = e[k].v;
        w[p] = e[k].w + h[e[k].u] - h[e[k].v];
    }
    free(fill);
    for (int s = 0; s < n; s++) {
        for (int i = 0; i < n; i++) {
            dist[i] = INF;
            done[i] = 0;
        }
        dist[s] = 0;
        for (;;) {
            int u = -1;
            for (int i = 0; i < n; i++)
                if (!done[i] && dist[i] < INF && (u < 0 || dist[i] < dist[u])) u = i;
            if (u < 0) break;
            done[u] = 1;
            for (int p = start[u]; p < start[u + 1]; p++)
                if (dist[u] + w[p] < dist[to[p]]) dist[to[p]] = dist[u] + w[p];
        }
        for (int t = 0; t < n; t++) d[s * n + t] = dist[t] >= INF ? INF : dist[t] - h[s] + h[t];
    }
    free(h); free(start); free(to); free(w); free(dist); free(done);
    return 0;
}

static uint32_t matrix_hash(const int64_t *d, int n)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < n * n; i++) {
        uint64_t v = d[i] >= INF ? 0xFFFFFFFFFFFFull : (uint64_t)d[i];
        for (int b = 0; b < 8; b++) h = (h ^ (uint8_t)(v >> (8 * b))) * 16777619u;
    }
    return h;
}

int main(void)
{
    int graphs;
    if (scanf("%d", &graphs) != 1) return 1;
    for (int gi = 0; gi < graphs; gi++) {
        int n, m;
        if (scanf("%d %d", &n, &m) != 2 || n <= 0 || m < 0) return 1;
        edge *e = malloc((size_t)(m ? m : 1) * sizeof *e);
        if (!e) return 1;
        int neg = 0;
        for (int k = 0; k < m; k++) {
            long long w;
            if (scanf("%d %d %lld", &e[k].u, &e[k].v, &w) != 3) return 1;
            if (e[k].u < 0 || e[k].u >= n || e[k].v < 0 || e[k].v >= n) return 1;
            e[k].w = w;
            neg += w < 0;
        }
        printf("graph %d: %d vertices, %d edges (%d negative)\n", gi, n, m, neg);
        int64_t *fw = mat_alloc(n), *bf = mat_alloc(n), *jo = mat_alloc(n);
        int *next = malloc((size_t)n * (size_t)n * sizeof(int));
        int *path = malloc((size_t)(n + 1) * sizeof(int));
        if (!next || !path) return 1;
        int cyc = floyd_warshall(n, e, m, fw, next);
        long passes = 0;
        int bf_cycle = 0;
        for (int s = 0; s < n; s++) {
            int p = bellman_ford(n, e, m, s, bf + (size_t)s * n);
            if (p < 0) bf_cycle = 1;
            else passes += p;
        }
        int jc = johnson(n, e, m, jo);
        int q;
        if (scanf("%d", &q) != 1) q = 0;
        if (cyc) {
            int on_cycle = 0;
            for (int i = 0; i < n; i++) on_cycle += fw[i * n + i] < 0;
            printf("  negative cycle detected: fw=%d bf=%d johnson=%d, %d vertices with d(v,v)<0\n", cyc, bf_cycle,
                   jc < 0, on_cycle);
            for (int i = 0; i < q; i++) {
                int s, t;
                if (scanf("%d %d", &s, &t) != 2) return 1;
            }
        } else {
            int diff_bf = 0, diff_jo = 0;
            long unreachable = 0;
            int64_t diameter = INT64_MIN, minimum = INT64_MAX;
            for (int i = 0; i < n * n; i++) {
                diff_bf += fw[i] != bf[i];
                diff_jo += fw[i] != jo[i];
                if (fw[i] >= INF) unreachable++;
                else {
                    if (fw[i] > diameter) diameter = fw[i];
                    if (fw[i] < minimum) minimum = fw[i];
                }
            }
            printf("  matrix hash %08x, unreachable pairs %ld, max %lld, min %lld, bf passes %ld\n",
                   matrix_hash(fw, n), unreachable, (long long)diameter, (long long)minimum, passes);
            printf("  disagreements: bellman-ford %d, johnson %d\n", diff_bf, diff_jo);
            for (int i = 0; i < q; i++) {
                int s, t;
                if (scanf("%d %d", &s, &t) != 2 || s < 0 || s >= n || t < 0 || t >= n) return 1;
                if (next[s * n + t] < 0) {
                    printf("  %d -> %d: no path\n", s, t);
                    continue;
                }
                int len = 0;
                int u = s;
                path[len++] = u;
                while (u != t && len <= n) {
                    u = next[u * n + t];
                    path[len++] = u;
                }
                /* re-add the path weight using the cheapest parallel edge */
                int64_t wsum = 0;
                for (int k = 0; k + 1 < len; k++) {
                    int64_t best = INF;
                    for (int x = 0; x < m; x++)
                        if (e[x].u == path[k] && e[x].v == path[k + 1] && e[x].w < best) best = e[x].w;
                    wsum += best;
                }
                printf("  %d -> %d: dist %lld via", s, t, (long long)fw[s * n + t]);
                for (int k = 0; k < len && k < 12; k++) printf(" %d", path[k]);
                if (len > 12) printf(" ...(%d)", len);
                printf("%s\n", wsum == fw[s * n + t] ? "" : " (WEIGHT MISMATCH)");
            }
        }
        free(e); free(fw); free(bf); free(jo); free(next); free(path);
    }
    return 0;
}
