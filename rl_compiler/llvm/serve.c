/*
 * The worker's request loop in C: the native fast lane of rl_compiler/llvm/worker.py.
 *
 * Compiled into the engine library with engine.c. The worker (Python) calls rlc_serve(), which waits for
 * the next framed request on the request pipe, answers every *step* request itself (run a pipeline on a
 * module, then compute the asked values, reply in a fixed binary layout) and returns to Python with any
 * other request (a pickle) for the Python loop to answer. An environment step is therefore served without
 * the interpreter: no unpickling, no dispatch, no NumPy arrays, no pickling in the worker.
 *
 * Frames are those of pipeio.py: an 8-byte little-endian length, then the payload. A step request's payload
 * (layout owned by fastlane.py, which encodes it):
 *     'S', u8 query count n, u64 module handle (little-endian), n query codes, the pipeline (UTF-8, no NUL)
 * and its reply: 'S', u8 status, then for status 0 the values of the queries in order (fingerprint: u64;
 * instruction count: i64; Autophase: 56 i64; InstCount: 70 i64; features: both), otherwise an error message.
 * Pickled payloads start with 0x80 (protocol >= 2), never with 'S'.
 *
 * The caller's side is here too (rlc_call_step, at the end): one call from fastlane.NativeCaller writes a
 * step request, waits for the reply with the same spin policy and copies its values into the caller's
 * array (or two calls, rlc_call_send and rlc_call_receive, to have several workers run at once). Built alone with -DRLC_CALLER_ONLY (engine.caller_lib), it needs no libLLVM, so a process whose
 * modules all live in workers never loads LLVM.
 *
 * Module handles are the Python worker's; it registers each module's pointer here (rlc_serve_register)
 * and forgets it before freeing the module (rlc_serve_forget). Waiting follows pipeio.PipeWaiter: spin
 * (yielding) while requests keep coming within the spin window, stop spinning for a second when a yield ran
 * another task, then sleep in poll(). With a spin cap (RL_COMPILER_SPIN_CAP_US) the windows adapt: the caller
 * spins for a margin over the recent replies' times (most steps then end while it spins), the worker for a
 * margin over the recent gaps between its reply and the next request (the caller's own work between steps);
 * see adaptive_window.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#define AUTOPHASE_DIM 56
#define INSTCOUNT_DIM 70
#define TAG 'S'
/* Query codes (fastlane.QUERY_CODES). */
enum { Q_FINGERPRINT = 1, Q_INSTRUCTION_COUNT = 2, Q_AUTOPHASE = 3, Q_INST_COUNT = 4, Q_FEATURES = 5 };
/* Reply statuses (fastlane.py raises the matching exceptions). */
enum { ST_OK = 0, ST_PIPELINE = 1, ST_LLVM = 2, ST_NO_MODULE = 3, ST_BAD_REQUEST = 4 };
#define HEADER 8
#define MAX_QUERIES 16
#define CONTENDED_YIELD 50e-6 /* pipeio.CONTENDED_YIELD */
#define CONTENDED_BACKOFF 1.0 /* pipeio.CONTENDED_BACKOFF */

