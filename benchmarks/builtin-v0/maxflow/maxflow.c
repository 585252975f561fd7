/* maxflow: maximum s-t flow on a directed capacitated network read from
 * stdin ("n m", m lines "u v cap", then "q" and q lines "s t"). Each
 * query is solved with Dinic (BFS level graph + DFS blocking flow with
 * current-arc pointers) and with Edmonds-Karp (BFS augmenting paths);
 * results are cross-checked, flow conservation is verified, and the
 * minimum cut is extracted from the residual graph and its capacity
 * compared with the flow value. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    int n, m2;          /* vertices, arcs (2 per input edge) */
    int *head, *next, *to;
    int64_t *cap, *orig;
} network;

static void net_init(network *g, int n, int m)
{
    g->n = n;
    g->m2 = 0;
    g->head = malloc((size_t)n * sizeof(int));
    g->next = malloc((size_t)(2 * m + 1) * sizeof(int));
    g->to = malloc((size_t)(2 * m + 1) * sizeof(int));
    g->cap = malloc((size_t)(2 * m + 1) * sizeof(int64_t));
    g->orig = malloc((size_t)(2 * m + 1) * sizeof(int64_t));
    if (!g->head || !g->next || !g->to || !g->cap || !g->orig) exit(1);
    for (int i = 0; i < n; i++) g->head[i] = -1;
}

static void add_arc(network *g, int u, int v, int64_t c)
{
    int a = g->m2++;
    g->to[a] = v;
    g->orig[a] = c;
    g->next[a] = g->head[u];
    g->head[u] = a;
    int b = g->m2++;
    g->to[b] = u;
    g->orig[b] = 0;
    g->next[b] = g->head[v];
    g->head[v] = b;
}

static void reset(network *g)
{
    memcpy(g->cap, g->orig, (size_t)g->m2 * sizeof(int64_t));
}

/* ---------------- Dinic ---------------- */
typedef struct {
    int *level, *it, *queue;
    unsigned long long phases, pushes;
} dinic_ws;

static int dinic_bfs(network *g, dinic_ws *w, int s, int t)
{
    for (int i = 0; i < g->n; i++) w->level[i] = -1;
    int qh = 0, qt = 0;
    w->queue[qt++] = s;
    w->level[s] = 0;
    while (qh < qt) {
        int u = w->queue[qh++];
        for (int a = g->head[u]; a >= 0; a = g->next[a])
            if (g->cap[a] > 0 && w->level[g->to[a]] < 0) {
                w->level[g->to[a]] = w->level[u] + 1;
                w->queue[qt++] = g->to[a];
            }
    }
    return w->level[t] >= 0;
}

/* iterative DFS for a single augmenting path in the level graph */
static int64_t dinic_augment(network *g, dinic_ws *w, int s, int t, int *stack_arc)
{
    int depth = 0, u = s;
    for (;;) {
        if (u == t) {
            int64_t f = INT64_MAX;
            for (int i = 0; i < depth; i++)
                if (g->cap[stack_arc[i]] < f) f = g->cap[stack_arc[i]];
            for (int i = 0; i < depth; i++) {
                g->cap[stack_arc[i]] -= f;
                g->cap[stack_arc[i] ^ 1] += f;
            }
            w->pushes++;
            return f;
        }
        int a;
        for (a = w->it[u]; a >= 0; a = g->next[a])
            if (g->cap[a] > 0 && w->level[g->to[a]] == w->level[u] + 1) break;
        w->it[u] = a;
        if (a >= 0) {
            stack_arc[depth++] = a;
            u = g->to[a];
        } else {
            if (depth == 0) return 0;
            w->level[u] = -1; /* dead end */
            depth--;
            u = depth > 0 ? g->to[stack_arc[depth - 1]] : s;
            w->it[u] = g->next[w->it[u]];
        }
    }
}

static int64_t dinic(network *g, int s, int t, dinic_ws *w, int *stack_arc)
{
    int64_t flow = 0;
    w->phases = w->pushes = 0;
    while (dinic_bfs(g, w, s, t)) {
        w->phases++;
        memcpy(w->it, g->head, (size_t)g->n * sizeof(int));
        int64_t f;
        while ((f = dinic_augment(g, w, s, t, stack_arc)) > 0) flow += f;
    }
    return flow;
}

/* ---------------- Edmonds-Karp ---------------- */
static int64_t edmonds_karp(network *g, int s, int t, int *queue, int *parent_arc, unsigned long long *paths)
{
    int64_t flow = 0;
    *paths = 0;
    for (;;) {
        for (int i = 0; i < g->n; i++) parent_arc[i] = -1;
        int qh = 0, qt = 0;
        queue[qt++] = s;
        parent_arc[s] = -2;
        while (qh < qt && parent_arc[t] == -1) {
            int u = queue[qh++];
            for (int a = g->head[u]; a >= 0; a = g->next[a])
                if (g->cap[a] > 0 && parent_arc[g->to[a]] == -1) {
                    parent_arc[g->to[a]] = a;
                    queue[qt++] = g->to[a];
                }
        }
        if (parent_arc[t] == -1) break;
        int64_t f = INT64_MAX;
        for (int v = t; v != s; v = g->to[parent_arc[v] ^ 1])
            if (g->cap[parent_arc[v]] < f) f = g->cap[parent_arc[v]];
        for (int v = t; v != s; v = g->to[parent_arc[v] ^ 1]) {
            g->cap[parent_arc[v]] -= f;
            g->cap[parent_arc[v] ^ 1] += f;
        }
        flow += f;
        (*paths)++;
    }
    return flow;
}

