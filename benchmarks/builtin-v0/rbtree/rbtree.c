/* Red-black tree (CLRS style with a sentinel) supporting insert, delete,
 * search, order statistics via subtree sizes, range counting and
 * in-order traversal, with a full invariant checker run periodically.
 * Input: a list of commands "i KEY", "d KEY", "q LO HI", "k RANK",
 * plus "g N SEED" which generates N pseudo-random operations.        */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { RED, BLACK } color_t;
typedef struct node {
    long key;
    color_t color;
    int size;
    struct node *left, *right, *parent;
} node;

typedef struct { node *root, *nil; long rotations, fixups; } rbtree;

static void rb_init(rbtree *t) {
    t->nil = calloc(1, sizeof(node));
    t->nil->color = BLACK;
    t->nil->left = t->nil->right = t->nil->parent = t->nil;
    t->root = t->nil;
    t->rotations = t->fixups = 0;
}

static void update_size(rbtree *t, node *x) { if (x != t->nil) x->size = 1 + x->left->size + x->right->size; }

static void rotate_left(rbtree *t, node *x) {
    node *y = x->right;
    x->right = y->left;
    if (y->left != t->nil) y->left->parent = x;
    y->parent = x->parent;
    if (x->parent == t->nil) t->root = y;
    else if (x == x->parent->left) x->parent->left = y;
    else x->parent->right = y;
    y->left = x; x->parent = y;
    update_size(t, x); update_size(t, y);
    t->rotations++;
}
static void rotate_right(rbtree *t, node *x) {
    node *y = x->left;
    x->left = y->right;
    if (y->right != t->nil) y->right->parent = x;
    y->parent = x->parent;
    if (x->parent == t->nil) t->root = y;
    else if (x == x->parent->right) x->parent->right = y;
    else x->parent->left = y;
    y->right = x; x->parent = y;
    update_size(t, x); update_size(t, y);
    t->rotations++;
}

static node *rb_search(rbtree *t, long k) {
    node *x = t->root;
    while (x != t->nil && x->key != k) x = k < x->key ? x->left : x->right;
    return x;
}

static int rb_insert(rbtree *t, long k) {
    node *y = t->nil, *x = t->root;
    while (x != t->nil) {
        y = x;
        if (k == x->key) return 0;
        x = k < x->key ? x->left : x->right;
    }
    node *z = malloc(sizeof *z);
    z->key = k; z->left = z->right = t->nil; z->parent = y; z->color = RED; z->size = 1;
    if (y == t->nil) t->root = z;
    else if (k < y->key) y->left = z;
    else y->right = z;
    for (node *p = y; p != t->nil; p = p->parent) p->size++;
    while (z->parent->color == RED) {
        t->fixups++;
        node *gp = z->parent->parent;
        if (z->parent == gp->left) {
            node *u = gp->right;
            if (u->color == RED) { z->parent->color = BLACK; u->color = BLACK; gp->color = RED; z = gp; }
            else {
                if (z == z->parent->right) { z = z->parent; rotate_left(t, z); }
                z->parent->color = BLACK; z->parent->parent->color = RED; rotate_right(t, z->parent->parent);
            }
        } else {
            node *u = gp->left;
            if (u->color == RED) { z->parent->color = BLACK; u->color = BLACK; gp->color = RED; z = gp; }
            else {
                if (z == z->parent->left) { z = z->parent; rotate_right(t, z); }
                z->parent->color = BLACK; z->parent->parent->color = RED; rotate_left(t, z->parent->parent);
            }
        }
    }
    t->root->color = BLACK;
    return 1;
}

static void transplant(rbtree *t, node *u, node *v) {
    if (u->parent == t->nil) t->root = v;
    else if (u == u->parent->left) u->parent->left = v;
    else u->parent->right = v;
    v->parent = u->parent;
}
static node *minimum(rbtree *t, node *x) { while (x->left != t->nil) x = x->left; return x; }

static void delete_fixup(rbtree *t, node *x) {
    while (x != t->root && x->color == BLACK) {
        t->fixups++;
        if (x == x->parent->left) {
            node *w = x->parent->right;
            if (w->color == RED) { w->color = BLACK; x->parent->color = RED; rotate_left(t, x->parent); w = x->parent->right; }
            if (w->left->color == BLACK && w->right->color == BLACK) { w->color = RED; x = x->parent; }
            else {
                if (w->right->color == BLACK) { w->left->color = BLACK; w->color = RED; rotate_right(t, w); w = x->parent->right; }
                w->color = x->parent->color; x->parent->color = BLACK; w->right->color = BLACK;
                rotate_left(t, x->parent); x = t->root;
            }
        } else {
            node *w = x->parent->left;
            if (w->color == RED) { w->color = BLACK; x->parent->color = RED; rotate_right(t, x->parent); w = x->parent->left; }
            if (w->right->color == BLACK && w->left->color == BLACK) { w->color = RED; x = x->parent; }
            else {
                if (w->left->color == BLACK) { w->right->color = BLACK; w->color = RED; rotate_left(t, w); w = x->parent->left; }
                w->color = x->parent->color; x->parent->color = BLACK; w->left->color = BLACK;
                rotate_right(t, x->parent); x = t->root;
            }
        }
    }
    x->color = BLACK;
}

