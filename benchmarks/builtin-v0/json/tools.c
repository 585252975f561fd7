/* Document utilities: statistics, RFC 7386 merge patch, structural
 * hash (order-independent for objects), and flattening to a single
 * object keyed by JSON-pointer-like paths.                           */
#include "json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void stats_rec(const jvalue *v, jstats *st, int depth) {
    st->counts[v->type]++;
    if (depth > st->max_depth) st->max_depth = depth;
    switch (v->type) {
    case J_NUMBER:
        st->num_sum += v->num;
        if (v->is_int) st->int_sum += v->ival;
        break;
    case J_STRING: st->string_bytes += (long)v->len; break;
    case J_ARRAY:
        if ((long)v->len > st->longest_array) st->longest_array = (long)v->len;
        for (size_t i = 0; i < v->len; i++) stats_rec(v->items[i], st, depth + 1);
        break;
    case J_OBJECT:
        st->keys += (long)v->len;
        for (size_t i = 0; i < v->len; i++) { st->string_bytes += (long)v->members[i].keylen; stats_rec(v->members[i].val, st, depth + 1); }
        break;
    default: break;
    }
}

void json_stats(const jvalue *v, jstats *st) {
    memset(st, 0, sizeof *st);
    stats_rec(v, st, 1);
}

jvalue *json_merge_patch(jvalue *target, const jvalue *patch) {
    if (patch->type != J_OBJECT) { jv_free(target); return jv_clone(patch); }
    if (!target || target->type != J_OBJECT) { jv_free(target); target = jv_new(J_OBJECT); }
    for (size_t i = 0; i < patch->len; i++) {
        const jmember *m = &patch->members[i];
        if (m->val->type == J_NULL) { jv_object_remove(target, m->key, m->keylen); continue; }
        jvalue *cur = jv_object_get(target, m->key, m->keylen);
        if (cur) {
            /* detach current value, patch it, re-insert */
            jvalue *copy = jv_clone(cur);
            jvalue *patched = json_merge_patch(copy, m->val);
            jv_object_set(target, m->key, m->keylen, patched);
        } else {
            jv_object_set(target, m->key, m->keylen, json_merge_patch(NULL, m->val));
        }
    }
    return target;
}

static unsigned long mix(unsigned long h, unsigned long x) {
    h ^= x + 0x9e3779b97f4a7c15UL + (h << 6) + (h >> 2);
    return h;
}
static unsigned long bytes_hash(const char *s, size_t n) {
    unsigned long h = 1469598103934665603UL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211UL;
    return h;
}

unsigned long json_hash(const jvalue *v) {
    unsigned long h = (unsigned long)v->type * 0x100000001b3UL;
    switch (v->type) {
    case J_NUMBER: {
        if (v->is_int) return mix(h, (unsigned long)v->ival);
        double d = v->num == 0.0 ? 0.0 : v->num; /* -0 and +0 hash alike */
        if (d == (double)(long long)d && d > -9e18 && d < 9e18) return mix(h, (unsigned long)(long long)d);
        unsigned long bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(h, bits);
    }
    case J_STRING: return mix(h, bytes_hash(v->str, v->len));
    case J_ARRAY:
        for (size_t i = 0; i < v->len; i++) h = mix(h, json_hash(v->items[i]));
        return h;
    case J_OBJECT: {
        unsigned long acc = 0; /* order independent: sum of member hashes */
        for (size_t i = 0; i < v->len; i++)
            acc += mix(bytes_hash(v->members[i].key, v->members[i].keylen), json_hash(v->members[i].val));
        return mix(h, acc);
    }
    default: return h;
    }
}

static void flatten_rec(const jvalue *v, strbuf *path, jvalue *out) {
    size_t save = path->len;
    char tmp[32];
    if (v->type == J_ARRAY && v->len) {
        for (size_t i = 0; i < v->len; i++) {
            snprintf(tmp, sizeof tmp, "/%zu", i);
            sb_puts(path, tmp, strlen(tmp));
            flatten_rec(v->items[i], path, out);
            path->len = save;
            if (path->buf) path->buf[save] = 0;
        }
    } else if (v->type == J_OBJECT && v->len) {
        for (size_t i = 0; i < v->len; i++) {
            sb_putc(path, '/');
            for (size_t k = 0; k < v->members[i].keylen; k++) {
                char c = v->members[i].key[k];
                if (c == '~') sb_puts(path, "~0", 2);
                else if (c == '/') sb_puts(path, "~1", 2);
                else sb_putc(path, c);
            }
            flatten_rec(v->members[i].val, path, out);
            path->len = save;
            if (path->buf) path->buf[save] = 0;
        }
    } else {
        jv_object_set(out, path->buf ? path->buf : "", path->len, jv_clone(v));
    }
}

jvalue *json_flatten(const jvalue *v) {
    jvalue *out = jv_new(J_OBJECT);
    strbuf path;
    sb_init(&path);
    flatten_rec(v, &path, out);
    sb_free(&path);
    return out;
}
