/* REPL-less driver: reads the whole program from stdin and evaluates
 * each top-level form; errors are reported and evaluation continues. */
#include "lisp.h"
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    static char src[1 << 16];
    size_t n = fread(src, 1, sizeof src - 1, stdin);
    src[n] = 0;
    heap_init();
    eval_init();
    builtins_init();
    static reader rd;
    rd.s = src; rd.n = n; rd.i = 0; rd.line = 1;
    jmp_buf jb;
    err_jmp = &jb;
    static int forms, errors;
    static obj *form;
    for (;;) {
        if (setjmp(jb)) {
            printf("error: %s\n", err_msg);
            errors++;
            rsp = 0;
            eval_reset();
            continue;
        }
        form = Nil;
        rsp = 0;
        ROOT(form);
        if (!read_expr(&rd, &form)) break;
        forms++;
        eval(form, Nil);
    }
    printf("\n-- forms=%d errors=%d evals=%ld tail-calls=%ld max-depth=%d\n", forms, errors, eval_calls, tail_calls, max_depth_seen);
    printf("-- heap %d cells, gc runs=%ld freed=%ld allocated=%ld peak-live=%d\n", HEAP_SIZE, gc_runs, gc_freed_total,
           alloc_total, gc_max_live);
    return 0;
}
