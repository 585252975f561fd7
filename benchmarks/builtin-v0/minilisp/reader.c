/* S-expression reader: integers, symbols, strings with escapes,
 * #t/#f, quote shorthand, proper and dotted lists, ';' comments.     */
#include "lisp.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int peekc(reader *r) { return r->i < r->n ? (unsigned char)r->s[r->i] : -1; }
static int getc_r(reader *r) {
    if (r->i >= r->n) return -1;
    int c = (unsigned char)r->s[r->i++];
    if (c == '\n') r->line++;
    return c;
}

static void skip_ws(reader *r) {
    for (;;) {
        int c = peekc(r);
        if (c == ';') { while (c != '\n' && c != -1) c = getc_r(r); continue; }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { getc_r(r); continue; }
        return;
    }
}

static int is_delim(int c) { return c == -1 || c == '(' || c == ')' || c == '"' || c == ';' || c == '\'' || isspace(c); }

static obj *read_form(reader *r);

static obj *read_list(reader *r) {
    obj *head = Nil, *tail = Nil, *item = Nil;
    ROOT(head); ROOT(item);
    for (;;) {
        skip_ws(r);
        int c = peekc(r);
        if (c == -1) lisp_error("line %d: unterminated list", r->line);
        if (c == ')') { getc_r(r); break; }
        if (c == '.' && r->i + 1 < r->n && is_delim((unsigned char)r->s[r->i + 1])) {
            getc_r(r);
            if (head == Nil) lisp_error("line %d: dot at start of list", r->line);
            item = read_form(r);
            CDR(tail) = item;
            skip_ws(r);
            if (getc_r(r) != ')') lisp_error("line %d: expected ) after dotted tail", r->line);
            break;
        }
        item = read_form(r);
        obj *cell = cons(item, Nil);
        if (head == Nil) head = cell; else CDR(tail) = cell;
        tail = cell;
    }
    UNROOT(2);
    return head;
}

static obj *read_atom(reader *r) {
    char buf[128];
    int n = 0;
    while (!is_delim(peekc(r))) {
        int c = getc_r(r);
        if (n < 127) buf[n++] = (char)c;
    }
    buf[n] = 0;
    if (strcmp(buf, "#t") == 0) return True;
    if (strcmp(buf, "#f") == 0) return False;
    int k = (buf[0] == '-' || buf[0] == '+') ? 1 : 0;
    if (buf[k] && isdigit((unsigned char)buf[k])) {
        int all = 1;
        for (int j = k; buf[j]; j++) if (!isdigit((unsigned char)buf[j])) all = 0;
        if (all) {
            unsigned long long v = 0;
            for (int j = k; buf[j]; j++) v = v * 10u + (unsigned)(buf[j] - '0');
            return make_int(buf[0] == '-' ? (long long)(0 - v) : (long long)v);
        }
    }
    return intern(buf);
}

static obj *read_string(reader *r) {
    char buf[512];
    size_t n = 0;
    getc_r(r);
    for (;;) {
        int c = getc_r(r);
        if (c == -1) lisp_error("line %d: unterminated string", r->line);
        if (c == '"') break;
        if (c == '\\') {
            c = getc_r(r);
            if (c == 'n') c = '\n';
            else if (c == 't') c = '\t';
            else if (c == -1) lisp_error("unterminated escape");
        }
        if (n < sizeof buf - 1) buf[n++] = (char)c;
    }
    return make_string(buf, n);
}

static obj *read_form(reader *r) {
    skip_ws(r);
    int c = peekc(r);
    if (c == -1) lisp_error("line %d: unexpected end of input", r->line);
    if (c == '(') { getc_r(r); return read_list(r); }
    if (c == ')') { getc_r(r); lisp_error("line %d: unexpected )", r->line); }
    if (c == '\'') {
        getc_r(r);
        obj *q = read_form(r), *l = Nil, *qs = intern("quote");
        ROOT(q); ROOT(l);
        l = cons(q, Nil);
        l = cons(qs, l);
        UNROOT(2);
        return l;
    }
    if (c == '"') return read_string(r);
    return read_atom(r);
}

int read_expr(reader *r, obj **out) {
    skip_ws(r);
    if (peekc(r) == -1) return 0;
    *out = read_form(r);
    return 1;
}
