/* JSONPath subset:  $  .key  ['key']  [n] (negative from end)  [a:b]
 * [*]  .*  ..key  ..*  [?(@.k OP literal)]  [?(@.k)]  [i,j,k]
 * Evaluation proceeds segment by segment over a node set.            */
#include "json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static void add(jresults *r, const jvalue *v) {
    if (r->n == r->cap) { r->cap = r->cap ? r->cap * 2 : 16; r->items = realloc(r->items, r->cap * sizeof *r->items); }
    r->items[r->n++] = v;
}
void jresults_free(jresults *r) { free(r->items); r->items = NULL; r->n = r->cap = 0; }

static void children(const jvalue *v, jresults *out) {
    if (v->type == J_ARRAY) for (size_t i = 0; i < v->len; i++) add(out, v->items[i]);
    else if (v->type == J_OBJECT) for (size_t i = 0; i < v->len; i++) add(out, v->members[i].val);
}

static void descend(const jvalue *v, const char *key, size_t kl, int wildcard, jresults *out) {
    if (v->type == J_OBJECT) {
        for (size_t i = 0; i < v->len; i++) {
            if (wildcard || (v->members[i].keylen == kl && memcmp(v->members[i].key, key, kl) == 0)) add(out, v->members[i].val);
            descend(v->members[i].val, key, kl, wildcard, out);
        }
    } else if (v->type == J_ARRAY) {
        for (size_t i = 0; i < v->len; i++) {
            if (wildcard) add(out, v->items[i]);
            descend(v->items[i], key, kl, wildcard, out);
        }
    }
}

typedef enum { F_EXISTS, F_EQ, F_NE, F_LT, F_LE, F_GT, F_GE } fop;

typedef struct {
    char key[64];
    fop op;
    int lit_type; /* 0 number, 1 string, 2 true, 3 false, 4 null */
    double num;
    char str[64];
} filter;

static int cmp_values(const jvalue *v, const filter *f, int *ok) {
    *ok = 1;
    if (f->lit_type == 0 && v->type == J_NUMBER) return (v->num > f->num) - (v->num < f->num);
    if (f->lit_type == 1 && v->type == J_STRING) {
        size_t l = strlen(f->str), n = v->len < l ? v->len : l;
        int c = memcmp(v->str, f->str, n);
        if (c) return c < 0 ? -1 : 1;
        return (v->len > l) - (v->len < l);
    }
    if (f->lit_type == 2) return v->type == J_TRUE ? 0 : 1;
    if (f->lit_type == 3) return v->type == J_FALSE ? 0 : 1;
    if (f->lit_type == 4) return v->type == J_NULL ? 0 : 1;
    *ok = 0;
    return 0;
}

static int filter_match(const jvalue *v, const filter *f) {
    if (v->type != J_OBJECT) return 0;
    const jvalue *x = jv_object_get(v, f->key, strlen(f->key));
    if (!x) return 0;
    if (f->op == F_EXISTS) return 1;
    int ok, c = cmp_values(x, f, &ok);
    if (!ok) return f->op == F_NE;
    switch (f->op) {
    case F_EQ: return c == 0;
    case F_NE: return c != 0;
    case F_LT: return c < 0;
    case F_LE: return c <= 0;
    case F_GT: return c > 0;
    case F_GE: return c >= 0;
    default: return 0;
    }
}

static int parse_filter(const char **pp, filter *f, char *err, size_t errsz) {
    const char *p = *pp; /* points after "[?(" */
    memset(f, 0, sizeof *f);
    if (p[0] != '@' || p[1] != '.') { snprintf(err, errsz, "filter must start with @."); return 0; }
    p += 2;
    size_t k = 0;
    while (*p && (isalnum((unsigned char)*p) || *p == '_') && k < sizeof f->key - 1) f->key[k++] = *p++;
    f->key[k] = 0;
    while (*p == ' ') p++;
    if (*p == ')') { f->op = F_EXISTS; }
    else {
        if (p[0] == '=' && p[1] == '=') { f->op = F_EQ; p += 2; }
        else if (p[0] == '!' && p[1] == '=') { f->op = F_NE; p += 2; }
        else if (p[0] == '<' && p[1] == '=') { f->op = F_LE; p += 2; }
        else if (p[0] == '>' && p[1] == '=') { f->op = F_GE; p += 2; }
        else if (p[0] == '<') { f->op = F_LT; p++; }
        else if (p[0] == '>') { f->op = F_GT; p++; }
        else { snprintf(err, errsz, "bad filter operator"); return 0; }
        while (*p == ' ') p++;
        if (*p == '\'') {
            p++;
            size_t n = 0;
            while (*p && *p != '\'' && n < sizeof f->str - 1) f->str[n++] = *p++;
            f->str[n] = 0;
            if (*p != '\'') { snprintf(err, errsz, "unterminated string in filter"); return 0; }
            p++;
            f->lit_type = 1;
        } else if (strncmp(p, "true", 4) == 0) { f->lit_type = 2; p += 4; }
        else if (strncmp(p, "false", 5) == 0) { f->lit_type = 3; p += 5; }
        else if (strncmp(p, "null", 4) == 0) { f->lit_type = 4; p += 4; }
        else {
            char *end;
            f->num = strtod(p, &end);
            if (end == p) { snprintf(err, errsz, "bad filter literal"); return 0; }
            p = end;
            f->lit_type = 0;
        }
        while (*p == ' ') p++;
    }
    if (p[0] != ')' || p[1] != ']') { snprintf(err, errsz, "expected )] after filter"); return 0; }
    *pp = p + 2;
    return 1;
}

