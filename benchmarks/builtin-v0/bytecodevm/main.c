/* Driver: reads several assembly programs (separated by ".program NAME")
 * from stdin; for each one assembles, verifies, runs, round-trips it
 * through the disassembler, optimises it with the peephole pass and
 * checks that the optimised program behaves identically.              */
#include "vm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 4000
#define STEP_LIMIT 1000000

static char *all_lines[MAX_LINES];
static int nall;

static unsigned long hash_str(const char *s, int n) {
    unsigned long h = 5381;
    for (int i = 0; i < n; i++) h = h * 33u ^ (unsigned char)s[i];
    return h;
}

static int split_lines(char *text, const char **lines, int max) {
    int n = 0;
    char *s = text;
    while (*s && n < max) {
        lines[n++] = s;
        char *e = strchr(s, '\n');
        if (!e) break;
        *e = 0;
        s = e + 1;
    }
    return n;
}

static int same_code(const program_t *a, const program_t *b) {
    if (a->ncode != b->ncode || a->nfuncs != b->nfuncs) return 0;
    for (int i = 0; i < a->ncode; i++)
        if (a->code[i].op != b->code[i].op || a->code[i].arg != b->code[i].arg) return 0;
    for (int i = 0; i < a->nfuncs; i++)
        if (a->funcs[i].entry != b->funcs[i].entry || a->funcs[i].end != b->funcs[i].end) return 0;
    return 1;
}

static long total_exec[OP_COUNT];

static void process(const char *name, const char *const *lines, int n) {
    static program_t prog, prog2, opt;
    static run_t r1, r2;
    char msg[160];
    snprintf(prog.name, sizeof prog.name, "%s", name);
    printf("== %s (%d lines)\n", name, n);
    if (!assemble(&prog, lines, n)) { printf("  assemble error: %s\n", prog.error); return; }
    if (!verify(&prog, msg, sizeof msg)) { printf("  verify error: %s\n", msg); return; }
    int maxstack = 0;
    for (int i = 0; i < prog.nfuncs; i++) if (prog.funcs[i].max_stack > maxstack) maxstack = prog.funcs[i].max_stack;
    cfg_report(&prog);
    vm_run(&prog, STEP_LIMIT, &r1);
    for (int i = 0; i < OP_COUNT; i++) total_exec[i] += r1.op_exec[i];
    printf("  code=%d funcs=%d maxstack=%d steps=%ld calls=%ld depth=%d frames=%d result=%lld\n", prog.ncode,
           prog.nfuncs, maxstack, r1.steps, r1.calls, r1.max_depth, r1.max_frames, (long long)r1.result);
    if (r1.status) printf("  trap: %s\n", r1.trap);
    printf("  output[%d] %08lx: %.40s\n", r1.outlen, hash_str(r1.out, r1.outlen) & 0xffffffffUL, r1.out);
    /* disassemble and re-assemble */
    static char text[1 << 16];
    static const char *dl[MAX_LINES];
    int len = disassemble(&prog, text, sizeof text);
    if (len < 0) { printf("  disassembly overflow\n"); return; }
    unsigned long dh = hash_str(text, len);
    int nd = split_lines(text, dl, MAX_LINES);
    int rt = assemble(&prog2, dl, nd) && same_code(&prog, &prog2);
    printf("  disasm %d bytes %08lx roundtrip %s;", len, dh & 0xffffffffUL, rt ? "ok" : "FAILED");
    /* optimise */
    opt = prog;
    int rewrites = peephole(&opt);
    if (!verify(&opt, msg, sizeof msg)) { printf("  optimised program fails verification: %s\n", msg); return; }
    vm_run(&opt, STEP_LIMIT, &r2);
    int same = r1.status == r2.status && r1.result == r2.result && r1.outlen == r2.outlen &&
               memcmp(r1.out, r2.out, (size_t)r1.outlen) == 0;
    printf(" peephole %d: code %d->%d steps %ld->%ld %s\n", rewrites, prog.ncode, opt.ncode,
           r1.steps, r2.steps, same ? "same" : "DIFFERENT");
}

int main(void) {
    char buf[256];
    while (nall < MAX_LINES && fgets(buf, sizeof buf, stdin)) {
        buf[strcspn(buf, "\r\n")] = 0;
        all_lines[nall] = malloc(strlen(buf) + 1);
        strcpy(all_lines[nall], buf);
        nall++;
    }
    int start = -1, nprog = 0;
    char name[64] = "";
    for (int i = 0; i <= nall; i++) {
        if (i == nall || strncmp(all_lines[i], ".program", 8) == 0) {
            if (start >= 0) { process(name, (const char *const *)&all_lines[start], i - start); nprog++; }
            if (i < nall) {
                snprintf(name, sizeof name, "%s", all_lines[i] + 8 + (all_lines[i][8] == ' '));
                start = i + 1;
            }
        }
    }
    printf("programs=%d\nexecuted opcode mix:", nprog);
    int shown = 0;
    for (int i = 0; i < OP_COUNT; i++)
        if (total_exec[i]) { printf("%s%s=%ld", shown % 8 ? " " : "\n  ", op_table[i].name, total_exec[i]); shown++; }
    printf("\n");
    for (int i = 0; i < nall; i++) free(all_lines[i]);
    return 0;
}
