/* Pretty printer (minimal parentheses), environment and evaluator. */
#include "expr.h"
#include <stdio.h>
#include <string.h>
#include <math.h>

static const char *op_text[] = { "+", "-", "*", "/", "%", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||" };

static int prec_of(const expr *e) {
    switch (e->kind) {
    case E_COND: return 1;
    case E_BIN:
        switch (e->op) {
        case B_OR: return 2;
        case B_AND: return 3;
        case B_LT: case B_LE: case B_GT: case B_GE: case B_EQ: case B_NE: return 4;
        case B_ADD: case B_SUB: return 5;
        case B_MUL: case B_DIV: case B_MOD: return 6;
        case B_POW: return 8;
        }
        return 9;
    case E_NEG: case E_NOT: return 7;
    case E_NUM: return e->num < 0 ? 7 : 9;
    default: return 9;
    }
}

typedef struct { char *buf; int size, len; } sbuf;

static void put(sbuf *s, const char *t) {
    while (*t) {
        if (s->len + 1 < s->size) s->buf[s->len] = *t;
        s->len++;
        t++;
    }
    if (s->size > 0) s->buf[s->len < s->size ? s->len : s->size - 1] = 0;
}

static void pr(sbuf *s, const expr *e, int minprec);

static void pr_wrapped(sbuf *s, const expr *e, int minprec) {
    if (prec_of(e) < minprec) { put(s, "("); pr(s, e, 0); put(s, ")"); }
    else pr(s, e, minprec);
}

static void pr(sbuf *s, const expr *e, int minprec) {
    char tmp[48];
    (void)minprec;
    switch (e->kind) {
    case E_NUM: snprintf(tmp, sizeof tmp, "%.6g", e->num); put(s, tmp); break;
    case E_VAR: put(s, e->name); break;
    case E_NEG: put(s, "-"); pr_wrapped(s, e->a, 7); break;
    case E_NOT: put(s, "!"); pr_wrapped(s, e->a, 7); break;
    case E_BIN: {
        int p = prec_of(e);
        if (e->op == B_POW) {
            pr_wrapped(s, e->a, 9);
            put(s, "^");
            pr_wrapped(s, e->b, 7);
        } else if (p == 4) {
            pr_wrapped(s, e->a, 5);
            put(s, " "); put(s, op_text[e->op]); put(s, " ");
            pr_wrapped(s, e->b, 5);
        } else {
            pr_wrapped(s, e->a, p);
            if (p == 6) put(s, op_text[e->op]);
            else { put(s, " "); put(s, op_text[e->op]); put(s, " "); }
            pr_wrapped(s, e->b, p + 1);
        }
        break;
    }
    case E_COND:
        pr_wrapped(s, e->a, 2); put(s, " ? "); pr_wrapped(s, e->b, 1); put(s, " : "); pr_wrapped(s, e->c, 1);
        break;
    case E_CALL:
        put(s, e->name); put(s, "(");
        for (int i = 0; i < e->nargs; i++) { if (i) put(s, ", "); pr(s, e->args[i], 0); }
        put(s, ")");
        break;
    }
}

int expr_print(const expr *e, char *buf, int size) {
    sbuf s = { buf, size, 0 };
    if (size > 0) buf[0] = 0;
    pr(&s, e, 0);
    return s.len;
}

int expr_size(const expr *e) {
    if (!e) return 0;
    int n = 1 + expr_size(e->a) + expr_size(e->b) + expr_size(e->c);
    for (int i = 0; i < e->nargs; i++) n += expr_size(e->args[i]);
    return n;
}

int expr_depth(const expr *e) {
    if (!e) return 0;
    int d = expr_depth(e->a);
    int t = expr_depth(e->b); if (t > d) d = t;
    t = expr_depth(e->c); if (t > d) d = t;
    for (int i = 0; i < e->nargs; i++) { t = expr_depth(e->args[i]); if (t > d) d = t; }
    return d + 1;
}

int env_get(const env_t *env, const char *name, double *v) {
    for (int i = 0; i < env->n; i++)
        if (strcmp(env->vars[i].name, name) == 0) { *v = env->vars[i].value; return 1; }
    if (strcmp(name, "pi") == 0) { *v = 3.14159265358979323846; return 1; }
    if (strcmp(name, "e") == 0) { *v = 2.71828182845904523536; return 1; }
    return 0;
}

void env_set(env_t *env, const char *name, double v) {
    for (int i = 0; i < env->n; i++)
        if (strcmp(env->vars[i].name, name) == 0) { env->vars[i].value = v; return; }
    if (env->n < 64) {
        snprintf(env->vars[env->n].name, sizeof env->vars[0].name, "%s", name);
        env->vars[env->n].value = v;
        env->n++;
    }
}

typedef struct { const char *name; int nargs; } builtin;
static const builtin builtins[] = { { "sin", 1 }, { "cos", 1 }, { "tan", 1 }, { "sqrt", 1 }, { "exp", 1 },
                                    { "ln", 1 }, { "abs", 1 }, { "floor", 1 }, { "min", 2 }, { "max", 2 },
                                    { "hypot", 2 }, { "clamp", 3 }, { NULL, 0 } };

static int call_builtin(const char *name, const double *a, int n, double *out, char *err, int errsz) {
    int idx = -1;
    for (int i = 0; builtins[i].name; i++) if (strcmp(builtins[i].name, name) == 0) idx = i;
    if (idx < 0) { snprintf(err, (size_t)errsz, "unknown function %s", name); return 0; }
    if (builtins[idx].nargs != n) { snprintf(err, (size_t)errsz, "%s expects %d args", name, builtins[idx].nargs); return 0; }
    switch (idx) {
    case 0: *out = sin(a[0]); break;
    case 1: *out = cos(a[0]); break;
    case 2: *out = tan(a[0]); break;
    case 3:
        if (a[0] < 0) { snprintf(err, (size_t)errsz, "sqrt of negative"); return 0; }
        *out = sqrt(a[0]); break;
    case 4: *out = exp(a[0]); break;
    case 5:
        if (a[0] <= 0) { snprintf(err, (size_t)errsz, "ln of non-positive"); return 0; }
        *out = log(a[0]); break;
    case 6: *out = fabs(a[0]); break;
    case 7: *out = floor(a[0]); break;
    case 8: *out = a[0] < a[1] ? a[0] : a[1]; break;
    case 9: *out = a[0] > a[1] ? a[0] : a[1]; break;
    case 10: *out = sqrt(a[0] * a[0] + a[1] * a[1]); break;
    case 11: *out = a[0] < a[1] ? a[1] : (a[0] > a[2] ? a[2] : a[0]); break;
    }
    return 1;
}

int evaluate(const expr *e, const env_t *env, double *out, char *err, int errsz) {
    double x, y;
    switch (e->kind) {
    case E_NUM: *out = e->num; return 1;
    case E_VAR:
        if (!env_get(env, e->name, out)) { snprintf(err, (size_t)errsz, "undefined variable %s", e->name); return 0; }
        return 1;
    case E_NEG: if (!evaluate(e->a, env, &x, err, errsz)) return 0; *out = -x; return 1;
    case E_NOT: if (!evaluate(e->a, env, &x, err, errsz)) return 0; *out = x == 0.0; return 1;
    case E_COND:
        if (!evaluate(e->a, env, &x, err, errsz)) return 0;
        return evaluate(x != 0.0 ? e->b : e->c, env, out, err, errsz);
    case E_CALL: {
        double a[MAXARGS];
        for (int i = 0; i < e->nargs; i++) if (!evaluate(e->args[i], env, &a[i], err, errsz)) return 0;
        return call_builtin(e->name, a, e->nargs, out, err, errsz);
    }
    case E_BIN:
        if (!evaluate(e->a, env, &x, err, errsz)) return 0;
        if (e->op == B_AND && x == 0.0) { *out = 0; return 1; }
        if (e->op == B_OR && x != 0.0) { *out = 1; return 1; }
        if (!evaluate(e->b, env, &y, err, errsz)) return 0;
        switch (e->op) {
        case B_ADD: *out = x + y; break;
        case B_SUB: *out = x - y; break;
        case B_MUL: *out = x * y; break;
        case B_DIV:
            if (y == 0.0) { snprintf(err, (size_t)errsz, "division by zero"); return 0; }
            *out = x / y; break;
        case B_MOD:
            if (y == 0.0) { snprintf(err, (size_t)errsz, "modulo by zero"); return 0; }
            *out = fmod(x, y); break;
        case B_POW: *out = pow(x, y); break;
        case B_LT: *out = x < y; break;
        case B_LE: *out = x <= y; break;
        case B_GT: *out = x > y; break;
        case B_GE: *out = x >= y; break;
        case B_EQ: *out = x == y; break;
        case B_NE: *out = x != y; break;
        case B_AND: *out = y != 0.0; break;
        case B_OR: *out = y != 0.0; break;
        }
        return 1;
    }
    return 0;
}
