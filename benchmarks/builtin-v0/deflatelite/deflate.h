/* deflatelite: a small DEFLATE (RFC 1951) encoder and decoder with a zlib
 * (RFC 1950) wrapper. Shared declarations. */
#ifndef DEFLATELITE_H
#define DEFLATELITE_H
#include <stddef.h>
#include <stdint.h>

#define WINDOW_SIZE 32768
#define MIN_MATCH 3
#define MAX_MATCH 258
#define NUM_LITLEN 286
#define MAX_SYMS 288
#define NUM_DIST 30
#define NUM_CL 19
#define MAX_CODE_BITS 15
#define MAX_CL_BITS 7

/* growable byte buffer */
typedef struct {
    uint8_t *data;
    size_t len, cap;
} bytebuf;

void bb_init(bytebuf *b);
void bb_push(bytebuf *b, uint8_t v);
void bb_free(bytebuf *b);

/* LSB-first bit writer (DEFLATE bit order) */
typedef struct {
    bytebuf *out;
    uint64_t acc;
    int nbits;
    unsigned long long total_bits;
} bit_writer;

void bw_init(bit_writer *w, bytebuf *out);
void bw_bits(bit_writer *w, uint32_t value, int n);
void bw_code(bit_writer *w, uint32_t code, int len); /* Huffman code, MSB first */
void bw_align(bit_writer *w);

typedef struct {
    const uint8_t *data;
    size_t len, pos;
    uint32_t acc;
    int nbits;
    int overrun;
} bit_reader;

void br_init(bit_reader *r, const uint8_t *data, size_t len);
uint32_t br_bits(bit_reader *r, int n);
void br_align(bit_reader *r);

/* Huffman tables */
typedef struct {
    uint8_t len[MAX_SYMS];
    uint16_t code[MAX_SYMS];
    int n;
} huff_enc;

typedef struct {
    uint16_t count[MAX_CODE_BITS + 1];
    uint16_t symbol[MAX_SYMS];
} huff_dec;

void huff_build_lengths(const uint32_t *freq, int n, int maxbits, uint8_t *len);
void huff_assign_codes(huff_enc *e, const uint8_t *len, int n);
int huff_dec_build(huff_dec *d, const uint8_t *len, int n); /* 0 ok, <0 over-subscribed, >0 incomplete */
int huff_decode(bit_reader *r, const huff_dec *d);

/* LZ77 symbol stream */
typedef struct {
    uint16_t litlen; /* literal byte or match length */
    uint16_t dist;   /* 0 for literal */
} lz_symbol;

typedef struct {
    int max_chain;
    int nice_len;
    int lazy;
    const char *name;
} lz_params;

size_t lz_parse(const uint8_t *in, size_t n, const lz_params *p, lz_symbol *out);

int length_code(int len, int *extra_bits, int *extra_val);
int dist_code(int dist, int *extra_bits, int *extra_val);
extern const uint16_t LEN_BASE[29];
extern const uint8_t LEN_EXTRA[29];
extern const uint16_t DIST_BASE[30];
extern const uint8_t DIST_EXTRA[30];

/* block statistics */
typedef struct {
    int stored, fixed, dynamic;
    unsigned long long header_bits;
    size_t symbols, matches;
} deflate_stats;

enum { FORCE_AUTO = 0, FORCE_STORED = 1, FORCE_FIXED = 2, FORCE_DYNAMIC = 3 };

void deflate_compress(const uint8_t *in, size_t n, const lz_params *p, int force, bytebuf *out,
                      deflate_stats *st);
int inflate_decompress(const uint8_t *in, size_t n, bytebuf *out, int *blocks);

void zlib_compress(const uint8_t *in, size_t n, const lz_params *p, int force, bytebuf *out,
                   deflate_stats *st);
int zlib_decompress(const uint8_t *in, size_t n, bytebuf *out);
uint32_t adler32(uint32_t a, const uint8_t *p, size_t n);

/* gzip (RFC 1952) container: gzip.c */
void gzip_compress(const uint8_t *in, size_t n, const char *fname, const lz_params *p, bytebuf *out);
int gzip_decompress(const uint8_t *in, size_t n, bytebuf *out, char *fname, size_t fname_cap);

/* block size used by deflate_compress, in LZ symbols */
extern size_t deflate_block_symbols;

/* statistics: stats.c */
void report_symbol_stats(const char *name, const uint8_t *in, size_t n, const lz_params *p);
void report_block_sizes(const char *name, const uint8_t *in, size_t n, const lz_params *p);
uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n);
#endif
