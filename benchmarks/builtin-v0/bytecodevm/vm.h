/* Shared definitions for the bytecode assembler, analyser and VM. */
#ifndef BVM_H
#define BVM_H
#include <stdint.h>
#include <stddef.h>

typedef enum {
    OP_NOP, OP_HALT, OP_PUSH, OP_POP, OP_DUP, OP_SWAP, OP_OVER, OP_ROT, OP_PICK,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_NEG, OP_ABS, OP_MIN, OP_MAX, OP_INC, OP_DEC,
    OP_AND, OP_OR, OP_XOR, OP_NOT, OP_SHL, OP_SHR, OP_SAR,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_LNOT,
    OP_JMP, OP_JZ, OP_JNZ, OP_CALL, OP_RET,
    OP_LOAD, OP_STORE, OP_LINC, OP_GLOAD, OP_GSTORE, OP_ALOAD, OP_ASTORE,
    OP_PRINT, OP_PRINTC, OP_ASSERT, OP_DROP2, OP_SQUARE,
    OP_COUNT
} opcode_t;

typedef enum { ARG_NONE, ARG_INT, ARG_LABEL, ARG_FUNC, ARG_LOCAL } argkind_t;

typedef struct {
    const char *name;
    argkind_t arg;
    int pops, pushes; /* -1: depends (call) */
} opinfo_t;

extern const opinfo_t op_table[OP_COUNT];

typedef struct {
    uint8_t op;
    int64_t arg;
    int line; /* source line for diagnostics */
} insn_t;

#define MAX_CODE 4096
#define MAX_FUNCS 64
#define MAX_NAME 32

typedef struct {
    char name[MAX_NAME];
    int entry, end;   /* [entry, end) in code */
    int nargs, nlocals;
    int max_stack;    /* filled by verifier */
} func_t;

typedef struct {
    char name[MAX_NAME];
    insn_t code[MAX_CODE];
    int ncode;
    func_t funcs[MAX_FUNCS];
    int nfuncs;
    int main_func;
    char error[128];
} program_t;

/* asm.c */
int assemble(program_t *p, const char *const *lines, int nlines);
int find_func(const program_t *p, const char *name);
int opcode_by_name(const char *name);

/* analysis.c */
int verify(program_t *p, char *msg, size_t msgsz);
int disassemble(const program_t *p, char *out, size_t outsz);
int peephole(program_t *p);
void opcode_histogram(const program_t *p, int *hist);

/* cfg.c */
void cfg_report(const program_t *p);

/* vm.c */
#define OUTBUF 8192
typedef struct {
    long steps;
    int status;          /* 0 ok, else trap */
    char trap[96];
    int64_t result;
    char out[OUTBUF];
    int outlen;
    int max_depth, max_frames;
    long calls;
    long op_exec[OP_COUNT];
} run_t;

void vm_run(const program_t *p, long step_limit, run_t *r);

#endif