/* -- waiting and framing ----------------------------------------------------------------------- */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Spin state of one waiter (pipeio.PipeWaiter's): whether the last message came within the spin window,
 * and the time before which not to spin (the CPUs were contested). */
typedef struct {
    int recent;
    double calm_until;
    double contended, certain; /* see spin_readable */
    int escape;                /* see spin_readable */
    int peer;                  /* the other side's process id, checked before a move (0: move unchecked) */
    uint64_t yields, contested, moves; /* counts, for measurements */
    double backoff, backoff_min; /* the last back-off after a contested yield, and the first (see back_off) */
} waiter;

/* Stop spinning after a contested yield at time t: for w->backoff_min seconds after a calm spell (no contest
 * within CONTENDED_BACKOFF seconds of the last back-off's end), else twice the last back-off, at most
 * CONTENDED_BACKOFF. On a busy machine contests follow each other and the back-off reaches a second within
 * about as long; on a quiet one a lone long yield (the hypervisor holding this virtual CPU, another task
 * passing through) stops the spin for backoff_min only, not for the next few thousand steps. */
static void back_off(waiter *w, double t) {
    double b = t - w->calm_until > CONTENDED_BACKOFF ? w->backoff_min : 2 * w->backoff;
    b = b > CONTENDED_BACKOFF ? CONTENDED_BACKOFF : b < w->backoff_min ? w->backoff_min : b;
    w->backoff = b, w->calm_until = t + b;
}

/* The last HISTORY durations of one kind (a session's reply times, a worker's gaps between requests). */
#define HISTORY 32
typedef struct {
    float seconds[HISTORY];
    uint32_t count; /* how many were recorded in all */
} history;

static void remember(history *h, double seconds) { h->seconds[h->count++ % HISTORY] = (float)seconds; }

/* How far above the recent durations a window reaches: a wait that outlasts it sleeps, and is woken late
 * (about 100 µs for a halted CPU on these VMs), so the window should cover all but the rarest waits. */
#define WINDOW_MARGIN 1.5
#define WINDOW_RANK 4 /* the 4th longest of the last 32: about the 90th percentile */

/* The spin window after the durations in h: WINDOW_MARGIN times about their 90th percentile, at least
 * `base` and at most `cap` seconds; `base` itself when cap <= base (a fixed window, as before the adaptive
 * rule), before HISTORY durations were seen, or when `base` is 0 (spinning is off). A high percentile, not
 * the mean: a step's time follows its pass, and a few passes take 5-10x the median step (README, "The
 * step's own work"). */
static double adaptive_window(const history *h, double base, double cap) {
    if (base <= 0 || cap <= base || h->count < HISTORY) return base;
    float top[WINDOW_RANK] = {0}; /* the longest WINDOW_RANK durations, longest first */
    for (int k = 0; k < HISTORY; k++) {
        float x = h->seconds[k];
        for (int r = 0; r < WINDOW_RANK; r++)
            if (x > top[r]) {
                float t = top[r];
                top[r] = x, x = t;
            }
    }
    double window = WINDOW_MARGIN * top[WINDOW_RANK - 1];
    return window < base ? base : window > cap ? cap : window;
}

/* The mask a thread kept off one CPU had before (keep_off), and whether it is kept off. */
static cpu_set_t kept_from;
static int kept_off;

/* Move the calling thread off its CPU, keeping its affinity: allow every CPU of its mask but this one, then
 * the whole mask again (Linux migrates a task only when its CPU leaves the mask, so it stays where it went).
 * With `keep`, the mask stays without that CPU until restore_mask (so that the scheduler cannot pack the
 * thread back onto its peer's CPU). Returns 1 if it moved. */
static int move_off_cpu(int keep) {
    cpu_set_t mask, others;
    int cpu = sched_getcpu();
    if (cpu < 0 || sched_getaffinity(0, sizeof mask, &mask) || CPU_COUNT(&mask) < 2 || !CPU_ISSET(cpu, &mask))
        return 0;
    others = mask;
    CPU_CLR(cpu, &others);
    if (sched_setaffinity(0, sizeof others, &others)) return 0;
    if (keep && !kept_off)
        kept_from = mask, kept_off = 1;
    else if (!keep)
        sched_setaffinity(0, sizeof mask, &mask);
    return 1;
}

/* Undo a kept move_off_cpu: the whole mask again (the machine got busy: a thread kept off a CPU could be
 * stuck behind other tasks). */
static void restore_mask(void) {
    if (kept_off) sched_setaffinity(0, sizeof kept_from, &kept_from), kept_off = 0;
}

/* Whether process `pid` is on `cpu`: a thread of it running or queued there, or its main thread (which serves
 * a worker's requests, and usually steps a caller's envs) asleep after it last ran there; from the state (3)
 * and processor (39) fields of /proc/<pid>/task/<tid>/stat. 1 when it cannot tell (pid 0, no /proc), so that
 * the move happens as before. A long yield on a quiet machine is not always the peer's doing: another task (a
 * kernel thread, the VM's agent) or the hypervisor holding this virtual CPU makes one too, and a move then
 * landed the waiter on the peer's CPU, where the two took turns for milliseconds while the other CPU idled
 * (seen with perf's sched events: every such spell began with a move). Exported for the tests. */
int rlc_peer_on_cpu(int pid, int cpu) {
    char path[64];
    if (pid <= 0 || cpu < 0) return 1;
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *dir = opendir(path);
    if (!dir) return 1;
    int found = 0, seen = 0;
    for (struct dirent *e; !found && (e = readdir(dir));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char file[96], text[1024];
        snprintf(file, sizeof file, "%s/%s/stat", path, e->d_name);
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n <= 0) continue;
        text[n] = 0;
        const char *at = strrchr(text, ')'); /* ends field 2, the command name (which may hold spaces) */
        if (!at || !at[1] || !at[2]) continue;
        char state = at[2];
        for (int field = 2; at && field < 39; field++) at = strchr(at + 1, ' ');
        if (!at) continue;
        seen = 1;
        found = strtol(at + 1, NULL, 10) == cpu && (state == 'R' || atoi(e->d_name) == pid);
    }
    closedir(dir);
    return found || !seen;
}

