/* Two-pass assembler: text lines -> program_t.
 * Syntax:  .func NAME NARGS NLOCALS  ...  .end
 *          label:        (labels are local to the enclosing function)
 *          op [operand]  (operand: integer, 'c' char, label or function)
 *          ; comment                                                    */
#include "vm.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <ctype.h>

const opinfo_t op_table[OP_COUNT] = {
    [OP_NOP] = { "nop", ARG_NONE, 0, 0 },     [OP_HALT] = { "halt", ARG_NONE, 0, 0 },
    [OP_PUSH] = { "push", ARG_INT, 0, 1 },    [OP_POP] = { "pop", ARG_NONE, 1, 0 },
    [OP_DUP] = { "dup", ARG_NONE, 1, 2 },     [OP_SWAP] = { "swap", ARG_NONE, 2, 2 },
    [OP_OVER] = { "over", ARG_NONE, 2, 3 },   [OP_ROT] = { "rot", ARG_NONE, 3, 3 },
    [OP_PICK] = { "pick", ARG_INT, 0, 1 },    [OP_ADD] = { "add", ARG_NONE, 2, 1 },
    [OP_SUB] = { "sub", ARG_NONE, 2, 1 },     [OP_MUL] = { "mul", ARG_NONE, 2, 1 },
    [OP_DIV] = { "div", ARG_NONE, 2, 1 },     [OP_MOD] = { "mod", ARG_NONE, 2, 1 },
    [OP_NEG] = { "neg", ARG_NONE, 1, 1 },     [OP_ABS] = { "abs", ARG_NONE, 1, 1 },
    [OP_MIN] = { "min", ARG_NONE, 2, 1 },     [OP_MAX] = { "max", ARG_NONE, 2, 1 },
    [OP_INC] = { "inc", ARG_NONE, 1, 1 },     [OP_DEC] = { "dec", ARG_NONE, 1, 1 },
    [OP_AND] = { "and", ARG_NONE, 2, 1 },     [OP_OR] = { "or", ARG_NONE, 2, 1 },
    [OP_XOR] = { "xor", ARG_NONE, 2, 1 },     [OP_NOT] = { "not", ARG_NONE, 1, 1 },
    [OP_SHL] = { "shl", ARG_NONE, 2, 1 },     [OP_SHR] = { "shr", ARG_NONE, 2, 1 },
    [OP_SAR] = { "sar", ARG_NONE, 2, 1 },     [OP_EQ] = { "eq", ARG_NONE, 2, 1 },
    [OP_NE] = { "ne", ARG_NONE, 2, 1 },       [OP_LT] = { "lt", ARG_NONE, 2, 1 },
    [OP_LE] = { "le", ARG_NONE, 2, 1 },       [OP_GT] = { "gt", ARG_NONE, 2, 1 },
    [OP_GE] = { "ge", ARG_NONE, 2, 1 },       [OP_LNOT] = { "lnot", ARG_NONE, 1, 1 },
    [OP_JMP] = { "jmp", ARG_LABEL, 0, 0 },    [OP_JZ] = { "jz", ARG_LABEL, 1, 0 },
    [OP_JNZ] = { "jnz", ARG_LABEL, 1, 0 },    [OP_CALL] = { "call", ARG_FUNC, -1, 1 },
    [OP_RET] = { "ret", ARG_NONE, 1, 0 },     [OP_LOAD] = { "load", ARG_LOCAL, 0, 1 },
    [OP_STORE] = { "store", ARG_LOCAL, 1, 0 }, [OP_LINC] = { "linc", ARG_LOCAL, 0, 0 },
    [OP_GLOAD] = { "gload", ARG_INT, 0, 1 },  [OP_GSTORE] = { "gstore", ARG_INT, 1, 0 },
    [OP_ALOAD] = { "aload", ARG_NONE, 1, 1 }, [OP_ASTORE] = { "astore", ARG_NONE, 2, 0 },
    [OP_PRINT] = { "print", ARG_NONE, 1, 0 }, [OP_PRINTC] = { "printc", ARG_NONE, 1, 0 },
    [OP_ASSERT] = { "assert", ARG_NONE, 1, 0 }, [OP_DROP2] = { "drop2", ARG_NONE, 2, 0 },
    [OP_SQUARE] = { "square", ARG_NONE, 1, 1 },
};

int opcode_by_name(const char *name) {
    for (int i = 0; i < OP_COUNT; i++)
        if (op_table[i].name && strcmp(op_table[i].name, name) == 0) return i;
    return -1;
}

int find_func(const program_t *p, const char *name) {
    for (int i = 0; i < p->nfuncs; i++)
        if (strcmp(p->funcs[i].name, name) == 0) return i;
    return -1;
}

typedef struct { char name[MAX_NAME]; int func; int addr; } label_t;
#define MAX_LABELS 512

typedef struct {
    label_t labels[MAX_LABELS];
    int nlabels;
    int fixups[MAX_CODE]; /* index into pending names */
    char pending[MAX_CODE][MAX_NAME];
    int pending_func[MAX_CODE];
} asmstate_t;

static int tokenize(char *line, char **tok, int maxtok) {
    char *sc = strchr(line, ';');
    if (sc) *sc = 0;
    int n = 0;
    char *s = line;
    while (*s && n < maxtok) {
        while (*s && isspace((unsigned char)*s)) s++;
        if (!*s) break;
        tok[n++] = s;
        if (*s == '\'') { /* char literal, may contain a space */
            s++;
            if (*s) s++;
            if (*s == '\'') s++;
        } else {
            while (*s && !isspace((unsigned char)*s)) s++;
        }
        if (*s) *s++ = 0;
    }
    return n;
}

