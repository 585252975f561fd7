/* A lexer for C-like source text read from stdin. Recognises keywords,
 * identifiers, integer (decimal/hex/octal/binary, with suffixes) and
 * floating literals (with exponents), character and string literals
 * with escapes, line and block comments, preprocessor directives, and
 * all punctuators with longest-match. Prints token statistics, the most
 * frequent identifiers, bracket-nesting depth and a token-stream hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

typedef enum {
    T_EOF, T_IDENT, T_KEYWORD, T_INT, T_FLOAT, T_CHAR, T_STRING, T_PUNCT, T_PREPROC, T_COMMENT, T_ERROR, T_COUNT
} tkind;

static const char *kind_names[T_COUNT] = { "eof", "ident", "keyword", "int", "float", "char", "string",
                                           "punct", "preproc", "comment", "error" };

typedef struct {
    tkind kind;
    int start, len;
    int line, col;
    unsigned long long ival;
    double fval;
} token;

typedef struct {
    const char *src;
    int len, pos;
    int line, col;
    int errors;
} lexer;

static const char *keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
    "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
    "volatile", "while", "_Bool", "_Complex", "_Static_assert", NULL
};
#define NKW 37

static const char *puncts[] = {
    "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=",
    "%=", "+=", "-=", "&=", "^=", "|=", "##", "[", "]", "(", ")", "{", "}", ".", "&", "*", "+", "-",
    "~", "!", "/", "%", "<", ">", "^", "|", "?", ":", ";", "=", ",", "#", NULL
};
#define NPUNCT 48

static int cur(lexer *lx) { return lx->pos < lx->len ? (unsigned char)lx->src[lx->pos] : -1; }
static int ahead(lexer *lx, int k) { return lx->pos + k < lx->len ? (unsigned char)lx->src[lx->pos + k] : -1; }
static void advance(lexer *lx) {
    if (lx->pos >= lx->len) return;
    if (lx->src[lx->pos] == '\n') { lx->line++; lx->col = 1; } else lx->col++;
    lx->pos++;
}

static int keyword_index(const char *s, int n) {
    for (int i = 0; keywords[i]; i++)
        if ((int)strlen(keywords[i]) == n && memcmp(keywords[i], s, (size_t)n) == 0) return i;
    return -1;
}

static void lex_number(lexer *lx, token *t) {
    unsigned long long v = 0;
    int isfloat = 0;
    if (cur(lx) == '0' && (ahead(lx, 1) == 'x' || ahead(lx, 1) == 'X')) {
        advance(lx); advance(lx);
        while (isxdigit(cur(lx))) {
            int c = cur(lx);
            v = v * 16u + (unsigned)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
            advance(lx);
        }
    } else if (cur(lx) == '0' && (ahead(lx, 1) == 'b' || ahead(lx, 1) == 'B')) {
        advance(lx); advance(lx);
        while (cur(lx) == '0' || cur(lx) == '1') { v = v * 2u + (unsigned)(cur(lx) - '0'); advance(lx); }
    } else {
        int start = lx->pos;
        while (isdigit(cur(lx))) advance(lx);
        if (cur(lx) == '.' ) { isfloat = 1; advance(lx); while (isdigit(cur(lx))) advance(lx); }
        if (cur(lx) == 'e' || cur(lx) == 'E') {
            int save = lx->pos, sl = lx->line, sc = lx->col;
            advance(lx);
            if (cur(lx) == '+' || cur(lx) == '-') advance(lx);
            if (isdigit(cur(lx))) { isfloat = 1; while (isdigit(cur(lx))) advance(lx); }
            else { lx->pos = save; lx->line = sl; lx->col = sc; }
        }
        if (isfloat) {
            char buf[64];
            int n = lx->pos - start;
            if (n > 63) n = 63;
            memcpy(buf, lx->src + start, (size_t)n);
            buf[n] = 0;
            t->fval = strtod(buf, NULL);
        } else if (lx->src[start] == '0') {
            for (int i = start; i < lx->pos; i++) v = v * 8u + (unsigned)(lx->src[i] - '0');
        } else {
            for (int i = start; i < lx->pos; i++) v = v * 10u + (unsigned)(lx->src[i] - '0');
        }
    }
    /* suffixes */
    while (cur(lx) == 'u' || cur(lx) == 'U' || cur(lx) == 'l' || cur(lx) == 'L' || (isfloat && (cur(lx) == 'f' || cur(lx) == 'F')))
        advance(lx);
    if (isalnum(cur(lx)) || cur(lx) == '_') { /* malformed suffix */
        while (isalnum(cur(lx)) || cur(lx) == '_') advance(lx);
        t->kind = T_ERROR;
        lx->errors++;
        return;
    }
    t->kind = isfloat ? T_FLOAT : T_INT;
    t->ival = v;
}

