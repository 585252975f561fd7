/* File checksums with a table-driven CRC-32 (reflected polynomial 0xEDB88320), in the shape of the
 * classic `crc` utility: the size class of cBench's crc32 (about 250 IR instructions at -O0). */
#include <stdio.h>
#include <stdint.h>

static uint32_t table[256];

static void make_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
}

static uint32_t update(uint32_t crc, const unsigned char *buf, size_t len) {
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ buf[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

static int checksum_file(const char *path, uint32_t *crc, long *length) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    unsigned char buf[4096];
    size_t got;
    uint32_t c = 0xFFFFFFFFu;
    long total = 0;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        c = update(c, buf, got);
        total += (long)got;
    }
    int failed = ferror(f);
    fclose(f);
    *crc = c ^ 0xFFFFFFFFu;
    *length = total;
    return failed ? -1 : 0;
}

int main(int argc, char **argv) {
    make_table();
    int errors = 0;
    if (argc < 2) {
        static const char sample[] = "The quick brown fox jumps over the lazy dog";
        uint32_t crc = update(0xFFFFFFFFu, (const unsigned char *)sample, sizeof sample - 1) ^ 0xFFFFFFFFu;
        printf("%08X %7ld (sample)\n", (unsigned)crc, (long)(sizeof sample - 1));
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        uint32_t crc;
        long length;
        if (checksum_file(argv[i], &crc, &length) != 0) {
            fprintf(stderr, "crcfile: cannot read %s\n", argv[i]);
            errors++;
            continue;
        }
        printf("%08X %7ld %s\n", (unsigned)crc, length, argv[i]);
    }
    return errors ? 1 : 0;
}
