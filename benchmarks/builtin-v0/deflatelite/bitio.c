/* bitio.c: byte buffers, LSB-first bit I/O, checksums. */
#include <stdlib.h>
#include "deflate.h"

void bb_init(bytebuf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void bb_push(bytebuf *b, uint8_t v)
{
    if (b->len == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 1024;
        uint8_t *nd = realloc(b->data, nc);
        if (!nd) exit(2);
        b->data = nd;
        b->cap = nc;
    }
    b->data[b->len++] = v;
}

void bb_free(bytebuf *b)
{
    free(b->data);
    bb_init(b);
}

void bw_init(bit_writer *w, bytebuf *out)
{
    w->out = out;
    w->acc = 0;
    w->nbits = 0;
    w->total_bits = 0;
}

void bw_bits(bit_writer *w, uint32_t value, int n)
{
    if (n == 0) return;
    w->acc |= (uint64_t)(value & ((n == 32) ? 0xFFFFFFFFu : ((1u << n) - 1))) << w->nbits;
    w->nbits += n;
    w->total_bits += (unsigned)n;
    while (w->nbits >= 8) {
        bb_push(w->out, (uint8_t)w->acc);
        w->acc >>= 8;
        w->nbits -= 8;
    }
}

void bw_code(bit_writer *w, uint32_t code, int len)
{
    uint32_t rev = 0;
    for (int i = 0; i < len; i++) rev |= ((code >> i) & 1u) << (len - 1 - i);
    bw_bits(w, rev, len);
}

void bw_align(bit_writer *w)
{
    if (w->nbits > 0) {
        int pad = 8 - w->nbits;
        bw_bits(w, 0, pad);
    }
}

void br_init(bit_reader *r, const uint8_t *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->acc = 0;
    r->nbits = 0;
    r->overrun = 0;
}

uint32_t br_bits(bit_reader *r, int n)
{
    while (r->nbits < n) {
        uint32_t byte = 0;
        if (r->pos < r->len) byte = r->data[r->pos++];
        else r->overrun = 1;
        r->acc |= byte << r->nbits;
        r->nbits += 8;
    }
    uint32_t v = n == 32 ? r->acc : (r->acc & ((1u << n) - 1));
    r->acc = n == 32 ? 0 : r->acc >> n;
    r->nbits -= n;
    return v;
}

void br_align(bit_reader *r)
{
    r->acc = 0;
    r->nbits = 0;
}

uint32_t adler32(uint32_t adler, const uint8_t *p, size_t n)
{
    uint32_t a = adler & 0xFFFFu, b = adler >> 16;
    while (n > 0) {
        size_t k = n < 5552 ? n : 5552;
        n -= k;
        while (k--) {
            a += *p++;
            b += a;
        }
        a %= 65521u;
        b %= 65521u;
    }
    return (b << 16) | a;
}

uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    static int ready = 0;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}