/* A move at most this often per process (seconds): if the scheduler keeps packing both sides onto one CPU,
 * moving at every step would cost a migration (and a halted CPU's wake-up) each time. */
#define MOVE_INTERVAL 0.005

/* Whether more tasks are runnable than there are CPUs: the running count in /proc/loadavg (a global,
 * instant count that includes the reader), looked up at most every BUSY_RECHECK seconds. A task that
 * cannot tell (no /proc) counts the machine as busy, the rule without the check. */
#define BUSY_RECHECK 0.02
static int machine_busy(double t) {
    static double checked = -1;
    static int busy;
    static long cpus;
    if (checked >= 0 && t - checked < BUSY_RECHECK) return busy;
    checked = t;
    if (!cpus) cpus = sysconf(_SC_NPROCESSORS_ONLN);
    char text[160];
    ssize_t n = -1;
    int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, text, sizeof text - 1);
        close(fd);
    }
    const char *at = text;
    for (int field = 0; n > 0 && field < 3 && at; field++) {
        text[n] = 0;
        at = strchr(at, ' ');
        if (at) at++;
    }
    busy = n <= 0 || !at || cpus < 1 || strtol(at, NULL, 10) > cpus;
    return busy;
}

/* Spin (yielding) for at most `spin` seconds, or until `deadline`, while fd has nothing to read: the
 * policy of pipeio.PipeWaiter. A yield longer than w->contended ran another task: stop spinning and sleep.
 * Then either the CPUs are contested (a spinner queues behind other tasks at every yield): stop spinning for
 * a while (back_off, up to CONTENDED_BACKOFF seconds); or the other task was the peer itself, sharing this CPU (Linux places a task
 * woken through a pipe on the waker's CPU): sleeping lets it finish and wake us cheaply, but the next wait
 * may find it on another CPU, where spinning saves a costly cross-CPU wake-up. When w->certain exceeds
 * w->contended, a yield shorter than w->certain is taken for the peer unless the machine is busy
 * (machine_busy). With w->escape set, such a wait moves to another CPU (move_off_cpu) and spins on instead
 * of sleeping: this kernel keeps two tasks that spin on one CPU together for up to seconds, taking turns,
 * when the other CPU idles. With w->escape 2 (a worker only: never the caller's threads, whose mask the
 * user's later threads would inherit) it stays off that CPU while it spins: until a contested yield or its
 * next sleep (restore_mask). With w->peer set, a move happens only if the peer is on this CPU
 * (rlc_peer_on_cpu); otherwise the long yield was someone else's and the spin goes on where it is. Returns 1 as
 * soon as fd is readable, 0 when the spin ends without it. */
