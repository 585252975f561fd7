/* Primitive procedures. Arguments arrive as a (rooted) list. */
#include "lisp.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#define A1 CAR(args)
#define A2 CAR(CDR(args))
#define A3 CAR(CDR(CDR(args)))

int list_length(obj *l) {
    int n = 0;
    while (l->type == T_CONS) { n++; l = CDR(l); }
    return n;
}

static long long need_int(obj *o, const char *who) {
    if (o->type != T_INT) lisp_error("%s: expected integer", who);
    return o->u.i;
}
static obj *need_pair(obj *o, const char *who) {
    if (o->type != T_CONS) lisp_error("%s: expected pair", who);
    return o;
}
static obj *boolean(int b) { return b ? True : False; }

static long long wadd(long long a, long long b) { return (long long)((unsigned long long)a + (unsigned long long)b); }
static long long wsub(long long a, long long b) { return (long long)((unsigned long long)a - (unsigned long long)b); }
static long long wmul(long long a, long long b) { return (long long)((unsigned long long)a * (unsigned long long)b); }

static obj *p_add(obj *args) { long long s = 0; for (; args != Nil; args = CDR(args)) s = wadd(s, need_int(CAR(args), "+")); return make_int(s); }
static obj *p_mul(obj *args) { long long s = 1; for (; args != Nil; args = CDR(args)) s = wmul(s, need_int(CAR(args), "*")); return make_int(s); }
static obj *p_sub(obj *args) {
    long long s = need_int(A1, "-");
    if (CDR(args) == Nil) return make_int(wsub(0, s));
    for (args = CDR(args); args != Nil; args = CDR(args)) s = wsub(s, need_int(CAR(args), "-"));
    return make_int(s);
}
static obj *divop(obj *args, int kind) {
    long long a = need_int(A1, "quotient"), b = need_int(A2, "quotient");
    if (b == 0) lisp_error("division by zero");
    if (b == -1) return make_int(kind == 0 ? wsub(0, a) : 0);
    if (kind == 0) return make_int(a / b);
    long long r = a % b;
    if (kind == 2 && r != 0 && ((r < 0) != (b < 0))) r += b; /* modulo takes the divisor's sign */
    return make_int(r);
}
static obj *p_quot(obj *args) { return divop(args, 0); }
static obj *p_rem(obj *args) { return divop(args, 1); }
static obj *p_mod(obj *args) { return divop(args, 2); }

static obj *compare(obj *args, int op, const char *who) {
    for (; CDR(args) != Nil; args = CDR(args)) {
        long long a = need_int(CAR(args), who), b = need_int(CAR(CDR(args)), who);
        int ok = op == 0 ? a == b : op == 1 ? a < b : op == 2 ? a > b : op == 3 ? a <= b : a >= b;
        if (!ok) return False;
    }
    return True;
}
static obj *p_numeq(obj *args) { return compare(args, 0, "="); }
static obj *p_lt(obj *args) { return compare(args, 1, "<"); }
static obj *p_gt(obj *args) { return compare(args, 2, ">"); }
static obj *p_le(obj *args) { return compare(args, 3, "<="); }
static obj *p_ge(obj *args) { return compare(args, 4, ">="); }
static obj *p_abs(obj *args) { long long a = need_int(A1, "abs"); return make_int(a < 0 ? wsub(0, a) : a); }
static obj *p_min(obj *args) { long long m = need_int(A1, "min"); for (args = CDR(args); args != Nil; args = CDR(args)) { long long v = need_int(CAR(args), "min"); if (v < m) m = v; } return make_int(m); }
static obj *p_max(obj *args) { long long m = need_int(A1, "max"); for (args = CDR(args); args != Nil; args = CDR(args)) { long long v = need_int(CAR(args), "max"); if (v > m) m = v; } return make_int(m); }

static obj *p_cons(obj *args) { return cons(A1, A2); }
static obj *p_car(obj *args) { return CAR(need_pair(A1, "car")); }
static obj *p_cdr(obj *args) { return CDR(need_pair(A1, "cdr")); }
static obj *p_setcar(obj *args) { CAR(need_pair(A1, "set-car!")) = A2; return A2; }
static obj *p_setcdr(obj *args) { CDR(need_pair(A1, "set-cdr!")) = A2; return A2; }
static obj *p_list(obj *args) { return args; }
static obj *p_length(obj *args) { return make_int(list_length(A1)); }

static obj *p_reverse(obj *args) {
    obj *r = Nil, *l = A1;
    ROOT(r); ROOT(l);
    for (; l->type == T_CONS; l = CDR(l)) r = cons(CAR(l), r);
    UNROOT(2);
    return r;
}

static obj *p_append(obj *args) {
    obj *head = Nil, *tail = Nil;
    ROOT(args); ROOT(head);
    for (; args != Nil; args = CDR(args)) {
        obj *l = CAR(args);
        if (CDR(args) == Nil) { if (head == Nil) head = l; else CDR(tail) = l; break; }
        for (; l->type == T_CONS; l = CDR(l)) {
            obj *c = cons(CAR(l), Nil);
            if (head == Nil) head = c; else CDR(tail) = c;
            tail = c;
        }
    }
    UNROOT(2);
    return head;
}