static int lex_escape(lexer *lx) {
    advance(lx); /* backslash */
    int c = cur(lx);
    advance(lx);
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        int v = c - '0';
        for (int k = 0; k < 2 && cur(lx) >= '0' && cur(lx) <= '7'; k++) { v = v * 8 + cur(lx) - '0'; advance(lx); }
        return v & 0xff;
    }
    case 'x': {
        int v = 0;
        while (isxdigit(cur(lx))) { int d = cur(lx); v = (v * 16 + (isdigit(d) ? d - '0' : tolower(d) - 'a' + 10)) & 0xff; advance(lx); }
        return v;
    }
    default: return c;
    }
}

static void lex_quoted(lexer *lx, token *t, int q) {
    advance(lx);
    unsigned long long h = 0;
    int n = 0;
    while (cur(lx) != q) {
        if (cur(lx) < 0 || cur(lx) == '\n') { t->kind = T_ERROR; lx->errors++; return; }
        int c;
        if (cur(lx) == '\\') c = lex_escape(lx);
        else { c = cur(lx); advance(lx); }
        h = h * 31u + (unsigned)c;
        n++;
    }
    advance(lx);
    t->kind = q == '"' ? T_STRING : T_CHAR;
    t->ival = q == '"' ? (unsigned long long)n : h;
}

static int next_token(lexer *lx, token *t) {
    /* skip whitespace */
    while (cur(lx) == ' ' || cur(lx) == '\t' || cur(lx) == '\n' || cur(lx) == '\r' || cur(lx) == '\f') advance(lx);
    t->start = lx->pos; t->line = lx->line; t->col = lx->col;
    t->ival = 0; t->fval = 0;
    int c = cur(lx);
    if (c < 0) { t->kind = T_EOF; t->len = 0; return 0; }
    if (c == '/' && ahead(lx, 1) == '/') {
        while (cur(lx) >= 0 && cur(lx) != '\n') advance(lx);
        t->kind = T_COMMENT;
    } else if (c == '/' && ahead(lx, 1) == '*') {
        advance(lx); advance(lx);
        while (cur(lx) >= 0 && !(cur(lx) == '*' && ahead(lx, 1) == '/')) advance(lx);
        if (cur(lx) < 0) { t->kind = T_ERROR; lx->errors++; }
        else { advance(lx); advance(lx); t->kind = T_COMMENT; }
    } else if (c == '#' && t->col == 1) {
        /* directive up to end of line, honouring continuations */
        while (cur(lx) >= 0 && cur(lx) != '\n') {
            if (cur(lx) == '\\' && ahead(lx, 1) == '\n') advance(lx);
            advance(lx);
        }
        t->kind = T_PREPROC;
    } else if (isalpha(c) || c == '_') {
        while (isalnum(cur(lx)) || cur(lx) == '_') advance(lx);
        t->kind = keyword_index(lx->src + t->start, lx->pos - t->start) >= 0 ? T_KEYWORD : T_IDENT;
    } else if (isdigit(c) || (c == '.' && isdigit(ahead(lx, 1)))) {
        lex_number(lx, t);
    } else if (c == '"' || c == '\'') {
        lex_quoted(lx, t, c);
    } else {
        int matched = 0;
        for (int i = 0; puncts[i] && !matched; i++) {
            int n = (int)strlen(puncts[i]);
            if (lx->pos + n <= lx->len && memcmp(lx->src + lx->pos, puncts[i], (size_t)n) == 0) {
                for (int k = 0; k < n; k++) advance(lx);
                matched = 1;
            }
        }
        if (!matched) { advance(lx); t->kind = T_ERROR; lx->errors++; }
        else t->kind = T_PUNCT;
    }
    t->len = lx->pos - t->start;
    return 1;
}

/* identifier frequency table: open addressing */
typedef struct { int start, len, count, first_line; } ident_entry;
#define ITAB 4096
static ident_entry itab[ITAB];
static int nidents;