static int spin_readable(waiter *w, int fd, double spin, double start, double deadline) {
    static double moved_at = -1;
    struct pollfd p = {fd, POLLIN, 0};
    if (spin <= 0 || !w->recent || start < w->calm_until) return 0;
    double end = start + spin < deadline ? start + spin : deadline;
    for (double t = start; t < end;) {
        sched_yield();
        w->yields++;
        if (poll(&p, 1, 0) > 0) return 1;
        double before = t;
        t = now();
        double took = t - before;
        if (took > w->contended) {
            if (took > w->certain || machine_busy(t)) {
                w->contested++;
                back_off(w, t);
                restore_mask();
                break;
            }
            if (!w->escape) break;
            if (moved_at < 0 || t - moved_at > MOVE_INTERVAL) { /* a check or a move at most this often */
                moved_at = t;
                if (rlc_peer_on_cpu(w->peer, sched_getcpu())) w->moves += move_off_cpu(w->escape == 2);
                t = now();
            }
        }
    }
    return 0;
}

static void put_u64(char *at, uint64_t x) {
    for (int k = 0; k < 8; k++) at[k] = (char)(x >> (8 * k));
}

static uint64_t get_u64(const char *at) {
    uint64_t x = 0;
    for (int k = 0; k < 8; k++) x |= (uint64_t)(unsigned char)at[k] << (8 * k);
    return x;
}

#ifndef RLC_CALLER_ONLY /* the worker's side: needs the engine */

typedef struct rlc_module rlc_module;
int rlc_run_passes(rlc_module *m, const char *pipeline, char **err);
int64_t rlc_query(rlc_module *m, const char *codes, size_t n, int64_t *values);
void rlc_free(void *p);

/* -- module table ------------------------------------------------------------------------------ */

typedef struct {
    uint64_t handle;
    rlc_module *module;
} entry;
static entry *table;
static size_t table_len, table_cap;

/* Returns 0, or -1 out of memory. */
int rlc_serve_register(uint64_t handle, rlc_module *m) {
    if (table_len == table_cap) {
        size_t cap = table_cap ? 2 * table_cap : 16;
        entry *grown = realloc(table, cap * sizeof *grown);
        if (!grown) return -1;
        table = grown, table_cap = cap;
    }
    table[table_len++] = (entry){handle, m};
    return 0;
}

void rlc_serve_forget(uint64_t handle) {
    for (size_t k = 0; k < table_len; k++)
        if (table[k].handle == handle) {
            table[k] = table[--table_len];
            return;
        }
}

static rlc_module *lookup(uint64_t handle) {
    for (size_t k = 0; k < table_len; k++)
        if (table[k].handle == handle) return table[k].module;
    return NULL;
}

static waiter worker_waiter = {.recent = 1, .contended = CONTENDED_YIELD, .backoff_min = CONTENDED_BACKOFF};
/* The gaps between the worker's replies and the next requests (the caller's work between two steps), and
 * when the last reply went out. */
static history gaps;
static double replied_at = -1;

/* What the worker's waits did, for measurements (rlc_serve_stats): steps served, and the sleeps by why the
 * spin did not find the request: the caller had been slower than the window last time (idle), a back-off
 * after a contested yield (calm), the window ran out (window), a long yield on a quiet machine (yield). */
static uint64_t served, sleeps_idle, sleeps_calm, sleeps_window, sleeps_yield;
static double last_window, serving; /* serving: seconds spent in steps' passes and queries */

/* The counters above and the worker waiter's: served, yields, contested, moves, then the sleeps (idle, calm,
 * window, yield), into out[0..7]; times[0]: the last spin window for a request, times[1]: the time spent in
 * steps' passes and queries (seconds). */
void rlc_serve_stats(uint64_t *out, double *times) {
    uint64_t values[] = {served, worker_waiter.yields, worker_waiter.contested, worker_waiter.moves,
                         sleeps_idle, sleeps_calm, sleeps_window, sleeps_yield};
    memcpy(out, values, sizeof values);
    times[0] = last_window, times[1] = serving;
}