static obj *p_list_tail(obj *args) {
    obj *l = A1;
    for (long long k = need_int(A2, "list-tail"); k > 0; k--) l = CDR(need_pair(l, "list-tail"));
    return l;
}
static obj *p_list_ref(obj *args) {
    obj *l = A1;
    for (long long k = need_int(A2, "list-ref"); k > 0; k--) l = CDR(need_pair(l, "list-ref"));
    return CAR(need_pair(l, "list-ref"));
}

int obj_equal(obj *a, obj *b) {
    for (;;) {
        if (a == b) return 1;
        if (a->type != b->type) return 0;
        switch (a->type) {
        case T_INT: return a->u.i == b->u.i;
        case T_STRING: return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
        case T_CONS:
            if (!obj_equal(CAR(a), CAR(b))) return 0;
            a = CDR(a); b = CDR(b);
            continue;
        default: return 0;
        }
    }
}
static int eqv(obj *a, obj *b) { return a == b || (a->type == T_INT && b->type == T_INT && a->u.i == b->u.i); }

static obj *p_nullp(obj *args) { return boolean(A1 == Nil); }
static obj *p_pairp(obj *args) { return boolean(A1->type == T_CONS); }
static obj *p_numberp(obj *args) { return boolean(A1->type == T_INT); }
static obj *p_symbolp(obj *args) { return boolean(A1->type == T_SYMBOL); }
static obj *p_stringp(obj *args) { return boolean(A1->type == T_STRING); }
static obj *p_procp(obj *args) { return boolean(A1->type == T_PRIM || A1->type == T_CLOSURE); }
static obj *p_boolp(obj *args) { return boolean(A1 == True || A1 == False); }
static obj *p_zerop(obj *args) { return boolean(need_int(A1, "zero?") == 0); }
static obj *p_eqp(obj *args) { return boolean(A1 == A2); }
static obj *p_eqvp(obj *args) { return boolean(eqv(A1, A2)); }
static obj *p_equalp(obj *args) { return boolean(obj_equal(A1, A2)); }
static obj *p_not(obj *args) { return boolean(A1 == False); }

static obj *p_display(obj *args) { print_obj(A1, 0); return True; }
static obj *p_write(obj *args) { print_obj(A1, 1); return True; }
static obj *p_newline(obj *args) { (void)args; putchar('\n'); output_chars++; return True; }

static obj *p_apply(obj *args) {
    /* (apply f a b ... lst) */
    obj *fn = A1, *list = Nil, *tail = Nil;
    ROOT(args); ROOT(fn); ROOT(list);
    for (obj *a = CDR(args); a != Nil; a = CDR(a)) {
        if (CDR(a) == Nil) { if (list == Nil) list = CAR(a); else CDR(tail) = CAR(a); break; }
        obj *c = cons(CAR(a), Nil);
        if (list == Nil) list = c; else CDR(tail) = c;
        tail = c;
    }
    obj *r = apply_fn(fn, list);
    UNROOT(3);
    return r;
}

static obj *p_map(obj *args) {
    /* (map f list) for a single list, implemented natively */
    obj *fn = A1, *l = A2, *head = Nil, *tail = Nil, *v = Nil, *a = Nil;
    ROOT(fn); ROOT(l); ROOT(head); ROOT(v); ROOT(a);
    for (; l->type == T_CONS; l = CDR(l)) {
        a = cons(CAR(l), Nil);
        v = apply_fn(fn, a);
        obj *c = cons(v, Nil);
        if (head == Nil) head = c; else CDR(tail) = c;
        tail = c;
    }
    UNROOT(5);
    return head;
}

static obj *p_for_each(obj *args) {
    obj *fn = A1, *l = A2, *a = Nil;
    ROOT(fn); ROOT(l); ROOT(a);
    for (; l->type == T_CONS; l = CDR(l)) { a = cons(CAR(l), Nil); apply_fn(fn, a); }
    UNROOT(3);
    return True;
}

static obj *p_gc(obj *args) { (void)args; gc_collect(); return make_int(heap_live()); }

static obj *p_string_length(obj *args) {
    if (A1->type != T_STRING) lisp_error("string-length: expected string");
    return make_int((long long)A1->u.str.len);
}
static obj *p_string_append(obj *args) {
    char buf[1024];
    size_t n = 0;
    for (obj *a = args; a != Nil; a = CDR(a)) {
        if (CAR(a)->type != T_STRING) lisp_error("string-append: expected string");
        for (size_t i = 0; i < CAR(a)->u.str.len && n < sizeof buf; i++) buf[n++] = CAR(a)->u.str.s[i];
    }
    return make_string(buf, n);
}
static obj *p_symbol_to_string(obj *args) {
    if (A1->type != T_SYMBOL) lisp_error("symbol->string: expected symbol");
    return make_string(A1->u.sym.name, strlen(A1->u.sym.name));
}
static obj *p_string_to_symbol(obj *args) {
    if (A1->type != T_STRING) lisp_error("string->symbol: expected string");
    return intern(A1->u.str.s);
}
static obj *p_number_to_string(obj *args) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", need_int(A1, "number->string"));
    return make_string(buf, strlen(buf));
}
static obj *p_string_eq(obj *args) { return boolean(A1->type == T_STRING && obj_equal(A1, A2)); }