static int rb_delete(rbtree *t, long k) {
    node *z = rb_search(t, k);
    if (z == t->nil) return 0;
    /* decrement sizes on the path from z to root; the spliced node adjusts below */
    for (node *p = z->parent; p != t->nil; p = p->parent) p->size--;
    node *y = z, *x;
    color_t yc = y->color;
    if (z->left == t->nil) { x = z->right; transplant(t, z, z->right); }
    else if (z->right == t->nil) { x = z->left; transplant(t, z, z->left); }
    else {
        y = minimum(t, z->right);
        yc = y->color;
        for (node *p = y->parent; p != z; p = p->parent) p->size--;
        x = y->right;
        if (y->parent == z) x->parent = y;
        else { transplant(t, y, y->right); y->right = z->right; y->right->parent = y; }
        transplant(t, z, y);
        y->left = z->left; y->left->parent = y; y->color = z->color;
        update_size(t, y);
    }
    free(z);
    if (yc == BLACK) delete_fixup(t, x);
    t->nil->parent = t->nil;
    t->nil->size = 0;
    return 1;
}

/* returns black height or -1 on violation */
static int check(rbtree *t, node *x, long lo, long hi, int *bad) {
    if (x == t->nil) return 1;
    if (x->key <= lo || x->key >= hi) (*bad)++;
    if (x->color == RED && (x->left->color == RED || x->right->color == RED)) (*bad)++;
    if (x->size != 1 + x->left->size + x->right->size) (*bad)++;
    if (x->left != t->nil && x->left->parent != x) (*bad)++;
    if (x->right != t->nil && x->right->parent != x) (*bad)++;
    int a = check(t, x->left, lo, x->key, bad), b = check(t, x->right, x->key, hi, bad);
    if (a != b) (*bad)++;
    return a + (x->color == BLACK);
}

static long select_rank(rbtree *t, int r) { /* 1-based */
    node *x = t->root;
    while (x != t->nil) {
        int ls = x->left->size + 1;
        if (r == ls) return x->key;
        if (r < ls) x = x->left; else { r -= ls; x = x->right; }
    }
    return -1;
}
static int count_less(rbtree *t, long k) {
    int c = 0; node *x = t->root;
    while (x != t->nil) { if (k <= x->key) x = x->left; else { c += x->left->size + 1; x = x->right; } }
    return c;
}

typedef struct { unsigned long h; long sum; int n; } walk_t;
static void inorder(rbtree *t, node *x, walk_t *w) {
    while (x != t->nil) { /* iterative on right spine */
        inorder(t, x->left, w);
        w->h = w->h * 1000003u ^ (unsigned long)x->key;
        w->sum += x->key; w->n++;
        x = x->right;
    }
}
static int height(rbtree *t, node *x) { if (x == t->nil) return 0; int a = height(t, x->left), b = height(t, x->right); return 1 + (a > b ? a : b); }
static void destroy(rbtree *t, node *x) { if (x == t->nil) return; destroy(t, x->left); destroy(t, x->right); free(x); }

static unsigned long long rng;
static unsigned long long next_rand(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

int main(void) {
    rbtree t; rb_init(&t);
    char cmd[8];
    long a, b;
    int ops = 0, ins = 0, del = 0, checks = 0, violations = 0;
    while (scanf("%7s", cmd) == 1) {
        if (cmd[0] == 'i' && scanf("%ld", &a) == 1) { ins += rb_insert(&t, a); ops++; }
        else if (cmd[0] == 'd' && scanf("%ld", &a) == 1) { del += rb_delete(&t, a); ops++; }
        else if (cmd[0] == 'q' && scanf("%ld %ld", &a, &b) == 2)
            printf("range [%ld,%ld): %d keys\n", a, b, count_less(&t, b) - count_less(&t, a));
        else if (cmd[0] == 'k' && scanf("%ld", &a) == 1) printf("rank %ld -> %ld\n", a, select_rank(&t, (int)a));
        else if (cmd[0] == 'g' && scanf("%ld %ld", &a, &b) == 2) {
            rng = (unsigned long long)b * 2654435761ULL + 1;
            for (long i = 0; i < a; i++) {
                unsigned long long r = next_rand();
                long key = (long)(r % 5000);
                if ((r >> 32) % 3 == 0) del += rb_delete(&t, key); else ins += rb_insert(&t, key);
                ops++;
                if (ops % 997 == 0) { int bad = 0; check(&t, t.root, -(1L << 40), 1L << 40, &bad); violations += bad; checks++; }
            }
            printf("generated %ld ops (seed %ld): size=%d height=%d\n", a, b, t.root->size, height(&t, t.root));
        } else if (cmd[0] == 'c') {
            int bad = 0;
            int bh = check(&t, t.root, -(1L << 40), 1L << 40, &bad);
            violations += bad; checks++;
            walk_t w = { 0, 0, 0 };
            inorder(&t, t.root, &w);
            printf("check: size=%d black-height=%d violations=%d inorder n=%d sum=%ld hash=%016lx\n", t.root->size, bh, bad,
                   w.n, w.sum, w.h);
        }
    }
    printf("ops=%d inserted=%d deleted=%d rotations=%ld fixups=%ld checks=%d total-violations=%d\n", ops, ins, del,
           t.rotations, t.fixups, checks, violations);
    destroy(&t, t.root);
    free(t.nil);
    return 0;
}
