/*
 * The floor of a hand-off between two processes over pipes, by how the waiting side waits (issue 19).
 *
 * A parent and a child bounce one byte 20,000 times over two non-blocking pipes; each side reads, and when
 * nothing is there waits by one of: 0 sched_yield() then read again (the fast lane's spin), 1 poll(0),
 * 2 a pause instruction (a busy loop that never gives up the CPU), 3 a blocking poll() (sleeping).
 * Prints the mean round trip. CPUs: -1 leaves a side to the scheduler.
 *
 *     cc -O2 benchmarks/perf/handoff_probe.c -o /tmp/handoff_probe
 *     for mode in 0 1 2 3; do /tmp/handoff_probe $mode 0 1; /tmp/handoff_probe $mode -1 -1; done
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int mode;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void await_byte(int fd) {
    char c;
    struct pollfd p = {fd, POLLIN, 0};
    while (read(fd, &c, 1) != 1) {
        if (mode == 0) sched_yield();
        else if (mode == 1) poll(&p, 1, 0);
        else if (mode == 2) __builtin_ia32_pause();
        else poll(&p, 1, -1);
    }
}

static void pin(int cpu) {
    cpu_set_t set;
    if (cpu < 0) return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s MODE(0 yield|1 poll0|2 pause|3 sleep) PARENT_CPU CHILD_CPU\n", argv[0]);
        return 2;
    }
    mode = atoi(argv[1]);
    int n = 20000, there[2], back[2];
    if (pipe(there) || pipe(back)) return 1;
    fcntl(there[0], F_SETFL, O_NONBLOCK);
    fcntl(back[0], F_SETFL, O_NONBLOCK);
    if (!fork()) {
        pin(atoi(argv[3]));
        for (int k = 0; k < n; k++) {
            await_byte(there[0]);
            if (write(back[1], "x", 1) != 1) _exit(1);
        }
        _exit(0);
    }
    pin(atoi(argv[2]));
    double start = now();
    for (int k = 0; k < n; k++) {
        if (write(there[1], "x", 1) != 1) return 1;
        await_byte(back[0]);
    }
    double took = now() - start;
    wait(NULL);
    printf("mode %d, CPUs %s/%s: %.2f us per round trip\n", mode, argv[2], argv[3], took / n * 1e6);
    return 0;
}
