/* crc32: CRC-32 (IEEE 802.3) and CRC-32C (Castagnoli) over stdin.
 * Computes each checksum with a bitwise reference, a byte table and a
 * slice-by-4 table, verifies they agree, and reports per-block and
 * per-line checksums as well as the standard check values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define POLY_IEEE 0xEDB88320u
#define POLY_CAST 0x82F63B78u
#define MAX_INPUT (1u << 16)

typedef struct {
    uint32_t poly;
    uint32_t table[4][256];
    const char *name;
} crc_engine;

static uint32_t crc_bitwise(uint32_t poly, uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            uint32_t mask = 0u - (crc & 1u);
            crc = (crc >> 1) ^ (poly & mask);
        }
    }
    return ~crc;
}

static void crc_init(crc_engine *e, uint32_t poly, const char *name)
{
    e->poly = poly;
    e->name = name;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ poly : (c >> 1);
        e->table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = e->table[0][i];
        for (int t = 1; t < 4; t++) {
            c = e->table[0][c & 0xFFu] ^ (c >> 8);
            e->table[t][i] = c;
        }
    }
}

static uint32_t crc_table(const crc_engine *e, uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--)
        crc = e->table[0][(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

static uint32_t crc_slice4(const crc_engine *e, uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n >= 4) {
        uint32_t w = (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
                     ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
        crc ^= w;
        crc = e->table[3][crc & 0xFFu] ^ e->table[2][(crc >> 8) & 0xFFu] ^
              e->table[1][(crc >> 16) & 0xFFu] ^ e->table[0][crc >> 24];
        p += 4;
        n -= 4;
    }
    while (n--)
        crc = e->table[0][(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

/* GF(2) matrix helpers for crc combine (zlib-style). */
static uint32_t gf2_times(const uint32_t *mat, uint32_t vec)
{
    uint32_t sum = 0;
    while (vec) {
        if (vec & 1u)
            sum ^= *mat;
        vec >>= 1;
        mat++;
    }
    return sum;
}

static void gf2_square(uint32_t *sq, const uint32_t *mat)
{
    for (int n = 0; n < 32; n++)
        sq[n] = gf2_times(mat, mat[n]);
}

static uint32_t crc_combine(uint32_t poly, uint32_t crc1, uint32_t crc2, size_t len2)
{
    uint32_t even[32], odd[32];
    if (len2 == 0)
        return crc1;
    odd[0] = poly;
    uint32_t row = 1;
    for (int n = 1; n < 32; n++) {
        odd[n] = row;
        row <<= 1;
    }
    gf2_square(even, odd);
    gf2_square(odd, even);
    do {
        gf2_square(even, odd);
        if (len2 & 1u)
            crc1 = gf2_times(even, crc1);
        len2 >>= 1;
        if (len2 == 0)
            break;
        gf2_square(odd, even);
        if (len2 & 1u)
            crc1 = gf2_times(odd, crc1);
        len2 >>= 1;
    } while (len2 != 0);
    return crc1 ^ crc2;
}

static size_t read_all(uint8_t *buf, size_t cap)
{
    size_t n = 0, r;
    while (n < cap && (r = fread(buf + n, 1, cap - n, stdin)) > 0)
        n += r;
    return n;
}

static int report_engine(const crc_engine *e, const uint8_t *buf, size_t n)
{
    int errors = 0;
    const char *check = "123456789";
    uint32_t cv = crc_table(e, 0, (const uint8_t *)check, 9);
    printf("%s check(\"123456789\") = %08x\n", e->name, cv);

    uint32_t a = crc_bitwise(e->poly, 0, buf, n);
    uint32_t b = crc_table(e, 0, buf, n);
    uint32_t c = crc_slice4(e, 0, buf, n);
    if (a != b || b != c)
        errors++;
    printf("%s whole input: bitwise=%08x table=%08x slice4=%08x\n", e->name, a, b, c);

    /* streaming in uneven chunks */
    uint32_t s = 0;
    size_t pos = 0, step = 1;
    while (pos < n) {
        size_t len = step;
        if (len > n - pos)
            len = n - pos;
        s = crc_slice4(e, s, buf + pos, len);
        pos += len;
        step = step * 3 % 509 + 1;
    }
    if (s != b)
        errors++;

    /* block checksums combined back together */
    const size_t block = 4096;
    uint32_t combined = 0, xsum = 0;
    size_t nblocks = 0;
    for (pos = 0; pos < n; pos += block) {
        size_t len = n - pos < block ? n - pos : block;
        uint32_t bc = crc_table(e, 0, buf + pos, len);
        combined = nblocks == 0 ? bc : crc_combine(e->poly, combined, bc, len);
        xsum = (xsum << 5 | xsum >> 27) ^ bc;
        nblocks++;
    }
    if (n > 0 && combined != b)
        errors++;
    printf("%s blocks=%zu combined=%08x blockmix=%08x\n", e->name, nblocks, combined, xsum);

    /* per line checksums */
    size_t lines = 0, start = 0;
    uint32_t lmix = 0, lmin = 0xFFFFFFFFu, lmax = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || buf[i] == '\n') {
            if (i > start) {
                uint32_t lc = crc_table(e, 0, buf + start, i - start);
                lmix = lmix * 31u + lc;
                if (lc < lmin) lmin = lc;
                if (lc > lmax) lmax = lc;
                lines++;
            }
            start = i + 1;
        }
    }
    printf("%s lines=%zu mix=%08x min=%08x max=%08x\n", e->name, lines, lmix, lmin, lmax);
    return errors;
}

int main(void)
{
    uint8_t *buf = malloc(MAX_INPUT);
    crc_engine *ieee = malloc(sizeof *ieee);
    crc_engine *cast = malloc(sizeof *cast);
    if (!buf || !ieee || !cast)
        return 1;
    size_t n = read_all(buf, MAX_INPUT);
    printf("input bytes: %zu\n", n);
    crc_init(ieee, POLY_IEEE, "crc32");
    crc_init(cast, POLY_CAST, "crc32c");
    int errors = report_engine(ieee, buf, n);
    errors += report_engine(cast, buf, n);

    /* bit-flip sensitivity: every single-bit flip of first 64 bytes changes crc */
    int undetected = 0;
    uint32_t ref = crc_slice4(ieee, 0, buf, n);
    size_t lim = n < 64 ? n : 64;
    for (size_t i = 0; i < lim; i++) {
        for (int b = 0; b < 8; b++) {
            buf[i] ^= (uint8_t)(1u << b);
            if (crc_slice4(ieee, 0, buf, n) == ref)
                undetected++;
            buf[i] ^= (uint8_t)(1u << b);
        }
    }
    printf("bitflip undetected: %d\n", undetected);
    printf("consistency errors: %d\n", errors);
    free(buf);
    free(ieee);
    free(cast);
    return 0;
}
