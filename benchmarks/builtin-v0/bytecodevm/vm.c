/* The stack virtual machine: switch-dispatched interpreter with a value
 * stack, call frames holding locals, a global memory array and a
 * buffered output device. All arithmetic wraps (two's complement).   */
#include "vm.h"
#include <stdio.h>
#include <string.h>

#define STACK_MAX 1024
#define FRAME_MAX 256
#define LOCALS_MAX 4096
#define GLOBALS 2048

typedef struct { int func, ret_pc, base, sp_at_call; } frame_t;

static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

static void out_str(run_t *r, const char *s) {
    while (*s && r->outlen < OUTBUF - 1) r->out[r->outlen++] = *s++;
    r->out[r->outlen] = 0;
}

static void trap(run_t *r, const char *why, int pc) {
    r->status = 1;
    snprintf(r->trap, sizeof r->trap, "%s at pc %d", why, pc);
}

void vm_run(const program_t *p, long step_limit, run_t *r) {
    static int64_t stack[STACK_MAX];
    static int64_t locals[LOCALS_MAX];
    static int64_t globals[GLOBALS];
    static frame_t frames[FRAME_MAX];
    memset(r, 0, sizeof *r);
    memset(globals, 0, sizeof globals);
    int sp = 0, fp = 0, lbase = 0;
    const func_t *mf = &p->funcs[p->main_func];
    frames[0] = (frame_t){ p->main_func, -1, 0, 0 };
    memset(locals, 0, sizeof(int64_t) * (size_t)mf->nlocals);
    int ltop = mf->nlocals;
    int pc = mf->entry;
    r->max_frames = 1;
    for (;;) {
        if (r->steps >= step_limit) { trap(r, "step limit", pc); return; }
        if (pc < 0 || pc >= p->ncode) { trap(r, "pc out of range", pc); return; }
        const insn_t *in = &p->code[pc];
        r->steps++;
        r->op_exec[in->op]++;
        if (sp > r->max_depth) r->max_depth = sp;
        int pops = op_table[in->op].pops;
        if (in->op == OP_CALL) pops = p->funcs[in->arg].nargs;
        if (in->op == OP_PICK) pops = (int)in->arg + 1;
        if (sp < pops) { trap(r, "stack underflow", pc); return; }
        if (sp + 2 >= STACK_MAX) { trap(r, "stack overflow", pc); return; }
        int64_t a, b, c;
        pc++;
        switch ((opcode_t)in->op) {
        case OP_NOP: break;
        case OP_HALT: r->result = sp > 0 ? stack[sp - 1] : 0; return;
        case OP_PUSH: stack[sp++] = in->arg; break;
        case OP_POP: sp--; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_SWAP: a = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = a; break;
        case OP_OVER: stack[sp] = stack[sp - 2]; sp++; break;
        case OP_ROT: a = stack[sp - 3]; stack[sp - 3] = stack[sp - 2]; stack[sp - 2] = stack[sp - 1]; stack[sp - 1] = a; break;
        case OP_PICK: stack[sp] = stack[sp - 1 - in->arg]; sp++; break;
        case OP_ADD: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = wrap_add(a, b); break;
        case OP_SUB: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = wrap_sub(a, b); break;
        case OP_MUL: b = stack[--sp]; a = stack[sp - 1]; stack[sp - 1] = wrap_mul(a, b); break;
        case OP_DIV:
        case OP_MOD:
            b = stack[--sp]; a = stack[sp - 1];
            if (b == 0) { trap(r, "division by zero", pc - 1); return; }
            if (b == -1) stack[sp - 1] = in->op == OP_DIV ? wrap_sub(0, a) : 0;
            else stack[sp - 1] = in->op == OP_DIV ? a / b : a % b;
            break;
        case OP_NEG: stack[sp - 1] = wrap_sub(0, stack[sp - 1]); break;
        case OP_ABS: if (stack[sp - 1] < 0) stack[sp - 1] = wrap_sub(0, stack[sp - 1]); break;
        case OP_MIN: b = stack[--sp]; if (b < stack[sp - 1]) stack[sp - 1] = b; break;
        case OP_MAX: b = stack[--sp]; if (b > stack[sp - 1]) stack[sp - 1] = b; break;
        case OP_INC: stack[sp - 1] = wrap_add(stack[sp - 1], 1); break;
        case OP_DEC: stack[sp - 1] = wrap_sub(stack[sp - 1], 1); break;
        case OP_AND: b = stack[--sp]; stack[sp - 1] &= b; break;
        case OP_OR: b = stack[--sp]; stack[sp - 1] |= b; break;
        case OP_XOR: b = stack[--sp]; stack[sp - 1] ^= b; break;
        case OP_NOT: stack[sp - 1] = ~stack[sp - 1]; break;
        case OP_SHL: b = stack[--sp]; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] << (b & 63)); break;
        case OP_SHR: b = stack[--sp]; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> (b & 63)); break;
        case OP_SAR:
            b = stack[--sp]; a = stack[sp - 1];
            stack[sp - 1] = a < 0 ? ~(int64_t)(~(uint64_t)a >> (b & 63)) : (int64_t)((uint64_t)a >> (b & 63));
            break;
        case OP_EQ: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] == b; break;
        case OP_NE: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] != b; break;
        case OP_LT: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] < b; break;
        case OP_LE: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] <= b; break;
        case OP_GT: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] > b; break;
        case OP_GE: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] >= b; break;
        case OP_LNOT: stack[sp - 1] = !stack[sp - 1]; break;
        case OP_JMP: pc = (int)in->arg; break;
        case OP_JZ: if (stack[--sp] == 0) pc = (int)in->arg; break;
        case OP_JNZ: if (stack[--sp] != 0) pc = (int)in->arg; break;
        case OP_CALL: {
            const func_t *f = &p->funcs[in->arg];
            if (fp + 1 >= FRAME_MAX) { trap(r, "call depth exceeded", pc - 1); return; }
            if (ltop + f->nlocals > LOCALS_MAX) { trap(r, "locals exhausted", pc - 1); return; }
            fp++;
            frames[fp] = (frame_t){ (int)in->arg, pc, ltop, sp - f->nargs };
            lbase = ltop;
            for (int k = 0; k < f->nlocals; k++) locals[lbase + k] = k < f->nargs ? stack[sp - f->nargs + k] : 0;
            ltop += f->nlocals;
            sp -= f->nargs;
            pc = f->entry;
            r->calls++;
            if (fp + 1 > r->max_frames) r->max_frames = fp + 1;
            break;
        }
        case OP_RET: {
            c = stack[sp - 1];
            if (fp == 0) { r->result = c; return; }
            frame_t *fr = &frames[fp];
            sp = fr->sp_at_call;
            stack[sp++] = c;
            pc = fr->ret_pc;
            ltop = fr->base;
            fp--;
            lbase = frames[fp].base;
            break;
        }
        case OP_LOAD: stack[sp++] = locals[lbase + in->arg]; break;
        case OP_STORE: locals[lbase + in->arg] = stack[--sp]; break;
        case OP_LINC: locals[lbase + in->arg] = wrap_add(locals[lbase + in->arg], 1); break;
        case OP_GLOAD:
            if (in->arg < 0 || in->arg >= GLOBALS) { trap(r, "bad global", pc - 1); return; }
            stack[sp++] = globals[in->arg];
            break;
        case OP_GSTORE:
            if (in->arg < 0 || in->arg >= GLOBALS) { trap(r, "bad global", pc - 1); return; }
            globals[in->arg] = stack[--sp];
            break;
        case OP_ALOAD:
            a = stack[sp - 1];
            if (a < 0 || a >= GLOBALS) { trap(r, "bad address", pc - 1); return; }
            stack[sp - 1] = globals[a];
            break;
        case OP_ASTORE:
            b = stack[--sp]; a = stack[--sp]; /* addr value astore */
            if (a < 0 || a >= GLOBALS) { trap(r, "bad address", pc - 1); return; }
            globals[a] = b;
            break;
        case OP_PRINT: {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%lld ", (long long)stack[--sp]);
            out_str(r, tmp);
            break;
        }
        case OP_PRINTC: {
            char tmp[2] = { (char)(stack[--sp] & 0x7f), 0 };
            if (tmp[0] == 0) tmp[0] = '?';
            out_str(r, tmp);
            break;
        }
        case OP_ASSERT: if (stack[--sp] == 0) { trap(r, "assertion failed", pc - 1); return; } break;
        case OP_DROP2: sp -= 2; break;
        case OP_SQUARE: stack[sp - 1] = wrap_mul(stack[sp - 1], stack[sp - 1]); break;
        case OP_COUNT: default: trap(r, "illegal opcode", pc - 1); return;
        }
    }
}