static long norm_index(long i, size_t n) { return i < 0 ? (long)n + i : i; }

int json_query(const jvalue *root, const char *path, jresults *out, char *err, size_t errsz) {
    jresults cur = { 0 }, next = { 0 };
    const char *p = path;
    err[0] = 0;
    if (*p != '$') { snprintf(err, errsz, "path must start with $"); return 0; }
    p++;
    add(&cur, root);
    while (*p) {
        next.n = 0;
        if (p[0] == '.' && p[1] == '.') {
            p += 2;
            char key[64]; size_t kl = 0;
            int wild = 0;
            if (*p == '*') { wild = 1; p++; }
            else while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '-') && kl < sizeof key - 1) key[kl++] = *p++;
            if (!wild && kl == 0) { snprintf(err, errsz, "empty name after .."); goto bad; }
            for (size_t i = 0; i < cur.n; i++) descend(cur.items[i], key, kl, wild, &next);
        } else if (p[0] == '.') {
            p++;
            if (*p == '*') { p++; for (size_t i = 0; i < cur.n; i++) children(cur.items[i], &next); }
            else {
                char key[64]; size_t kl = 0;
                while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '-') && kl < sizeof key - 1) key[kl++] = *p++;
                if (kl == 0) { snprintf(err, errsz, "empty member name"); goto bad; }
                for (size_t i = 0; i < cur.n; i++) {
                    const jvalue *v = cur.items[i]->type == J_OBJECT ? jv_object_get(cur.items[i], key, kl) : NULL;
                    if (v) add(&next, v);
                }
            }
        } else if (p[0] == '[') {
            p++;
            if (*p == '*') {
                if (p[1] != ']') { snprintf(err, errsz, "expected ]"); goto bad; }
                p += 2;
                for (size_t i = 0; i < cur.n; i++) children(cur.items[i], &next);
            } else if (*p == '\'') {
                p++;
                char key[64]; size_t kl = 0;
                while (*p && *p != '\'' && kl < sizeof key - 1) key[kl++] = *p++;
                if (p[0] != '\'' || p[1] != ']') { snprintf(err, errsz, "bad quoted member"); goto bad; }
                p += 2;
                for (size_t i = 0; i < cur.n; i++) {
                    const jvalue *v = cur.items[i]->type == J_OBJECT ? jv_object_get(cur.items[i], key, kl) : NULL;
                    if (v) add(&next, v);
                }
            } else if (p[0] == '?' && p[1] == '(') {
                p += 2;
                filter f;
                if (!parse_filter(&p, &f, err, errsz)) goto bad;
                for (size_t i = 0; i < cur.n; i++) {
                    const jvalue *v = cur.items[i];
                    if (v->type == J_ARRAY) { for (size_t k = 0; k < v->len; k++) if (filter_match(v->items[k], &f)) add(&next, v->items[k]); }
                    else if (v->type == J_OBJECT) { for (size_t k = 0; k < v->len; k++) if (filter_match(v->members[k].val, &f)) add(&next, v->members[k].val); }
                }
            } else {
                /* index list or slice */
                long idx[16]; int ni = 0, slice = 0;
                long a = 0, b = 0; int has_a = 0, has_b = 0;
                char *end;
                if (*p != ':') { a = strtol(p, &end, 10); if (end == p) { snprintf(err, errsz, "bad index"); goto bad; } p = end; has_a = 1; }
                if (*p == ':') {
                    slice = 1; p++;
                    if (*p != ']') { b = strtol(p, &end, 10); if (end == p) { snprintf(err, errsz, "bad slice end"); goto bad; } p = end; has_b = 1; }
                } else {
                    idx[ni++] = a;
                    while (*p == ',' && ni < 16) { p++; idx[ni++] = strtol(p, &end, 10); if (end == p) { snprintf(err, errsz, "bad index list"); goto bad; } p = end; }
                }
                if (*p != ']') { snprintf(err, errsz, "expected ]"); goto bad; }
                p++;
                for (size_t i = 0; i < cur.n; i++) {
                    const jvalue *v = cur.items[i];
                    if (v->type != J_ARRAY) continue;
                    if (slice) {
                        long s = has_a ? norm_index(a, v->len) : 0, e = has_b ? norm_index(b, v->len) : (long)v->len;
                        if (s < 0) s = 0;
                        if (e > (long)v->len) e = (long)v->len;
                        for (long k = s; k < e; k++) add(&next, v->items[k]);
                    } else {
                        for (int k = 0; k < ni; k++) {
                            long j = norm_index(idx[k], v->len);
                            if (j >= 0 && j < (long)v->len) add(&next, v->items[j]);
                        }
                    }
                }
            }
        } else {
            snprintf(err, errsz, "unexpected '%c' in path", *p);
            goto bad;
        }
        jresults t = cur; cur = next; next = t;
    }
    jresults_free(&next);
    *out = cur;
    return 1;
bad:
    jresults_free(&cur);
    jresults_free(&next);
    return 0;
}
