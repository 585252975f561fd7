/* Static analysis and transformation of assembled programs:
 * stack-depth verifier, disassembler (round-trippable), peephole
 * optimiser with NOP compaction and jump relocation, histograms.      */
#include "vm.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static int is_jump(int op) { return op == OP_JMP || op == OP_JZ || op == OP_JNZ; }

static int verify_func(program_t *p, int fi, char *msg, size_t msgsz) {
    func_t *f = &p->funcs[fi];
    int n = f->end - f->entry;
    if (n <= 0) { snprintf(msg, msgsz, "%s: empty function", f->name); return 0; }
    int *depth = malloc(sizeof(int) * (size_t)n);
    int *work = malloc(sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) depth[i] = -1;
    int nw = 0, maxd = 0, ok = 1;
    depth[0] = 0;
    work[nw++] = 0;
    while (nw > 0 && ok) {
        int i = work[--nw];
        const insn_t *in = &p->code[f->entry + i];
        int d = depth[i];
        int pops = op_table[in->op].pops, pushes = op_table[in->op].pushes;
        if (in->op == OP_CALL) {
            if (in->arg < 0 || in->arg >= p->nfuncs) { snprintf(msg, msgsz, "%s: bad call", f->name); ok = 0; break; }
            pops = p->funcs[in->arg].nargs;
        }
        if (in->op == OP_PICK) pops = (int)in->arg + 1, pushes = (int)in->arg + 2;
        if (d < pops) {
            snprintf(msg, msgsz, "%s+%d (line %d): stack underflow on %s", f->name, i, in->line, op_table[in->op].name);
            ok = 0; break;
        }
        int nd = d - pops + pushes;
        if (nd > maxd) maxd = nd;
        int succ[2], ns = 0;
        if (in->op == OP_RET || in->op == OP_HALT) ns = 0;
        else if (in->op == OP_JMP) succ[ns++] = (int)in->arg - f->entry;
        else if (is_jump(in->op)) { succ[ns++] = i + 1; succ[ns++] = (int)in->arg - f->entry; }
        else succ[ns++] = i + 1;
        for (int k = 0; k < ns; k++) {
            int s = succ[k];
            if (s < 0 || s >= n) {
                snprintf(msg, msgsz, "%s+%d (line %d): control leaves function", f->name, i, in->line);
                ok = 0; break;
            }
            if (depth[s] < 0) { depth[s] = nd; work[nw++] = s; }
            else if (depth[s] != nd) {
                snprintf(msg, msgsz, "%s+%d: inconsistent stack depth %d vs %d", f->name, s, depth[s], nd);
                ok = 0; break;
            }
        }
    }
    int unreachable = 0;
    for (int i = 0; i < n; i++) if (depth[i] < 0) unreachable++;
    f->max_stack = maxd;
    free(depth); free(work);
    (void)unreachable;
    return ok;
}

int verify(program_t *p, char *msg, size_t msgsz) {
    msg[0] = 0;
    for (int fi = 0; fi < p->nfuncs; fi++)
        if (!verify_func(p, fi, msg, msgsz)) return 0;
    return 1;
}

static int append(char *out, size_t outsz, size_t *pos, const char *fmt, long long a, const char *s) {
    char tmp[128];
    int n;
    if (s) n = snprintf(tmp, sizeof tmp, fmt, s, a);
    else n = snprintf(tmp, sizeof tmp, fmt, a);
    if (n < 0 || *pos + (size_t)n + 1 >= outsz) return 0;
    memcpy(out + *pos, tmp, (size_t)n + 1);
    *pos += (size_t)n;
    return 1;
}

int disassemble(const program_t *p, char *out, size_t outsz) {
    size_t pos = 0;
    out[0] = 0;
    unsigned char *target = calloc((size_t)p->ncode + 1, 1);
    for (int i = 0; i < p->ncode; i++) if (is_jump(p->code[i].op)) target[p->code[i].arg] = 1;
    for (int fi = 0; fi < p->nfuncs; fi++) {
        const func_t *f = &p->funcs[fi];
        char hdr[96];
        snprintf(hdr, sizeof hdr, ".func %s %d %d\n", f->name, f->nargs, f->nlocals);
        if (!append(out, outsz, &pos, "%s", 0, hdr)) { free(target); return -1; }
        for (int i = f->entry; i < f->end; i++) {
            const insn_t *in = &p->code[i];
            if (target[i] && !append(out, outsz, &pos, "L%lld:\n", i, NULL)) { free(target); return -1; }
            const opinfo_t *oi = &op_table[in->op];
            int ok;
            switch (oi->arg) {
            case ARG_NONE: ok = append(out, outsz, &pos, "  %s\n", 0, oi->name); break;
            case ARG_INT: case ARG_LOCAL: ok = append(out, outsz, &pos, "  %s %lld\n", (long long)in->arg, oi->name); break;
            case ARG_LABEL: ok = append(out, outsz, &pos, "  %s L%lld\n", (long long)in->arg, oi->name); break;
            case ARG_FUNC: {
                char t[80];
                snprintf(t, sizeof t, "  %s %s\n", oi->name, p->funcs[in->arg].name);
                ok = append(out, outsz, &pos, "%s", 0, t);
                break;
            }
            default: ok = 0;
            }
            if (!ok) { free(target); return -1; }
        }
        if (!append(out, outsz, &pos, "%s", 0, ".end\n")) { free(target); return -1; }
    }
    free(target);
    return (int)pos;
}

