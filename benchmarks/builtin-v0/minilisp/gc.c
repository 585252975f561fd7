/* Fixed-size object arena with a free list and a mark-sweep collector.
 * Roots: the explicit root stack (addresses of C locals), the global
 * values of all interned symbols, and pinned constants.              */
#include "lisp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

static obj heap[HEAP_SIZE];
static obj *free_list;
static int free_count;
obj *Nil, *True, *False;
obj **rootstack[ROOT_MAX];
int rsp;
long gc_runs, gc_freed_total, alloc_total;
int gc_max_live;
obj *symbol_list;

jmp_buf *err_jmp;
char err_msg[160];

void lisp_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof err_msg, fmt, ap);
    va_end(ap);
    longjmp(*err_jmp, 1);
}

void root_overflow(void) { lisp_error("root stack overflow"); }

void heap_init(void) {
    free_list = NULL;
    for (int i = HEAP_SIZE - 1; i >= 0; i--) {
        heap[i].type = T_FREE;
        heap[i].u.c.cdr = free_list;
        free_list = &heap[i];
    }
    free_count = HEAP_SIZE;
    Nil = alloc_obj(T_NIL); Nil->pinned = 1;
    True = alloc_obj(T_TRUE); True->pinned = 1;
    False = alloc_obj(T_FALSE); False->pinned = 1;
}

/* mark with an explicit stack; cdr chains are followed iteratively */
static obj *mstack[HEAP_SIZE];
static int msp;

static void push_mark(obj *o) {
    if (!o || o->mark) return;
    o->mark = 1;
    mstack[msp++] = o;
}

static void mark_all(void) {
    while (msp > 0) {
        obj *o = mstack[--msp];
        switch (o->type) {
        case T_CONS: push_mark(o->u.c.car); push_mark(o->u.c.cdr); break;
        case T_CLOSURE: push_mark(o->u.clo.params); push_mark(o->u.clo.body); push_mark(o->u.clo.env); push_mark(o->u.clo.name); break;
        case T_SYMBOL: if (o->u.sym.bound) push_mark(o->u.sym.global); push_mark(o->u.sym.next_sym); break;
        default: break;
        }
    }
}

int heap_live(void) { return HEAP_SIZE - free_count; }

void gc_collect(void) {
    gc_runs++;
    msp = 0;
    for (int i = 0; i < HEAP_SIZE; i++) if (heap[i].pinned && heap[i].type != T_FREE) push_mark(&heap[i]);
    push_mark(symbol_list);
    mark_all();
    for (int i = 0; i < rsp; i++) { push_mark(*rootstack[i]); mark_all(); }
    int freed = 0;
    for (int i = 0; i < HEAP_SIZE; i++) {
        obj *o = &heap[i];
        if (o->type == T_FREE) continue;
        if (o->mark) { o->mark = 0; continue; }
        if (o->type == T_STRING) free(o->u.str.s);
        if (o->type == T_SYMBOL) free(o->u.sym.name); /* unreachable only if never interned */
        o->type = T_FREE;
        o->u.c.car = NULL;
        o->u.c.cdr = free_list;
        free_list = o;
        free_count++;
        freed++;
    }
    gc_freed_total += freed;
}

obj *alloc_obj(otype t) {
#ifdef GC_STRESS
    if (alloc_total % GC_STRESS == 0) gc_collect(); /* debugging aid: frequent collections */
#endif
    if (!free_list) {
        gc_collect();
        if (!free_list) lisp_error("out of memory (%d live objects)", HEAP_SIZE);
    }
    obj *o = free_list;
    free_list = o->u.c.cdr;
    free_count--;
    memset(o, 0, sizeof *o);
    o->type = (unsigned char)t;
    alloc_total++;
    int live = HEAP_SIZE - free_count;
    if (live > gc_max_live) gc_max_live = live;
    return o;
}

obj *make_int(long long v) { obj *o = alloc_obj(T_INT); o->u.i = v; return o; }

obj *cons(obj *a, obj *b) {
    ROOT(a); ROOT(b);
    obj *o = alloc_obj(T_CONS);
    o->u.c.car = a;
    o->u.c.cdr = b;
    UNROOT(2);
    return o;
}

obj *make_string(const char *s, size_t n) {
    obj *o = alloc_obj(T_STRING);
    o->u.str.s = malloc(n + 1);
    memcpy(o->u.str.s, s, n);
    o->u.str.s[n] = 0;
    o->u.str.len = n;
    return o;
}

obj *intern(const char *name) {
    for (obj *s = symbol_list; s; s = s->u.sym.next_sym)
        if (strcmp(s->u.sym.name, name) == 0) return s;
    obj *o = alloc_obj(T_SYMBOL);
    size_t n = strlen(name);
    o->u.sym.name = malloc(n + 1);
    memcpy(o->u.sym.name, name, n + 1);
    o->u.sym.next_sym = symbol_list;
    o->pinned = 1;
    symbol_list = o;
    return o;
}

obj *make_prim(const char *name, primfn fn, int minargs, int maxargs) {
    obj *o = alloc_obj(T_PRIM);
    o->u.prim.fn = fn;
    o->u.prim.name = name;
    o->u.prim.minargs = minargs;
    o->u.prim.maxargs = maxargs;
    o->pinned = 1;
    return o;
}

obj *make_closure(obj *params, obj *body, obj *env) {
    ROOT(params); ROOT(body); ROOT(env);
    obj *o = alloc_obj(T_CLOSURE);
    o->u.clo.params = params;
    o->u.clo.body = body;
    o->u.clo.env = env;
    o->u.clo.name = NULL;
    UNROOT(3);
    return o;
}
