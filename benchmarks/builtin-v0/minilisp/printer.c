/* Printing in display (strings raw) or write (strings quoted) mode. */
#include "lisp.h"
#include <stdio.h>

long output_chars;

static void out_c(int c) { putchar(c); output_chars++; }
static void out_s(const char *s) { while (*s) out_c(*s++); }

static void print_rec(obj *o, int write_mode, int depth) {
    char buf[32];
    if (depth > 200) { out_s("..."); return; }
    switch (o->type) {
    case T_NIL: out_s("()"); break;
    case T_TRUE: out_s("#t"); break;
    case T_FALSE: out_s("#f"); break;
    case T_INT: snprintf(buf, sizeof buf, "%lld", o->u.i); out_s(buf); break;
    case T_SYMBOL: out_s(o->u.sym.name); break;
    case T_STRING:
        if (!write_mode) { for (size_t i = 0; i < o->u.str.len; i++) out_c(o->u.str.s[i]); break; }
        out_c('"');
        for (size_t i = 0; i < o->u.str.len; i++) {
            char c = o->u.str.s[i];
            if (c == '"' || c == '\\') { out_c('\\'); out_c(c); }
            else if (c == '\n') out_s("\\n");
            else out_c(c);
        }
        out_c('"');
        break;
    case T_PRIM: out_s("#<primitive "); out_s(o->u.prim.name); out_c('>'); break;
    case T_CLOSURE:
        out_s("#<closure");
        if (o->u.clo.name) { out_c(' '); out_s(o->u.clo.name->u.sym.name); }
        out_c('>');
        break;
    case T_CONS: {
        if (CAR(o)->type == T_SYMBOL && CDR(o)->type == T_CONS && CDR(CDR(o)) == Nil && CAR(o) == intern("quote")) {
            out_c('\'');
            print_rec(CAR(CDR(o)), write_mode, depth + 1);
            break;
        }
        out_c('(');
        int n = 0;
        for (;;) {
            print_rec(CAR(o), write_mode, depth + 1);
            o = CDR(o);
            if (++n > 1000) { out_s(" ..."); break; }
            if (o->type != T_CONS) {
                if (o != Nil) { out_s(" . "); print_rec(o, write_mode, depth + 1); }
                break;
            }
            out_c(' ');
        }
        out_c(')');
        break;
    }
    default: out_s("#<free>"); break;
    }
}

void print_obj(obj *o, int write_mode) { print_rec(o, write_mode, 0); }
