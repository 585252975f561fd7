/* Strict RFC 8259 JSON parser with position-aware error messages:
 * validates number grammar, string escapes including \uXXXX surrogate
 * pairs (converted to UTF-8), raw UTF-8 validity, control characters,
 * nesting depth, and trailing garbage. Duplicate keys: last one wins. */
#include "json.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 200

typedef struct {
    const char *s;
    size_t n, i;
    int depth;
    jparse_result *res;
} P;

static int fail(P *p, const char *msg) {
    if (p->res->ok) {
        p->res->ok = 0;
        snprintf(p->res->msg, sizeof p->res->msg, "%s", msg);
        p->res->pos = p->i;
        size_t line = 1, col = 1;
        for (size_t k = 0; k < p->i && k < p->n; k++) { if (p->s[k] == '\n') { line++; col = 1; } else col++; }
        p->res->line = line;
        p->res->col = col;
    }
    return 0;
}

static void ws(P *p) {
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) p->i++;
}

static int peekc(P *p) { return p->i < p->n ? (unsigned char)p->s[p->i] : -1; }

static jvalue *parse_value(P *p);

static int hex4(P *p, unsigned *out) {
    if (p->i + 4 > p->n) return fail(p, "truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p->s[p->i++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return fail(p, "bad hex digit in \\u escape");
    }
    *out = v;
    return 1;
}

static void put_utf8(strbuf *b, unsigned cp) {
    if (cp < 0x80) sb_putc(b, (char)cp);
    else if (cp < 0x800) { sb_putc(b, (char)(0xC0 | (cp >> 6))); sb_putc(b, (char)(0x80 | (cp & 0x3F))); }
    else if (cp < 0x10000) {
        sb_putc(b, (char)(0xE0 | (cp >> 12))); sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F))); sb_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        sb_putc(b, (char)(0xF0 | (cp >> 18))); sb_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F))); sb_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* validate one raw UTF-8 sequence starting at p->i; returns its length or 0 */
static int utf8_len(P *p) {
    const unsigned char *u = (const unsigned char *)p->s + p->i;
    size_t left = p->n - p->i;
    if (u[0] < 0x80) return 1;
    int need;
    unsigned cp;
    if ((u[0] & 0xE0) == 0xC0) { need = 2; cp = u[0] & 0x1Fu; }
    else if ((u[0] & 0xF0) == 0xE0) { need = 3; cp = u[0] & 0x0Fu; }
    else if ((u[0] & 0xF8) == 0xF0) { need = 4; cp = u[0] & 0x07u; }
    else return 0;
    if (left < (size_t)need) return 0;
    for (int k = 1; k < need; k++) { if ((u[k] & 0xC0) != 0x80) return 0; cp = (cp << 6) | (u[k] & 0x3Fu); }
    if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return need;
}

