/* Priority queues: a binary min-heap and a generic d-ary heap (d=2,3,4,8)
 * with decrease-key via position index, heapsort (in-place max-heap),
 * top-k selection, and a discrete-event simulation of a multi-server
 * queue (arrivals, service completions) driven by a priority queue of
 * events. Input: "n v1 ... vn" then "servers customers seed".        */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- d-ary heap of (key, id) with position map ---------- */
typedef struct { long key; int id; } item;
typedef struct { item *a; int n, cap, d; int *pos; long swaps, compares; } dheap;

static void dh_init(dheap *h, int d, int cap, int maxid) {
    h->a = malloc(sizeof(item) * (size_t)cap); h->n = 0; h->cap = cap; h->d = d;
    h->pos = malloc(sizeof(int) * (size_t)maxid);
    for (int i = 0; i < maxid; i++) h->pos[i] = -1;
    h->swaps = h->compares = 0;
}
static void dh_free(dheap *h) { free(h->a); free(h->pos); }
static int less(dheap *h, int i, int j) {
    h->compares++;
    if (h->a[i].key != h->a[j].key) return h->a[i].key < h->a[j].key;
    return h->a[i].id < h->a[j].id; /* deterministic tie-break */
}
static void swap_items(dheap *h, int i, int j) {
    item t = h->a[i]; h->a[i] = h->a[j]; h->a[j] = t;
    h->pos[h->a[i].id] = i; h->pos[h->a[j].id] = j;
    h->swaps++;
}
static void sift_up(dheap *h, int i) {
    while (i > 0) { int p = (i - 1) / h->d; if (!less(h, i, p)) break; swap_items(h, i, p); i = p; }
}
static void sift_down(dheap *h, int i) {
    for (;;) {
        int best = i, first = h->d * i + 1;
        for (int c = first; c < first + h->d && c < h->n; c++) if (less(h, c, best)) best = c;
        if (best == i) return;
        swap_items(h, i, best); i = best;
    }
}
static void dh_push(dheap *h, long key, int id) {
    if (h->n == h->cap) { h->cap *= 2; h->a = realloc(h->a, sizeof(item) * (size_t)h->cap); }
    h->a[h->n].key = key; h->a[h->n].id = id; h->pos[id] = h->n; h->n++;
    sift_up(h, h->n - 1);
}
static item dh_pop(dheap *h) {
    item top = h->a[0];
    h->pos[top.id] = -1;
    h->n--;
    if (h->n > 0) { h->a[0] = h->a[h->n]; h->pos[h->a[0].id] = 0; sift_down(h, 0); }
    return top;
}
static void dh_decrease(dheap *h, int id, long key) {
    int i = h->pos[id];
    if (i < 0 || key >= h->a[i].key) return;
    h->a[i].key = key; sift_up(h, i);
}
static int dh_valid(dheap *h) {
    for (int i = 1; i < h->n; i++) if (less(h, i, (i - 1) / h->d)) return 0;
    return 1;
}

/* ---------- heapsort (max-heap, in place) ---------- */
static long hs_compares;
static void hs_sift(long *a, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n) { hs_compares++; if (a[l] > a[m]) m = l; }
        if (r < n) { hs_compares++; if (a[r] > a[m]) m = r; }
        if (m == i) return;
        long t = a[i]; a[i] = a[m]; a[m] = t; i = m;
    }
}
static void heapsort_long(long *a, int n) {
    for (int i = n / 2 - 1; i >= 0; i--) hs_sift(a, n, i);
    for (int e = n - 1; e > 0; e--) { long t = a[0]; a[0] = a[e]; a[e] = t; hs_sift(a, e, 0); }
}

/* ---------- discrete event simulation ---------- */
static unsigned long long rs;
static unsigned rnd(void) { rs = rs * 6364136223846793005ULL + 1442695040888963407ULL; return (unsigned)(rs >> 33); }
static long expo(long mean) { /* integer approx of exponential via -ln(u) table-free method */
    unsigned u = rnd() % 10000 + 1;
    long v = 0;
    while (u < 5000) { v += mean * 7 / 10; u *= 2; }
    return v + (long)(rnd() % (unsigned)(mean + 1));
}

enum { EV_ARRIVE, EV_DEPART };
typedef struct { int type, customer, server; } event;

