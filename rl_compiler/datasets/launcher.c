/* rl-compiler's sandbox launcher: run one program, then report how it ended and how long it ran.
 *
 * Usage: launcher STATUS_FD PROGRAM [ARGS...]
 *
 * Forks; the child execs PROGRAM (STATUS_FD is close-on-exec, so the program cannot write to it); the
 * launcher waits for it and writes "<wait status> <wall ns> <cpu ns>\n" to STATUS_FD, then exits 0. The wall
 * time runs from the fork to the program's exit and the CPU time is the program's (and its reaped
 * children's) user + system time, so the sandbox's own set-up is counted in neither; the wait status is
 * the program's own (bubblewrap and unshare report a signal as an exit status of 128 + N, or not at all).
 * In a PID namespace the launcher is the program's parent; when it exits the namespace ends, and the kernel
 * kills whatever the program left behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: launcher STATUS_FD PROGRAM [ARGS...]\n");
        return 125;
    }
    int fd = atoi(argv[1]);
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        fprintf(stderr, "launcher: bad status descriptor %s: %s\n", argv[1], strerror(errno));
        return 125;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "launcher: fork failed: %s\n", strerror(errno));
        return 125;
    }
    if (pid == 0) {
        execv(argv[2], argv + 2);
        fprintf(stderr, "launcher: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "launcher: wait4 failed: %s\n", strerror(errno));
            return 125;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    long long ns = (long long)(end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
    long long cpu = (long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000LL
                  + (long long)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000LL;
    dprintf(fd, "%d %lld %lld\n", status, ns, cpu);
    return 0;
}