static int parse_string_raw(P *p, strbuf *b) {
    if (peekc(p) != '"') return fail(p, "expected string");
    p->i++;
    for (;;) {
        if (p->i >= p->n) return fail(p, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') { p->i++; return 1; }
        if (c < 0x20) return fail(p, "control character in string");
        if (c == '\\') {
            p->i++;
            if (p->i >= p->n) return fail(p, "unterminated escape");
            char e = p->s[p->i++];
            switch (e) {
            case '"': sb_putc(b, '"'); break;
            case '\\': sb_putc(b, '\\'); break;
            case '/': sb_putc(b, '/'); break;
            case 'b': sb_putc(b, '\b'); break;
            case 'f': sb_putc(b, '\f'); break;
            case 'n': sb_putc(b, '\n'); break;
            case 'r': sb_putc(b, '\r'); break;
            case 't': sb_putc(b, '\t'); break;
            case 'u': {
                unsigned cp;
                if (!hex4(p, &cp)) return 0;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (p->i + 2 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u') return fail(p, "unpaired high surrogate");
                    p->i += 2;
                    if (!hex4(p, &lo)) return 0;
                    if (lo < 0xDC00 || lo > 0xDFFF) return fail(p, "invalid low surrogate");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(p, "unpaired low surrogate");
                put_utf8(b, cp);
                break;
            }
            default: p->i--; return fail(p, "invalid escape");
            }
            continue;
        }
        int l = utf8_len(p);
        if (!l) return fail(p, "invalid UTF-8");
        sb_puts(b, p->s + p->i, (size_t)l);
        p->i += (size_t)l;
    }
}

static int isdig(int c) { return c >= '0' && c <= '9'; }

static jvalue *parse_number(P *p) {
    size_t start = p->i;
    int is_int = 1;
    if (peekc(p) == '-') p->i++;
    if (peekc(p) == '0') { p->i++; if (isdig(peekc(p))) { fail(p, "leading zero"); return NULL; } }
    else if (isdig(peekc(p))) { while (isdig(peekc(p))) p->i++; }
    else { fail(p, "invalid number"); return NULL; }
    if (peekc(p) == '.') {
        is_int = 0;
        p->i++;
        if (!isdig(peekc(p))) { fail(p, "digit expected after '.'"); return NULL; }
        while (isdig(peekc(p))) p->i++;
    }
    if (peekc(p) == 'e' || peekc(p) == 'E') {
        is_int = 0;
        p->i++;
        if (peekc(p) == '+' || peekc(p) == '-') p->i++;
        if (!isdig(peekc(p))) { fail(p, "digit expected in exponent"); return NULL; }
        while (isdig(peekc(p))) p->i++;
    }
    size_t len = p->i - start;
    char buf[64];
    if (len >= sizeof buf) { fail(p, "number too long"); return NULL; }
    memcpy(buf, p->s + start, len);
    buf[len] = 0;
    if (is_int && len <= 18) {
        long long v = 0;
        int neg = buf[0] == '-';
        for (size_t k = (size_t)neg; k < len; k++) v = v * 10 + (buf[k] - '0');
        return jv_int(neg ? -v : v);
    }
    return jv_number(strtod(buf, NULL));
}

static int literal(P *p, const char *word) {
    size_t l = strlen(word);
    if (p->i + l <= p->n && memcmp(p->s + p->i, word, l) == 0) { p->i += l; return 1; }
    return 0;
}

static jvalue *parse_array(P *p) {
    p->i++;
    jvalue *a = jv_new(J_ARRAY);
    ws(p);
    if (peekc(p) == ']') { p->i++; return a; }
    for (;;) {
        jvalue *v = parse_value(p);
        if (!v) { jv_free(a); return NULL; }
        jv_array_push(a, v);
        ws(p);
        int c = peekc(p);
        if (c == ',') { p->i++; ws(p); if (peekc(p) == ']') { fail(p, "trailing comma in array"); jv_free(a); return NULL; } continue; }
        if (c == ']') { p->i++; return a; }
        fail(p, "expected ',' or ']'");
        jv_free(a);
        return NULL;
    }
}

static jvalue *parse_object(P *p) {
    p->i++;
    jvalue *o = jv_new(J_OBJECT);
    ws(p);
    if (peekc(p) == '}') { p->i++; return o; }
    strbuf key;
    sb_init(&key);
    for (;;) {
        ws(p);
        key.len = 0;
        if (!parse_string_raw(p, &key)) break;
        ws(p);
        if (peekc(p) != ':') { fail(p, "expected ':'"); break; }
        p->i++;
        jvalue *v = parse_value(p);
        if (!v) break;
        jv_object_set(o, key.buf ? key.buf : "", key.len, v);
        ws(p);
        int c = peekc(p);
        if (c == ',') { p->i++; ws(p); if (peekc(p) == '}') { fail(p, "trailing comma in object"); break; } continue; }
        if (c == '}') { p->i++; sb_free(&key); return o; }
        fail(p, "expected ',' or '}'");
        break;
    }
    sb_free(&key);
    jv_free(o);
    return NULL;
}

static jvalue *parse_value(P *p) {
    ws(p);
    int c = peekc(p);
    jvalue *v = NULL;
    if (c < 0) { fail(p, "unexpected end of input"); return NULL; }
    if (c == '{' || c == '[') {
        if (++p->depth > MAX_DEPTH) { fail(p, "nesting too deep"); return NULL; }
        if (p->depth > p->res->max_depth) p->res->max_depth = p->depth;
        v = c == '{' ? parse_object(p) : parse_array(p);
        p->depth--;
        return v;
    }
    if (c == '"') {
        strbuf b;
        sb_init(&b);
        if (parse_string_raw(p, &b)) v = jv_string(b.buf ? b.buf : "", b.len);
        sb_free(&b);
        return v;
    }
    if (c == '-' || isdig(c)) return parse_number(p);
    if (literal(p, "true")) return jv_new(J_TRUE);
    if (literal(p, "false")) return jv_new(J_FALSE);
    if (literal(p, "null")) return jv_new(J_NULL);
    fail(p, "unexpected character");
    return NULL;
}

jvalue *json_parse(const char *text, size_t n, jparse_result *res) {
    P p = { text, n, 0, 0, res };
    memset(res, 0, sizeof *res);
    res->ok = 1;
    /* optional UTF-8 BOM */
    if (n >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF) p.i = 3;
    jvalue *v = parse_value(&p);
    if (v) {
        ws(&p);
        if (p.i < p.n) { fail(&p, "trailing characters"); jv_free(v); v = NULL; }
    }
    return v;
}
