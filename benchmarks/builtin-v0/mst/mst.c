/* mst: minimum spanning forest of an undirected weighted graph read from
 * stdin ("n m" then m lines "u v w"). Computed three ways -- Kruskal with
 * union-find (union by rank, path halving), Prim with a binary heap of
 * edges (lazy deletion) over adjacency lists, and Boruvka -- and the
 * total weights are cross-checked. Also reports components, the
 * bottleneck edge and the weight-class histogram of the forest. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    int u, v;
    uint32_t w;
    int id;
} edge;

typedef struct {
    int *parent, *rank;
    int sets;
    unsigned long long finds;
} dsu;

static void dsu_init(dsu *d, int n)
{
    d->parent = malloc((size_t)n * sizeof(int));
    d->rank = calloc((size_t)n, sizeof(int));
    if (!d->parent || !d->rank) exit(1);
    for (int i = 0; i < n; i++) d->parent[i] = i;
    d->sets = n;
    d->finds = 0;
}

static int dsu_find(dsu *d, int x)
{
    while (d->parent[x] != x) {
        d->finds++;
        d->parent[x] = d->parent[d->parent[x]];
        x = d->parent[x];
    }
    return x;
}

static int dsu_union(dsu *d, int a, int b)
{
    a = dsu_find(d, a);
    b = dsu_find(d, b);
    if (a == b) return 0;
    if (d->rank[a] < d->rank[b]) {
        int t = a; a = b; b = t;
    }
    d->parent[b] = a;
    if (d->rank[a] == d->rank[b]) d->rank[a]++;
    d->sets--;
    return 1;
}

static void dsu_free(dsu *d)
{
    free(d->parent);
    free(d->rank);
}

static int edge_less(const edge *a, const edge *b)
{
    if (a->w != b->w) return a->w < b->w;
    return a->id < b->id;
}

static void sort_edges(edge *e, int m)
{
    edge *tmp = malloc((size_t)(m ? m : 1) * sizeof *tmp);
    if (!tmp) exit(1);
    for (int w = 1; w < m; w *= 2) {
        for (int lo = 0; lo < m - w; lo += 2 * w) {
            int mid = lo + w, hi = lo + 2 * w < m ? lo + 2 * w : m;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = edge_less(&e[j], &e[i]) ? e[j++] : e[i++];
            while (i < mid) tmp[k++] = e[i++];
            while (j < hi) tmp[k++] = e[j++];
            memcpy(e + lo, tmp + lo, (size_t)(hi - lo) * sizeof *e);
        }
    }
    free(tmp);
}

static uint64_t kruskal(int n, const edge *edges, int m, int *chosen, int *count, int *components)
{
    edge *e = malloc((size_t)(m ? m : 1) * sizeof *e);
    if (!e) exit(1);
    memcpy(e, edges, (size_t)m * sizeof *e);
    sort_edges(e, m);
    dsu d;
    dsu_init(&d, n);
    uint64_t total = 0;
    *count = 0;
    for (int i = 0; i < m && d.sets > 1; i++) {
        if (dsu_union(&d, e[i].u, e[i].v)) {
            total += e[i].w;
            chosen[(*count)++] = e[i].id;
        }
    }
    *components = d.sets;
    dsu_free(&d);
    free(e);
    return total;
}

/* ---- Prim with a lazy binary heap of (weight, edge id) ---- */
typedef struct {
    uint32_t w;
    int id;
    int to;
} heap_item;

static int hi_less(const heap_item *a, const heap_item *b)
{
    return a->w < b->w || (a->w == b->w && a->id < b->id);
}

