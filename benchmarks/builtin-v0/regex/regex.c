/* A small regular-expression engine.
 *
 *   parser      : pattern text -> AST (literals, '.', classes [a-z] [^..],
 *                 escapes \d \w \s \D \W \S, anchors ^ $ \b \B, groups
 *                 (..) and (?:..), alternation, * + ? {n} {n,} {n,m}
 *                 with lazy variants, and a leading (?i) flag)
 *   compiler    : AST -> Thompson-style instruction program
 *   engines     : Pike VM (NFA simulation with captures),
 *                 bounded backtracking VM (bit-state memo),
 *                 plain NFA state-set simulation (boolean, earliest end),
 *                 lazily built DFA (boolean) for assertion-free patterns
 *   utilities   : AST printer, global substitution with \1..\9
 *
 * Input (stdin): patterns, "%%", subject lines, "%%", substitution
 * commands "pattern<TAB>replacement".                                  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#define MAXLINE 512
#define MAXLINES 400
#define MAXPATS 64
#define NSUB 10
#define MAXPROG 2048
#define MAXCLASS 128

/* ------------------------------------------------------------------ */
/* character classes                                                  */
/* ------------------------------------------------------------------ */
typedef struct { unsigned char bits[32]; } cset;

static void cs_clear(cset *s) { memset(s->bits, 0, sizeof s->bits); }
static void cs_add(cset *s, int c) { s->bits[(unsigned)c >> 3] |= (unsigned char)(1u << (c & 7)); }
static int cs_has(const cset *s, int c) { return (s->bits[(unsigned)c >> 3] >> (c & 7)) & 1; }
static void cs_add_range(cset *s, int a, int b) { for (int c = a; c <= b; c++) cs_add(s, c); }
static void cs_invert(cset *s) { for (int i = 0; i < 32; i++) s->bits[i] = (unsigned char)~s->bits[i]; }
static void cs_union(cset *d, const cset *s) { for (int i = 0; i < 32; i++) d->bits[i] |= s->bits[i]; }
static int cs_count(const cset *s) {
    int n = 0;
    for (int c = 0; c < 256; c++) n += cs_has(s, c);
    return n;
}
static void cs_fold_case(cset *s) {
    for (int c = 'a'; c <= 'z'; c++) {
        if (cs_has(s, c)) cs_add(s, c - 'a' + 'A');
        if (cs_has(s, c - 'a' + 'A')) cs_add(s, c);
    }
}
static void cs_named(cset *s, int kind) {
    cs_clear(s);
    switch (tolower(kind)) {
    case 'd': cs_add_range(s, '0', '9'); break;
    case 'w': cs_add_range(s, 'a', 'z'); cs_add_range(s, 'A', 'Z'); cs_add_range(s, '0', '9'); cs_add(s, '_'); break;
    case 's': cs_add(s, ' '); cs_add(s, '\t'); cs_add(s, '\n'); cs_add(s, '\r'); cs_add(s, '\f'); cs_add(s, '\v'); break;
    default: break;
    }
    if (isupper(kind)) cs_invert(s);
}

/* ------------------------------------------------------------------ */
/* AST                                                                */
/* ------------------------------------------------------------------ */
typedef enum {
    N_EMPTY, N_CHAR, N_ANY, N_CLASS, N_CAT, N_ALT, N_STAR, N_PLUS, N_QUEST, N_REPEAT,
    N_GROUP, N_NCGROUP, N_BOL, N_EOL, N_WORDB, N_NWORDB
} ntype;

typedef struct node {
    ntype type;
    int c;            /* N_CHAR */
    int cls;          /* N_CLASS: index into class table */
    int greedy;       /* quantifiers */
    int min, max;     /* N_REPEAT, max = -1 for unbounded */
    int group;        /* N_GROUP: capture index */
    struct node *l, *r;
} node;

#define MAXNODES 4096
typedef struct {
    node pool[MAXNODES];
    int nnodes;
    cset classes[MAXCLASS];
    int nclasses;
    int ngroups;
    int icase;
    const char *src;
    int pos;
    const char *err;
} parser;

static node *mk(parser *p, ntype t, node *l, node *r) {
    if (p->nnodes >= MAXNODES) { p->err = "too many nodes"; return &p->pool[0]; }
    node *n = &p->pool[p->nnodes++];
    memset(n, 0, sizeof *n);
    n->type = t; n->l = l; n->r = r; n->greedy = 1; n->max = -1;
    return n;
}

static int peek(parser *p) { return (unsigned char)p->src[p->pos]; }
static int eat(parser *p, int c) { if (peek(p) == c) { p->pos++; return 1; } return 0; }

static int new_class(parser *p, const cset *s) {
    if (p->nclasses >= MAXCLASS) { p->err = "too many classes"; return 0; }
    p->classes[p->nclasses] = *s;
    return p->nclasses++;
}

static node *parse_alt(parser *p);

static int parse_escape_char(int c) {
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'v': return '\v';
    case '0': return 0;
    default: return c;
    }
}

