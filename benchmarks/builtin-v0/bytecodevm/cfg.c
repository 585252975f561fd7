/* Control-flow analysis of assembled functions: basic blocks, edges,
 * reachability, iterative dominator sets (bit vectors), natural loops
 * (back edges whose target dominates the source) and loop nesting.   */
#include "vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXBB 512
#define WORDS ((MAXBB + 63) / 64)

typedef struct {
    int start, end;        /* [start, end) instruction range */
    int succ[2], nsucc;
    int npred;
    uint64_t dom[WORDS];
    int reachable;
    int loop_depth;
} block_t;

typedef struct {
    block_t b[MAXBB];
    int n;
    int edges, back_edges, unreachable;
    int max_loop_depth;
    int loop_body_blocks;
} cfg_t;

static int ends_block(int op) {
    return op == OP_JMP || op == OP_JZ || op == OP_JNZ || op == OP_RET || op == OP_HALT;
}

static int block_of(const cfg_t *g, int pc) {
    int lo = 0, hi = g->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (pc < g->b[mid].start) hi = mid - 1;
        else if (pc >= g->b[mid].end) lo = mid + 1;
        else return mid;
    }
    return -1;
}

static void bs_fill(uint64_t *s, int n) {
    memset(s, 0, sizeof(uint64_t) * WORDS);
    for (int i = 0; i < n; i++) s[i / 64] |= (uint64_t)1 << (i % 64);
}
static int bs_has(const uint64_t *s, int i) { return (int)((s[i / 64] >> (i % 64)) & 1u); }
static void bs_set(uint64_t *s, int i) { s[i / 64] |= (uint64_t)1 << (i % 64); }

static int build(const program_t *p, const func_t *f, cfg_t *g) {
    int n = f->end - f->entry;
    unsigned char *leader = calloc((size_t)n + 1, 1);
    leader[0] = 1;
    for (int i = 0; i < n; i++) {
        const insn_t *in = &p->code[f->entry + i];
        if (ends_block(in->op) && i + 1 < n) leader[i + 1] = 1;
        if (in->op == OP_JMP || in->op == OP_JZ || in->op == OP_JNZ) {
            int t = (int)in->arg - f->entry;
            if (t >= 0 && t < n) leader[t] = 1;
        }
    }
    g->n = 0;
    for (int i = 0; i < n; i++) {
        if (!leader[i]) continue;
        if (g->n >= MAXBB) { free(leader); return 0; }
        block_t *b = &g->b[g->n++];
        memset(b, 0, sizeof *b);
        b->start = f->entry + i;
        int j = i + 1;
        while (j < n && !leader[j]) j++;
        b->end = f->entry + j;
    }
    free(leader);
    g->edges = 0;
    for (int k = 0; k < g->n; k++) {
        block_t *b = &g->b[k];
        const insn_t *last = &p->code[b->end - 1];
        b->nsucc = 0;
        if (last->op == OP_JMP) b->succ[b->nsucc++] = block_of(g, (int)last->arg);
        else if (last->op == OP_JZ || last->op == OP_JNZ) {
            if (k + 1 < g->n) b->succ[b->nsucc++] = k + 1;
            int t = block_of(g, (int)last->arg);
            if (t >= 0 && (b->nsucc == 0 || t != b->succ[0])) b->succ[b->nsucc++] = t;
        } else if (last->op != OP_RET && last->op != OP_HALT && k + 1 < g->n) b->succ[b->nsucc++] = k + 1;
        for (int s = 0; s < b->nsucc; s++) {
            if (b->succ[s] < 0) { b->nsucc = s; break; }
            g->b[b->succ[s]].npred++;
            g->edges++;
        }
    }
    return 1;
}

