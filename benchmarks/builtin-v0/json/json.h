/* JSON document model, parser, serialiser, path queries and utilities. */
#ifndef JSON_H
#define JSON_H
#include <stddef.h>

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jtype;

typedef struct jvalue jvalue;

typedef struct {
    char *key;
    size_t keylen;
    jvalue *val;
} jmember;

struct jvalue {
    jtype type;
    double num;
    int is_int;          /* number was written without fraction/exponent and fits in long long */
    long long ival;
    char *str;           /* J_STRING: UTF-8, may contain NUL */
    size_t len;          /* string length, or element/member count */
    size_t cap;
    jvalue **items;      /* J_ARRAY */
    jmember *members;    /* J_OBJECT, insertion order */
    int *index;          /* J_OBJECT hash index (open addressing), size idxcap */
    size_t idxcap;
};

/* value.c */
jvalue *jv_new(jtype t);
jvalue *jv_number(double d);
jvalue *jv_int(long long v);
jvalue *jv_string(const char *s, size_t n);
void jv_free(jvalue *v);
void jv_array_push(jvalue *a, jvalue *v);
void jv_object_set(jvalue *o, const char *key, size_t keylen, jvalue *v);
jvalue *jv_object_get(const jvalue *o, const char *key, size_t keylen);
int jv_object_remove(jvalue *o, const char *key, size_t keylen);
jvalue *jv_clone(const jvalue *v);
int jv_equal(const jvalue *a, const jvalue *b);
extern long jv_live;

/* parse.c */
typedef struct {
    int ok;
    size_t pos, line, col;
    char msg[96];
    int max_depth;
} jparse_result;
jvalue *json_parse(const char *text, size_t n, jparse_result *res);

/* emit.c */
typedef struct { char *buf; size_t len, cap; } strbuf;
void sb_init(strbuf *s);
void sb_free(strbuf *s);
void sb_putc(strbuf *s, char c);
void sb_puts(strbuf *s, const char *t, size_t n);
void json_emit(const jvalue *v, strbuf *out, int indent, int sort_keys);

/* query.c */
typedef struct { const jvalue **items; size_t n, cap; } jresults;
int json_query(const jvalue *root, const char *path, jresults *out, char *err, size_t errsz);
void jresults_free(jresults *r);

/* tools.c */
typedef struct {
    long counts[7];
    int max_depth;
    long string_bytes, keys;
    double num_sum;
    long long int_sum;
    long longest_array;
} jstats;
void json_stats(const jvalue *v, jstats *st);
jvalue *json_merge_patch(jvalue *target, const jvalue *patch);
unsigned long json_hash(const jvalue *v);
jvalue *json_flatten(const jvalue *v);

#endif