/* flow on arc a = orig - residual for forward arcs */
static int check_conservation(const network *g, int s, int t, int64_t value)
{
    int64_t *net = calloc((size_t)g->n, sizeof(int64_t));
    if (!net) exit(1);
    int bad = 0;
    for (int u = 0; u < g->n; u++)
        for (int a = g->head[u]; a >= 0; a = g->next[a]) {
            if (a & 1) continue;
            int64_t f = g->orig[a] - g->cap[a];
            if (f < 0 || f > g->orig[a]) bad++;
            net[u] -= f;
            net[g->to[a]] += f;
        }
    for (int v = 0; v < g->n; v++) {
        if (v == s) bad += net[v] != -value;
        else if (v == t) bad += net[v] != value;
        else bad += net[v] != 0;
    }
    free(net);
    return bad;
}

static int64_t min_cut(const network *g, int s, int *queue, char *side, int *cut_edges)
{
    memset(side, 0, (size_t)g->n);
    int qh = 0, qt = 0;
    queue[qt++] = s;
    side[s] = 1;
    while (qh < qt) {
        int u = queue[qh++];
        for (int a = g->head[u]; a >= 0; a = g->next[a])
            if (g->cap[a] > 0 && !side[g->to[a]]) {
                side[g->to[a]] = 1;
                queue[qt++] = g->to[a];
            }
    }
    int64_t c = 0;
    *cut_edges = 0;
    for (int u = 0; u < g->n; u++) {
        if (!side[u]) continue;
        for (int a = g->head[u]; a >= 0; a = g->next[a])
            if (!(a & 1) && !side[g->to[a]]) {
                c += g->orig[a];
                (*cut_edges)++;
            }
    }
    return c;
}

int main(void)
{
    int n, m;
    if (scanf("%d %d", &n, &m) != 2 || n <= 1 || m < 0) {
        printf("bad input\n");
        return 1;
    }
    network g;
    net_init(&g, n, m);
    int64_t total_cap = 0;
    for (int i = 0; i < m; i++) {
        int u, v;
        long long c;
        if (scanf("%d %d %lld", &u, &v, &c) != 3 || u < 0 || u >= n || v < 0 || v >= n || c < 0) return 1;
        add_arc(&g, u, v, c);
        total_cap += c;
    }
    printf("network: %d vertices, %d edges, total capacity %lld\n", n, m, (long long)total_cap);
    dinic_ws w;
    w.level = malloc((size_t)n * sizeof(int));
    w.it = malloc((size_t)n * sizeof(int));
    w.queue = malloc((size_t)n * sizeof(int));
    int *stack_arc = malloc((size_t)n * sizeof(int)), *parent = malloc((size_t)n * sizeof(int));
    char *side = malloc((size_t)n);
    if (!w.level || !w.it || !w.queue || !stack_arc || !parent || !side) return 1;

    int q;
    if (scanf("%d", &q) != 1) q = 0;
    int failures = 0;
    for (int i = 0; i < q; i++) {
        int s, t;
        if (scanf("%d %d", &s, &t) != 2 || s < 0 || s >= n || t < 0 || t >= n || s == t) break;
        reset(&g);
        int64_t fd = dinic(&g, s, t, &w, stack_arc);
        int bad = check_conservation(&g, s, t, fd);
        int cut_edges;
        int64_t cut = min_cut(&g, s, w.queue, side, &cut_edges);
        int src_side = 0;
        for (int v = 0; v < n; v++) src_side += side[v];
        reset(&g);
        unsigned long long paths;
        int64_t fe = edmonds_karp(&g, s, t, w.queue, parent, &paths);
        bad += check_conservation(&g, s, t, fe);
        int ok = fd == fe && cut == fd && bad == 0;
        failures += !ok;
        printf("%3d -> %3d: flow %lld (dinic %llu phases/%llu paths, ek %llu paths) cut %lld over %d edges, "
               "|S|=%d %s\n",
               s, t, (long long)fd, w.phases, w.pushes, paths, (long long)cut, cut_edges, src_side,
               ok ? "ok" : "FAIL");
    }
    printf("failures: %d\n", failures);
    free(w.level); free(w.it); free(w.queue); free(stack_arc); free(parent); free(side);
    free(g.head); free(g.next); free(g.to); free(g.cap); free(g.orig);
    return 0;
}