/* Wait until fd (just found empty) is readable or hung up, spinning for at most `spin` seconds first.
 * Returns 0, or -1 on a poll error. */
static int wait_readable(int fd, double spin) {
    struct pollfd p = {fd, POLLIN, 0};
    double start = now();
    int idle = !worker_waiter.recent, calm = start < worker_waiter.calm_until;
    if (spin_readable(&worker_waiter, fd, spin, start, start + spin)) return 0;
    restore_mask(); /* a sleeping worker may wake to a busy machine: not tied to one CPU */
    if (spin > 0) {
        double end = now();
        ++*(idle ? &sleeps_idle : calm || worker_waiter.calm_until > start ? &sleeps_calm
                                  : end - start >= spin                    ? &sleeps_window
                                                                           : &sleeps_yield);
    }
    int r;
    do r = poll(&p, 1, -1);
    while (r < 0 && errno == EINTR);
    worker_waiter.recent = now() - start < spin;
    return r < 0 ? -1 : 0;
}

/* Requests arrive into buffer[0, have); the first `consumed` bytes are the request answered last. */
static char *buffer;
static size_t buffer_cap, have, consumed;

/* Read from the non-blocking fd until buffer holds at least `need` bytes, taking whatever is there in one
 * read (a whole request is one system call, with no poll first when it has already come). Returns 0, 1 at
 * end of file, -1 on error. */
static int fill(int fd, size_t need, double spin) {
    int waited = 0;
    while (have < need) {
        ssize_t got = read(fd, buffer + have, buffer_cap - have);
        if (got > 0) {
            have += (size_t)got;
            if (!waited) worker_waiter.recent = 1;
            continue;
        }
        if (got == 0) return 1;
        if (errno == EINTR) continue;
        if (errno != EAGAIN || wait_readable(fd, spin)) return -1;
        waited = 1;
    }
    return 0;
}

static int reserve(size_t n) {
    if (n <= buffer_cap) return 0;
    if (n > ((size_t)1 << 40)) return -1; /* a corrupt length: doubling the capacity would overflow */
    size_t cap = buffer_cap ? buffer_cap : 1 << 16;
    while (cap < n) cap *= 2;
    char *grown = realloc(buffer, cap);
    if (!grown) return -1;
    buffer = grown, buffer_cap = cap;
    return 0;
}

/* Write all of data. Returns 0, or -1 (the reader is gone). */
static int write_all(int fd, const char *data, size_t n) {
    while (n) {
        ssize_t put = write(fd, data, n);
        if (put < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd p = {fd, POLLOUT, 0};
                poll(&p, 1, -1);
                continue;
            }
            return -1;
        }
        data += put, n -= (size_t)put;
    }
    return 0;
}

/* -- the step ---------------------------------------------------------------------------------- */

static char reply[HEADER + 2 + MAX_QUERIES * 8 * (AUTOPHASE_DIM + INSTCOUNT_DIM)];

/* An error reply: status and message (truncated to what the reply buffer holds). */
static int reply_error(int out_fd, int status, const char *message) {
    size_t n = strlen(message), room = sizeof reply - HEADER - 2;
    if (n > room) n = room;
    put_u64(reply, 2 + n);
    reply[HEADER] = TAG, reply[HEADER + 1] = (char)status;
    memcpy(reply + HEADER + 2, message, n);
    return write_all(out_fd, reply, HEADER + 2 + n);
}

static void out_of_memory(int status) {
    static const char text[] = "rl_compiler worker: out of memory (a step's queries)\n";
    if (write(2, text, sizeof text - 1) < 0) { /* nothing more to do: exiting anyway */
    }
    _exit(status);
}

/* Answer one step request (payload of n bytes, NUL-terminated in the buffer). Returns 0, or -1 if the
 * reply could not be written. */
