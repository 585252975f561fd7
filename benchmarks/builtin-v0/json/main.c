/* Driver: a small scripting format on stdin.
 *   @doc NAME            following lines (until next '@') are a JSON document
 *   @patch NAME          following lines are an RFC 7386 merge patch for NAME
 *   @query NAME PATH     evaluate a JSONPath expression
 *   @print NAME          pretty print (truncated) with sizes
 *   @stats NAME          document statistics
 *   @roundtrip NAME      compact/pretty/canonical round trips
 *   @flatten NAME        flatten to pointer paths
 *   @bench NAME N        N parse+serialise cycles                      */
#include "json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXDOCS 32
typedef struct { char name[32]; jvalue *v; } doc;
static doc docs[MAXDOCS];
static int ndocs;

static doc *find_doc(const char *name) {
    for (int i = 0; i < ndocs; i++) if (strcmp(docs[i].name, name) == 0) return &docs[i];
    return NULL;
}

static unsigned long sdbm(const char *s, size_t n) {
    unsigned long h = 0;
    for (size_t i = 0; i < n; i++) h = (unsigned char)s[i] + (h << 6) + (h << 16) - h;
    return h;
}

static void show_value_short(const jvalue *v) {
    strbuf b; sb_init(&b);
    json_emit(v, &b, 0, 0);
    if (b.len > 60) printf("%.57s...", b.buf); else printf("%s", b.buf ? b.buf : "");
    sb_free(&b);
}

static void cmd_doc(const char *name, const char *text, size_t n, int is_patch) {
    jparse_result r;
    jvalue *v = json_parse(text, n, &r);
    if (!v) {
        printf("%s %s: parse error at line %zu col %zu: %s\n", is_patch ? "patch" : "doc", name, r.line, r.col, r.msg);
        return;
    }
    if (is_patch) {
        doc *d = find_doc(name);
        if (!d) { printf("patch: no document %s\n", name); jv_free(v); return; }
        unsigned long before = json_hash(d->v);
        d->v = json_merge_patch(d->v, v);
        printf("patch %s: hash %016lx -> %016lx\n", name, before, json_hash(d->v));
        jv_free(v);
        return;
    }
    doc *d = find_doc(name);
    if (!d) {
        if (ndocs >= MAXDOCS) { jv_free(v); return; }
        d = &docs[ndocs++];
        snprintf(d->name, sizeof d->name, "%s", name);
    } else jv_free(d->v);
    d->v = v;
    if (v->type == J_OBJECT || v->type == J_ARRAY)
        printf("doc %s: %zu bytes, depth %d, root %s with %zu entries\n", name, n, r.max_depth,
               v->type == J_OBJECT ? "object" : "array", v->len);
    else
        printf("doc %s: %zu bytes, scalar root\n", name, n);
}

static void cmd_query(doc *d, const char *path) {
    jresults res;
    char err[96];
    if (!json_query(d->v, path, &res, err, sizeof err)) { printf("query %s: error: %s\n", path, err); return; }
    printf("query %s -> %zu", path, res.n);
    double sum = 0;
    int nums = 0;
    for (size_t i = 0; i < res.n; i++) if (res.items[i]->type == J_NUMBER) { sum += res.items[i]->num; nums++; }
    if (nums) printf(" (numeric sum %.10g)", sum);
    if (res.n) { printf(" first="); show_value_short(res.items[0]); }
    printf("\n");
    jresults_free(&res);
}

static void cmd_print(doc *d) {
    strbuf c, p;
    sb_init(&c); sb_init(&p);
    json_emit(d->v, &c, 0, 0);
    json_emit(d->v, &p, 2, 0);
    printf("print %s: compact %zu bytes (%08lx), pretty %zu bytes (%08lx)\n", d->name, c.len, sdbm(c.buf, c.len) & 0xffffffffUL,
           p.len, sdbm(p.buf, p.len) & 0xffffffffUL);
    size_t show = p.len < 120 ? p.len : 120;
    size_t cut = show;
    while (cut > 0 && cut < p.len && p.buf[cut] != '\n') cut--;
    if (cut == 0) cut = show;
    printf("%.*s\n", (int)cut, p.buf);
    sb_free(&c); sb_free(&p);
}

static void cmd_stats(doc *d) {
    jstats st;
    json_stats(d->v, &st);
    printf("stats %s: null=%ld false=%ld true=%ld number=%ld string=%ld array=%ld object=%ld\n", d->name, st.counts[J_NULL],
           st.counts[J_FALSE], st.counts[J_TRUE], st.counts[J_NUMBER], st.counts[J_STRING], st.counts[J_ARRAY],
           st.counts[J_OBJECT]);
    printf("  depth=%d keys=%ld string-bytes=%ld int-sum=%lld num-sum=%.10g longest-array=%ld hash=%016lx\n", st.max_depth, st.keys,
           st.string_bytes, st.int_sum, st.num_sum, st.longest_array, json_hash(d->v));
}

