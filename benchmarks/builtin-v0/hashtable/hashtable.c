/* Two hash-table implementations over string keys, driven by the words
 * of the input text: (1) separate chaining with dynamic bucket arrays,
 * (2) open addressing with linear probing and tombstones (Robin-Hood
 * style displacement statistics). Both support insert/update, lookup,
 * delete and resize; results are cross-checked and word frequencies
 * reported.                                                          */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static unsigned fnv1a(const char *s) {
    unsigned h = 2166136261u;
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}
static unsigned murmur_mix(unsigned h) {
    h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13; h *= 0xc2b2ae35u; h ^= h >> 16;
    return h;
}

/* ---------------- chaining ---------------- */
typedef struct centry { char *key; int value; struct centry *next; } centry;
typedef struct { centry **b; size_t nb, n; long resizes, probes; } chain_t;

static char *dupstr(const char *s) { size_t n = strlen(s) + 1; char *d = malloc(n); memcpy(d, s, n); return d; }

static void ch_init(chain_t *t, size_t nb) { t->nb = nb; t->n = 0; t->b = calloc(nb, sizeof *t->b); t->resizes = t->probes = 0; }
static void ch_resize(chain_t *t, size_t nb) {
    centry **nbk = calloc(nb, sizeof *nbk);
    for (size_t i = 0; i < t->nb; i++) {
        centry *e = t->b[i];
        while (e) {
            centry *nx = e->next;
            size_t j = fnv1a(e->key) % nb;
            e->next = nbk[j]; nbk[j] = e;
            e = nx;
        }
    }
    free(t->b); t->b = nbk; t->nb = nb; t->resizes++;
}
static int *ch_find(chain_t *t, const char *k) {
    for (centry *e = t->b[fnv1a(k) % t->nb]; e; e = e->next) { t->probes++; if (strcmp(e->key, k) == 0) return &e->value; }
    return NULL;
}
static void ch_add(chain_t *t, const char *k, int delta) {
    int *v = ch_find(t, k);
    if (v) { *v += delta; return; }
    if (t->n + 1 > t->nb * 2) ch_resize(t, t->nb * 2 + 1);
    size_t j = fnv1a(k) % t->nb;
    centry *e = malloc(sizeof *e);
    e->key = dupstr(k); e->value = delta; e->next = t->b[j]; t->b[j] = e;
    t->n++;
}
static int ch_del(chain_t *t, const char *k) {
    centry **pp = &t->b[fnv1a(k) % t->nb];
    while (*pp) {
        if (strcmp((*pp)->key, k) == 0) {
            centry *e = *pp; *pp = e->next; free(e->key); free(e); t->n--;
            if (t->nb > 16 && t->n < t->nb / 4) ch_resize(t, t->nb / 2 + 1);
            return 1;
        }
        pp = &(*pp)->next;
    }
    return 0;
}
static void ch_free(chain_t *t) {
    for (size_t i = 0; i < t->nb; i++) { centry *e = t->b[i]; while (e) { centry *n = e->next; free(e->key); free(e); e = n; } }
    free(t->b);
}
static size_t ch_longest(const chain_t *t) {
    size_t m = 0;
    for (size_t i = 0; i < t->nb; i++) { size_t c = 0; for (centry *e = t->b[i]; e; e = e->next) c++; if (c > m) m = c; }
    return m;
}

/* ---------------- open addressing ---------------- */
typedef enum { EMPTY, FULL, TOMB } slot_state;
typedef struct { char *key; int value; unsigned hash; slot_state st; } oslot;
typedef struct { oslot *s; size_t cap, n, tombs; long resizes, probes; size_t maxdisp; } open_t;

static void oa_init(open_t *t, size_t cap) {
    t->cap = cap; t->n = t->tombs = 0; t->s = calloc(cap, sizeof *t->s); t->resizes = t->probes = 0; t->maxdisp = 0;
}
static void oa_insert_raw(open_t *t, char *key, int value, unsigned h) {
    size_t i = h & (t->cap - 1), d = 0;
    while (t->s[i].st == FULL) { i = (i + 1) & (t->cap - 1); d++; }
    if (t->s[i].st == TOMB) t->tombs--;
    t->s[i].key = key; t->s[i].value = value; t->s[i].hash = h; t->s[i].st = FULL;
    if (d > t->maxdisp) t->maxdisp = d;
    t->n++;
}
static void oa_rehash(open_t *t, size_t cap) {
    oslot *old = t->s;
    size_t oc = t->cap;
    t->s = calloc(cap, sizeof *t->s); t->cap = cap; t->n = 0; t->tombs = 0; t->maxdisp = 0;
    for (size_t i = 0; i < oc; i++) if (old[i].st == FULL) oa_insert_raw(t, old[i].key, old[i].value, old[i].hash);
    free(old);
    t->resizes++;
}
static long oa_lookup(open_t *t, const char *k, unsigned h) {
    size_t i = h & (t->cap - 1);
    for (size_t step = 0; step < t->cap; step++) {
        t->probes++;
        if (t->s[i].st == EMPTY) return -1;
        if (t->s[i].st == FULL && t->s[i].hash == h && strcmp(t->s[i].key, k) == 0) return (long)i;
        i = (i + 1) & (t->cap - 1);
    }
    return -1;
}
static void oa_add(open_t *t, const char *k, int delta) {
    unsigned h = murmur_mix(fnv1a(k));
    long i = oa_lookup(t, k, h);
    if (i >= 0) { t->s[i].value += delta; return; }
    if ((t->n + t->tombs + 1) * 4 > t->cap * 3) oa_rehash(t, t->n * 2 > t->cap / 2 ? t->cap * 2 : t->cap);
    oa_insert_raw(t, dupstr(k), delta, h);
}
static int oa_del(open_t *t, const char *k) {
    unsigned h = murmur_mix(fnv1a(k));
    long i = oa_lookup(t, k, h);
    if (i < 0) return 0;
    free(t->s[i].key); t->s[i].key = NULL; t->s[i].st = TOMB; t->n--; t->tombs++;
    if (t->cap > 16 && t->n * 8 < t->cap) oa_rehash(t, t->cap / 2);
    return 1;
}
static int *oa_find(open_t *t, const char *k) {
    long i = oa_lookup(t, k, murmur_mix(fnv1a(k)));
    return i >= 0 ? &t->s[i].value : NULL;
}
static void oa_free(open_t *t) { for (size_t i = 0; i < t->cap; i++) if (t->s[i].st == FULL) free(t->s[i].key); free(t->s); }