static int serve_step(int out_fd, char *payload, size_t n, int oom_status) {
    if (n < 10) return reply_error(out_fd, ST_BAD_REQUEST, "truncated step request");
    size_t nq = (unsigned char)payload[1];
    uint64_t handle = get_u64(payload + 2);
    if (nq > MAX_QUERIES || 10 + nq > n) return reply_error(out_fd, ST_BAD_REQUEST, "malformed step request");
    const char *queries = payload + 10, *pipeline = payload + 10 + nq;
    if (memchr(pipeline, 0, n - 10 - nq)) return reply_error(out_fd, ST_BAD_REQUEST, "NUL in the pipeline");
    for (size_t k = 0; k < nq; k++)
        if (queries[k] < Q_FINGERPRINT || queries[k] > Q_FEATURES)
            return reply_error(out_fd, ST_BAD_REQUEST, "unknown query code");
    rlc_module *m = lookup(handle);
    if (!m) {
        char text[96];
        snprintf(text, sizeof text, "no module with handle %llu in worker %d", (unsigned long long)handle,
                 (int)getpid());
        return reply_error(out_fd, ST_NO_MODULE, text);
    }
    char *err = NULL;
    double began = now();
    int status = rlc_run_passes(m, pipeline, &err);
    if (status) {
        int rc = reply_error(out_fd, status == 1 ? ST_PIPELINE : ST_LLVM, err ? err : "");
        rlc_free(err);
        return rc;
    }
    static int64_t values[MAX_QUERIES * (AUTOPHASE_DIM + INSTCOUNT_DIM)];
    int64_t count = rlc_query(m, queries, nq, values); /* one walk for all of them */
    serving += now() - began;
    if (count < 0) out_of_memory(oom_status);
    char *at = reply + HEADER + 2;
    for (int64_t k = 0; k < count; k++) put_u64(at, (uint64_t)values[k]), at += 8;
    put_u64(reply, (uint64_t)(at - reply - HEADER));
    reply[HEADER] = TAG, reply[HEADER + 1] = ST_OK;
    return write_all(out_fd, reply, (size_t)(at - reply));
}

/* Serve step requests from in_fd (replies on out_fd) until another request arrives: then set *message to
 * its payload (valid until the next call) and return its length. Returns -1 when the caller closed the
 * pipe (or a reply could not be written: the caller is gone), -2 out of memory. `spin` is the spin window
 * in seconds (0: never spin); `oom_status` the exit status of a worker out of memory; with `spin_cap` above
 * `spin`, the window for the next request adapts to the recent gaps between reply and request, up to
 * `spin_cap` seconds; `certain` and `escape` as in spin_readable, `backoff_min` as in back_off; `peer`: the
 * caller's process id (waiter.peer). */
int64_t rlc_serve(int in_fd, int out_fd, double spin, double certain, int oom_status, const char **message,
                  double spin_cap, int escape, double backoff_min, int peer) {
    worker_waiter.certain = certain, worker_waiter.escape = escape, worker_waiter.backoff_min = backoff_min;
    worker_waiter.peer = peer;
    int flags = fcntl(in_fd, F_GETFL);
    if (flags < 0 || (!(flags & O_NONBLOCK) && fcntl(in_fd, F_SETFL, flags | O_NONBLOCK) < 0)) return -1;
    replied_at = now(); /* Python has just written its reply (or the ready message) */
    for (;;) {
        if (consumed) { /* drop the last request; keep any bytes after it */
            memmove(buffer, buffer + consumed, have - consumed);
            have -= consumed, consumed = 0;
        }
        double window = last_window = adaptive_window(&gaps, spin, spin_cap);
        if (reserve(HEADER + 1)) return -2;
        if (fill(in_fd, HEADER, window)) return -1;
        if (replied_at >= 0) remember(&gaps, now() - replied_at), replied_at = -1;
        uint64_t n = get_u64(buffer);
        if (reserve(HEADER + n + 1)) return -2;
        if (fill(in_fd, HEADER + n, spin)) return -1;
        char *payload = buffer + HEADER;
        consumed = HEADER + n;
        char next = payload[n]; /* the first byte of a next request, if one came already */
        payload[n] = 0;
        if (n && payload[0] == TAG) {
            int rc = serve_step(out_fd, payload, n, oom_status);
            replied_at = now(), served++;
            payload[n] = next;
            if (rc) return -1;
            continue;
        }
        payload[n] = next; /* Python reads the message by its length */
        *message = payload;
        return (int64_t)n;
    }
}