static node *parse_class(parser *p) {
    cset s;
    cs_clear(&s);
    int neg = eat(p, '^');
    int first = 1;
    while (peek(p) && (peek(p) != ']' || first)) {
        first = 0;
        int c = peek(p);
        p->pos++;
        if (c == '\\') {
            int e = peek(p);
            if (!e) { p->err = "bad escape in class"; return mk(p, N_EMPTY, 0, 0); }
            p->pos++;
            if (strchr("dwsDWS", e)) { cset t; cs_named(&t, e); cs_union(&s, &t); continue; }
            c = parse_escape_char(e);
        } else if (c == '[' && peek(p) == ':') {
            /* POSIX class [:alpha:] etc. */
            const char *names[] = { "alpha", "digit", "alnum", "space", "upper", "lower", "punct", "xdigit" };
            int matched = 0;
            for (int k = 0; k < 8 && !matched; k++) {
                size_t ln = strlen(names[k]);
                if (strncmp(p->src + p->pos + 1, names[k], ln) == 0 && strncmp(p->src + p->pos + 1 + ln, ":]", 2) == 0) {
                    for (int ch = 0; ch < 256; ch++) {
                        int in = 0;
                        switch (k) {
                        case 0: in = isalpha(ch); break;
                        case 1: in = isdigit(ch); break;
                        case 2: in = isalnum(ch); break;
                        case 3: in = isspace(ch); break;
                        case 4: in = isupper(ch); break;
                        case 5: in = islower(ch); break;
                        case 6: in = ispunct(ch); break;
                        case 7: in = isxdigit(ch); break;
                        }
                        if (in && ch < 128) cs_add(&s, ch);
                    }
                    p->pos += (int)ln + 3;
                    matched = 1;
                }
            }
            if (matched) continue;
        }
        if (peek(p) == '-' && p->src[p->pos + 1] && p->src[p->pos + 1] != ']') {
            p->pos++;
            int hi = peek(p);
            p->pos++;
            if (hi == '\\') { hi = parse_escape_char(peek(p)); p->pos++; }
            if (hi < c) { p->err = "bad range"; return mk(p, N_EMPTY, 0, 0); }
            cs_add_range(&s, c, hi);
        } else {
            cs_add(&s, c);
        }
    }
    if (!eat(p, ']')) { p->err = "missing ]"; return mk(p, N_EMPTY, 0, 0); }
    if (p->icase) cs_fold_case(&s);
    if (neg) cs_invert(&s);
    node *n = mk(p, N_CLASS, 0, 0);
    n->cls = new_class(p, &s);
    return n;
}

static node *literal(parser *p, int c) {
    if (p->icase && isalpha(c)) {
        cset s; cs_clear(&s); cs_add(&s, tolower(c)); cs_add(&s, toupper(c));
        node *n = mk(p, N_CLASS, 0, 0);
        n->cls = new_class(p, &s);
        return n;
    }
    node *n = mk(p, N_CHAR, 0, 0);
    n->c = c;
    return n;
}

static node *parse_atom(parser *p) {
    int c = peek(p);
    switch (c) {
    case '(': {
        p->pos++;
        node *n;
        if (p->src[p->pos] == '?' && p->src[p->pos + 1] == ':') {
            p->pos += 2;
            n = mk(p, N_NCGROUP, parse_alt(p), 0);
        } else {
            int g = ++p->ngroups;
            n = mk(p, N_GROUP, 0, 0);
            n->group = g;
            n->l = parse_alt(p);
        }
        if (!eat(p, ')')) p->err = "missing )";
        return n;
    }
    case '[': p->pos++; return parse_class(p);
    case '.': p->pos++; return mk(p, N_ANY, 0, 0);
    case '^': p->pos++; return mk(p, N_BOL, 0, 0);
    case '$': p->pos++; return mk(p, N_EOL, 0, 0);
    case '\\': {
        p->pos++;
        int e = peek(p);
        if (!e) { p->err = "trailing backslash"; return mk(p, N_EMPTY, 0, 0); }
        p->pos++;
        if (e == 'b') return mk(p, N_WORDB, 0, 0);
        if (e == 'B') return mk(p, N_NWORDB, 0, 0);
        if (strchr("dwsDWS", e)) {
            cset s; cs_named(&s, e);
            node *n = mk(p, N_CLASS, 0, 0);
            n->cls = new_class(p, &s);
            return n;
        }
        return literal(p, parse_escape_char(e));
    }
    case '*': case '+': case '?':
        p->err = "nothing to repeat";
        p->pos++;
        return mk(p, N_EMPTY, 0, 0);
    default:
        p->pos++;
        return literal(p, c);
    }
}

static int parse_int(parser *p, int *out) {
    if (!isdigit(peek(p))) return 0;
    int v = 0;
    while (isdigit(peek(p))) { if (v < 10000) v = v * 10 + (peek(p) - '0'); p->pos++; }
    *out = v;
    return 1;
}

static node *parse_repeat(parser *p) {
    node *a = parse_atom(p);
    for (;;) {
        int c = peek(p);
        node *n;
        if (c == '*') { p->pos++; n = mk(p, N_STAR, a, 0); }
        else if (c == '+') { p->pos++; n = mk(p, N_PLUS, a, 0); }
        else if (c == '?') { p->pos++; n = mk(p, N_QUEST, a, 0); }
        else if (c == '{') {
            int save = p->pos, lo, hi;
            p->pos++;
            if (!parse_int(p, &lo)) { p->pos = save; return a; }
            hi = lo;
            if (eat(p, ',')) { if (!parse_int(p, &hi)) hi = -1; }
            if (!eat(p, '}')) { p->pos = save; return a; }
            if (hi >= 0 && hi < lo) { p->err = "bad repeat bounds"; return a; }
            if (lo > 100 || hi > 100) { p->err = "repeat too large"; return a; }
            n = mk(p, N_REPEAT, a, 0);
            n->min = lo; n->max = hi;
        } else return a;
        if (eat(p, '?')) n->greedy = 0;
        a = n;
    }
}

static node *parse_cat(parser *p) {
    node *left = NULL;
    while (peek(p) && peek(p) != '|' && peek(p) != ')') {
        node *r = parse_repeat(p);
        left = left ? mk(p, N_CAT, left, r) : r;
    }
    return left ? left : mk(p, N_EMPTY, 0, 0);
}

static node *parse_alt(parser *p) {
    node *l = parse_cat(p);
    while (eat(p, '|')) {
        node *r = parse_cat(p);
        l = mk(p, N_ALT, l, r);
    }
    return l;
}

static node *parse(parser *p, const char *src) {
    memset(p, 0, sizeof *p);
    p->src = src;
    if (strncmp(src, "(?i)", 4) == 0) { p->icase = 1; p->pos = 4; }
    node *n = parse_alt(p);
    if (!p->err && peek(p)) p->err = "unbalanced )";
    return n;
}