static int parse_int(const char *s, int64_t *v) {
    if (s[0] == '\'' && s[1] && s[2] == '\'') { *v = (unsigned char)s[1]; return 1; }
    char *end;
    long long x = strtoll(s, &end, 0);
    if (*end) return 0;
    *v = x;
    return 1;
}

static int fail(program_t *p, int line, const char *msg, const char *what) {
    snprintf(p->error, sizeof p->error, "line %d: %s '%s'", line, msg, what);
    return 0;
}

int assemble(program_t *p, const char *const *lines, int nlines) {
    static asmstate_t st;
    memset(&st, 0, sizeof st);
    p->ncode = 0; p->nfuncs = 0; p->error[0] = 0; p->main_func = -1;
    int curf = -1;
    char buf[256];
    char *tok[8];
    for (int li = 0; li < nlines; li++) {
        snprintf(buf, sizeof buf, "%s", lines[li]);
        int nt = tokenize(buf, tok, 8);
        if (nt == 0) continue;
        if (strcmp(tok[0], ".func") == 0) {
            if (curf >= 0) return fail(p, li + 1, "nested .func", tok[1]);
            if (nt != 4) return fail(p, li + 1, "bad .func", tok[0]);
            if (p->nfuncs >= MAX_FUNCS) return fail(p, li + 1, "too many functions", tok[1]);
            if (find_func(p, tok[1]) >= 0) return fail(p, li + 1, "duplicate function", tok[1]);
            func_t *f = &p->funcs[p->nfuncs];
            snprintf(f->name, sizeof f->name, "%s", tok[1]);
            f->nargs = atoi(tok[2]);
            f->nlocals = atoi(tok[3]);
            if (f->nlocals < f->nargs) f->nlocals = f->nargs;
            f->entry = p->ncode;
            curf = p->nfuncs++;
            continue;
        }
        if (strcmp(tok[0], ".end") == 0) {
            if (curf < 0) return fail(p, li + 1, "stray", ".end");
            p->funcs[curf].end = p->ncode;
            curf = -1;
            continue;
        }
        if (curf < 0) return fail(p, li + 1, "code outside function", tok[0]);
        size_t tl = strlen(tok[0]);
        if (tok[0][tl - 1] == ':') {
            tok[0][tl - 1] = 0;
            for (int k = 0; k < st.nlabels; k++)
                if (st.labels[k].func == curf && strcmp(st.labels[k].name, tok[0]) == 0)
                    return fail(p, li + 1, "duplicate label", tok[0]);
            if (st.nlabels >= MAX_LABELS) return fail(p, li + 1, "too many labels", tok[0]);
            snprintf(st.labels[st.nlabels].name, MAX_NAME, "%s", tok[0]);
            st.labels[st.nlabels].func = curf;
            st.labels[st.nlabels].addr = p->ncode;
            st.nlabels++;
            if (nt == 1) continue;
            for (int k = 1; k < nt; k++) tok[k - 1] = tok[k];
            nt--;
        }
        int op = opcode_by_name(tok[0]);
        if (op < 0) return fail(p, li + 1, "unknown opcode", tok[0]);
        if (p->ncode >= MAX_CODE) return fail(p, li + 1, "program too long", tok[0]);
        insn_t *in = &p->code[p->ncode];
        in->op = (uint8_t)op; in->arg = 0; in->line = li + 1;
        argkind_t ak = op_table[op].arg;
        if (ak == ARG_NONE) {
            if (nt != 1) return fail(p, li + 1, "unexpected operand for", tok[0]);
        } else {
            if (nt != 2) return fail(p, li + 1, "missing operand for", tok[0]);
            if (ak == ARG_INT || ak == ARG_LOCAL) {
                if (!parse_int(tok[1], &in->arg)) return fail(p, li + 1, "bad integer", tok[1]);
                if (ak == ARG_LOCAL && (in->arg < 0 || in->arg >= p->funcs[curf].nlocals))
                    return fail(p, li + 1, "local out of range", tok[1]);
            } else {
                snprintf(st.pending[p->ncode], MAX_NAME, "%s", tok[1]);
                st.pending_func[p->ncode] = curf;
                st.fixups[p->ncode] = 1;
            }
        }
        p->ncode++;
    }
    if (curf >= 0) return fail(p, nlines, "missing .end for", p->funcs[curf].name);
    /* pass 2: resolve */
    for (int i = 0; i < p->ncode; i++) {
        if (!st.fixups[i]) continue;
        insn_t *in = &p->code[i];
        if (op_table[in->op].arg == ARG_FUNC) {
            int f = find_func(p, st.pending[i]);
            if (f < 0) return fail(p, in->line, "undefined function", st.pending[i]);
            in->arg = f;
        } else {
            int found = -1;
            for (int k = 0; k < st.nlabels; k++)
                if (st.labels[k].func == st.pending_func[i] && strcmp(st.labels[k].name, st.pending[i]) == 0) found = k;
            if (found < 0) return fail(p, in->line, "undefined label", st.pending[i]);
            in->arg = st.labels[found].addr;
        }
    }
    p->main_func = find_func(p, "main");
    if (p->main_func < 0) return fail(p, nlines, "no function", "main");
    return 1;
}
