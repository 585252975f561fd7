/* gzip.c: RFC 1952 gzip member writer and parser around raw DEFLATE. */
#include <string.h>
#include "deflate.h"

#define FTEXT 0x01
#define FHCRC 0x02
#define FEXTRA 0x04
#define FNAME 0x08
#define FCOMMENT 0x10

static void put_le32(bytebuf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++) bb_push(b, (uint8_t)(v >> (8 * i)));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void gzip_compress(const uint8_t *in, size_t n, const char *fname, const lz_params *p, bytebuf *out)
{
    size_t start = out->len;
    bb_push(out, 0x1f);
    bb_push(out, 0x8b);
    bb_push(out, 8); /* CM = deflate */
    uint8_t flags = FHCRC | FEXTRA;
    if (fname) flags |= FNAME;
    /* mark as text if every byte is printable ASCII or whitespace */
    int text = 1;
    for (size_t i = 0; i < n && text; i++)
        if (in[i] < 9 || (in[i] > 13 && in[i] < 32) || in[i] > 126) text = 0;
    if (text) flags |= FTEXT;
    bb_push(out, flags);
    put_le32(out, 0); /* MTIME: none, keeps output reproducible */
    bb_push(out, p->max_chain >= 256 ? 2 : (p->max_chain <= 4 ? 4 : 0)); /* XFL */
    bb_push(out, 3); /* OS = unix */
    /* one extra subfield "RL" carrying the LZ parameters */
    bb_push(out, 8);
    bb_push(out, 0);
    bb_push(out, 'R');
    bb_push(out, 'L');
    bb_push(out, 4);
    bb_push(out, 0);
    bb_push(out, (uint8_t)(p->max_chain & 0xFF));
    bb_push(out, (uint8_t)(p->max_chain >> 8));
    bb_push(out, (uint8_t)p->nice_len);
    bb_push(out, (uint8_t)p->lazy);
    if (fname) {
        for (const char *c = fname; *c; c++) bb_push(out, (uint8_t)*c);
        bb_push(out, 0);
    }
    uint32_t hcrc = crc32(0, out->data + start, out->len - start);
    bb_push(out, (uint8_t)hcrc);
    bb_push(out, (uint8_t)(hcrc >> 8));
    deflate_stats st;
    deflate_compress(in, n, p, FORCE_AUTO, out, &st);
    put_le32(out, crc32(0, in, n));
    put_le32(out, (uint32_t)n);
}

/* returns number of DEFLATE blocks (>0) or a negative error */
int gzip_decompress(const uint8_t *in, size_t n, bytebuf *out, char *fname, size_t fname_cap)
{
    if (n < 18) return -20;
    if (in[0] != 0x1f || in[1] != 0x8b || in[2] != 8) return -21;
    uint8_t flags = in[3];
    if (flags & 0xE0) return -22;
    size_t pos = 10;
    if (flags & FEXTRA) {
        if (pos + 2 > n) return -23;
        size_t xlen = (size_t)in[pos] | ((size_t)in[pos + 1] << 8);
        pos += 2;
        if (pos + xlen > n) return -23;
        /* walk subfields for validation */
        size_t q = pos;
        while (q + 4 <= pos + xlen) {
            size_t sl = (size_t)in[q + 2] | ((size_t)in[q + 3] << 8);
            q += 4 + sl;
        }
        if (q != pos + xlen) return -24;
        pos += xlen;
    }
    if (fname_cap) fname[0] = '\0';
    if (flags & FNAME) {
        size_t k = 0;
        while (pos < n && in[pos] != 0) {
            if (k + 1 < fname_cap) fname[k++] = (char)in[pos];
            pos++;
        }
        if (fname_cap) fname[k] = '\0';
        if (pos >= n) return -25;
        pos++;
    }
    if (flags & FCOMMENT) {
        while (pos < n && in[pos] != 0) pos++;
        if (pos >= n) return -25;
        pos++;
    }
    if (flags & FHCRC) {
        if (pos + 2 > n) return -26;
        uint32_t want = (uint32_t)in[pos] | ((uint32_t)in[pos + 1] << 8);
        if ((crc32(0, in, pos) & 0xFFFFu) != want) return -27;
        pos += 2;
    }
    if (pos + 8 > n) return -28;
    int blocks = 0;
    int err = inflate_decompress(in + pos, n - pos - 8, out, &blocks);
    if (err) return err;
    if (crc32(0, out->data, out->len) != get_le32(in + n - 8)) return -29;
    if ((uint32_t)out->len != get_le32(in + n - 4)) return -30;
    return blocks;
}
