/* inflate.c: DEFLATE decoder (stored, fixed and dynamic blocks) with
 * full bounds checking, and the zlib container. */
#include <string.h>
#include "deflate.h"

static const uint8_t ORDER[NUM_CL] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

enum {
    ERR_OK = 0,
    ERR_TRUNCATED = -1,
    ERR_BTYPE = -2,
    ERR_STORED_LEN = -3,
    ERR_CODES = -4,
    ERR_SYMBOL = -5,
    ERR_DISTANCE = -6,
    ERR_TOO_BIG = -7
};

#define OUT_LIMIT (1u << 20)

static int inflate_codes(bit_reader *r, bytebuf *out, const huff_dec *lit, const huff_dec *dist)
{
    for (;;) {
        int sym = huff_decode(r, lit);
        if (r->overrun) return ERR_TRUNCATED;
        if (sym < 0) return ERR_SYMBOL;
        if (sym < 256) {
            if (out->len >= OUT_LIMIT) return ERR_TOO_BIG;
            bb_push(out, (uint8_t)sym);
        } else if (sym == 256) {
            return ERR_OK;
        } else {
            sym -= 257;
            if (sym >= 29) return ERR_SYMBOL;
            int len = LEN_BASE[sym] + (int)br_bits(r, LEN_EXTRA[sym]);
            int ds = huff_decode(r, dist);
            if (r->overrun) return ERR_TRUNCATED;
            if (ds < 0 || ds >= 30) return ERR_SYMBOL;
            size_t d = DIST_BASE[ds] + br_bits(r, DIST_EXTRA[ds]);
            if (d > out->len) return ERR_DISTANCE;
            if (out->len + (size_t)len > OUT_LIMIT) return ERR_TOO_BIG;
            for (int k = 0; k < len; k++) bb_push(out, out->data[out->len - d]);
        }
    }
}

static int inflate_stored(bit_reader *r, bytebuf *out)
{
    br_align(r);
    uint32_t len = br_bits(r, 16), nlen = br_bits(r, 16);
    if (r->overrun) return ERR_TRUNCATED;
    if ((len ^ 0xFFFFu) != nlen) return ERR_STORED_LEN;
    if (r->pos + len > r->len) return ERR_TRUNCATED;
    if (out->len + len > OUT_LIMIT) return ERR_TOO_BIG;
    for (uint32_t i = 0; i < len; i++) bb_push(out, r->data[r->pos++]);
    return ERR_OK;
}

static int inflate_fixed(bit_reader *r, bytebuf *out)
{
    static huff_dec lit, dist;
    static int ready = 0;
    if (!ready) {
        uint8_t l[MAX_SYMS];
        int s = 0;
        for (; s < 144; s++) l[s] = 8;
        for (; s < 256; s++) l[s] = 9;
        for (; s < 280; s++) l[s] = 7;
        for (; s < MAX_SYMS; s++) l[s] = 8;
        huff_dec_build(&lit, l, MAX_SYMS);
        for (s = 0; s < NUM_DIST; s++) l[s] = 5;
        huff_dec_build(&dist, l, NUM_DIST);
        ready = 1;
    }
    return inflate_codes(r, out, &lit, &dist);
}

static int inflate_dynamic(bit_reader *r, bytebuf *out)
{
    uint8_t lengths[MAX_SYMS + NUM_DIST];
    huff_dec lit, dist, cl;
    int nlen = (int)br_bits(r, 5) + 257;
    int ndist = (int)br_bits(r, 5) + 1;
    int ncode = (int)br_bits(r, 4) + 4;
    if (r->overrun) return ERR_TRUNCATED;
    if (nlen > NUM_LITLEN || ndist > NUM_DIST) return ERR_CODES;
    memset(lengths, 0, sizeof lengths);
    for (int i = 0; i < ncode; i++) lengths[ORDER[i]] = (uint8_t)br_bits(r, 3);
    if (huff_dec_build(&cl, lengths, NUM_CL) != 0) return ERR_CODES;
    int idx = 0;
    while (idx < nlen + ndist) {
        int sym = huff_decode(r, &cl);
        if (r->overrun) return ERR_TRUNCATED;
        if (sym < 0) return ERR_CODES;
        if (sym < 16) {
            lengths[idx++] = (uint8_t)sym;
            continue;
        }
        uint8_t v = 0;
        int rep;
        if (sym == 16) {
            if (idx == 0) return ERR_CODES;
            v = lengths[idx - 1];
            rep = 3 + (int)br_bits(r, 2);
        } else if (sym == 17) {
            rep = 3 + (int)br_bits(r, 3);
        } else {
            rep = 11 + (int)br_bits(r, 7);
        }
        if (idx + rep > nlen + ndist) return ERR_CODES;
        while (rep--) lengths[idx++] = v;
    }
    if (lengths[256] == 0) return ERR_CODES;
    int e1 = huff_dec_build(&lit, lengths, nlen);
    if (e1 < 0 || (e1 > 0 && nlen - lit.count[0] != 1)) return ERR_CODES;
    int e2 = huff_dec_build(&dist, lengths + nlen, ndist);
    if (e2 < 0 || (e2 > 0 && ndist - dist.count[0] != 1)) return ERR_CODES;
    return inflate_codes(r, out, &lit, &dist);
}

int inflate_decompress(const uint8_t *in, size_t n, bytebuf *out, int *blocks)
{
    bit_reader r;
    br_init(&r, in, n);
    int last, err;
    *blocks = 0;
    do {
        last = (int)br_bits(&r, 1);
        int type = (int)br_bits(&r, 2);
        if (r.overrun) return ERR_TRUNCATED;
        switch (type) {
        case 0: err = inflate_stored(&r, out); break;
        case 1: err = inflate_fixed(&r, out); break;
        case 2: err = inflate_dynamic(&r, out); break;
        default: err = ERR_BTYPE; break;
        }
        if (err) return err;
        (*blocks)++;
    } while (!last);
    return ERR_OK;
}

int zlib_decompress(const uint8_t *in, size_t n, bytebuf *out)
{
    if (n < 6) return ERR_TRUNCATED;
    if ((in[0] & 0x0F) != 8 || ((in[0] << 8) | in[1]) % 31 != 0) return -10;
    int blocks;
    int err = inflate_decompress(in + 2, n - 6, out, &blocks);
    if (err) return err;
    uint32_t want = ((uint32_t)in[n - 4] << 24) | ((uint32_t)in[n - 3] << 16) | ((uint32_t)in[n - 2] << 8) | in[n - 1];
    if (adler32(1, out->data, out->len) != want) return -11;
    return blocks;
}
