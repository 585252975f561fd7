/* Serialisation: compact or pretty (indent > 0), optional key sorting
 * (canonical form), minimal escaping with \u00XX for control chars. */
#include "json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(strbuf *s) { s->buf = NULL; s->len = s->cap = 0; }
void sb_free(strbuf *s) { free(s->buf); sb_init(s); }
static void sb_grow(strbuf *s, size_t extra) {
    if (s->len + extra + 1 <= s->cap) return;
    size_t nc = s->cap ? s->cap : 64;
    while (nc < s->len + extra + 1) nc *= 2;
    s->buf = realloc(s->buf, nc);
    s->cap = nc;
}
void sb_putc(strbuf *s, char c) { sb_grow(s, 1); s->buf[s->len++] = c; s->buf[s->len] = 0; }
void sb_puts(strbuf *s, const char *t, size_t n) { sb_grow(s, n); memcpy(s->buf + s->len, t, n); s->len += n; s->buf[s->len] = 0; }
static void sb_str(strbuf *s, const char *t) { sb_puts(s, t, strlen(t)); }

static void emit_string(strbuf *o, const char *s, size_t n) {
    sb_putc(o, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': sb_str(o, "\\\""); break;
        case '\\': sb_str(o, "\\\\"); break;
        case '\n': sb_str(o, "\\n"); break;
        case '\r': sb_str(o, "\\r"); break;
        case '\t': sb_str(o, "\\t"); break;
        case '\b': sb_str(o, "\\b"); break;
        case '\f': sb_str(o, "\\f"); break;
        default:
            if (c < 0x20) { char t[8]; snprintf(t, sizeof t, "\\u%04x", c); sb_str(o, t); }
            else sb_putc(o, (char)c);
        }
    }
    sb_putc(o, '"');
}

static void emit_number(strbuf *o, const jvalue *v) {
    char t[40];
    if (v->is_int) snprintf(t, sizeof t, "%lld", v->ival);
    else if (v->num == (double)(long long)v->num && v->num > -1e15 && v->num < 1e15) snprintf(t, sizeof t, "%.1f", v->num);
    else {
        /* shortest of %.15g / %.16g / %.17g that reads back exactly */
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(t, sizeof t, "%.*g", prec, v->num);
            if (strtod(t, NULL) == v->num) break;
        }
    }
    sb_str(o, t);
}

static void newline(strbuf *o, int indent, int level) {
    if (indent <= 0) return;
    sb_putc(o, '\n');
    for (int i = 0; i < indent * level; i++) sb_putc(o, ' ');
}

static const jmember **sorted_members(const jvalue *v) {
    const jmember **m = malloc((v->len ? v->len : 1) * sizeof *m);
    for (size_t i = 0; i < v->len; i++) m[i] = &v->members[i];
    /* insertion sort by key bytes (objects are small) */
    for (size_t i = 1; i < v->len; i++) {
        const jmember *x = m[i];
        size_t j = i;
        while (j > 0) {
            const jmember *y = m[j - 1];
            size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
            int c = memcmp(y->key, x->key, n);
            if (c < 0 || (c == 0 && y->keylen <= x->keylen)) break;
            m[j] = m[j - 1];
            j--;
        }
        m[j] = x;
    }
    return m;
}

static void emit_rec(const jvalue *v, strbuf *o, int indent, int level, int sort) {
    switch (v->type) {
    case J_NULL: sb_str(o, "null"); break;
    case J_TRUE: sb_str(o, "true"); break;
    case J_FALSE: sb_str(o, "false"); break;
    case J_NUMBER: emit_number(o, v); break;
    case J_STRING: emit_string(o, v->str, v->len); break;
    case J_ARRAY:
        if (v->len == 0) { sb_str(o, "[]"); break; }
        sb_putc(o, '[');
        for (size_t i = 0; i < v->len; i++) {
            if (i) sb_putc(o, ',');
            newline(o, indent, level + 1);
            emit_rec(v->items[i], o, indent, level + 1, sort);
        }
        newline(o, indent, level);
        sb_putc(o, ']');
        break;
    case J_OBJECT: {
        if (v->len == 0) { sb_str(o, "{}"); break; }
        const jmember **m = sort ? sorted_members(v) : NULL;
        sb_putc(o, '{');
        for (size_t i = 0; i < v->len; i++) {
            const jmember *mm = m ? m[i] : &v->members[i];
            if (i) sb_putc(o, ',');
            newline(o, indent, level + 1);
            emit_string(o, mm->key, mm->keylen);
            sb_putc(o, ':');
            if (indent > 0) sb_putc(o, ' ');
            emit_rec(mm->val, o, indent, level + 1, sort);
        }
        newline(o, indent, level);
        sb_putc(o, '}');
        free(m);
        break;
    }
    }
}

void json_emit(const jvalue *v, strbuf *out, int indent, int sort_keys) { emit_rec(v, out, indent, 0, sort_keys); }
