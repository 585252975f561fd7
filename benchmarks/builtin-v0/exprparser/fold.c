/* Constant folding, algebraic simplification and symbolic
 * differentiation of expression trees.                             */
#include "expr.h"
#include <math.h>
#include <string.h>
#include <stdio.h>

static int is_num(const expr *e, double v) { return e->kind == E_NUM && e->num == v; }

int expr_equal(const expr *a, const expr *b) {
    if (!a || !b) return a == b;
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case E_NUM: return a->num == b->num;
    case E_VAR: return strcmp(a->name, b->name) == 0;
    case E_NEG: case E_NOT: return expr_equal(a->a, b->a);
    case E_BIN: return a->op == b->op && expr_equal(a->a, b->a) && expr_equal(a->b, b->b);
    case E_COND: return expr_equal(a->a, b->a) && expr_equal(a->b, b->b) && expr_equal(a->c, b->c);
    case E_CALL:
        if (strcmp(a->name, b->name) || a->nargs != b->nargs) return 0;
        for (int i = 0; i < a->nargs; i++) if (!expr_equal(a->args[i], b->args[i])) return 0;
        return 1;
    }
    return 0;
}

/* replace node e by its child k (freeing the rest) */
static expr *take(expr *e, int which) {
    expr *keep = which == 0 ? e->a : which == 1 ? e->b : e->c;
    if (which == 0) e->a = NULL; else if (which == 1) e->b = NULL; else e->c = NULL;
    expr_free(e);
    return keep;
}

static expr *replace_num(expr *e, double v) { expr_free(e); return mk_num(v); }

static int safe_fold(binop op, double x, double y, double *r) {
    switch (op) {
    case B_ADD: *r = x + y; return 1;
    case B_SUB: *r = x - y; return 1;
    case B_MUL: *r = x * y; return 1;
    case B_DIV: if (y == 0.0) return 0; *r = x / y; return 1;
    case B_MOD: if (y == 0.0) return 0; *r = fmod(x, y); return 1;
    case B_POW: if (x == 0.0 && y < 0) return 0; *r = pow(x, y); return 1;
    case B_LT: *r = x < y; return 1;
    case B_LE: *r = x <= y; return 1;
    case B_GT: *r = x > y; return 1;
    case B_GE: *r = x >= y; return 1;
    case B_EQ: *r = x == y; return 1;
    case B_NE: *r = x != y; return 1;
    case B_AND: *r = x != 0.0 && y != 0.0; return 1;
    case B_OR: *r = x != 0.0 || y != 0.0; return 1;
    }
    return 0;
}

expr *fold(expr *e, int *ch) {
    if (!e) return e;
    e->a = fold(e->a, ch);
    e->b = fold(e->b, ch);
    e->c = fold(e->c, ch);
    for (int i = 0; i < e->nargs; i++) e->args[i] = fold(e->args[i], ch);
    switch (e->kind) {
    case E_NEG:
        if (e->a->kind == E_NUM) { (*ch)++; return replace_num(e, -e->a->num); }
        if (e->a->kind == E_NEG) { (*ch)++; expr *inner = take(e, 0); return take(inner, 0); }
        break;
    case E_NOT:
        if (e->a->kind == E_NUM) { (*ch)++; return replace_num(e, e->a->num == 0.0); }
        break;
    case E_COND:
        if (e->a->kind == E_NUM) { (*ch)++; return take(e, e->a->num != 0.0 ? 1 : 2); }
        if (expr_equal(e->b, e->c)) { (*ch)++; return take(e, 1); }
        break;
    case E_CALL: {
        int allnum = 1;
        for (int i = 0; i < e->nargs; i++) if (e->args[i]->kind != E_NUM) allnum = 0;
        if (allnum && e->nargs > 0 && strcmp(e->name, "sqrt") && strcmp(e->name, "ln")) {
            double a[MAXARGS], r;
            for (int i = 0; i < e->nargs; i++) a[i] = e->args[i]->num;
            env_t empty = { .n = 0 };
            expr tmp = *e;
            char err[64];
            (void)a;
            if (evaluate(&tmp, &empty, &r, err, sizeof err)) { (*ch)++; return replace_num(e, r); }
        }
        break;
    }
    case E_BIN: {
        expr *l = e->a, *r = e->b;
        double v;
        if (l->kind == E_NUM && r->kind == E_NUM && safe_fold(e->op, l->num, r->num, &v)) { (*ch)++; return replace_num(e, v); }
        switch (e->op) {
        case B_ADD:
            if (is_num(l, 0)) { (*ch)++; return take(e, 1); }
            if (is_num(r, 0)) { (*ch)++; return take(e, 0); }
            if (r->kind == E_NEG) { (*ch)++; e->op = B_SUB; e->b = take(r, 0); return e; }
            if (expr_equal(l, r)) { (*ch)++; expr *x = take(e, 0); return mk_bin(B_MUL, mk_num(2), x); }
            break;
        case B_SUB:
            if (is_num(r, 0)) { (*ch)++; return take(e, 0); }
            if (is_num(l, 0)) { (*ch)++; return mk_un(E_NEG, take(e, 1)); }
            if (expr_equal(l, r)) { (*ch)++; return replace_num(e, 0); }
            break;
        case B_MUL:
            if (is_num(l, 1)) { (*ch)++; return take(e, 1); }
            if (is_num(r, 1)) { (*ch)++; return take(e, 0); }
            if (is_num(l, 0) || is_num(r, 0)) { (*ch)++; return replace_num(e, 0); }
            if (is_num(l, -1)) { (*ch)++; return mk_un(E_NEG, take(e, 1)); }
            if (r->kind == E_NUM && l->kind != E_NUM) { (*ch)++; e->a = r; e->b = l; return e; } /* constants first */
            if (expr_equal(l, r)) { (*ch)++; expr *x = take(e, 0); return mk_bin(B_POW, x, mk_num(2)); }
            break;
        case B_DIV:
            if (is_num(r, 1)) { (*ch)++; return take(e, 0); }
            if (is_num(l, 0) && !is_num(r, 0)) { (*ch)++; return replace_num(e, 0); }
            if (expr_equal(l, r) && l->kind == E_VAR) { (*ch)++; return replace_num(e, 1); }
            break;
        case B_POW:
            if (is_num(r, 1)) { (*ch)++; return take(e, 0); }
            if (is_num(r, 0)) { (*ch)++; return replace_num(e, 1); }
            if (l->kind == E_BIN && l->op == B_POW && l->b->kind == E_NUM && r->kind == E_NUM) {
                (*ch)++;
                l->b->num *= r->num;
                return take(e, 0);
            }
            break;
        case B_AND:
            if (l->kind == E_NUM) { (*ch)++; return l->num == 0.0 ? replace_num(e, 0) : mk_bin(B_NE, take(e, 1), mk_num(0)); }
            break;
        case B_OR:
            if (l->kind == E_NUM) { (*ch)++; return l->num != 0.0 ? replace_num(e, 1) : mk_bin(B_NE, take(e, 1), mk_num(0)); }
            break;
        default: break;
        }
        break;
    }
    default: break;
    }
    return e;
}

