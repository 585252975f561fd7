/*
 * rl-compiler's block-count runtime: linked into a program instrumented by rlc_instrument_blocks
 * (engine.c), it writes the block counters to ./rl_compiler.blockcounts when the program exits.
 *
 * File format: the number of counters n, then n counters, each a little-endian uint64.
 * A destructor runs after main returns or exit() is called, after the program's own atexit handlers
 * (glibc runs .fini_array last), so blocks executed by those handlers are counted too. A program that
 * ends by a signal, abort() or _exit() writes nothing.
 */
#include <stdint.h>
#include <stdio.h>

extern uint64_t __rlc_block_counts[];
extern const uint64_t __rlc_block_counts_n;

__attribute__((destructor)) static void rlc_write_block_counts(void) {
    FILE *out = fopen("rl_compiler.blockcounts", "wb");
    if (!out) return;
    uint64_t n = __rlc_block_counts_n;
    fwrite(&n, sizeof n, 1, out);
    fwrite(__rlc_block_counts, sizeof *__rlc_block_counts, n, out);
    fclose(out);
}
