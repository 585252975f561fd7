/* Expression language: lexer, recursive-descent parser, AST utilities. */
#ifndef EXPR_H
#define EXPR_H

typedef enum {
    TK_NUM, TK_IDENT, TK_OP, TK_LPAREN, TK_RPAREN, TK_COMMA, TK_QUESTION, TK_COLON, TK_END, TK_BAD
} tok_kind;

typedef struct {
    tok_kind kind;
    double num;
    char text[32];
} tok_t;

typedef struct {
    const char *src;
    int pos;
    tok_t cur;
} lexer_t;

void lex_init(lexer_t *lx, const char *src);
void lex_next(lexer_t *lx);

typedef enum { E_NUM, E_VAR, E_NEG, E_NOT, E_BIN, E_COND, E_CALL } ekind;

typedef enum {
    B_ADD, B_SUB, B_MUL, B_DIV, B_MOD, B_POW, B_LT, B_LE, B_GT, B_GE, B_EQ, B_NE, B_AND, B_OR
} binop;

#define MAXARGS 4
typedef struct expr {
    ekind kind;
    double num;
    char name[32];
    binop op;
    struct expr *a, *b, *c;
    struct expr *args[MAXARGS];
    int nargs;
} expr;

/* parser.c */
expr *parse_expression(const char *src, char *err, int errsz);
expr *mk_num(double v);
expr *mk_var(const char *name);
expr *mk_un(ekind k, expr *a);
expr *mk_bin(binop op, expr *a, expr *b);
expr *mk_call(const char *name, expr **args, int n);
expr *expr_clone(const expr *e);
void expr_free(expr *e);
extern long live_nodes;

/* printer (eval.c) */
int expr_print(const expr *e, char *buf, int size);
int expr_size(const expr *e);
int expr_depth(const expr *e);

/* eval.c */
typedef struct { char name[32]; double value; } var_t;
typedef struct { var_t vars[64]; int n; } env_t;
int env_get(const env_t *env, const char *name, double *v);
void env_set(env_t *env, const char *name, double v);
int evaluate(const expr *e, const env_t *env, double *out, char *err, int errsz);

/* fold.c */
expr *fold(expr *e, int *changes);
expr *derive(const expr *e, const char *var);
int expr_equal(const expr *a, const expr *b);

#endif