static expr *C(const expr *e) { return expr_clone(e); }

expr *derive(const expr *e, const char *x) {
    switch (e->kind) {
    case E_NUM: return mk_num(0);
    case E_VAR: return mk_num(strcmp(e->name, x) == 0 ? 1 : 0);
    case E_NEG: return mk_un(E_NEG, derive(e->a, x));
    case E_NOT: return mk_num(0);
    case E_COND: {
        expr *n = expr_clone(e);
        expr_free(n->b); expr_free(n->c);
        n->b = derive(e->b, x);
        n->c = derive(e->c, x);
        return n;
    }
    case E_CALL: {
        if (e->nargs != 1) return mk_num(0);
        const expr *u = e->args[0];
        expr *du = derive(u, x);
        expr *outer;
        expr *arg[1];
        if (strcmp(e->name, "sin") == 0) { arg[0] = C(u); outer = mk_call("cos", arg, 1); }
        else if (strcmp(e->name, "cos") == 0) { arg[0] = C(u); outer = mk_un(E_NEG, mk_call("sin", arg, 1)); }
        else if (strcmp(e->name, "exp") == 0) outer = C(e);
        else if (strcmp(e->name, "ln") == 0) outer = mk_bin(B_DIV, mk_num(1), C(u));
        else if (strcmp(e->name, "sqrt") == 0) outer = mk_bin(B_DIV, mk_num(1), mk_bin(B_MUL, mk_num(2), C(e)));
        else if (strcmp(e->name, "tan") == 0) {
            arg[0] = C(u);
            outer = mk_bin(B_ADD, mk_num(1), mk_bin(B_POW, mk_call("tan", arg, 1), mk_num(2)));
        } else { expr_free(du); return mk_num(0); }
        return mk_bin(B_MUL, outer, du);
    }
    case E_BIN: {
        const expr *u = e->a, *v = e->b;
        switch (e->op) {
        case B_ADD: return mk_bin(B_ADD, derive(u, x), derive(v, x));
        case B_SUB: return mk_bin(B_SUB, derive(u, x), derive(v, x));
        case B_MUL: return mk_bin(B_ADD, mk_bin(B_MUL, derive(u, x), C(v)), mk_bin(B_MUL, C(u), derive(v, x)));
        case B_DIV:
            return mk_bin(B_DIV, mk_bin(B_SUB, mk_bin(B_MUL, derive(u, x), C(v)), mk_bin(B_MUL, C(u), derive(v, x))),
                          mk_bin(B_POW, C(v), mk_num(2)));
        case B_POW:
            if (v->kind == E_NUM)
                return mk_bin(B_MUL, mk_bin(B_MUL, mk_num(v->num), mk_bin(B_POW, C(u), mk_num(v->num - 1))), derive(u, x));
            else {
                /* d(u^v) = u^v * (v' ln u + v u'/u) */
                expr *arg[1] = { C(u) };
                expr *t1 = mk_bin(B_MUL, derive(v, x), mk_call("ln", arg, 1));
                expr *t2 = mk_bin(B_DIV, mk_bin(B_MUL, C(v), derive(u, x)), C(u));
                return mk_bin(B_MUL, C(e), mk_bin(B_ADD, t1, t2));
            }
        default: return mk_num(0);
        }
    }
    }
    return mk_num(0);
}