#endif /* RLC_CALLER_ONLY */

/* -- the caller's side ------------------------------------------------------------------------- */

/* Read from the non-blocking fd into data until *have >= need (at most cap bytes in all), by `deadline`,
 * spinning first like the caller's pipeio.MessageReader (always, not only after recent messages). Returns
 * 0, -1 at end of file or on an error (the worker is gone), -2 at the deadline, -4 when a signal interrupted
 * the wait before any byte came and `interruptible` is set (the caller's Python then handles the signal and
 * reads the reply itself). */
static int read_at_least(waiter *w, int fd, char *data, size_t *have, size_t need, size_t cap, double spin,
                         double deadline, int interruptible, uint64_t *sleeps) {
    while (*have < need) {
        ssize_t got = read(fd, data + *have, cap - *have);
        if (got > 0) {
            *have += (size_t)got;
            continue;
        }
        if (got == 0) return -1;
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return -1;
        double start = now();
        if (start >= deadline) return -2;
        if (spin_readable(w, fd, spin, start, deadline)) continue;
        struct pollfd p = {fd, POLLIN, 0};
        ++*sleeps;
        double left = deadline - now();
        int r = poll(&p, 1, left > 0 ? (int)(left * 1e3) + 1 : 0);
        if (r < 0 && errno == EINTR && interruptible && *have == 0) return -4;
        if (r < 0 && errno != EINTR) return -1;
    }
    return 0;
}

/* Write the frame of a request (header, then payload) with one system call when it fits the pipe. Returns
 * 0, -1 when the worker closed its input, -2 at the deadline. */
static int send_request(int fd, const char *request, size_t n, double deadline) {
    char head[HEADER];
    put_u64(head, n);
    struct iovec parts[2] = {{head, HEADER}, {(void *)request, n}};
    size_t left = HEADER + n;
    while (left) {
        ssize_t put = writev(fd, parts, 2);
        if (put < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) return -1;
            struct pollfd p = {fd, POLLOUT, 0};
            double wait = deadline - now();
            if (wait <= 0) return -2;
            if (poll(&p, 1, (int)(wait * 1e3) + 1) < 0 && errno != EINTR) return -1;
            continue;
        }
        left -= (size_t)put;
        for (int k = 0; k < 2; k++) {
            size_t used = (size_t)put < parts[k].iov_len ? (size_t)put : parts[k].iov_len;
            parts[k].iov_base = (char *)parts[k].iov_base + used, parts[k].iov_len -= used;
            put -= (ssize_t)used;
        }
    }
    return 0;
}

#define MAX_REPLY (HEADER + 2 + MAX_QUERIES * 8 * (AUTOPHASE_DIM + INSTCOUNT_DIM))

/* A caller's end of one worker's pipes, set up once by fastlane.NativeCaller (ctypes.Structure _Caller):
 * the descriptors (non-blocking), the spin window and the contested-yield threshold (seconds), the back-off
 * deadline kept between calls, and where a reply's values (room for `cap` int64s) or message (`mcap` bytes)
 * go. */
typedef struct {
    int out_fd, in_fd;
    double spin, contended, calm;
    int64_t *values;
    size_t cap, count;
    char *message;
    size_t mcap;
    double certain;                   /* yields between contended and this count only on a busy machine */
    uint64_t yields, contested, sleeps; /* counts over all calls, for measurements */
    double spin_cap;                  /* above spin: the window adapts to the recent replies' times */
    int escape;                       /* see spin_readable */
    uint64_t moves;                   /* moves off a CPU shared with the worker (counted) */
    history replies;                  /* how long the recent replies took, from the request's sending */
    double sent;                      /* when the last request was sent */
    double waited;                    /* seconds from sending requests to their replies read, summed */
    double backoff, backoff_min;      /* see back_off (backoff kept between calls) */
    int peer;                         /* the worker's process id (waiter.peer) */
} rlc_caller;