/* ---------------- driver ---------------- */
typedef struct { const char *k; int v; } kv;
static int kv_cmp(const void *a, const void *b) {
    const kv *x = a, *y = b;
    if (x->v != y->v) return y->v - x->v;
    return strcmp(x->k, y->k);
}

#define MAXW 20000
static char *words[MAXW];
static int nwords;

int main(void) {
    char buf[128];
    int c, len = 0;
    while ((c = getchar()) != EOF || len) {
        if (c != EOF && (isalpha(c) || c == '\'')) { if (len < 127) buf[len++] = (char)tolower(c); continue; }
        if (len) { buf[len] = 0; if (nwords < MAXW) words[nwords++] = dupstr(buf); len = 0; }
        if (c == EOF) break;
    }
    chain_t ch; open_t oa;
    ch_init(&ch, 7); oa_init(&oa, 8);
    for (int i = 0; i < nwords; i++) { ch_add(&ch, words[i], 1); oa_add(&oa, words[i], 1); }
    printf("words=%d distinct chain=%zu open=%zu\n", nwords, ch.n, oa.n);
    printf("chain: buckets=%zu resizes=%ld longest=%zu\n", ch.nb, ch.resizes, ch_longest(&ch));
    printf("open:  capacity=%zu resizes=%ld max-displacement=%zu\n", oa.cap, oa.resizes, oa.maxdisp);
    /* collect and sort frequencies from the chaining table */
    kv *list = malloc(ch.n * sizeof *list);
    size_t m = 0;
    for (size_t i = 0; i < ch.nb; i++) for (centry *e = ch.b[i]; e; e = e->next) { list[m].k = e->key; list[m].v = e->value; m++; }
    qsort(list, m, sizeof *list, kv_cmp);
    int mismatch = 0;
    for (size_t i = 0; i < m; i++) { int *v = oa_find(&oa, list[i].k); if (!v || *v != list[i].v) mismatch++; }
    printf("cross-check mismatches=%d\ntop words:", mismatch);
    for (size_t i = 0; i < m && i < 15; i++) printf(" %s:%d", list[i].k, list[i].v);
    int singles = 0;
    for (size_t i = 0; i < m; i++) singles += list[i].v == 1;
    printf("\nhapax legomena=%d\n", singles);
    /* delete every word of odd length, then words seen fewer than 3 times */
    char **keys = malloc(m * sizeof *keys);
    for (size_t i = 0; i < m; i++) keys[i] = dupstr(list[i].k);
    int d1 = 0, d2 = 0;
    for (size_t i = 0; i < m; i++) if (strlen(keys[i]) % 2) { d1 += ch_del(&ch, keys[i]); d2 += oa_del(&oa, keys[i]); }
    printf("deleted odd-length: chain=%d open=%d remaining %zu/%zu tombs=%zu\n", d1, d2, ch.n, oa.n, oa.tombs);
    d1 = d2 = 0;
    for (size_t i = 0; i < m; i++) {
        int *v = ch_find(&ch, keys[i]);
        if (v && *v < 3) { d1 += ch_del(&ch, keys[i]); d2 += oa_del(&oa, keys[i]); }
    }
    printf("deleted rare: chain=%d open=%d remaining %zu/%zu buckets=%zu capacity=%zu\n", d1, d2, ch.n, oa.n, ch.nb, oa.cap);
    /* re-insert with decrementing updates and verify totals */
    long sum1 = 0, sum2 = 0;
    for (int i = 0; i < nwords; i += 3) { ch_add(&ch, words[i], -1); oa_add(&oa, words[i], -1); }
    for (size_t i = 0; i < ch.nb; i++) for (centry *e = ch.b[i]; e; e = e->next) sum1 += e->value;
    for (size_t i = 0; i < oa.cap; i++) if (oa.s[i].st == FULL) sum2 += oa.s[i].value;
    unsigned long h = 0;
    for (size_t i = 0; i < m; i++) { int *v = oa_find(&oa, keys[i]); h = h * 31u + (unsigned long)(v ? *v + 1000 : 7); }
    printf("after updates: entries %zu/%zu value-sum %ld/%ld state-hash %016lx\n", ch.n, oa.n, sum1, sum2, h);
    printf("probe counts: chain=%ld open=%ld\n", ch.probes, oa.probes);
    for (size_t i = 0; i < m; i++) free(keys[i]);
    free(keys); free(list);
    ch_free(&ch); oa_free(&oa);
    for (int i = 0; i < nwords; i++) free(words[i]);
    return 0;
}