/* ------------------------------------------------------------------ */
/* AST utilities                                                      */
/* ------------------------------------------------------------------ */
static void print_char(FILE *f, int c) {
    if (c == '\n') fputs("\\n", f);
    else if (c == '\t') fputs("\\t", f);
    else if (isprint(c)) fputc(c, f);
    else fprintf(f, "\\x%02x", c);
}

static void ast_print(FILE *f, const parser *p, const node *n) {
    switch (n->type) {
    case N_EMPTY: fputs("()", f); break;
    case N_CHAR: fputc('\'', f); print_char(f, n->c); fputc('\'', f); break;
    case N_ANY: fputs("any", f); break;
    case N_CLASS: fprintf(f, "[%d]", cs_count(&p->classes[n->cls])); break;
    case N_CAT: fputs("(cat ", f); ast_print(f, p, n->l); fputc(' ', f); ast_print(f, p, n->r); fputc(')', f); break;
    case N_ALT: fputs("(alt ", f); ast_print(f, p, n->l); fputc(' ', f); ast_print(f, p, n->r); fputc(')', f); break;
    case N_STAR: fprintf(f, "(star%s ", n->greedy ? "" : "?"); ast_print(f, p, n->l); fputc(')', f); break;
    case N_PLUS: fprintf(f, "(plus%s ", n->greedy ? "" : "?"); ast_print(f, p, n->l); fputc(')', f); break;
    case N_QUEST: fprintf(f, "(opt%s ", n->greedy ? "" : "?"); ast_print(f, p, n->l); fputc(')', f); break;
    case N_REPEAT: fprintf(f, "(rep%s %d %d ", n->greedy ? "" : "?", n->min, n->max); ast_print(f, p, n->l); fputc(')', f); break;
    case N_GROUP: fprintf(f, "(g%d ", n->group); ast_print(f, p, n->l); fputc(')', f); break;
    case N_NCGROUP: fputs("(nc ", f); ast_print(f, p, n->l); fputc(')', f); break;
    case N_BOL: fputs("^", f); break;
    case N_EOL: fputs("$", f); break;
    case N_WORDB: fputs("\\b", f); break;
    case N_NWORDB: fputs("\\B", f); break;
    }
}

static int ast_depth(const node *n) {
    if (!n) return 0;
    int a = ast_depth(n->l), b = ast_depth(n->r);
    return 1 + (a > b ? a : b);
}

static int ast_has_assert(const node *n) {
    if (!n) return 0;
    if (n->type == N_WORDB || n->type == N_NWORDB) return 1;
    return ast_has_assert(n->l) || ast_has_assert(n->r);
}

/* minimum and maximum match length (-1 = unbounded) */
static void ast_len(const node *n, int *mn, int *mx) {
    int a, b, c, d;
    switch (n->type) {
    case N_CHAR: case N_ANY: case N_CLASS: *mn = *mx = 1; return;
    case N_EMPTY: case N_BOL: case N_EOL: case N_WORDB: case N_NWORDB: *mn = *mx = 0; return;
    case N_CAT:
        ast_len(n->l, &a, &b); ast_len(n->r, &c, &d);
        *mn = a + c; *mx = (b < 0 || d < 0) ? -1 : b + d; return;
    case N_ALT:
        ast_len(n->l, &a, &b); ast_len(n->r, &c, &d);
        *mn = a < c ? a : c; *mx = (b < 0 || d < 0) ? -1 : (b > d ? b : d); return;
    case N_STAR: ast_len(n->l, &a, &b); *mn = 0; *mx = b == 0 ? 0 : -1; return;
    case N_PLUS: ast_len(n->l, &a, &b); *mn = a; *mx = b == 0 ? 0 : -1; return;
    case N_QUEST: ast_len(n->l, &a, &b); *mn = 0; *mx = b; return;
    case N_REPEAT:
        ast_len(n->l, &a, &b);
        *mn = a * n->min;
        *mx = (n->max < 0 || b < 0) ? (b == 0 ? 0 : -1) : b * n->max;
        return;
    case N_GROUP: case N_NCGROUP: ast_len(n->l, mn, mx); return;
    }
    *mn = *mx = 0;
}

/* ------------------------------------------------------------------ */
/* compiler to instruction program                                    */
/* ------------------------------------------------------------------ */
typedef enum { I_CHAR, I_ANY, I_CLASS, I_SPLIT, I_JMP, I_SAVE, I_BOL, I_EOL, I_WORDB, I_NWORDB, I_MATCH } opcode;

typedef struct { opcode op; int arg; int x, y; } inst;

typedef struct {
    inst code[MAXPROG];
    int len;
    int nsave;
    const cset *classes;
    int overflow;
} program;

static int emit(program *pg, opcode op, int arg, int x, int y) {
    if (pg->len >= MAXPROG) { pg->overflow = 1; return MAXPROG - 1; }
    pg->code[pg->len].op = op; pg->code[pg->len].arg = arg;
    pg->code[pg->len].x = x; pg->code[pg->len].y = y;
    return pg->len++;
}

static void compile_node(program *pg, const node *n);

static void compile_star(program *pg, const node *body, int greedy) {
    int l1 = emit(pg, I_SPLIT, 0, 0, 0);
    int l2 = pg->len;
    compile_node(pg, body);
    emit(pg, I_JMP, 0, l1, 0);
    int l3 = pg->len;
    if (greedy) { pg->code[l1].x = l2; pg->code[l1].y = l3; }
    else { pg->code[l1].x = l3; pg->code[l1].y = l2; }
}

static void compile_quest(program *pg, const node *body, int greedy) {
    int l1 = emit(pg, I_SPLIT, 0, 0, 0);
    int l2 = pg->len;
    compile_node(pg, body);
    int l3 = pg->len;
    if (greedy) { pg->code[l1].x = l2; pg->code[l1].y = l3; }
    else { pg->code[l1].x = l3; pg->code[l1].y = l2; }
}

