/*
 * Pipe wake-up against an eventfd doorbell for the isolated step's hand-off (issue 19).
 *
 * A caller and a worker process exchange a request and a reply over two non-blocking pipes, like the fast
 * lane: the caller works THINK µs (a policy), sends, waits; the worker works WORK µs (a pass), replies,
 * waits for the next request. Each waiter spins (sched_yield, then poll with timeout 0) for at most SPIN µs
 * and then sleeps. How a sleeper is woken is the question: with BELL 0 it sleeps in poll() on the pipe, and
 * a pipe write wakes it as a *sync* wake-up (the kernel may then prefer the waker's CPU, taking the waker to
 * be about to sleep: the suspected cause of caller and worker packed onto one CPU); with BELL 1 the writer
 * also writes an eventfd after the pipe, and the sleeper polls the eventfd for POLLIN and the pipe for
 * nothing (hang-ups only), so the wake-up comes from the eventfd, which is not a sync wake-up. Nothing is
 * pinned. What it showed (no difference: the bell does not keep the two apart) is in
 * benchmarks/perf/isolation_bench.md, "A non-sync doorbell".
 *
 * Prints per-iteration time (median and mean) and its overhead over THINK + WORK, the involuntary context
 * switches per iteration of each side, the sleeps per iteration of each side, and how often the worker ran
 * on the CPU the caller sent from. With PACKED > 0, both run on CPU 0 for PACKED unmeasured iterations
 * first, then anywhere: does the scheduler keep them together once they are? CALLER_SPIN_US in the
 * environment sets the caller's spin apart from the worker's; WORKER_SLICE_NS asks for the worker's slice
 * as worker.py does (100000); WORKER_SETSID=1 starts the worker in a session of its own (and so its own
 * scheduling autogroup), as worker_client.py does.
 *
 *     cc -O2 benchmarks/perf/doorbell_probe.c -o /tmp/doorbell_probe
 *     for work in 100 300; do for think in 0 300; do for bell in 0 1; do
 *         WORKER_SETSID=1 WORKER_SLICE_NS=100000 /tmp/doorbell_probe $bell $think $work 250 3000 300; done; done; done
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int bell;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void busy(double seconds) {
    double end = now() + seconds;
    while (now() < end) {
    }
}

/* Ring: write the message to the pipe, then (bell on) the eventfd. */
static void send_byte(int fd, int efd, char c) {
    if (write(fd, &c, 1) != 1) _exit(3);
    if (bell) {
        uint64_t one = 1;
        if (write(efd, &one, 8) != 8) _exit(4);
    }
}

/* Wait for one byte on fd: spin for `spin` seconds, then sleep (on the pipe, or on the bell). */
static char await_byte(int fd, int efd, uint64_t *sleeps, double spin) {
    char c;
    double end = now() + spin;
    struct pollfd p = {fd, POLLIN, 0};
    for (;;) {
        if (read(fd, &c, 1) == 1) return c;
        double t = now();
        if (t < end) {
            sched_yield();
            poll(&p, 1, 0);
            if (now() - t > 50e-6) end = 0; /* a yield ran another task (serve.c's contested yield): sleep */
            continue;
        }
        ++*sleeps;
        if (bell) {
            struct pollfd q[2] = {{efd, POLLIN, 0}, {fd, 0, 0}};
            poll(q, 2, -1);
            uint64_t n;
            if (read(efd, &n, 8) < 0) { /* drained by an earlier read: fine */
            }
        } else
            poll(&p, 1, -1);
    }
}

static long nivcsw(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_nivcsw;
}

/* Ask for a scheduler slice of `ns` (the real worker asks for 100 µs, worker.WORKER_SLICE_NS). */
static void request_slice(unsigned long long ns) {
    struct {
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
        uint32_t util_min, util_max;
    } attr = {56, 0, 0, 0, 0, ns, 0, 0, 0, 0};
    if (ns && syscall(SYS_sched_setattr, 0, &attr, 0)) perror("sched_setattr");
}

/* Pin the calling process to CPU 0 (on) or let it run anywhere (off). */
static void pack(int on) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (on) CPU_SET(0, &set);
    else
        for (int k = 0; k < CPU_SETSIZE; k++) CPU_SET(k, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: %s BELL(0 pipe|1 eventfd) THINK_US WORK_US SPIN_US N [PACKED]\n", argv[0]);
        return 2;
    }
    bell = atoi(argv[1]);
    double think = atof(argv[2]) * 1e-6, work = atof(argv[3]) * 1e-6;
    double spin = atof(argv[4]) * 1e-6, caller_spin = getenv("CALLER_SPIN_US") ? atof(getenv("CALLER_SPIN_US")) * 1e-6 : spin;
    int n = atoi(argv[5]), packed = argc == 7 ? atoi(argv[6]) : 0, there[2], back[2];
    if (pipe2(there, O_NONBLOCK) || pipe2(back, O_NONBLOCK)) return 1;
    int ethere = eventfd(0, EFD_NONBLOCK), eback = eventfd(0, EFD_NONBLOCK);
    /* the worker's counts, for the caller to print */
    uint64_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) return 1;
    if (packed) pack(1);
    if (!fork()) {
        if (getenv("WORKER_SETSID")) setsid(); /* its own session, hence autogroup, as the real worker */
        if (getenv("WORKER_SLICE_NS")) request_slice(strtoull(getenv("WORKER_SLICE_NS"), NULL, 10));
        long before = nivcsw();
        uint64_t sleeps = 0;
        for (int k = -packed; k < n; k++) {
            if (!k && packed) pack(0), before = nivcsw(), sleeps = 0;
            await_byte(there[0], ethere, &sleeps, spin);
            char cpu = (char)sched_getcpu();
            busy(work);
            send_byte(back[1], eback, cpu);
        }
        shared[0] = (uint64_t)(nivcsw() - before), shared[1] = sleeps;
        _exit(0);
    }
    double *took = malloc(n * sizeof *took);
    long before = nivcsw();
    uint64_t sleeps = 0, same = 0;
    for (int k = -packed; k < n; k++) {
        if (!k && packed) pack(0), before = nivcsw(), sleeps = 0, same = 0;
        double start = now();
        busy(think);
        int cpu = sched_getcpu();
        send_byte(there[1], ethere, 'x');
        char wcpu = await_byte(back[0], eback, &sleeps, caller_spin);
        same += wcpu == cpu;
        if (k >= 0) took[k] = now() - start;
    }
    long caller_ivcsw = nivcsw() - before;
    wait(NULL);
    double sum = 0;
    for (int k = 0; k < n; k++) sum += took[k];
    qsort(took, n, sizeof *took, cmp);
    double median = took[n / 2];
    printf("%s think %3.0f work %3.0f spin %3.0f: median %6.1f us (over think+work %5.1f), mean %6.1f; "
           "ivcsw/it caller %.2f worker %.2f; sleeps/it caller %.2f worker %.2f; worker on caller's CPU %.0f%%\n",
           bell ? "eventfd" : "pipe   ", think * 1e6, work * 1e6, spin * 1e6, median * 1e6,
           (median - think - work) * 1e6, sum / n * 1e6, (double)caller_ivcsw / n, (double)shared[0] / n,
           (double)sleeps / n, (double)shared[1] / n, 100.0 * same / n);
    return 0;
}