static int is_foldable(int op) {
    return op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_AND || op == OP_OR || op == OP_XOR ||
           op == OP_MIN || op == OP_MAX;
}

static int64_t fold(int op, int64_t a, int64_t b) {
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    switch (op) {
    case OP_ADD: return (int64_t)(ua + ub);
    case OP_SUB: return (int64_t)(ua - ub);
    case OP_MUL: return (int64_t)(ua * ub);
    case OP_AND: return a & b;
    case OP_OR: return a | b;
    case OP_XOR: return a ^ b;
    case OP_MIN: return a < b ? a : b;
    case OP_MAX: return a > b ? a : b;
    }
    return 0;
}

/* remove NOPs, relocating jumps and function bounds */
static int compact(program_t *p) {
    int *map = malloc(sizeof(int) * (size_t)(p->ncode + 1));
    int n = 0;
    for (int i = 0; i < p->ncode; i++) {
        map[i] = n;
        if (p->code[i].op != OP_NOP) n++;
    }
    map[p->ncode] = n;
    int removed = p->ncode - n;
    for (int i = 0; i < p->ncode; i++)
        if (is_jump(p->code[i].op)) p->code[i].arg = map[p->code[i].arg];
    int k = 0;
    for (int i = 0; i < p->ncode; i++) if (p->code[i].op != OP_NOP) p->code[k++] = p->code[i];
    for (int fi = 0; fi < p->nfuncs; fi++) {
        p->funcs[fi].entry = map[p->funcs[fi].entry];
        p->funcs[fi].end = map[p->funcs[fi].end];
    }
    p->ncode = n;
    free(map);
    return removed;
}

int peephole(program_t *p) {
    int total = 0;
    for (int round = 0; round < 8; round++) {
        unsigned char *target = calloc((size_t)p->ncode + 1, 1);
        for (int i = 0; i < p->ncode; i++) if (is_jump(p->code[i].op)) target[p->code[i].arg] = 1;
        for (int fi = 0; fi < p->nfuncs; fi++) target[p->funcs[fi].entry] = 1;
        int changed = 0;
        for (int i = 0; i < p->ncode; i++) {
            insn_t *a = &p->code[i], *b = i + 1 < p->ncode ? &p->code[i + 1] : NULL, *c = i + 2 < p->ncode ? &p->code[i + 2] : NULL;
            if (a->op == OP_NOP) continue;
            if (a->op == OP_PUSH && b && b->op == OP_PUSH && c && is_foldable(c->op) && !target[i + 1] && !target[i + 2]) {
                a->arg = fold(c->op, a->arg, b->arg);
                b->op = OP_NOP; c->op = OP_NOP; changed++;
            } else if (a->op == OP_PUSH && a->arg == 0 && b && (b->op == OP_ADD || b->op == OP_SUB || b->op == OP_OR || b->op == OP_XOR) && !target[i + 1]) {
                a->op = OP_NOP; b->op = OP_NOP; changed++;
            } else if (a->op == OP_PUSH && a->arg == 1 && b && (b->op == OP_MUL || b->op == OP_DIV) && !target[i + 1]) {
                a->op = OP_NOP; b->op = OP_NOP; changed++;
            } else if (a->op == OP_PUSH && a->arg == 1 && b && b->op == OP_ADD && !target[i + 1]) {
                a->op = OP_INC; b->op = OP_NOP; changed++;
            } else if (a->op == OP_PUSH && a->arg == 1 && b && b->op == OP_SUB && !target[i + 1]) {
                a->op = OP_DEC; b->op = OP_NOP; changed++;
            } else if (a->op == OP_LOAD && b && b->op == OP_INC && c && c->op == OP_STORE && c->arg == a->arg && !target[i + 1] && !target[i + 2]) {
                a->op = OP_LINC; b->op = OP_NOP; c->op = OP_NOP; changed++;
            } else if (a->op == OP_DUP && b && b->op == OP_MUL && !target[i + 1]) {
                a->op = OP_SQUARE; b->op = OP_NOP; changed++;
            } else if (a->op == OP_LNOT && b && (b->op == OP_JZ || b->op == OP_JNZ) && !target[i + 1]) {
                a->op = b->op == OP_JZ ? OP_JNZ : OP_JZ; a->arg = b->arg; b->op = OP_NOP; changed++;
            } else if (a->op == OP_JMP && a->arg == i + 1) {
                a->op = OP_NOP; changed++;
            } else if (a->op == OP_STORE && b && b->op == OP_LOAD && b->arg == a->arg && !target[i + 1]) {
                /* store x; load x  ->  dup; store x */
                int64_t x = a->arg;
                a->op = OP_DUP; a->arg = 0; b->op = OP_STORE; b->arg = x; changed++;
            } else if (a->op == OP_JMP && p->code[a->arg].op == OP_JMP && p->code[a->arg].arg != a->arg) {
                a->arg = p->code[a->arg].arg; changed++;
            }
        }
        free(target);
        total += changed;
        total += compact(p) * 0; /* NOP removal counted separately below */
        if (!changed) break;
    }
    return total;
}

void opcode_histogram(const program_t *p, int *hist) {
    for (int i = 0; i < OP_COUNT; i++) hist[i] = 0;
    for (int i = 0; i < p->ncode; i++) hist[p->code[i].op]++;
}
