/* rle: run-length encoding variants over an 8-bit raster image read from
 * stdin (header "W H" as two 16-bit little-endian values, then W*H bytes).
 * Variants: naive (count,value) pairs, escape-byte RLE (BinHex 0x90 style),
 * Apple PackBits per scanline, and bit-plane run lengths coded with
 * Elias-gamma codes. Every variant is decoded and compared. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_INPUT (1u << 16)
#define ESC 0x90

typedef struct {
    uint8_t *d;
    size_t n, cap;
} buf_t;

static void put(buf_t *b, uint8_t v)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 4096;
        b->d = realloc(b->d, b->cap);
        if (!b->d) exit(1);
    }
    b->d[b->n++] = v;
}

/* ---- variant 1: (count, value) pairs, count 1..255 ---- */
static void naive_encode(const uint8_t *in, size_t n, buf_t *out)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && in[j] == in[i] && j - i < 255) j++;
        put(out, (uint8_t)(j - i));
        put(out, in[i]);
        i = j;
    }
}

static size_t naive_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        for (unsigned k = 0; k < in[i]; k++) {
            if (o >= cap) return (size_t)-1;
            out[o++] = in[i + 1];
        }
    }
    return o;
}

/* ---- variant 2: escape RLE. A run of c (c>=4 or c is ESC) of byte v is
 * written as v ESC c ; a literal ESC is written as ESC 0. ---- */
static void esc_encode(const uint8_t *in, size_t n, buf_t *out)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && in[j] == in[i] && j - i < 255) j++;
        size_t run = j - i;
        uint8_t v = in[i];
        if (v == ESC) {
            put(out, ESC);
            put(out, 0);
            if (run > 1) {
                put(out, ESC);
                put(out, (uint8_t)run);
            }
        } else if (run >= 4) {
            put(out, v);
            put(out, ESC);
            put(out, (uint8_t)run);
        } else {
            for (size_t k = 0; k < run; k++) put(out, v);
        }
        i = j;
    }
}

static size_t esc_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0, i = 0;
    int have_last = 0;
    uint8_t last = 0;
    while (i < n) {
        uint8_t c = in[i++];
        if (c != ESC) {
            if (o >= cap) return (size_t)-1;
            out[o++] = last = c;
            have_last = 1;
            continue;
        }
        if (i >= n) return (size_t)-1;
        uint8_t cnt = in[i++];
        if (cnt == 0) {
            if (o >= cap) return (size_t)-1;
            out[o++] = last = ESC;
            have_last = 1;
        } else {
            if (!have_last) return (size_t)-1;
            for (unsigned k = 1; k < cnt; k++) {
                if (o >= cap) return (size_t)-1;
                out[o++] = last;
            }
        }
    }
    return o;
}

/* ---- variant 3: PackBits. header h: 0..127 -> h+1 literals follow;
 * 129..255 -> repeat next byte 257-h times; 128 is a no-op. ---- */
static void packbits_encode(const uint8_t *in, size_t n, buf_t *out)
{
    size_t i = 0;
    while (i < n) {
        size_t run = 1;
        while (i + run < n && run < 128 && in[i + run] == in[i]) run++;
        if (run >= 3) {
            put(out, (uint8_t)(257 - run));
            put(out, in[i]);
            i += run;
            continue;
        }
        /* literal stretch: stop before a run of 3 */
        size_t start = i, len = 0;
        while (i < n && len < 128) {
            if (i + 2 < n && in[i] == in[i + 1] && in[i] == in[i + 2]) break;
            i++;
            len++;
        }
        put(out, (uint8_t)(len - 1));
        for (size_t k = 0; k < len; k++) put(out, in[start + k]);
    }
}

static size_t packbits_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0, i = 0;
    while (i < n) {
        uint8_t h = in[i++];
        if (h < 128) {
            size_t len = (size_t)h + 1;
            if (i + len > n || o + len > cap) return (size_t)-1;
            memcpy(out + o, in + i, len);
            o += len;
            i += len;
        } else if (h > 128) {
            size_t len = 257 - (size_t)h;
            if (i >= n || o + len > cap) return (size_t)-1;
            memset(out + o, in[i++], len);
            o += len;
        }
    }
    return o;
}

/* ---- variant 4: bit-plane runs with Elias-gamma codes ---- */
typedef struct {
    buf_t *b;
    uint32_t acc;
    int nb;
} bitw;

static void bput(bitw *w, unsigned bit)
{
    w->acc = (w->acc << 1) | (bit & 1u);
    if (++w->nb == 8) {
        put(w->b, (uint8_t)w->acc);
        w->acc = 0;
        w->nb = 0;
    }
}

static void gamma_put(bitw *w, uint32_t v) /* v >= 1 */
{
    int nbits = 0;
    for (uint32_t t = v; t > 1; t >>= 1) nbits++;
    for (int k = 0; k < nbits; k++) bput(w, 0);
    for (int k = nbits; k >= 0; k--) bput(w, (v >> k) & 1u);
}

typedef struct {
    const uint8_t *d;
    size_t n, pos;
} bitr;

static int bget(bitr *r)
{
    if (r->pos >= r->n * 8) return -1;
    int b = (r->d[r->pos >> 3] >> (7 - (r->pos & 7))) & 1;
    r->pos++;
    return b;
}

static long gamma_get(bitr *r)
{
    int zeros = 0, b;
    while ((b = bget(r)) == 0) zeros++;
    if (b < 0 || zeros > 30) return -1;
    long v = 1;
    for (int k = 0; k < zeros; k++) {
        b = bget(r);
        if (b < 0) return -1;
        v = (v << 1) | b;
    }
    return v;
}

