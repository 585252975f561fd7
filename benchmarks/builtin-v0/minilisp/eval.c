/* Evaluator with proper tail calls for if/cond/case/and/or/when/unless/
 * begin, let, let*, letrec, named let and closure application. The
 * environment is a chain of frames (association lists); the global
 * environment lives in the symbols themselves.                        */
#include "lisp.h"
#include <stdio.h>
#include <string.h>

long eval_calls, tail_calls;
int max_depth_seen;
static int depth;
#define MAX_DEPTH 1500

static obj *s_quote, *s_if, *s_define, *s_set, *s_lambda, *s_begin, *s_let, *s_letstar, *s_letrec, *s_cond,
    *s_else, *s_and, *s_or, *s_when, *s_unless, *s_case, *s_arrow;

void eval_reset(void) { depth = 0; }

void eval_init(void) {
    s_quote = intern("quote"); s_if = intern("if"); s_define = intern("define"); s_set = intern("set!");
    s_lambda = intern("lambda"); s_begin = intern("begin"); s_let = intern("let"); s_letstar = intern("let*");
    s_letrec = intern("letrec"); s_cond = intern("cond"); s_else = intern("else"); s_and = intern("and");
    s_or = intern("or"); s_when = intern("when"); s_unless = intern("unless"); s_case = intern("case");
    s_arrow = intern("=>");
}

static obj *lookup_cell(obj *env, obj *sym) {
    for (obj *e = env; e != Nil; e = CDR(e))
        for (obj *b = CAR(e); b != Nil; b = CDR(b))
            if (CAR(CAR(b)) == sym) return CAR(b);
    return NULL;
}

static obj *lookup(obj *env, obj *sym) {
    obj *cell = lookup_cell(env, sym);
    if (cell) return CDR(cell);
    if (!sym->u.sym.bound) lisp_error("unbound variable: %s", sym->u.sym.name);
    return sym->u.sym.global;
}

static void define_var(obj *env, obj *sym, obj *val) {
    if (env == Nil) { sym->u.sym.global = val; sym->u.sym.bound = 1; return; }
    ROOT(env); ROOT(sym); ROOT(val);
    for (obj *b = CAR(env); b != Nil; b = CDR(b))
        if (CAR(CAR(b)) == sym) { CDR(CAR(b)) = val; UNROOT(3); return; }
    obj *pair = cons(sym, val);
    CAR(env) = cons(pair, CAR(env));
    UNROOT(3);
}

static int truthy(obj *o) { return o != False; }

static void check_list(obj *l, int min, const char *what) {
    int n = 0;
    for (obj *p = l; p->type == T_CONS; p = CDR(p)) n++;
    if (n < min) lisp_error("malformed %s", what);
}

/* new frame binding params (proper, dotted or single symbol) to args */
static obj *bind_params(obj *params, obj *args, obj *parent, obj *fn) {
    obj *frame = Nil, *pair = Nil;
    ROOT(params); ROOT(args); ROOT(parent); ROOT(frame); ROOT(pair);
    while (params->type == T_CONS) {
        if (args == Nil) lisp_error("too few arguments to %s", fn->u.clo.name ? fn->u.clo.name->u.sym.name : "lambda");
        pair = cons(CAR(params), CAR(args));
        frame = cons(pair, frame);
        params = CDR(params);
        args = CDR(args);
    }
    if (params->type == T_SYMBOL) {
        pair = cons(params, args);
        frame = cons(pair, frame);
    } else if (args != Nil) lisp_error("too many arguments to %s", fn->u.clo.name ? fn->u.clo.name->u.sym.name : "lambda");
    obj *env = cons(frame, parent);
    UNROOT(5);
    return env;
}

static obj *eval_args(obj *list, obj *env) {
    obj *head = Nil, *tail = Nil, *v = Nil;
    ROOT(list); ROOT(env); ROOT(head); ROOT(v);
    for (; list->type == T_CONS; list = CDR(list)) {
        v = eval(CAR(list), env);
        obj *cell = cons(v, Nil);
        if (head == Nil) head = cell; else CDR(tail) = cell;
        tail = cell;
    }
    if (list != Nil) lisp_error("improper argument list");
    UNROOT(4);
    return head;
}

static obj *call_prim(obj *fn, obj *args) {
    int n = list_length(args);
    if (n < fn->u.prim.minargs || (fn->u.prim.maxargs >= 0 && n > fn->u.prim.maxargs))
        lisp_error("%s: wrong number of arguments (%d)", fn->u.prim.name, n);
    return fn->u.prim.fn(args);
}

