/* A hot loop with loop-invariant arithmetic, written for the dynamic-cost tests: LICM hoists
 * `factor` (a multiply, an add and a division) out of the inner loop, which cuts the number of
 * executed instructions without changing the output. */
#include <stdio.h>

static long weighted_sum(const long *data, int n, long scale, long offset) {
    long total = 0;
    for (int i = 0; i < n; i++) {
        long factor = (scale * 7 + offset) / 3; /* invariant in this loop */
        total += data[i] * factor;
    }
    return total;
}

int main(int argc, char **argv) {
    (void)argv;
    static long data[512];
    unsigned long state = 12345u + (unsigned long)argc;
    for (int i = 0; i < 512; i++) {
        state = state * 6364136223846793005ul + 1442695040888963407ul;
        data[i] = (long)(state >> 40) % 1000;
    }
    long checksum = 0;
    for (int round = 0; round < 200; round++) checksum += weighted_sum(data, 512, round + argc, 11);
    printf("%ld\n", checksum);
    return 0;
}