static void compile_node(program *pg, const node *n) {
    if (pg->overflow) return;
    switch (n->type) {
    case N_EMPTY: break;
    case N_CHAR: emit(pg, I_CHAR, n->c, 0, 0); break;
    case N_ANY: emit(pg, I_ANY, 0, 0, 0); break;
    case N_CLASS: emit(pg, I_CLASS, n->cls, 0, 0); break;
    case N_CAT: compile_node(pg, n->l); compile_node(pg, n->r); break;
    case N_ALT: {
        int s = emit(pg, I_SPLIT, 0, 0, 0);
        pg->code[s].x = pg->len;
        compile_node(pg, n->l);
        int j = emit(pg, I_JMP, 0, 0, 0);
        pg->code[s].y = pg->len;
        compile_node(pg, n->r);
        pg->code[j].x = pg->len;
        break;
    }
    case N_STAR: compile_star(pg, n->l, n->greedy); break;
    case N_PLUS: {
        int l1 = pg->len;
        compile_node(pg, n->l);
        int s = emit(pg, I_SPLIT, 0, 0, 0);
        if (n->greedy) { pg->code[s].x = l1; pg->code[s].y = pg->len; }
        else { pg->code[s].x = pg->len; pg->code[s].y = l1; }
        break;
    }
    case N_QUEST: compile_quest(pg, n->l, n->greedy); break;
    case N_REPEAT: {
        for (int i = 0; i < n->min; i++) compile_node(pg, n->l);
        if (n->max < 0) compile_star(pg, n->l, n->greedy);
        else {
            /* nested optionals: (x(x(x)?)?)? */
            int pending[128], np = 0;
            for (int i = n->min; i < n->max; i++) {
                int s = emit(pg, I_SPLIT, 0, 0, 0);
                pending[np++] = s;
                if (n->greedy) pg->code[s].x = pg->len; else pg->code[s].y = pg->len;
                compile_node(pg, n->l);
            }
            for (int i = 0; i < np; i++) {
                if (n->greedy) pg->code[pending[i]].y = pg->len; else pg->code[pending[i]].x = pg->len;
            }
        }
        break;
    }
    case N_GROUP:
        emit(pg, I_SAVE, 2 * n->group, 0, 0);
        compile_node(pg, n->l);
        emit(pg, I_SAVE, 2 * n->group + 1, 0, 0);
        break;
    case N_NCGROUP: compile_node(pg, n->l); break;
    case N_BOL: emit(pg, I_BOL, 0, 0, 0); break;
    case N_EOL: emit(pg, I_EOL, 0, 0, 0); break;
    case N_WORDB: emit(pg, I_WORDB, 0, 0, 0); break;
    case N_NWORDB: emit(pg, I_NWORDB, 0, 0, 0); break;
    }
}

static void compile(program *pg, const parser *p, const node *root) {
    memset(pg, 0, sizeof *pg);
    pg->classes = p->classes;
    emit(pg, I_SAVE, 0, 0, 0);
    compile_node(pg, root);
    emit(pg, I_SAVE, 1, 0, 0);
    emit(pg, I_MATCH, 0, 0, 0);
    pg->nsave = 2 * (p->ngroups + 1);
    if (pg->nsave > 2 * NSUB) pg->nsave = 2 * NSUB;
}

/* peephole: thread JMP chains so that jumps to jumps go directly */
static int optimise(program *pg) {
    int changed = 0;
    for (int i = 0; i < pg->len; i++) {
        inst *in = &pg->code[i];
        if (in->op == I_JMP || in->op == I_SPLIT) {
            int guard = 0;
            while (pg->code[in->x].op == I_JMP && guard++ < 16) { in->x = pg->code[in->x].x; changed++; }
            guard = 0;
            while (in->op == I_SPLIT && pg->code[in->y].op == I_JMP && guard++ < 16) { in->y = pg->code[in->y].x; changed++; }
        }
    }
    return changed;
}

static int is_word(int c) { return isalnum(c) || c == '_'; }

static int assert_ok(opcode op, const char *s, int len, int i) {
    switch (op) {
    case I_BOL: return i == 0;
    case I_EOL: return i == len;
    case I_WORDB:
    case I_NWORDB: {
        int a = i > 0 && is_word((unsigned char)s[i - 1]);
        int b = i < len && is_word((unsigned char)s[i]);
        return op == I_WORDB ? (a != b) : (a == b);
    }
    default: return 1;
    }
}

