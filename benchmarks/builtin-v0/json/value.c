/* JSON value construction, destruction, object index, clone, equality. */
#include "json.h"
#include <stdlib.h>
#include <string.h>

long jv_live;

jvalue *jv_new(jtype t) {
    jvalue *v = calloc(1, sizeof *v);
    v->type = t;
    jv_live++;
    return v;
}
jvalue *jv_number(double d) { jvalue *v = jv_new(J_NUMBER); v->num = d; return v; }
jvalue *jv_int(long long i) { jvalue *v = jv_new(J_NUMBER); v->num = (double)i; v->ival = i; v->is_int = 1; return v; }
jvalue *jv_string(const char *s, size_t n) {
    jvalue *v = jv_new(J_STRING);
    v->str = malloc(n + 1);
    memcpy(v->str, s, n);
    v->str[n] = 0;
    v->len = n;
    return v;
}

void jv_free(jvalue *v) {
    if (!v) return;
    switch (v->type) {
    case J_STRING: free(v->str); break;
    case J_ARRAY:
        for (size_t i = 0; i < v->len; i++) jv_free(v->items[i]);
        free(v->items);
        break;
    case J_OBJECT:
        for (size_t i = 0; i < v->len; i++) { free(v->members[i].key); jv_free(v->members[i].val); }
        free(v->members);
        free(v->index);
        break;
    default: break;
    }
    free(v);
    jv_live--;
}

void jv_array_push(jvalue *a, jvalue *v) {
    if (a->len == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4;
        a->items = realloc(a->items, a->cap * sizeof *a->items);
    }
    a->items[a->len++] = v;
}

static unsigned key_hash(const char *k, size_t n) {
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static void rebuild_index(jvalue *o) {
    free(o->index);
    o->idxcap = 8;
    while (o->idxcap < o->len * 2 + 2) o->idxcap *= 2;
    o->index = malloc(o->idxcap * sizeof(int));
    for (size_t i = 0; i < o->idxcap; i++) o->index[i] = -1;
    for (size_t m = 0; m < o->len; m++) {
        size_t i = key_hash(o->members[m].key, o->members[m].keylen) & (o->idxcap - 1);
        while (o->index[i] >= 0) i = (i + 1) & (o->idxcap - 1);
        o->index[i] = (int)m;
    }
}

static long find_member(const jvalue *o, const char *key, size_t n) {
    if (o->type != J_OBJECT || o->len == 0) return -1;
    if (!o->index) { /* small objects: linear scan */
        for (size_t m = 0; m < o->len; m++)
            if (o->members[m].keylen == n && memcmp(o->members[m].key, key, n) == 0) return (long)m;
        return -1;
    }
    size_t i = key_hash(key, n) & (o->idxcap - 1);
    while (o->index[i] >= 0) {
        const jmember *m = &o->members[o->index[i]];
        if (m->keylen == n && memcmp(m->key, key, n) == 0) return o->index[i];
        i = (i + 1) & (o->idxcap - 1);
    }
    return -1;
}

jvalue *jv_object_get(const jvalue *o, const char *key, size_t n) {
    long m = find_member(o, key, n);
    return m >= 0 ? o->members[m].val : NULL;
}

void jv_object_set(jvalue *o, const char *key, size_t n, jvalue *v) {
    long m = find_member(o, key, n);
    if (m >= 0) { jv_free(o->members[m].val); o->members[m].val = v; return; }
    if (o->len == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 4;
        o->members = realloc(o->members, o->cap * sizeof *o->members);
    }
    jmember *mm = &o->members[o->len++];
    mm->key = malloc(n + 1);
    memcpy(mm->key, key, n);
    mm->key[n] = 0;
    mm->keylen = n;
    mm->val = v;
    if (o->len > 8 && (!o->index || o->len * 2 + 2 > o->idxcap)) rebuild_index(o);
    else if (o->index) {
        size_t i = key_hash(key, n) & (o->idxcap - 1);
        while (o->index[i] >= 0) i = (i + 1) & (o->idxcap - 1);
        o->index[i] = (int)(o->len - 1);
    }
}

int jv_object_remove(jvalue *o, const char *key, size_t n) {
    long m = find_member(o, key, n);
    if (m < 0) return 0;
    free(o->members[m].key);
    jv_free(o->members[m].val);
    memmove(&o->members[m], &o->members[m + 1], (o->len - (size_t)m - 1) * sizeof(jmember));
    o->len--;
    if (o->index) rebuild_index(o);
    return 1;
}

jvalue *jv_clone(const jvalue *v) {
    jvalue *c;
    switch (v->type) {
    case J_NUMBER: c = jv_number(v->num); c->is_int = v->is_int; c->ival = v->ival; return c;
    case J_STRING: return jv_string(v->str, v->len);
    case J_ARRAY:
        c = jv_new(J_ARRAY);
        for (size_t i = 0; i < v->len; i++) jv_array_push(c, jv_clone(v->items[i]));
        return c;
    case J_OBJECT:
        c = jv_new(J_OBJECT);
        for (size_t i = 0; i < v->len; i++) jv_object_set(c, v->members[i].key, v->members[i].keylen, jv_clone(v->members[i].val));
        return c;
    default: return jv_new(v->type);
    }
}

int jv_equal(const jvalue *a, const jvalue *b) {
    if (a->type != b->type) return 0;
    switch (a->type) {
    case J_NUMBER: return a->num == b->num;
    case J_STRING: return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case J_ARRAY:
        if (a->len != b->len) return 0;
        for (size_t i = 0; i < a->len; i++) if (!jv_equal(a->items[i], b->items[i])) return 0;
        return 1;
    case J_OBJECT:
        if (a->len != b->len) return 0;
        for (size_t i = 0; i < a->len; i++) {
            const jvalue *o = jv_object_get(b, a->members[i].key, a->members[i].keylen);
            if (!o || !jv_equal(a->members[i].val, o)) return 0;
        }
        return 1;
    default: return 1;
    }
}