static void cmd_roundtrip(doc *d) {
    int ok[3];
    for (int mode = 0; mode < 3; mode++) {
        strbuf b; sb_init(&b);
        json_emit(d->v, &b, mode == 1 ? 4 : 0, mode == 2);
        jparse_result r;
        jvalue *v = json_parse(b.buf, b.len, &r);
        ok[mode] = v && jv_equal(v, d->v) && jv_equal(d->v, v) && json_hash(v) == json_hash(d->v);
        if (mode == 2 && v) {
            /* canonical form is a fixed point */
            strbuf b2; sb_init(&b2);
            json_emit(v, &b2, 0, 1);
            ok[mode] = ok[mode] && b2.len == b.len && memcmp(b.buf, b2.buf, b.len) == 0;
            printf("roundtrip %s: canonical %zu bytes %08lx;", d->name, b.len, sdbm(b.buf, b.len) & 0xffffffffUL);
            sb_free(&b2);
        }
        jv_free(v);
        sb_free(&b);
    }
    jvalue *c = jv_clone(d->v);
    int cl = jv_equal(c, d->v);
    jv_free(c);
    printf(" compact=%s pretty=%s canonical=%s clone=%s\n", ok[0] ? "ok" : "FAIL", ok[1] ? "ok" : "FAIL", ok[2] ? "ok" : "FAIL",
           cl ? "ok" : "FAIL");
}

static void cmd_flatten(doc *d) {
    jvalue *f = json_flatten(d->v);
    printf("flatten %s: %zu leaves", d->name, f->len);
    for (size_t i = 0; i < f->len && i < 3; i++) { printf(" %s=", f->members[i].key); show_value_short(f->members[i].val); }
    printf("\n");
    jv_free(f);
}

static void cmd_bench(doc *d, int n) {
    strbuf b; sb_init(&b);
    json_emit(d->v, &b, 0, 0);
    unsigned long h = 0;
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        jparse_result r;
        jvalue *v = json_parse(b.buf, b.len, &r);
        if (!v) break;
        strbuf o; sb_init(&o);
        json_emit(v, &o, i % 3, i % 2);
        total += o.len;
        h = h * 31u + sdbm(o.buf, o.len);
        sb_free(&o);
        jv_free(v);
    }
    printf("bench %s x%d: %zu bytes emitted, hash %016lx\n", d->name, n, total, h);
    sb_free(&b);
}

int main(void) {
    static char text[1 << 16];
    size_t tlen = 0;
    char line[4096];
    char pending[64] = "";
    int pending_kind = 0; /* 1 doc, 2 patch */
    int more = 1;
    while (more) {
        more = fgets(line, sizeof line, stdin) != NULL;
        if (!more || line[0] == '@') {
            if (pending_kind) { cmd_doc(pending, text, tlen, pending_kind == 2); pending_kind = 0; tlen = 0; }
            if (!more) break;
            char cmd[16], name[32], rest[2048];
            rest[0] = 0;
            line[strcspn(line, "\r\n")] = 0;
            int k = sscanf(line, "@%15s %31s %2047[^\n]", cmd, name, rest);
            if (k < 2) { printf("bad command line\n"); continue; }
            if (strcmp(cmd, "doc") == 0 || strcmp(cmd, "patch") == 0) {
                snprintf(pending, sizeof pending, "%s", name);
                pending_kind = cmd[0] == 'd' ? 1 : 2;
                tlen = 0;
                continue;
            }
            doc *d = find_doc(name);
            if (!d) { printf("%s: no document %s\n", cmd, name); continue; }
            if (strcmp(cmd, "query") == 0) cmd_query(d, rest);
            else if (strcmp(cmd, "print") == 0) cmd_print(d);
            else if (strcmp(cmd, "stats") == 0) cmd_stats(d);
            else if (strcmp(cmd, "roundtrip") == 0) cmd_roundtrip(d);
            else if (strcmp(cmd, "flatten") == 0) cmd_flatten(d);
            else if (strcmp(cmd, "bench") == 0) cmd_bench(d, atoi(rest));
            else printf("unknown command %s\n", cmd);
            continue;
        }
        if (pending_kind) {
            size_t l = strlen(line);
            if (tlen + l < sizeof text) { memcpy(text + tlen, line, l); tlen += l; }
        }
    }
    for (int i = 0; i < ndocs; i++) jv_free(docs[i].v);
    printf("documents=%d live values after cleanup=%ld\n", ndocs, jv_live);
    return 0;
}