static obj *assoc_gen(obj *args, int mode) {
    for (obj *l = A2; l->type == T_CONS; l = CDR(l)) {
        obj *e = CAR(l);
        if (e->type != T_CONS) continue;
        if (mode == 0 ? CAR(e) == A1 : obj_equal(CAR(e), A1)) return e;
    }
    return False;
}
static obj *p_assq(obj *args) { return assoc_gen(args, 0); }
static obj *p_assoc(obj *args) { return assoc_gen(args, 1); }
static obj *member_gen(obj *args, int mode) {
    for (obj *l = A2; l->type == T_CONS; l = CDR(l))
        if (mode == 0 ? eqv(CAR(l), A1) : obj_equal(CAR(l), A1)) return l;
    return False;
}
static obj *p_memv(obj *args) { return member_gen(args, 0); }
static obj *p_member(obj *args) { return member_gen(args, 1); }

static obj *p_error(obj *args) {
    if (A1->type == T_STRING) lisp_error("user error: %s", A1->u.str.s);
    lisp_error("user error");
    return Nil;
}

static obj *p_vector_like_iota(obj *args) {
    /* (iota n [start [step]]) */
    long long n = need_int(A1, "iota"), start = 0, step = 1;
    if (CDR(args) != Nil) start = need_int(A2, "iota");
    if (CDR(args) != Nil && CDR(CDR(args)) != Nil) step = need_int(A3, "iota");
    obj *r = Nil;
    ROOT(r);
    for (long long i = n - 1; i >= 0; i--) { obj *v = make_int(wadd(start, wmul(i, step))); r = cons(v, r); }
    UNROOT(1);
    return r;
}

typedef struct { const char *name; primfn fn; int minargs, maxargs; } primdef;
static const primdef prims[] = {
    { "+", p_add, 0, -1 }, { "-", p_sub, 1, -1 }, { "*", p_mul, 0, -1 }, { "quotient", p_quot, 2, 2 },
    { "remainder", p_rem, 2, 2 }, { "modulo", p_mod, 2, 2 }, { "=", p_numeq, 1, -1 }, { "<", p_lt, 1, -1 },
    { ">", p_gt, 1, -1 }, { "<=", p_le, 1, -1 }, { ">=", p_ge, 1, -1 }, { "abs", p_abs, 1, 1 },
    { "min", p_min, 1, -1 }, { "max", p_max, 1, -1 }, { "cons", p_cons, 2, 2 }, { "car", p_car, 1, 1 },
    { "cdr", p_cdr, 1, 1 }, { "set-car!", p_setcar, 2, 2 }, { "set-cdr!", p_setcdr, 2, 2 }, { "list", p_list, 0, -1 },
    { "length", p_length, 1, 1 }, { "reverse", p_reverse, 1, 1 }, { "append", p_append, 0, -1 },
    { "list-tail", p_list_tail, 2, 2 }, { "list-ref", p_list_ref, 2, 2 }, { "null?", p_nullp, 1, 1 },
    { "pair?", p_pairp, 1, 1 }, { "number?", p_numberp, 1, 1 }, { "symbol?", p_symbolp, 1, 1 },
    { "string?", p_stringp, 1, 1 }, { "procedure?", p_procp, 1, 1 }, { "boolean?", p_boolp, 1, 1 },
    { "zero?", p_zerop, 1, 1 }, { "eq?", p_eqp, 2, 2 }, { "eqv?", p_eqvp, 2, 2 }, { "equal?", p_equalp, 2, 2 },
    { "not", p_not, 1, 1 }, { "display", p_display, 1, 1 }, { "write", p_write, 1, 1 }, { "newline", p_newline, 0, 0 },
    { "apply", p_apply, 2, -1 }, { "map", p_map, 2, 2 }, { "for-each", p_for_each, 2, 2 }, { "gc", p_gc, 0, 0 },
    { "string-length", p_string_length, 1, 1 }, { "string-append", p_string_append, 0, -1 },
    { "symbol->string", p_symbol_to_string, 1, 1 }, { "string->symbol", p_string_to_symbol, 1, 1 },
    { "number->string", p_number_to_string, 1, 1 }, { "string=?", p_string_eq, 2, 2 }, { "assq", p_assq, 2, 2 },
    { "assoc", p_assoc, 2, 2 }, { "memv", p_memv, 2, 2 }, { "member", p_member, 2, 2 }, { "error", p_error, 1, -1 },
    { "iota", p_vector_like_iota, 1, 3 }, { NULL, NULL, 0, 0 }
};

void builtins_init(void) {
    for (int i = 0; prims[i].name; i++) {
        obj *s = intern(prims[i].name);
        obj *p = make_prim(prims[i].name, prims[i].fn, prims[i].minargs, prims[i].maxargs);
        s->u.sym.global = p;
        s->u.sym.bound = 1;
    }
}