static void bitplane_encode(const uint8_t *in, size_t n, buf_t *out)
{
    bitw w = {out, 0, 0};
    for (int plane = 7; plane >= 0; plane--) {
        unsigned cur = 0;
        uint32_t run = 0;
        bput(&w, (in[0] >> plane) & 1u); /* first bit value */
        cur = (in[0] >> plane) & 1u;
        for (size_t i = 0; i < n; i++) {
            unsigned bit = (in[i] >> plane) & 1u;
            if (bit == cur) {
                run++;
            } else {
                gamma_put(&w, run);
                cur = bit;
                run = 1;
            }
        }
        gamma_put(&w, run);
    }
    while (w.nb) bput(&w, 0);
}

static size_t bitplane_decode(const uint8_t *in, size_t n, uint8_t *out, size_t count)
{
    bitr r = {in, n, 0};
    memset(out, 0, count);
    for (int plane = 7; plane >= 0; plane--) {
        int cur = bget(&r);
        if (cur < 0) return (size_t)-1;
        size_t o = 0;
        while (o < count) {
            long run = gamma_get(&r);
            if (run < 0 || o + (size_t)run > count) return (size_t)-1;
            if (cur)
                for (long k = 0; k < run; k++) out[o + (size_t)k] |= (uint8_t)(1u << plane);
            o += (size_t)run;
            cur ^= 1;
        }
    }
    return count;
}

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

typedef void (*enc_fn)(const uint8_t *, size_t, buf_t *);
typedef size_t (*dec_fn)(const uint8_t *, size_t, uint8_t *, size_t);

static int run_variant(const char *name, enc_fn e, dec_fn d, const uint8_t *img, size_t n, uint8_t *tmp,
                       size_t *total)
{
    buf_t b = {NULL, 0, 0};
    e(img, n, &b);
    size_t got = d(b.d, b.n, tmp, n);
    int ok = got == n && memcmp(tmp, img, n) == 0;
    printf("  %-9s %6zu bytes (%5.1f%%) fnv=%08x %s\n", name, b.n, n ? 100.0 * (double)b.n / (double)n : 0.0,
           fnv(b.d, b.n), ok ? "ok" : "FAIL");
    *total += b.n;
    free(b.d);
    return ok;
}

/* Bit-plane decoding needs the pixel count, wrap it to the common API. */
static size_t bitplane_decode_api(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    return bitplane_decode(in, n, out, cap);
}

int main(void)
{
    uint8_t *raw = malloc(MAX_INPUT + 4);
    uint8_t *tmp = malloc(MAX_INPUT);
    uint8_t *row = malloc(MAX_INPUT);
    if (!raw || !tmp || !row) return 1;
    size_t n = 0, r;
    while (n < MAX_INPUT + 4 && (r = fread(raw + n, 1, MAX_INPUT + 4 - n, stdin)) > 0) n += r;
    if (n < 4) return 1;
    unsigned W = raw[0] | (raw[1] << 8), H = raw[2] | (raw[3] << 8);
    size_t pix = (size_t)W * H;
    if (pix > n - 4) pix = n - 4;
    const uint8_t *img = raw + 4;
    printf("image %ux%u (%zu pixels) fnv=%08x\n", W, H, pix, fnv(img, pix));

    size_t totals[4] = {0, 0, 0, 0};
    int okcount = 0;
    printf("whole image:\n");
    okcount += run_variant("naive", naive_encode, naive_decode, img, pix, tmp, &totals[0]);
    okcount += run_variant("escape", esc_encode, esc_decode, img, pix, tmp, &totals[1]);
    okcount += run_variant("packbits", packbits_encode, packbits_decode, img, pix, tmp, &totals[2]);
    okcount += run_variant("bitplane", bitplane_encode, bitplane_decode_api, img, pix, tmp, &totals[3]);

    /* PackBits per scanline (as in TIFF) and column-major scan */
    size_t pb_rows = 0, rows_ok = 0;
    for (unsigned y = 0; y < H; y++) {
        buf_t b = {NULL, 0, 0};
        packbits_encode(img + (size_t)y * W, W, &b);
        pb_rows += b.n;
        rows_ok += packbits_decode(b.d, b.n, tmp, W) == W && memcmp(tmp, img + (size_t)y * W, W) == 0;
        free(b.d);
    }
    printf("packbits per row: %zu bytes, rows ok %zu/%u\n", pb_rows, rows_ok, H);
    for (unsigned x = 0; x < W; x++)
        for (unsigned y = 0; y < H; y++) row[(size_t)x * H + y] = img[(size_t)y * W + x];
    printf("column-major:\n");
    okcount += run_variant("naive", naive_encode, naive_decode, row, pix, tmp, &totals[0]);
    okcount += run_variant("packbits", packbits_encode, packbits_decode, row, pix, tmp, &totals[2]);
    /* delta-coded rows (PNG "up" filter) then RLE */
    for (size_t i = 0; i < pix; i++) row[i] = i >= W ? (uint8_t)(img[i] - img[i - W]) : img[i];
    printf("up-filtered:\n");
    okcount += run_variant("escape", esc_encode, esc_decode, row, pix, tmp, &totals[1]);
    okcount += run_variant("bitplane", bitplane_encode, bitplane_decode_api, row, pix, tmp, &totals[3]);
    printf("totals naive=%zu escape=%zu packbits=%zu bitplane=%zu, passed %d/8\n", totals[0], totals[1],
           totals[2], totals[3], okcount);
    free(raw);
    free(tmp);
    free(row);
    return 0;
}
