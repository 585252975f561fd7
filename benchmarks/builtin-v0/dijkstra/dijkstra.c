/* dijkstra: single-source shortest paths on a weighted directed graph.
 * stdin: "n m", m lines "u v w", then "q" and q lines "s t".
 * Builds compressed adjacency lists (CSR), runs Dijkstra with an indexed
 * binary heap supporting decrease-key, cross-checks against the O(V^2)
 * array version, reconstructs paths, and reports reachability and
 * eccentricity statistics for each source. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define INF UINT64_MAX

typedef struct {
    int n, m;
    int *start;   /* n+1 offsets */
    int *target;
    uint32_t *weight;
} graph;

typedef struct {
    int *heap;  /* vertex ids */
    int *pos;   /* position of vertex in heap, -1 if absent */
    uint64_t *key;
    int size;
    unsigned long long ops;
} index_heap;

static void ih_swap(index_heap *h, int i, int j)
{
    int a = h->heap[i], b = h->heap[j];
    h->heap[i] = b;
    h->heap[j] = a;
    h->pos[b] = i;
    h->pos[a] = j;
}

static int ih_less(const index_heap *h, int i, int j)
{
    uint64_t a = h->key[h->heap[i]], b = h->key[h->heap[j]];
    return a < b || (a == b && h->heap[i] < h->heap[j]);
}

static void ih_up(index_heap *h, int i)
{
    while (i > 0) {
        int p = (i - 1) / 2;
        h->ops++;
        if (!ih_less(h, i, p)) break;
        ih_swap(h, i, p);
        i = p;
    }
}

static void ih_down(index_heap *h, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->size && ih_less(h, l, m)) m = l;
        if (r < h->size && ih_less(h, r, m)) m = r;
        h->ops++;
        if (m == i) break;
        ih_swap(h, i, m);
        i = m;
    }
}

static void ih_push_or_decrease(index_heap *h, int v, uint64_t k)
{
    if (h->pos[v] < 0) {
        h->key[v] = k;
        h->heap[h->size] = v;
        h->pos[v] = h->size++;
        ih_up(h, h->size - 1);
    } else if (k < h->key[v]) {
        h->key[v] = k;
        ih_up(h, h->pos[v]);
    }
}

static int ih_pop(index_heap *h)
{
    int v = h->heap[0];
    ih_swap(h, 0, --h->size);
    h->pos[v] = -1;
    if (h->size > 0) ih_down(h, 0);
    return v;
}

static int build_graph(graph *g)
{
    if (scanf("%d %d", &g->n, &g->m) != 2 || g->n <= 0 || g->m < 0) return -1;
    int *eu = malloc((size_t)g->m * sizeof(int) + 1), *ev = malloc((size_t)g->m * sizeof(int) + 1);
    uint32_t *ew = malloc((size_t)g->m * sizeof(uint32_t) + 1);
    g->start = calloc((size_t)g->n + 1, sizeof(int));
    g->target = malloc((size_t)g->m * sizeof(int) + 1);
    g->weight = malloc((size_t)g->m * sizeof(uint32_t) + 1);
    if (!eu || !ev || !ew || !g->start || !g->target || !g->weight) return -1;
    for (int i = 0; i < g->m; i++) {
        unsigned w;
        if (scanf("%d %d %u", &eu[i], &ev[i], &w) != 3) return -1;
        if (eu[i] < 0 || eu[i] >= g->n || ev[i] < 0 || ev[i] >= g->n) return -1;
        ew[i] = w;
        g->start[eu[i] + 1]++;
    }
    for (int v = 0; v < g->n; v++) g->start[v + 1] += g->start[v];
    int *fill = malloc((size_t)g->n * sizeof(int));
    if (!fill) return -1;
    memcpy(fill, g->start, (size_t)g->n * sizeof(int));
    for (int i = 0; i < g->m; i++) {
        int k = fill[eu[i]]++;
        g->target[k] = ev[i];
        g->weight[k] = ew[i];
    }
    free(fill);
    free(eu);
    free(ev);
    free(ew);
    return 0;
}

static unsigned long long dijkstra_heap(const graph *g, int src, uint64_t *dist, int *pred, index_heap *h)
{
    for (int v = 0; v < g->n; v++) {
        dist[v] = INF;
        pred[v] = -1;
        h->pos[v] = -1;
    }
    h->size = 0;
    h->ops = 0;
    dist[src] = 0;
    ih_push_or_decrease(h, src, 0);
    unsigned long long relax = 0;
    while (h->size > 0) {
        int u = ih_pop(h);
        for (int e = g->start[u]; e < g->start[u + 1]; e++) {
            int v = g->target[e];
            uint64_t nd = dist[u] + g->weight[e];
            relax++;
            if (nd < dist[v] || (nd == dist[v] && pred[v] > u && v != src)) {
                dist[v] = nd;
                pred[v] = u;
                ih_push_or_decrease(h, v, nd);
            }
        }
    }
    return relax + h->ops;
}