/* Read and decode the reply to the step request sent last, waiting until `deadline` (spinning first, as
 * pipeio.PipeWaiter does, for a window that adapts to the recent replies' times with a spin cap): for status
 * 0 the reply's values go to c->values and their number to c->count, otherwise its message to c->message
 * (NUL-terminated, truncated). With `more` set, replies to later requests may follow in the pipe: the reply is
 * then read exactly (its header first), never into the next one. Returns as rlc_call_step. */
static int receive_reply(rlc_caller *c, double deadline, int more) {
    char in[MAX_REPLY]; /* the whole reply, read in one system call when it is there and nothing follows */
    size_t have = 0;
    waiter w = {.recent = 1, .calm_until = c->calm, .contended = c->contended, .certain = c->certain,
                .escape = c->escape, .peer = c->peer, .backoff = c->backoff, .backoff_min = c->backoff_min};
    double spin = adaptive_window(&c->replies, c->spin, c->spin_cap);
    int rc = read_at_least(&w, c->in_fd, in, &have, HEADER + 2, more ? HEADER + 2 : sizeof in, spin, deadline, 1,
                           &c->sleeps);
    uint64_t size = rc ? 0 : get_u64(in);
    if (!rc && (size < 2 || size > sizeof in - HEADER || in[HEADER] != TAG)) rc = -3;
    if (!rc)
        rc = read_at_least(&w, c->in_fd, in, &have, HEADER + size, HEADER + size, spin, deadline, 0, &c->sleeps);
    c->calm = w.calm_until, c->backoff = w.backoff;
    c->yields += w.yields, c->contested += w.contested, c->moves += w.moves;
    if (rc) return rc;
    double took = now() - c->sent;
    remember(&c->replies, took);
    c->waited += took;
    int status = (unsigned char)in[HEADER + 1];
    size_t bytes = size - 2;
    const char *body = in + HEADER + 2;
    c->count = 0;
    if (status != ST_OK) {
        if (bytes > c->mcap - 1) bytes = c->mcap - 1;
        memcpy(c->message, body, bytes);
        c->message[bytes] = 0;
        return status;
    }
    if (bytes % 8 || bytes / 8 > c->cap) return -3;
    c->count = bytes / 8;
    for (size_t k = 0; k < c->count; k++) c->values[k] = (int64_t)get_u64(body + 8 * k);
    return ST_OK;
}

/* One fast-lane step from the caller's side, with no Python between request and values: write the framed
 * `request` (fastlane.encode_step's payload, n bytes) to the worker's input, wait for the reply until
 * `timeout` seconds from now and decode it (receive_reply). Returns the reply's status (>= 0); -1 when the
 * worker closed a pipe, -2 at the timeout (the stream is then out of step: the caller kills the worker), -3
 * for a reply that is not a step reply or does not fit, -4 when a signal came before the reply (the request
 * is sent: read its reply the Python way). */
int rlc_call_step(rlc_caller *c, const char *request, size_t n, double timeout) {
    c->sent = now();
    double deadline = c->sent + timeout;
    int rc = send_request(c->out_fd, request, n, deadline);
    return rc ? rc : receive_reply(c, deadline, 0);
}

/* rlc_call_step in two halves, so that a caller can send the requests of several workers before it waits
 * for the first reply (fastlane.NativeCaller.send / wait; the workers then run at once), or several requests
 * to one worker (which finds each next one waiting): send the request (returns 0, -1 or -2 as rlc_call_step),
 * then read the oldest unread reply within `timeout` seconds from the receive (`more`: later requests' replies
 * may follow it). */
int rlc_call_send(rlc_caller *c, const char *request, size_t n, double timeout) {
    c->sent = now();
    return send_request(c->out_fd, request, n, c->sent + timeout);
}

int rlc_call_receive(rlc_caller *c, double timeout, int more) { return receive_reply(c, now() + timeout, more); }
