/* Prefix trie over lowercase words from the input text: insertion with
 * counts, prefix counting, autocomplete (top-k completions by frequency,
 * ties alphabetical), deletion with node pruning, longest common prefix,
 * and node/memory statistics. Commands follow the text after "%%":
 *   p PREFIX  -> number of words / distinct words with that prefix
 *   a PREFIX  -> top 5 completions
 *   d WORD    -> delete word (all occurrences)
 *   s         -> statistics                                            */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#define ALPHA 26
typedef struct tnode {
    struct tnode *child[ALPHA];
    int count;       /* occurrences of the word ending here */
    int below;       /* total occurrences in this subtree */
    int distinct;    /* distinct words in this subtree */
} tnode;

static long live_nodes;
static tnode *new_node(void) { live_nodes++; return calloc(1, sizeof(tnode)); }

static void insert(tnode *root, const char *w) {
    tnode *stack[128]; int sp = 0;
    tnode *x = root;
    stack[sp++] = x;
    for (const char *p = w; *p; p++) {
        int c = *p - 'a';
        if (!x->child[c]) x->child[c] = new_node();
        x = x->child[c];
        if (sp < 128) stack[sp++] = x;
    }
    int fresh = x->count == 0;
    x->count++;
    for (int i = 0; i < sp; i++) { stack[i]->below++; stack[i]->distinct += fresh; }
}

static tnode *find(tnode *root, const char *w) {
    tnode *x = root;
    for (const char *p = w; *p && x; p++) x = x->child[*p - 'a'];
    return x;
}

/* delete all occurrences; prune empty nodes; returns removed count */
static int delete_rec(tnode *x, const char *w, int *removed_distinct) {
    if (!*w) {
        int n = x->count;
        x->count = 0;
        x->below -= n;
        if (n) { x->distinct--; *removed_distinct = 1; }
        return n;
    }
    int c = *w - 'a';
    tnode *ch = x->child[c];
    if (!ch) return 0;
    int n = delete_rec(ch, w + 1, removed_distinct);
    x->below -= n;
    x->distinct -= *removed_distinct;
    if (ch->below == 0) {
        for (int i = 0; i < ALPHA; i++) if (ch->child[i]) return n; /* cannot happen when below==0 */
        free(ch);
        live_nodes--;
        x->child[c] = NULL;
    }
    return n;
}

typedef struct { char word[64]; int count; } cand;
typedef struct { cand best[5]; int n; } topk;

static int better(const cand *a, const cand *b) {
    if (a->count != b->count) return a->count > b->count;
    return strcmp(a->word, b->word) < 0;
}
static void offer(topk *t, const char *w, int count) {
    cand c; snprintf(c.word, sizeof c.word, "%s", w); c.count = count;
    int i = t->n < 5 ? t->n++ : 4;
    if (i == 4 && t->n == 5 && !better(&c, &t->best[4])) return;
    t->best[i] = c;
    while (i > 0 && better(&t->best[i], &t->best[i - 1])) { cand tmp = t->best[i]; t->best[i] = t->best[i - 1]; t->best[i - 1] = tmp; i--; }
}
static void collect(tnode *x, char *buf, int depth, topk *t) {
    if (x->count) { buf[depth] = 0; offer(t, buf, x->count); }
    if (depth >= 62) return;
    for (int c = 0; c < ALPHA; c++) if (x->child[c]) { buf[depth] = (char)('a' + c); collect(x->child[c], buf, depth + 1, t); }
}

static void stats(tnode *x, int depth, long *nodes, long *leaves, int *maxdepth, long *branch) {
    (*nodes)++;
    if (depth > *maxdepth) *maxdepth = depth;
    int kids = 0;
    for (int c = 0; c < ALPHA; c++) if (x->child[c]) { kids++; stats(x->child[c], depth + 1, nodes, leaves, maxdepth, branch); }
    if (!kids) (*leaves)++;
    if (kids > 1) (*branch)++;
}

static int lcp_len(tnode *root) { /* longest common prefix of all words */
    int n = 0; tnode *x = root;
    for (;;) {
        if (x->count) return n;
        int only = -1, kids = 0;
        for (int c = 0; c < ALPHA; c++) if (x->child[c]) { kids++; only = c; }
        if (kids != 1) return n;
        x = x->child[only]; n++;
    }
}

static unsigned long walk_hash(tnode *x, unsigned long h) {
    for (int c = 0; c < ALPHA; c++)
        if (x->child[c]) { h = (h * 1000003u) ^ (unsigned long)(c + 1) ^ ((unsigned long)x->child[c]->count << 8); h = walk_hash(x->child[c], h); }
    return h;
}

static void free_trie(tnode *x) { for (int c = 0; c < ALPHA; c++) if (x->child[c]) free_trie(x->child[c]); free(x); }

int main(void) {
    tnode *root = new_node();
    char line[1024], w[64];
    long words = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (strncmp(line, "%%", 2) == 0) break;
        int n = 0;
        for (char *p = line;; p++) {
            if (isalpha((unsigned char)*p)) { if (n < 63) w[n++] = (char)tolower((unsigned char)*p); }
            else { if (n) { w[n] = 0; insert(root, w); words++; n = 0; } if (!*p) break; }
        }
    }
    printf("inserted %ld words, %d distinct, %ld nodes\n", words, root->distinct, live_nodes);
    char cmd[8], arg[64], buf[64];
    while (scanf("%7s", cmd) == 1) {
        if (cmd[0] == 's') {
            long nodes = 0, leaves = 0, branch = 0; int md = 0;
            stats(root, 0, &nodes, &leaves, &md, &branch);
            printf("stats: words=%d distinct=%d nodes=%ld leaves=%ld branching=%ld maxdepth=%d lcp=%d hash=%016lx\n", root->below,
                   root->distinct, nodes, leaves, branch, md, lcp_len(root), walk_hash(root, 0));
            continue;
        }
        if (scanf("%63s", arg) != 1) break;
        for (char *p = arg; *p; p++) *p = (char)tolower((unsigned char)*p);
        int okw = 1;
        for (char *p = arg; *p; p++) if (*p < 'a' || *p > 'z') okw = 0;
        if (!okw) { printf("bad word %s\n", arg); continue; }
        if (cmd[0] == 'p') {
            tnode *x = find(root, arg);
            printf("prefix %-10s words=%d distinct=%d\n", arg, x ? x->below : 0, x ? x->distinct : 0);
        } else if (cmd[0] == 'a') {
            tnode *x = find(root, arg);
            topk t = { .n = 0 };
            if (x) { snprintf(buf, sizeof buf, "%s", arg); collect(x, buf, (int)strlen(arg), &t); }
            printf("complete %-8s:", arg);
            for (int i = 0; i < t.n; i++) printf(" %s(%d)", t.best[i].word, t.best[i].count);
            printf("\n");
        } else if (cmd[0] == 'd') {
            int rd = 0;
            int n = find(root, arg) ? delete_rec(root, arg, &rd) : 0;
            printf("delete %s: %d removed, nodes now %ld\n", arg, n, live_nodes);
        }
    }
    free_trie(root);
    return 0;
}