static void dijkstra_array(const graph *g, int src, uint64_t *dist, char *done)
{
    for (int v = 0; v < g->n; v++) {
        dist[v] = INF;
        done[v] = 0;
    }
    dist[src] = 0;
    for (;;) {
        int u = -1;
        for (int v = 0; v < g->n; v++)
            if (!done[v] && dist[v] != INF && (u < 0 || dist[v] < dist[u])) u = v;
        if (u < 0) break;
        done[u] = 1;
        for (int e = g->start[u]; e < g->start[u + 1]; e++) {
            uint64_t nd = dist[u] + g->weight[e];
            if (nd < dist[g->target[e]]) dist[g->target[e]] = nd;
        }
    }
}

int main(void)
{
    graph g;
    if (build_graph(&g) != 0) {
        printf("bad graph\n");
        return 1;
    }
    int q;
    if (scanf("%d", &q) != 1 || q < 0) q = 0;
    uint64_t *dist = malloc((size_t)g.n * sizeof *dist), *dist2 = malloc((size_t)g.n * sizeof *dist2);
    int *pred = malloc((size_t)g.n * sizeof *pred), *path = malloc((size_t)g.n * sizeof *path);
    char *done = malloc((size_t)g.n);
    index_heap h;
    h.heap = malloc((size_t)g.n * sizeof(int));
    h.pos = malloc((size_t)g.n * sizeof(int));
    h.key = malloc((size_t)g.n * sizeof(uint64_t));
    if (!dist || !dist2 || !pred || !path || !done || !h.heap || !h.pos || !h.key) return 1;

    int maxdeg = 0;
    for (int v = 0; v < g.n; v++)
        if (g.start[v + 1] - g.start[v] > maxdeg) maxdeg = g.start[v + 1] - g.start[v];
    printf("graph: %d vertices, %d edges, max out-degree %d\n", g.n, g.m, maxdeg);

    int last_src = -1, mismatches = 0;
    uint32_t hash = 2166136261u;
    for (int i = 0; i < q; i++) {
        int s, t;
        if (scanf("%d %d", &s, &t) != 2 || s < 0 || s >= g.n || t < 0 || t >= g.n) break;
        if (s != last_src) {
            unsigned long long work = dijkstra_heap(&g, s, dist, pred, &h);
            int reach = 0;
            uint64_t ecc = 0, sum = 0;
            for (int v = 0; v < g.n; v++)
                if (dist[v] != INF) {
                    reach++;
                    sum += dist[v];
                    if (dist[v] > ecc) ecc = dist[v];
                }
            if (i < 3) {
                dijkstra_array(&g, s, dist2, done);
                for (int v = 0; v < g.n; v++) mismatches += dist[v] != dist2[v];
            }
            printf("source %d: reachable %d, eccentricity %llu, mean %.3f, work %llu\n", s, reach,
                   (unsigned long long)ecc, reach ? (double)sum / reach : 0.0, work);
            last_src = s;
        }
        if (dist[t] == INF) {
            printf("  %d -> %d: unreachable\n", s, t);
            continue;
        }
        int len = 0;
        for (int v = t; v != -1; v = pred[v]) path[len++] = v;
        for (int k = len - 1; k >= 0; k--) hash = (hash ^ (uint32_t)path[k]) * 16777619u;
        /* verify the path weight equals the distance */
        uint64_t w = 0;
        for (int k = len - 1; k > 0; k--) {
            int u = path[k], v = path[k - 1];
            uint32_t best = UINT32_MAX;
            for (int e = g.start[u]; e < g.start[u + 1]; e++)
                if (g.target[e] == v && g.weight[e] < best) best = g.weight[e];
            w += best;
        }
        printf("  %d -> %d: dist %llu, %d hops%s\n", s, t, (unsigned long long)dist[t], len - 1,
               w == dist[t] ? "" : " (PATH MISMATCH)");
    }
    printf("path hash %08x, heap/array mismatches %d\n", hash, mismatches);
    free(dist); free(dist2); free(pred); free(path); free(done);
    free(h.heap); free(h.pos); free(h.key);
    free(g.start); free(g.target); free(g.weight);
    return 0;
}