static void heap_push(heap_item *h, int *size, heap_item it)
{
    int i = (*size)++;
    h[i] = it;
    while (i > 0 && hi_less(&h[i], &h[(i - 1) / 2])) {
        heap_item t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static heap_item heap_pop(heap_item *h, int *size)
{
    heap_item top = h[0];
    h[0] = h[--(*size)];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < *size && hi_less(&h[l], &h[m])) m = l;
        if (r < *size && hi_less(&h[r], &h[m])) m = r;
        if (m == i) break;
        heap_item t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
    return top;
}

static uint64_t prim(int n, const edge *edges, int m, int *trees, unsigned long long *pops)
{
    int *deg = calloc((size_t)n + 1, sizeof(int)), *adj = malloc((size_t)(2 * m + 1) * sizeof(int));
    char *in_tree = calloc((size_t)n, 1);
    heap_item *h = malloc((size_t)(2 * m + 1) * sizeof *h);
    if (!deg || !adj || !in_tree || !h) exit(1);
    for (int i = 0; i < m; i++) {
        deg[edges[i].u + 1]++;
        deg[edges[i].v + 1]++;
    }
    for (int v = 0; v < n; v++) deg[v + 1] += deg[v];
    int *fill = malloc((size_t)n * sizeof(int));
    if (!fill) exit(1);
    memcpy(fill, deg, (size_t)n * sizeof(int));
    for (int i = 0; i < m; i++) {
        adj[fill[edges[i].u]++] = i;
        adj[fill[edges[i].v]++] = i;
    }
    free(fill);
    uint64_t total = 0;
    *trees = 0;
    *pops = 0;
    for (int root = 0; root < n; root++) {
        if (in_tree[root]) continue;
        (*trees)++;
        int size = 0;
        in_tree[root] = 1;
        for (int k = deg[root]; k < deg[root + 1]; k++) {
            const edge *e = &edges[adj[k]];
            heap_item it = {e->w, e->id, e->u == root ? e->v : e->u};
            heap_push(h, &size, it);
        }
        while (size > 0) {
            heap_item it = heap_pop(h, &size);
            (*pops)++;
            if (in_tree[it.to]) continue;
            in_tree[it.to] = 1;
            total += it.w;
            int x = it.to;
            for (int k = deg[x]; k < deg[x + 1]; k++) {
                const edge *e = &edges[adj[k]];
                int y = e->u == x ? e->v : e->u;
                if (!in_tree[y]) {
                    heap_item ni = {e->w, e->id, y};
                    heap_push(h, &size, ni);
                }
            }
        }
    }
    free(deg);
    free(adj);
    free(in_tree);
    free(h);
    return total;
}

static uint64_t boruvka(int n, const edge *edges, int m, int *rounds)
{
    dsu d;
    dsu_init(&d, n);
    int *cheapest = malloc((size_t)n * sizeof(int));
    if (!cheapest) exit(1);
    uint64_t total = 0;
    *rounds = 0;
    for (;;) {
        for (int v = 0; v < n; v++) cheapest[v] = -1;
        for (int i = 0; i < m; i++) {
            int a = dsu_find(&d, edges[i].u), b = dsu_find(&d, edges[i].v);
            if (a == b) continue;
            if (cheapest[a] < 0 || edge_less(&edges[i], &edges[cheapest[a]])) cheapest[a] = i;
            if (cheapest[b] < 0 || edge_less(&edges[i], &edges[cheapest[b]])) cheapest[b] = i;
        }
        int merged = 0;
        for (int v = 0; v < n; v++) {
            if (cheapest[v] < 0) continue;
            const edge *e = &edges[cheapest[v]];
            if (dsu_union(&d, e->u, e->v)) {
                total += e->w;
                merged++;
            }
        }
        if (!merged) break;
        (*rounds)++;
    }
    free(cheapest);
    dsu_free(&d);
    return total;
}

int main(void)
{
    int n, m;
    if (scanf("%d %d", &n, &m) != 2 || n <= 0 || m < 0) {
        printf("bad input\n");
        return 1;
    }
    edge *edges = malloc((size_t)(m ? m : 1) * sizeof *edges);
    int *chosen = malloc((size_t)n * sizeof(int));
    if (!edges || !chosen) return 1;
    int loops = 0;
    for (int i = 0; i < m; i++) {
        unsigned w;
        if (scanf("%d %d %u", &edges[i].u, &edges[i].v, &w) != 3) return 1;
        if (edges[i].u < 0 || edges[i].u >= n || edges[i].v < 0 || edges[i].v >= n) return 1;
        edges[i].w = w;
        edges[i].id = i;
        loops += edges[i].u == edges[i].v;
    }
    printf("graph: %d vertices, %d edges (%d self-loops)\n", n, m, loops);

    int count, comps;
    uint64_t wk = kruskal(n, edges, m, chosen, &count, &comps);
    uint32_t maxw = 0, hash = 2166136261u;
    int hist[8] = {0};
    for (int i = 0; i < count; i++) {
        const edge *e = &edges[chosen[i]];
        if (e->w > maxw) maxw = e->w;
        hist[e->w < 1000 ? e->w / 125 : 7]++;
        hash = (hash ^ (uint32_t)chosen[i]) * 16777619u;
    }
    printf("kruskal: weight %llu, %d edges, %d components, bottleneck %u, edge hash %08x\n",
           (unsigned long long)wk, count, comps, maxw, hash);
    printf("weight histogram:");
    for (int i = 0; i < 8; i++) printf(" %d", hist[i]);
    printf("\n");

    int trees;
    unsigned long long pops;
    uint64_t wp = prim(n, edges, m, &trees, &pops);
    printf("prim: weight %llu, %d trees, %llu heap pops\n", (unsigned long long)wp, trees, pops);
    int rounds;
    uint64_t wb = boruvka(n, edges, m, &rounds);
    printf("boruvka: weight %llu, %d rounds\n", (unsigned long long)wb, rounds);
    printf("agree: %s\n", (wk == wp && wp == wb && trees == comps) ? "yes" : "NO");

    /* sensitivity: remove a few forest edges and recompute */
    int *scratch = malloc((size_t)n * sizeof(int));
    edge *sub = malloc((size_t)(m ? m : 1) * sizeof *sub);
    if (!scratch || !sub) return 1;
    for (int k = 0; k < 3 && count > 0; k++) {
        int drop = chosen[k * (count / 3)];
        int sm = 0;
        for (int i = 0; i < m; i++)
            if (i != drop) {
                sub[sm] = edges[i];
                sub[sm].id = sm;
                sm++;
            }
        int c2, comps2;
        uint64_t w2 = kruskal(n, sub, sm, scratch, &c2, &comps2);
        printf("without edge %d (w=%u): weight %llu, components %d\n", drop, edges[drop].w,
               (unsigned long long)w2, comps2);
    }
    free(scratch);
    free(sub);
    free(edges);
    free(chosen);
    return 0;
}