static void simulate(int servers, int customers, unsigned seed, int d) {
    rs = seed;
    int maxev = customers * 2 + 16;
    event *ev = malloc(sizeof(event) * (size_t)maxev);
    dheap q; dh_init(&q, d, 64, maxev);
    int nev = 0;
    int *busy = calloc((size_t)servers, sizeof(int));
    long *busy_time = calloc((size_t)servers, sizeof(long));
    long *arrive_at = malloc(sizeof(long) * (size_t)customers);
    int *waitq = malloc(sizeof(int) * (size_t)customers);
    int qh = 0, qt = 0, maxq = 0;
    long t = 0, total_wait = 0, max_wait = 0;
    int served = 0;
    long at = 0;
    for (int c = 0; c < customers; c++) {
        at += expo(10);
        ev[nev] = (event){ EV_ARRIVE, c, -1 };
        dh_push(&q, at, nev++);
    }
    while (q.n > 0) {
        item it = dh_pop(&q);
        t = it.key;
        event e = ev[it.id];
        if (e.type == EV_ARRIVE) {
            arrive_at[e.customer] = t;
            int s = -1;
            for (int k = 0; k < servers; k++) if (!busy[k]) { s = k; break; }
            if (s < 0) { waitq[qt++] = e.customer; if (qt - qh > maxq) maxq = qt - qh; }
            else {
                busy[s] = 1;
                long st = expo(28);
                busy_time[s] += st;
                ev[nev] = (event){ EV_DEPART, e.customer, s };
                dh_push(&q, t + st, nev++);
            }
        } else {
            served++;
            int s = e.server;
            if (qh < qt) {
                int c = waitq[qh++];
                long w = t - arrive_at[c];
                total_wait += w;
                if (w > max_wait) max_wait = w;
                long st = expo(28);
                busy_time[s] += st;
                ev[nev] = (event){ EV_DEPART, c, s };
                dh_push(&q, t + st, nev++);
            } else busy[s] = 0;
        }
    }
    long util = 0;
    for (int k = 0; k < servers; k++) util += busy_time[k];
    printf("sim d=%d servers=%d customers=%d: end=%ld served=%d avg-wait=%ld.%02ld max-wait=%ld max-queue=%d util=%ld%% swaps=%ld\n",
           d, servers, customers, t, served, total_wait / customers, (total_wait % customers) * 100 / customers, max_wait, maxq,
           t ? util * 100 / (t * servers) : 0, q.swaps);
    free(ev); free(busy); free(busy_time); free(arrive_at); free(waitq); dh_free(&q);
}

int main(void) {
    int n;
    if (scanf("%d", &n) != 1 || n <= 0) return 1;
    long *v = malloc(sizeof(long) * (size_t)n), *w = malloc(sizeof(long) * (size_t)n);
    for (int i = 0; i < n; i++) if (scanf("%ld", &v[i]) != 1) v[i] = 0;
    /* heapsort */
    memcpy(w, v, sizeof(long) * (size_t)n);
    heapsort_long(w, n);
    int sorted = 1;
    unsigned long h = 0;
    for (int i = 0; i < n; i++) { if (i && w[i - 1] > w[i]) sorted = 0; h = h * 131u + (unsigned long)w[i]; }
    printf("heapsort n=%d sorted=%s compares=%ld min=%ld median=%ld max=%ld hash=%016lx\n", n, sorted ? "yes" : "no",
           hs_compares, w[0], w[n / 2], w[n - 1], h);
    /* d-ary heaps: push all, decrease some keys, pop all */
    int ds[4] = { 2, 3, 4, 8 };
    for (int k = 0; k < 4; k++) {
        dheap q; dh_init(&q, ds[k], 16, n);
        for (int i = 0; i < n; i++) dh_push(&q, v[i], i);
        for (int i = 0; i < n; i += 7) dh_decrease(&q, i, v[i] / 2 - 100);
        int valid = dh_valid(&q);
        long prev = -(1L << 60);
        int ordered = 1;
        unsigned long ph = 0;
        long topk = 0;
        for (int i = 0; q.n > 0; i++) {
            item it = dh_pop(&q);
            if (it.key < prev) ordered = 0;
            prev = it.key;
            ph = ph * 31u + (unsigned long)it.id;
            if (i < 10) topk += it.key;
        }
        printf("%d-ary heap: valid=%d ordered=%d compares=%ld swaps=%ld smallest10-sum=%ld pop-hash=%016lx\n", ds[k], valid,
               ordered, q.compares, q.swaps, topk, ph);
        dh_free(&q);
    }
    int servers, customers;
    unsigned seed;
    while (scanf("%d %d %u", &servers, &customers, &seed) == 3) {
        simulate(servers, customers, seed, 2);
        simulate(servers, customers, seed, 4);
    }
    free(v); free(w);
    return 0;
}
