/* A small Scheme-like interpreter: shared definitions. */
#ifndef LISP_H
#define LISP_H
#include <setjmp.h>
#include <stddef.h>

typedef enum { T_NIL, T_TRUE, T_FALSE, T_INT, T_SYMBOL, T_CONS, T_STRING, T_PRIM, T_CLOSURE, T_FREE } otype;

typedef struct obj obj;
typedef obj *(*primfn)(obj *args);

struct obj {
    unsigned char type;
    unsigned char mark;
    unsigned char pinned;
    union {
        long long i;
        struct { obj *car, *cdr; } c;
        struct { char *name; obj *global; int bound; obj *next_sym; } sym;
        struct { char *s; size_t len; } str;
        struct { primfn fn; const char *name; int minargs, maxargs; } prim;
        struct { obj *params, *body, *env; obj *name; } clo;
    } u;
};

/* gc.c */
#define HEAP_SIZE 24000
#define ROOT_MAX 32768
extern obj *Nil, *True, *False;
extern obj **rootstack[ROOT_MAX];
extern int rsp;
extern long gc_runs, gc_freed_total, alloc_total;
extern int gc_max_live;
void heap_init(void);
obj *alloc_obj(otype t);
void gc_collect(void);
int heap_live(void);
void root_overflow(void);
#define ROOT(x) (rsp < ROOT_MAX ? (void)(rootstack[rsp++] = &(x)) : root_overflow())
#define UNROOT(n) (rsp -= (n))

/* objects */
obj *make_int(long long v);
obj *cons(obj *a, obj *b);
obj *make_string(const char *s, size_t n);
obj *intern(const char *name);
obj *make_prim(const char *name, primfn fn, int minargs, int maxargs);
obj *make_closure(obj *params, obj *body, obj *env);
extern obj *symbol_list;

/* errors */
extern jmp_buf *err_jmp;
extern char err_msg[160];
void lisp_error(const char *fmt, ...);

/* reader.c */
typedef struct { const char *s; size_t n, i; int line; } reader;
int read_expr(reader *r, obj **out); /* 1 ok, 0 eof */

/* printer.c */
void print_obj(obj *o, int write_mode);
extern long output_chars;

/* eval.c */
obj *eval(obj *expr, obj *env);
obj *apply_fn(obj *fn, obj *args);
void eval_init(void);
void eval_reset(void);
extern long eval_calls, tail_calls;
extern int max_depth_seen;

/* builtins.c */
void builtins_init(void);
int list_length(obj *l);
int obj_equal(obj *a, obj *b);

#define CAR(o) ((o)->u.c.car)
#define CDR(o) ((o)->u.c.cdr)

#endif
