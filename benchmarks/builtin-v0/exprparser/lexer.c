/* Tokeniser for the expression language. */
#include "expr.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void lex_init(lexer_t *lx, const char *src) {
    lx->src = src;
    lx->pos = 0;
    lex_next(lx);
}

static const char *two_char_ops[] = { "<=", ">=", "==", "!=", "&&", "||", "**", NULL };

void lex_next(lexer_t *lx) {
    const char *s = lx->src;
    while (s[lx->pos] == ' ' || s[lx->pos] == '\t') lx->pos++;
    tok_t *t = &lx->cur;
    t->text[0] = 0;
    t->num = 0;
    char c = s[lx->pos];
    if (c == 0 || c == '#') { t->kind = TK_END; return; }
    if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[lx->pos + 1]))) {
        char *end;
        t->num = strtod(s + lx->pos, &end);
        int n = (int)(end - (s + lx->pos));
        if (n > 31) n = 31;
        memcpy(t->text, s + lx->pos, (size_t)n);
        t->text[n] = 0;
        lx->pos = (int)(end - s);
        t->kind = TK_NUM;
        return;
    }
    if (isalpha((unsigned char)c) || c == '_') {
        int n = 0;
        while (isalnum((unsigned char)s[lx->pos]) || s[lx->pos] == '_') {
            if (n < 31) t->text[n++] = s[lx->pos];
            lx->pos++;
        }
        t->text[n] = 0;
        t->kind = TK_IDENT;
        return;
    }
    for (int i = 0; two_char_ops[i]; i++)
        if (s[lx->pos] == two_char_ops[i][0] && s[lx->pos + 1] == two_char_ops[i][1]) {
            t->text[0] = two_char_ops[i][0]; t->text[1] = two_char_ops[i][1]; t->text[2] = 0;
            if (strcmp(t->text, "**") == 0) strcpy(t->text, "^");
            lx->pos += 2;
            t->kind = TK_OP;
            return;
        }
    lx->pos++;
    t->text[0] = c; t->text[1] = 0;
    switch (c) {
    case '(': t->kind = TK_LPAREN; break;
    case ')': t->kind = TK_RPAREN; break;
    case ',': t->kind = TK_COMMA; break;
    case '?': t->kind = TK_QUESTION; break;
    case ':': t->kind = TK_COLON; break;
    case '+': case '-': case '*': case '/': case '%': case '^': case '<': case '>': case '!':
        t->kind = TK_OP; break;
    default: t->kind = TK_BAD; break;
    }
}