obj *eval(obj *expr, obj *env) {
    obj *fn = Nil, *args = Nil, *tmp = Nil, *result = Nil;
    ROOT(expr); ROOT(env); ROOT(fn); ROOT(args); ROOT(tmp);
    if (++depth > MAX_DEPTH) { depth = 0; lisp_error("recursion too deep"); }
    if (depth > max_depth_seen) max_depth_seen = depth;
    eval_calls++;
    for (;;) {
        switch (expr->type) {
        case T_SYMBOL: result = lookup(env, expr); goto done;
        case T_CONS: break;
        default: result = expr; goto done;
        }
        obj *op = CAR(expr), *rest = CDR(expr);
        if (op == s_quote) { check_list(rest, 1, "quote"); result = CAR(rest); goto done; }
        if (op == s_if) {
            check_list(rest, 2, "if");
            tmp = eval(CAR(rest), env);
            if (truthy(tmp)) expr = CAR(CDR(rest));
            else if (CDR(CDR(rest)) != Nil) expr = CAR(CDR(CDR(rest)));
            else { result = False; goto done; }
            tail_calls++;
            continue;
        }
        if (op == s_define) {
            check_list(rest, 1, "define");
            obj *target = CAR(rest);
            if (target->type == T_CONS) { /* (define (f . params) body...) */
                tmp = make_closure(CDR(target), CDR(rest), env);
                tmp->u.clo.name = CAR(target);
                define_var(env, CAR(target), tmp);
                result = CAR(target);
            } else {
                if (target->type != T_SYMBOL) lisp_error("define: not a symbol");
                tmp = CDR(rest) != Nil ? eval(CAR(CDR(rest)), env) : False;
                if (tmp->type == T_CLOSURE && !tmp->u.clo.name) tmp->u.clo.name = target;
                define_var(env, target, tmp);
                result = target;
            }
            goto done;
        }
        if (op == s_set) {
            check_list(rest, 2, "set!");
            if (CAR(rest)->type != T_SYMBOL) lisp_error("set!: not a symbol");
            tmp = eval(CAR(CDR(rest)), env);
            obj *cell = lookup_cell(env, CAR(rest));
            if (cell) CDR(cell) = tmp;
            else if (CAR(rest)->u.sym.bound) CAR(rest)->u.sym.global = tmp;
            else lisp_error("set!: unbound variable %s", CAR(rest)->u.sym.name);
            result = tmp;
            goto done;
        }
        if (op == s_lambda) {
            check_list(rest, 2, "lambda");
            result = make_closure(CAR(rest), CDR(rest), env);
            goto done;
        }
        if (op == s_begin) {
            if (rest == Nil) { result = Nil; goto done; }
            for (; CDR(rest) != Nil; rest = CDR(rest)) eval(CAR(rest), env);
            expr = CAR(rest);
            continue;
        }
        if (op == s_let && rest->type == T_CONS && CAR(rest)->type == T_SYMBOL) {
            /* named let: (let name ((v init) ...) body...) */
            obj *name = CAR(rest), *bindings = CAR(CDR(rest));
            obj *params = Nil, *ptail = Nil;
            ROOT(params);
            for (obj *b = bindings; b != Nil; b = CDR(b)) {
                obj *cell = cons(CAR(CAR(b)), Nil);
                if (params == Nil) params = cell; else CDR(ptail) = cell;
                ptail = cell;
            }
            args = Nil;
            obj *atail = Nil;
            for (obj *b = bindings; b != Nil; b = CDR(b)) {
                tmp = eval(CAR(CDR(CAR(b))), env);
                obj *cell = cons(tmp, Nil);
                if (args == Nil) args = cell; else CDR(atail) = cell;
                atail = cell;
            }
            env = cons(Nil, env);
            fn = make_closure(params, CDR(CDR(rest)), env);
            fn->u.clo.name = name;
            define_var(env, name, fn);
            UNROOT(1);
            goto apply_closure;
        }
        if (op == s_let || op == s_letstar || op == s_letrec) {
            check_list(rest, 2, "let");
            obj *bindings = CAR(rest);
            if (op == s_let) {
                args = Nil;
                for (obj *b = bindings; b != Nil; b = CDR(b)) {
                    tmp = eval(CAR(CDR(CAR(b))), env);
                    tmp = cons(CAR(CAR(b)), tmp);
                    args = cons(tmp, args);
                }
                env = cons(args, env);
            } else if (op == s_letstar) {
                for (obj *b = bindings; b != Nil; b = CDR(b)) {
                    tmp = eval(CAR(CDR(CAR(b))), env);
                    tmp = cons(CAR(CAR(b)), tmp);
                    tmp = cons(tmp, Nil);
                    env = cons(tmp, env);
                }
            } else {
                env = cons(Nil, env);
                for (obj *b = bindings; b != Nil; b = CDR(b)) define_var(env, CAR(CAR(b)), False);
                for (obj *b = bindings; b != Nil; b = CDR(b)) {
                    tmp = eval(CAR(CDR(CAR(b))), env);
                    if (tmp->type == T_CLOSURE && !tmp->u.clo.name) tmp->u.clo.name = CAR(CAR(b));
                    define_var(env, CAR(CAR(b)), tmp);
                }
            }
            rest = CDR(rest);
            for (; CDR(rest) != Nil; rest = CDR(rest)) eval(CAR(rest), env);
            expr = CAR(rest);
            tail_calls++;
            continue;
        }
        if (op == s_cond) {
            obj *clause = Nil;
            for (obj *c = rest; c != Nil; c = CDR(c)) {
                clause = CAR(c);
                if (CAR(clause) == s_else) { tmp = True; break; }
                tmp = eval(CAR(clause), env);
                if (truthy(tmp)) break;
                clause = Nil;
            }
            if (clause == Nil) { result = False; goto done; }
            obj *body = CDR(clause);
            if (body == Nil) { result = tmp; goto done; }
            if (CAR(body) == s_arrow) { /* (test => proc) */
                fn = eval(CAR(CDR(body)), env);
                args = cons(tmp, Nil);
                if (fn->type == T_PRIM) { result = call_prim(fn, args); goto done; }
                if (fn->type != T_CLOSURE) lisp_error("cond =>: not a procedure");
                goto apply_closure;
            }
            for (; CDR(body) != Nil; body = CDR(body)) eval(CAR(body), env);
            expr = CAR(body);
            continue;
        }
        if (op == s_case) {
            tmp = eval(CAR(rest), env);
            obj *body = Nil;
            for (obj *c = CDR(rest); c != Nil && body == Nil; c = CDR(c)) {
                obj *clause = CAR(c);
                if (CAR(clause) == s_else) { body = CDR(clause); break; }
                for (obj *d = CAR(clause); d != Nil; d = CDR(d))
                    if (obj_equal(CAR(d), tmp)) { body = CDR(clause); break; }
            }
            if (body == Nil) { result = False; goto done; }
            for (; CDR(body) != Nil; body = CDR(body)) eval(CAR(body), env);
            expr = CAR(body);
            continue;
        }
        if (op == s_and || op == s_or) {
            if (rest == Nil) { result = op == s_and ? True : False; goto done; }
            for (; CDR(rest) != Nil; rest = CDR(rest)) {
                tmp = eval(CAR(rest), env);
                if (op == s_and ? !truthy(tmp) : truthy(tmp)) { result = tmp; goto done; }
            }
            expr = CAR(rest);
            continue;
        }
        if (op == s_when || op == s_unless) {
            check_list(rest, 2, "when/unless");
            tmp = eval(CAR(rest), env);
            if (truthy(tmp) != (op == s_when)) { result = False; goto done; }
            rest = CDR(rest);
            for (; CDR(rest) != Nil; rest = CDR(rest)) eval(CAR(rest), env);
            expr = CAR(rest);
            continue;
        }
        /* application */
        fn = eval(op, env);
        args = eval_args(rest, env);
        if (fn->type == T_PRIM) { result = call_prim(fn, args); goto done; }
        if (fn->type != T_CLOSURE) lisp_error("not a procedure");
    apply_closure:
        env = bind_params(fn->u.clo.params, args, fn->u.clo.env, fn);
        {
            obj *body = fn->u.clo.body;
            for (; CDR(body) != Nil; body = CDR(body)) eval(CAR(body), env);
            expr = CAR(body);
        }
        tail_calls++;
    }
done:
    depth--;
    UNROOT(5);
    return result;
}

/* call a procedure from C (used by apply, map-like builtins) */
obj *apply_fn(obj *fn, obj *args) {
    if (fn->type == T_PRIM) return call_prim(fn, args);
    if (fn->type != T_CLOSURE) lisp_error("apply: not a procedure");
    obj *env = Nil, *body = Nil, *r = Nil;
    ROOT(fn); ROOT(args); ROOT(env); ROOT(body);
    env = bind_params(fn->u.clo.params, args, fn->u.clo.env, fn);
    for (body = fn->u.clo.body; body != Nil; body = CDR(body)) r = eval(CAR(body), env);
    UNROOT(4);
    return r;
}