static unsigned hash_bytes(const char *s, int n) {
    unsigned h = 2166136261u;
    for (int i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void count_ident(const char *src, const token *t) {
    unsigned h = hash_bytes(src + t->start, t->len) & (ITAB - 1);
    while (itab[h].len) {
        if (itab[h].len == t->len && memcmp(src + itab[h].start, src + t->start, (size_t)t->len) == 0) {
            itab[h].count++;
            return;
        }
        h = (h + 1) & (ITAB - 1);
    }
    if (nidents >= ITAB / 2) return;
    itab[h].start = t->start; itab[h].len = t->len; itab[h].count = 1; itab[h].first_line = t->line;
    nidents++;
}

static const char *g_src;
static int ident_cmp(const void *a, const void *b) {
    const ident_entry *x = a, *y = b;
    if (x->count != y->count) return y->count - x->count;
    int n = x->len < y->len ? x->len : y->len;
    int c = memcmp(g_src + x->start, g_src + y->start, (size_t)n);
    if (c) return c;
    return x->len - y->len;
}

int main(void) {
    size_t cap = 1 << 16, n = 0;
    char *src = malloc(cap + 1);
    size_t r;
    while ((r = fread(src + n, 1, cap - n, stdin)) > 0) {
        n += r;
        if (n == cap) { cap *= 2; src = realloc(src, cap + 1); }
    }
    src[n] = 0;
    lexer lx = { src, (int)n, 0, 1, 1, 0 };
    token t;
    long counts[T_COUNT] = { 0 };
    long kwcount[NKW] = { 0 };
    long punct_count[NPUNCT] = { 0 };
    int depth = 0, maxdepth = 0, unbalanced = 0;
    unsigned long long stream_hash = 14695981039346656037ULL, int_sum = 0;
    double float_sum = 0;
    long longest_ident = 0, strchars = 0, comment_bytes = 0;
    int ntok = 0;
    while (next_token(&lx, &t)) {
        counts[t.kind]++;
        ntok++;
        stream_hash = (stream_hash ^ (unsigned long long)(t.kind * 131 + t.len)) * 1099511628211ULL;
        switch (t.kind) {
        case T_IDENT:
            count_ident(src, &t);
            if (t.len > longest_ident) longest_ident = t.len;
            break;
        case T_KEYWORD: kwcount[keyword_index(src + t.start, t.len)]++; break;
        case T_INT: int_sum += t.ival; break;
        case T_FLOAT: float_sum += t.fval; break;
        case T_STRING: strchars += (long)t.ival; break;
        case T_COMMENT: comment_bytes += t.len; break;
        case T_PUNCT:
            for (int i = 0; puncts[i]; i++)
                if ((int)strlen(puncts[i]) == t.len && memcmp(puncts[i], src + t.start, (size_t)t.len) == 0) {
                    punct_count[i]++;
                    break;
                }
            if (t.len == 1 && strchr("([{", src[t.start])) { depth++; if (depth > maxdepth) maxdepth = depth; }
            if (t.len == 1 && strchr(")]}", src[t.start])) { if (depth == 0) unbalanced++; else depth--; }
            break;
        default: break;
        }
    }
    printf("bytes=%zu lines=%d tokens=%d errors=%d\n", n, lx.line, ntok, lx.errors);
    for (int k = 1; k < T_COUNT; k++) printf("  %-8s %6ld\n", kind_names[k], counts[k]);
    printf("distinct identifiers=%d longest=%ld\n", nidents, longest_ident);
    printf("int literal sum=%llu float literal sum=%.6e string chars=%ld comment bytes=%ld\n", int_sum, float_sum,
           strchars, comment_bytes);
    printf("max bracket depth=%d unbalanced closers=%d final depth=%d\n", maxdepth, unbalanced, depth);
    printf("keywords:");
    for (int k = 0; k < NKW; k++) if (kwcount[k]) printf(" %s=%ld", keywords[k], kwcount[k]);
    printf("\npunctuators:");
    int shown = 0;
    for (int k = 0; k < NPUNCT; k++) if (punct_count[k] >= 50 && shown < 20) { printf(" %s=%ld", puncts[k], punct_count[k]); shown++; }
    printf("\n");
    ident_entry *list = malloc(sizeof(ident_entry) * (size_t)(nidents + 1));
    int m = 0;
    for (int i = 0; i < ITAB; i++) if (itab[i].len) list[m++] = itab[i];
    g_src = src;
    qsort(list, (size_t)m, sizeof *list, ident_cmp);
    printf("top identifiers:\n");
    for (int i = 0; i < m && i < 12; i++)
        printf("  %-16.*s %5d (first line %d)\n", list[i].len, src + list[i].start, list[i].count, list[i].first_line);
    printf("stream hash %016llx\n", stream_hash);
    free(list);
    free(src);
    return 0;
}
