/* Recursive-descent parser with precedence climbing:
 *   cond   := or ('?' cond ':' cond)?
 *   or     := and ('||' and)*
 *   and    := cmp ('&&' cmp)*
 *   cmp    := sum (relop sum)?
 *   sum    := term (('+'|'-') term)*
 *   term   := unary (('*'|'/'|'%') unary)*
 *   unary  := ('-'|'!'|'+') unary | power
 *   power  := primary ('^' unary)?        (right associative)
 *   primary:= number | ident | ident '(' args ')' | '(' cond ')'      */
#include "expr.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

long live_nodes;

static expr *alloc_node(ekind k) {
    expr *e = calloc(1, sizeof *e);
    e->kind = k;
    live_nodes++;
    return e;
}
expr *mk_num(double v) { expr *e = alloc_node(E_NUM); e->num = v; return e; }
expr *mk_var(const char *name) { expr *e = alloc_node(E_VAR); snprintf(e->name, sizeof e->name, "%s", name); return e; }
expr *mk_un(ekind k, expr *a) { expr *e = alloc_node(k); e->a = a; return e; }
expr *mk_bin(binop op, expr *a, expr *b) { expr *e = alloc_node(E_BIN); e->op = op; e->a = a; e->b = b; return e; }
expr *mk_call(const char *name, expr **args, int n) {
    expr *e = alloc_node(E_CALL);
    snprintf(e->name, sizeof e->name, "%s", name);
    for (int i = 0; i < n; i++) e->args[i] = args[i];
    e->nargs = n;
    return e;
}

void expr_free(expr *e) {
    if (!e) return;
    expr_free(e->a); expr_free(e->b); expr_free(e->c);
    for (int i = 0; i < e->nargs; i++) expr_free(e->args[i]);
    free(e);
    live_nodes--;
}

expr *expr_clone(const expr *e) {
    if (!e) return NULL;
    expr *n = alloc_node(e->kind);
    n->num = e->num; n->op = e->op; n->nargs = e->nargs;
    memcpy(n->name, e->name, sizeof n->name);
    n->a = expr_clone(e->a); n->b = expr_clone(e->b); n->c = expr_clone(e->c);
    for (int i = 0; i < e->nargs; i++) n->args[i] = expr_clone(e->args[i]);
    return n;
}

typedef struct { lexer_t lx; char *err; int errsz; int failed; } pstate;

static void perr(pstate *p, const char *msg) {
    if (!p->failed) snprintf(p->err, (size_t)p->errsz, "%s at '%s'", msg, p->lx.cur.kind == TK_END ? "end" : p->lx.cur.text);
    p->failed = 1;
}

static int is_op(pstate *p, const char *op) { return p->lx.cur.kind == TK_OP && strcmp(p->lx.cur.text, op) == 0; }

static expr *p_cond(pstate *p);

static expr *p_primary(pstate *p) {
    tok_t t = p->lx.cur;
    if (t.kind == TK_NUM) { lex_next(&p->lx); return mk_num(t.num); }
    if (t.kind == TK_IDENT) {
        lex_next(&p->lx);
        if (p->lx.cur.kind == TK_LPAREN) {
            lex_next(&p->lx);
            expr *args[MAXARGS];
            int n = 0;
            if (p->lx.cur.kind != TK_RPAREN) {
                for (;;) {
                    expr *a = p_cond(p);
                    if (n < MAXARGS) args[n++] = a;
                    else { expr_free(a); perr(p, "too many arguments"); }
                    if (p->lx.cur.kind == TK_COMMA) { lex_next(&p->lx); continue; }
                    break;
                }
            }
            if (p->lx.cur.kind != TK_RPAREN) perr(p, "expected )");
            else lex_next(&p->lx);
            return mk_call(t.text, args, n);
        }
        return mk_var(t.text);
    }
    if (t.kind == TK_LPAREN) {
        lex_next(&p->lx);
        expr *e = p_cond(p);
        if (p->lx.cur.kind != TK_RPAREN) perr(p, "expected )");
        else lex_next(&p->lx);
        return e;
    }
    perr(p, "unexpected token");
    if (t.kind != TK_END) lex_next(&p->lx);
    return mk_num(0);
}

static expr *p_unary(pstate *p);

static expr *p_power(pstate *p) {
    expr *base = p_primary(p);
    if (is_op(p, "^")) {
        lex_next(&p->lx);
        expr *ex = p_unary(p);
        return mk_bin(B_POW, base, ex);
    }
    return base;
}

static expr *p_unary(pstate *p) {
    if (is_op(p, "-")) { lex_next(&p->lx); return mk_un(E_NEG, p_unary(p)); }
    if (is_op(p, "+")) { lex_next(&p->lx); return p_unary(p); }
    if (is_op(p, "!")) { lex_next(&p->lx); return mk_un(E_NOT, p_unary(p)); }
    return p_power(p);
}

static expr *p_term(pstate *p) {
    expr *l = p_unary(p);
    for (;;) {
        binop op;
        if (is_op(p, "*")) op = B_MUL;
        else if (is_op(p, "/")) op = B_DIV;
        else if (is_op(p, "%")) op = B_MOD;
        else return l;
        lex_next(&p->lx);
        l = mk_bin(op, l, p_unary(p));
    }
}

static expr *p_sum(pstate *p) {
    expr *l = p_term(p);
    for (;;) {
        binop op;
        if (is_op(p, "+")) op = B_ADD;
        else if (is_op(p, "-")) op = B_SUB;
        else return l;
        lex_next(&p->lx);
        l = mk_bin(op, l, p_term(p));
    }
}

static expr *p_cmp(pstate *p) {
    expr *l = p_sum(p);
    static const struct { const char *s; binop op; } rel[] = {
        { "<", B_LT }, { "<=", B_LE }, { ">", B_GT }, { ">=", B_GE }, { "==", B_EQ }, { "!=", B_NE } };
    for (int i = 0; i < 6; i++)
        if (is_op(p, rel[i].s)) {
            lex_next(&p->lx);
            return mk_bin(rel[i].op, l, p_sum(p));
        }
    return l;
}

static expr *p_and(pstate *p) {
    expr *l = p_cmp(p);
    while (is_op(p, "&&")) { lex_next(&p->lx); l = mk_bin(B_AND, l, p_cmp(p)); }
    return l;
}

static expr *p_or(pstate *p) {
    expr *l = p_and(p);
    while (is_op(p, "||")) { lex_next(&p->lx); l = mk_bin(B_OR, l, p_and(p)); }
    return l;
}

static expr *p_cond(pstate *p) {
    expr *c = p_or(p);
    if (p->lx.cur.kind == TK_QUESTION) {
        lex_next(&p->lx);
        expr *a = p_cond(p);
        if (p->lx.cur.kind != TK_COLON) { perr(p, "expected :"); return mk_bin(B_ADD, c, a); }
        lex_next(&p->lx);
        expr *b = p_cond(p);
        expr *e = alloc_node(E_COND);
        e->a = c; e->b = a; e->c = b;
        return e;
    }
    return c;
}

expr *parse_expression(const char *src, char *err, int errsz) {
    pstate p;
    p.err = err; p.errsz = errsz; p.failed = 0;
    err[0] = 0;
    lex_init(&p.lx, src);
    expr *e = p_cond(&p);
    if (!p.failed && p.lx.cur.kind != TK_END) perr(&p, "trailing input");
    if (p.failed) { expr_free(e); return NULL; }
    return e;
}