static void reachability(cfg_t *g) {
    int stack[MAXBB], sp = 0;
    for (int k = 0; k < g->n; k++) g->b[k].reachable = 0;
    g->b[0].reachable = 1;
    stack[sp++] = 0;
    while (sp) {
        int k = stack[--sp];
        for (int s = 0; s < g->b[k].nsucc; s++) {
            int t = g->b[k].succ[s];
            if (!g->b[t].reachable) { g->b[t].reachable = 1; stack[sp++] = t; }
        }
    }
    g->unreachable = 0;
    for (int k = 0; k < g->n; k++) g->unreachable += !g->b[k].reachable;
}

static void dominators(cfg_t *g) {
    for (int k = 0; k < g->n; k++) bs_fill(g->b[k].dom, g->n);
    memset(g->b[0].dom, 0, sizeof g->b[0].dom);
    bs_set(g->b[0].dom, 0);
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int k = 1; k < g->n; k++) {
            if (!g->b[k].reachable) continue;
            uint64_t nd[WORDS];
            int any = 0;
            for (int w = 0; w < WORDS; w++) nd[w] = ~(uint64_t)0;
            for (int q = 0; q < g->n; q++) {
                if (!g->b[q].reachable) continue;
                for (int s = 0; s < g->b[q].nsucc; s++)
                    if (g->b[q].succ[s] == k) {
                        for (int w = 0; w < WORDS; w++) nd[w] &= g->b[q].dom[w];
                        any = 1;
                    }
            }
            if (!any) for (int w = 0; w < WORDS; w++) nd[w] = 0;
            bs_set(nd, k);
            if (memcmp(nd, g->b[k].dom, sizeof nd) != 0) { memcpy(g->b[k].dom, nd, sizeof nd); changed = 1; }
        }
    }
}

/* mark the natural loop of back edge (tail -> head): blocks reaching tail without passing head */
static int natural_loop(cfg_t *g, int tail, int head, unsigned char *in_loop) {
    memset(in_loop, 0, (size_t)g->n);
    int stack[MAXBB], sp = 0, count = 1;
    in_loop[head] = 1;
    if (!in_loop[tail]) { in_loop[tail] = 1; stack[sp++] = tail; count++; }
    while (sp) {
        int k = stack[--sp];
        for (int q = 0; q < g->n; q++) {
            if (!g->b[q].reachable || in_loop[q]) continue;
            for (int s = 0; s < g->b[q].nsucc; s++)
                if (g->b[q].succ[s] == k) { in_loop[q] = 1; stack[sp++] = q; count++; break; }
        }
    }
    return count;
}

static void loops(cfg_t *g) {
    unsigned char in_loop[MAXBB];
    g->back_edges = 0;
    g->max_loop_depth = 0;
    g->loop_body_blocks = 0;
    for (int k = 0; k < g->n; k++) g->b[k].loop_depth = 0;
    for (int k = 0; k < g->n; k++) {
        if (!g->b[k].reachable) continue;
        for (int s = 0; s < g->b[k].nsucc; s++) {
            int h = g->b[k].succ[s];
            if (bs_has(g->b[k].dom, h)) {
                g->back_edges++;
                g->loop_body_blocks += natural_loop(g, k, h, in_loop);
                for (int q = 0; q < g->n; q++)
                    if (in_loop[q] && ++g->b[q].loop_depth > g->max_loop_depth) g->max_loop_depth = g->b[q].loop_depth;
            }
        }
    }
}

void cfg_report(const program_t *p) {
    static cfg_t g;
    int tb = 0, te = 0, tl = 0, tu = 0, md = 0, body = 0;
    for (int fi = 0; fi < p->nfuncs; fi++) {
        if (!build(p, &p->funcs[fi], &g)) { printf("  cfg: too many blocks\n"); return; }
        reachability(&g);
        dominators(&g);
        loops(&g);
        tb += g.n; te += g.edges; tl += g.back_edges; tu += g.unreachable; body += g.loop_body_blocks;
        if (g.max_loop_depth > md) md = g.max_loop_depth;
    }
    printf("  cfg blocks=%d edges=%d loops=%d loop-blocks=%d max-nesting=%d unreachable=%d\n", tb, te, tl, body, md, tu);
}