static int consumes(const program *pg, const inst *in, int c) {
    switch (in->op) {
    case I_CHAR: return in->arg == c;
    case I_ANY: return c != '\n';
    case I_CLASS: return cs_has(&pg->classes[in->arg], c);
    default: return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Pike VM                                                            */
/* ------------------------------------------------------------------ */
typedef struct { int pc; int cap[2 * NSUB]; } thread_t;
typedef struct { int n; thread_t *t; int *mark; int gen; } tlist;

static long pike_steps;

static void addthread(const program *pg, tlist *l, int pc, int *cap, const char *s, int len, int i) {
    if (l->mark[pc] == l->gen) return;
    l->mark[pc] = l->gen;
    pike_steps++;
    const inst *in = &pg->code[pc];
    switch (in->op) {
    case I_JMP: addthread(pg, l, in->x, cap, s, len, i); return;
    case I_SPLIT:
        addthread(pg, l, in->x, cap, s, len, i);
        addthread(pg, l, in->y, cap, s, len, i);
        return;
    case I_SAVE: {
        int old = cap[in->arg];
        cap[in->arg] = i;
        addthread(pg, l, pc + 1, cap, s, len, i);
        cap[in->arg] = old;
        return;
    }
    case I_BOL: case I_EOL: case I_WORDB: case I_NWORDB:
        if (assert_ok(in->op, s, len, i)) addthread(pg, l, pc + 1, cap, s, len, i);
        return;
    default:
        l->t[l->n].pc = pc;
        memcpy(l->t[l->n].cap, cap, sizeof l->t[l->n].cap);
        l->n++;
    }
}

static int pike_search(const program *pg, const char *s, int len, int *out) {
    static thread_t buf1[MAXPROG], buf2[MAXPROG];
    static int mark1[MAXPROG], mark2[MAXPROG];
    static int gen = 0;
    tlist a = { 0, buf1, mark1, 0 }, b = { 0, buf2, mark2, 0 };
    tlist *cl = &a, *nl = &b;
    int cap[2 * NSUB];
    int matched = 0;
    for (int k = 0; k < 2 * NSUB; k++) cap[k] = -1;
    cl->gen = ++gen;
    addthread(pg, cl, 0, cap, s, len, 0);
    for (int i = 0;; i++) {
        nl->n = 0;
        nl->gen = ++gen;
        int c = i < len ? (unsigned char)s[i] : -1;
        for (int k = 0; k < cl->n; k++) {
            thread_t *t = &cl->t[k];
            const inst *in = &pg->code[t->pc];
            if (in->op == I_MATCH) {
                memcpy(out, t->cap, sizeof(int) * 2 * NSUB);
                matched = 1;
                break; /* cut lower-priority threads */
            }
            if (c >= 0 && consumes(pg, in, c)) addthread(pg, nl, t->pc + 1, t->cap, s, len, i + 1);
        }
        if (i >= len) break;
        if (!matched) {
            for (int k = 0; k < 2 * NSUB; k++) cap[k] = -1;
            addthread(pg, nl, 0, cap, s, len, i + 1);
        }
        if (nl->n == 0 && matched) break;
        tlist *t = cl; cl = nl; nl = t;
    }
    return matched;
}

/* ------------------------------------------------------------------ */
/* backtracking VM with visited bitmap                                */
/* ------------------------------------------------------------------ */
typedef struct { int pc, pos, slot, old; } bt_frame; /* slot >= 0 => restore capture */

static long bt_steps;

static int bt_search(const program *pg, const char *s, int len, int *out) {
    size_t nbits = (size_t)pg->len * (size_t)(len + 1);
    unsigned char *visited = calloc((nbits + 7) / 8, 1);
    size_t cap_stack = 1024;
    bt_frame *stack = malloc(cap_stack * sizeof *stack);
    int cap[2 * NSUB];
    int found = 0;
    for (int start = 0; start <= len && !found; start++) {
        for (int k = 0; k < 2 * NSUB; k++) cap[k] = -1;
        size_t sp = 0;
        stack[sp++] = (bt_frame){ 0, start, -1, 0 };
        while (sp > 0 && !found) {
            bt_frame f = stack[--sp];
            if (f.slot >= 0) { cap[f.slot] = f.old; continue; }
            int pc = f.pc, pos = f.pos;
            for (;;) {
                size_t bit = (size_t)pc * (size_t)(len + 1) + (size_t)pos;
                if (visited[bit >> 3] & (1u << (bit & 7))) break;
                visited[bit >> 3] |= (unsigned char)(1u << (bit & 7));
                bt_steps++;
                const inst *in = &pg->code[pc];
                if (in->op == I_MATCH) { found = 1; memcpy(out, cap, sizeof cap); break; }
                if (in->op == I_CHAR || in->op == I_ANY || in->op == I_CLASS) {
                    if (pos < len && consumes(pg, in, (unsigned char)s[pos])) { pc++; pos++; continue; }
                    break;
                }
                if (in->op == I_JMP) { pc = in->x; continue; }
                if (in->op == I_SPLIT) {
                    if (sp + 2 >= cap_stack) { cap_stack *= 2; stack = realloc(stack, cap_stack * sizeof *stack); }
                    stack[sp++] = (bt_frame){ in->y, pos, -1, 0 };
                    pc = in->x;
                    continue;
                }
                if (in->op == I_SAVE) {
                    if (sp + 2 >= cap_stack) { cap_stack *= 2; stack = realloc(stack, cap_stack * sizeof *stack); }
                    stack[sp++] = (bt_frame){ 0, 0, in->arg, cap[in->arg] };
                    cap[in->arg] = pos;
                    pc++;
                    continue;
                }
                if (assert_ok(in->op, s, len, pos)) { pc++; continue; }
                break;
            }
        }
    }
    free(visited);
    free(stack);
    return found;
}

/* ------------------------------------------------------------------ */
/* NFA state-set simulation (boolean + earliest match end)            */
/* ------------------------------------------------------------------ */
typedef struct { int n; int *pcs; unsigned char *on; } sset;

static void sset_add(const program *pg, sset *st, int pc, const char *s, int len, int i) {
    if (st->on[pc]) return;
    st->on[pc] = 1;
    const inst *in = &pg->code[pc];
    switch (in->op) {
    case I_JMP: sset_add(pg, st, in->x, s, len, i); return;
    case I_SPLIT: sset_add(pg, st, in->x, s, len, i); sset_add(pg, st, in->y, s, len, i); return;
    case I_SAVE: sset_add(pg, st, pc + 1, s, len, i); return;
    case I_BOL: case I_EOL: case I_WORDB: case I_NWORDB:
        if (assert_ok(in->op, s, len, i)) sset_add(pg, st, pc + 1, s, len, i);
        return;
    default: st->pcs[st->n++] = pc;
    }
}

static int nfa_earliest_end(const program *pg, const char *s, int len) {
    int *p1 = malloc(sizeof(int) * (size_t)pg->len), *p2 = malloc(sizeof(int) * (size_t)pg->len);
    unsigned char *o1 = calloc((size_t)pg->len, 1), *o2 = calloc((size_t)pg->len, 1);
    sset a = { 0, p1, o1 }, b = { 0, p2, o2 };
    sset *cur = &a, *nxt = &b;
    int result = -1;
    sset_add(pg, cur, 0, s, len, 0);
    for (int i = 0;; i++) {
        for (int k = 0; k < cur->n; k++)
            if (pg->code[cur->pcs[k]].op == I_MATCH) { result = i; break; }
        if (result >= 0 || i >= len) break;
        int c = (unsigned char)s[i];
        nxt->n = 0;
        memset(nxt->on, 0, (size_t)pg->len);
        for (int k = 0; k < cur->n; k++) {
            const inst *in = &pg->code[cur->pcs[k]];
            if (consumes(pg, in, c)) sset_add(pg, nxt, cur->pcs[k] + 1, s, len, i + 1);
        }
        sset_add(pg, nxt, 0, s, len, i + 1);
        sset *t = cur; cur = nxt; nxt = t;
    }
    free(p1); free(p2); free(o1); free(o2);
    return result;
}

/* ------------------------------------------------------------------ */
/* lazy DFA (only for programs without word-boundary assertions)      */
/* ------------------------------------------------------------------ */
#define DFA_MAX 256
#define DFA_HASH 521

typedef struct {
    int nk;
    int *kernel;        /* sorted pcs of consuming/match instructions */
    int next[256];      /* -1 unknown, -2 dead */
    int accept;         /* MATCH reachable (not at end of input) */
    int hnext;
} dstate;

typedef struct {
    const program *pg;
    dstate st[DFA_MAX];
    int nstates;
    int head[DFA_HASH];
    long flushes, built;
    unsigned char *on;
    int *tmp;
} dfa_t;

static void dfa_reset(dfa_t *d) {
    for (int i = 0; i < d->nstates; i++) free(d->st[i].kernel);
    d->nstates = 0;
    for (int i = 0; i < DFA_HASH; i++) d->head[i] = -1;
}

static void dfa_init(dfa_t *d, const program *pg) {
    d->pg = pg;
    d->nstates = 0;
    d->flushes = d->built = 0;
    d->on = calloc((size_t)pg->len, 1);
    d->tmp = malloc(sizeof(int) * (size_t)pg->len);
    dfa_reset(d);
}

static void dfa_free(dfa_t *d) { dfa_reset(d); free(d->on); free(d->tmp); }

/* epsilon-closure under context (bol, eol) into d->tmp; returns count */
static void closure_rec(dfa_t *d, int pc, int bol, int eol, int *n) {
    if (d->on[pc]) return;
    d->on[pc] = 1;
    const inst *in = &d->pg->code[pc];
    switch (in->op) {
    case I_JMP: closure_rec(d, in->x, bol, eol, n); return;
    case I_SPLIT: closure_rec(d, in->x, bol, eol, n); closure_rec(d, in->y, bol, eol, n); return;
    case I_SAVE: closure_rec(d, pc + 1, bol, eol, n); return;
    case I_BOL: if (bol) closure_rec(d, pc + 1, bol, eol, n); return;
    case I_EOL: if (eol) closure_rec(d, pc + 1, bol, eol, n); return;
    case I_WORDB: case I_NWORDB: return;
    default: d->tmp[(*n)++] = pc;
    }
}

static int int_cmp(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int closure(dfa_t *d, const int *kernel, int nk, int add_start, int bol, int eol) {
    int n = 0;
    memset(d->on, 0, (size_t)d->pg->len);
    for (int i = 0; i < nk; i++) closure_rec(d, kernel[i], bol, eol, &n);
    if (add_start) closure_rec(d, 0, bol, eol, &n);
    qsort(d->tmp, (size_t)n, sizeof(int), int_cmp);
    return n;
}

static int has_match(const dfa_t *d, int n) {
    for (int i = 0; i < n; i++) if (d->pg->code[d->tmp[i]].op == I_MATCH) return 1;
    return 0;
}

static unsigned hash_kernel(const int *k, int n) {
    unsigned h = 2166136261u;
    for (int i = 0; i < n; i++) h = (h ^ (unsigned)k[i]) * 16777619u;
    return h % DFA_HASH;
}

/* find or create the state whose kernel is k[0..n) */
static int dfa_state(dfa_t *d, const int *k, int n) {
    unsigned h = hash_kernel(k, n);
    for (int s = d->head[h]; s >= 0; s = d->st[s].hnext)
        if (d->st[s].nk == n && memcmp(d->st[s].kernel, k, sizeof(int) * (size_t)n) == 0) return s;
    if (d->nstates >= DFA_MAX) return -1;
    int s = d->nstates++;
    dstate *ds = &d->st[s];
    ds->nk = n;
    ds->kernel = malloc(sizeof(int) * (size_t)(n ? n : 1));
    memcpy(ds->kernel, k, sizeof(int) * (size_t)n);
    for (int c = 0; c < 256; c++) ds->next[c] = -1;
    int m = closure(d, k, n, 1, 0, 0);
    ds->accept = has_match(d, m);
    ds->hnext = d->head[h];
    d->head[h] = s;
    d->built++;
    return s;
}

/* step: from closure in d->tmp[0..m) on char c, produce kernel in buf */
static int step_kernel(dfa_t *d, int m, int c, int *buf) {
    int n = 0;
    for (int i = 0; i < m; i++) {
        const inst *in = &d->pg->code[d->tmp[i]];
        if (consumes(d->pg, in, c)) buf[n++] = d->tmp[i] + 1;
    }
    return n;
}

static int dfa_search(dfa_t *d, const char *s, int len) {
    int *buf = malloc(sizeof(int) * (size_t)d->pg->len + sizeof(int));
    int result = 0;
    /* position 0: BOL context, not cached */
    int m = closure(d, NULL, 0, 1, 1, len == 0);
    if (has_match(d, m)) { free(buf); return 1; }
    if (len == 0) { free(buf); return 0; }
    int n = step_kernel(d, m, (unsigned char)s[0], buf);
    int st = dfa_state(d, buf, n);
    if (st < 0) { dfa_reset(d); d->flushes++; st = dfa_state(d, buf, n); }
    for (int i = 1; i <= len; i++) {
        if (d->st[st].accept) { result = 1; break; }
        if (i == len) {
            m = closure(d, d->st[st].kernel, d->st[st].nk, 1, 0, 1);
            result = has_match(d, m);
            break;
        }
        int c = (unsigned char)s[i];
        int nx = d->st[st].next[c];
        if (nx < 0) {
            m = closure(d, d->st[st].kernel, d->st[st].nk, 1, 0, 0);
            n = step_kernel(d, m, c, buf);
            nx = dfa_state(d, buf, n);
            if (nx < 0) {
                dfa_reset(d);
                d->flushes++;
                nx = dfa_state(d, buf, n);
            } else {
                d->st[st].next[c] = nx;
            }
        }
        st = nx;
    }
    free(buf);
    return result;
}

/* ------------------------------------------------------------------ */
/* compiled regex object                                              */
/* ------------------------------------------------------------------ */
typedef struct {
    char src[MAXLINE];
    parser *ps;
    node *root;
    program *pg;
    int ok;
    int dfa_ok;
    int minlen, maxlen;
} regex_t_;

static int regex_compile(regex_t_ *re, const char *src) {
    snprintf(re->src, sizeof re->src, "%s", src);
    re->ps = malloc(sizeof *re->ps);
    re->pg = malloc(sizeof *re->pg);
    re->root = parse(re->ps, re->src);
    re->ok = re->ps->err == NULL;
    if (!re->ok) return 0;
    compile(re->pg, re->ps, re->root);
    optimise(re->pg);
    if (re->pg->overflow) { re->ok = 0; re->ps->err = "program too large"; return 0; }
    re->dfa_ok = !ast_has_assert(re->root);
    ast_len(re->root, &re->minlen, &re->maxlen);
    return 1;
}

static void regex_free(regex_t_ *re) { free(re->ps); free(re->pg); }

/* global substitution; returns number of replacements */
static int substitute(const regex_t_ *re, const char *in, const char *repl, char *out, size_t outsz) {
    int len = (int)strlen(in), pos = 0, n = 0;
    size_t o = 0;
    int cap[2 * NSUB];
    while (pos <= len) {
        if (!pike_search(re->pg, in + pos, len - pos, cap)) break;
        int ms = pos + cap[0], me = pos + cap[1];
        for (int i = pos; i < ms && o + 1 < outsz; i++) out[o++] = in[i];
        for (const char *r = repl; *r && o + 1 < outsz; r++) {
            if (*r == '\\' && r[1] >= '0' && r[1] <= '9') {
                int g = r[1] - '0';
                r++;
                if (2 * g + 1 < 2 * NSUB && cap[2 * g] >= 0)
                    for (int i = pos + cap[2 * g]; i < pos + cap[2 * g + 1] && o + 1 < outsz; i++) out[o++] = in[i];
            } else out[o++] = *r;
        }
        n++;
        if (me == ms) { /* empty match: copy one char and advance */
            if (ms < len && o + 1 < outsz) out[o++] = in[ms];
            pos = ms + 1;
        } else pos = me;
        /* anchored patterns ('^') only match at the real line start */
        if (re->pg->code[1].op == I_BOL) break;
    }
    for (int i = pos; i < len && o + 1 < outsz; i++) out[o++] = in[i];
    out[o] = 0;
    return n;
}

/* ------------------------------------------------------------------ */
/* self tests                                                          */
/* ------------------------------------------------------------------ */
typedef struct { const char *pat, *subj; int so, eo, g1s, g1e; } selftest;

static const selftest tests[] = {
    { "abc", "xxabcxx", 2, 5, -1, -1 },
    { "a(b+)c", "abbbc", 0, 5, 1, 4 },
    { "a(b*?)b", "abbb", 0, 2, 1, 1 },
    { "(a|ab)(c|bcd)", "abcd", 0, 4, 0, 1 },
    { "^foo", "foofoo", 0, 3, -1, -1 },
    { "foo$", "foofoo", 3, 6, -1, -1 },
    { "\\bcat\\b", "concat cat", 7, 10, -1, -1 },
    { "\\Bcat", "concat cat", 3, 6, -1, -1 },
    { "[0-9]{3}-([0-9]{4})", "call 555-1234 now", 5, 13, 9, 13 },
    { "x{2,3}", "xxxxx", 0, 3, -1, -1 },
    { "x{2,3}?", "xxxxx", 0, 2, -1, -1 },
    { "(?i)HeLLo", "say hello", 4, 9, -1, -1 },
    { "[^aeiou ]+", "aei xyz", 4, 7, -1, -1 },
    { "(a*)*b", "aaab", 0, 4, 0, 3 },
    { "(a|b)*c", "ababc", 0, 5, 3, 4 },
    { "\\d+\\.\\d*", "pi=3.14159", 3, 10, -1, -1 },
    { "(\\w+)@(\\w+)\\.com", "mail bob@example.com", 5, 20, 5, 8 },
    { "a.c", "a\nc abc", 4, 7, -1, -1 },
    { "", "abc", 0, 0, -1, -1 },
    { "(x)?y", "y", 0, 1, -1, -1 },
    { "[[:digit:]]+", "abc123def", 3, 6, -1, -1 },
    { "(?:ab)+", "xababab", 1, 7, -1, -1 },
    { "a|b|c|d", "zzzd", 3, 4, -1, -1 },
    { "q", "abc", -1, -1, -1, -1 },
    { "^$", "", 0, 0, -1, -1 },
    { "(a+)(a+)", "aaaa", 0, 4, 0, 3 },
    { "(a+?)(a+)", "aaaa", 0, 4, 0, 1 },
    { "[a-c-]+", "x-a-b-", 1, 6, -1, -1 },
};

static int run_selftests(void) {
    int passed = 0, n = (int)(sizeof tests / sizeof tests[0]);
    for (int i = 0; i < n; i++) {
        regex_t_ re;
        int cap1[2 * NSUB], cap2[2 * NSUB];
        if (!regex_compile(&re, tests[i].pat)) { printf("selftest %d: compile error\n", i); regex_free(&re); continue; }
        int len = (int)strlen(tests[i].subj);
        int m1 = pike_search(re.pg, tests[i].subj, len, cap1);
        int m2 = bt_search(re.pg, tests[i].subj, len, cap2);
        int ok;
        if (tests[i].so < 0) ok = !m1 && !m2;
        else
            ok = m1 && m2 && cap1[0] == tests[i].so && cap1[1] == tests[i].eo && cap2[0] == tests[i].so &&
                 cap2[1] == tests[i].eo && (tests[i].g1s == -1 && tests[i].g1e == -1 ? 1 : cap1[2] == tests[i].g1s && cap1[3] == tests[i].g1e);
        if (ok) passed++;
        else printf("selftest %d (%s) FAILED: pike %d [%d,%d] bt %d [%d,%d]\n", i, tests[i].pat, m1, m1 ? cap1[0] : -1,
                    m1 ? cap1[1] : -1, m2, m2 ? cap2[0] : -1, m2 ? cap2[1] : -1);
        regex_free(&re);
    }
    printf("selftests: %d/%d passed\n", passed, n);
    return passed == n;
}

static void check_errors(void) {
    const char *bad[] = { "a(b", "a)b", "*a", "[abc", "a{3,1}", "x\\", "[z-a]" };
    int nerr = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        regex_t_ re;
        if (!regex_compile(&re, bad[i])) nerr++;
        regex_free(&re);
    }
    printf("error detection: %d/%d rejected\n", nerr, (int)(sizeof bad / sizeof bad[0]));
}

/* ------------------------------------------------------------------ */
/* driver                                                              */
/* ------------------------------------------------------------------ */
static char lines[MAXLINES][MAXLINE];
static int nlines;

static void chomp(char *s) { s[strcspn(s, "\r\n")] = 0; }

int main(void) {
    static char pats[MAXPATS][MAXLINE];
    int npats = 0;
    char buf[MAXLINE];
    int section = 0;
    static char subs[32][MAXLINE];
    int nsubs = 0;
    while (fgets(buf, sizeof buf, stdin)) {
        chomp(buf);
        if (strcmp(buf, "%%") == 0) { section++; continue; }
        if (section == 0 && npats < MAXPATS && buf[0]) strcpy(pats[npats++], buf);
        else if (section == 1 && nlines < MAXLINES) strcpy(lines[nlines++], buf);
        else if (section == 2 && nsubs < 32 && buf[0]) strcpy(subs[nsubs++], buf);
    }
    run_selftests();
    check_errors();
    printf("%d patterns, %d lines\n", npats, nlines);
    unsigned long grand = 0;
    int disagreements = 0;
    for (int pi = 0; pi < npats; pi++) {
        regex_t_ re;
        if (!regex_compile(&re, pats[pi])) {
            printf("%-28s error: %s\n", pats[pi], re.ps->err);
            regex_free(&re);
            continue;
        }
        dfa_t *dfa = malloc(sizeof *dfa);
        dfa_init(dfa, re.pg);
        int count = 0;
        unsigned long h = 0;
        pike_steps = bt_steps = 0;
        for (int li = 0; li < nlines; li++) {
            int cap1[2 * NSUB], cap2[2 * NSUB];
            int len = (int)strlen(lines[li]);
            int m1 = pike_search(re.pg, lines[li], len, cap1);
            int m2 = bt_search(re.pg, lines[li], len, cap2);
            int m3 = nfa_earliest_end(re.pg, lines[li], len) >= 0;
            int m4 = re.dfa_ok ? dfa_search(dfa, lines[li], len) : m1;
            if (m1 != m2 || m1 != m3 || m1 != m4 || (m1 && memcmp(cap1, cap2, sizeof(int) * (size_t)re.pg->nsave) != 0)) {
                disagreements++;
                printf("  disagreement on line %d: %d %d %d %d\n", li, m1, m2, m3, m4);
            }
            if (m1) {
                count++;
                for (int k = 0; k < re.pg->nsave; k++) h = h * 131u + (unsigned long)(cap1[k] + 1);
            }
        }
        grand ^= h + (unsigned long)pi * 0x9e3779b97f4a7c15UL;
        printf("%-28s prog=%-4d depth=%-3d len=%d..%-3d groups=%d match=%-4d hash=%08lx%s\n", pats[pi], re.pg->len,
               ast_depth(re.root), re.minlen, re.maxlen, re.ps->ngroups, count, h & 0xffffffffUL,
               re.dfa_ok ? "" : " (no dfa)");
        if (pi < 3) {
            printf("  ast: ");
            ast_print(stdout, re.ps, re.root);
            printf("\n");
        }
        dfa_free(dfa);
        free(dfa);
        regex_free(&re);
    }
    printf("engine disagreements: %d\n", disagreements);
    /* substitutions */
    unsigned long sh = 5381;
    int total = 0;
    for (int si = 0; si < nsubs; si++) {
        char *tab = strchr(subs[si], '\t');
        if (!tab) continue;
        *tab = 0;
        regex_t_ re;
        if (!regex_compile(&re, subs[si])) { regex_free(&re); continue; }
        int cnt = 0;
        static char out[4 * MAXLINE];
        for (int li = 0; li < nlines; li++) {
            cnt += substitute(&re, lines[li], tab + 1, out, sizeof out);
            for (char *c = out; *c; c++) sh = sh * 33u + (unsigned char)*c;
            if (li == 1) printf("  s/%s/%s/ line1: %.60s\n", subs[si], tab + 1, out);
        }
        total += cnt;
        regex_free(&re);
    }
    printf("substitutions: %d replacements, hash=%016lx\n", total, sh);
    printf("grand hash %016lx\n", grand);
    return 0;
}
