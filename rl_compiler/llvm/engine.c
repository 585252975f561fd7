/*
 * rl-compiler's native engine: the hot path of a compiler environment on the stable LLVM-C API.
 *
 * One job: hold LLVM modules in memory and do everything a step needs without leaving C: parse,
 * clone, run a new-PM pipeline, verify, count instructions, compute the Autophase and InstCount
 * feature vectors, fingerprint, write bitcode, print IR, and emit an object to read its .text size.
 *
 * Only llvm-c headers are used (no C++ ABI), so this builds against any libLLVM >= 19. engine.py
 * compiles it on first use and passes -DRLC_HAVE_<NAME> for optional API it found in the headers
 * (the LLVM-C opcode enum changed in LLVM 23: `br` became LLVMUncondBr/LLVMCondBr).
 *
 * Every module owns its own LLVMContext with a diagnostic handler installed, so an LLVM error
 * diagnostic is recorded and returned instead of printed with exit(1). Strings returned through
 * `char **err` / `rlc_print_ir` are malloc'ed and freed with rlc_free.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/IRReader.h>
#include <llvm-c/Object.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#define RLC_AUTOPHASE_DIM 56
#define RLC_INSTCOUNT_DIM 70

typedef struct rlc_module {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMTargetMachineRef tm; /* taken from the pool or created on first use, for the module's triple (host if none) */
    char *tm_triple;         /* the triple tm was made for: its pool key when the module is disposed */
    int tm_failed;
    LLVMPassBuilderOptionsRef opts;
    void *runner;            /* passrun.cpp's pass builder for this module (RLC_HAVE_PASSRUN), made on first use */
    char *diag;              /* error diagnostics reported through the context, if any */
} rlc_module;

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

static char *rlc_strdup(const char *s) {
    size_t n = s ? strlen(s) : 0;
    char *out = malloc(n + 1);
    if (out) {
        if (n) memcpy(out, s, n);
        out[n] = 0;
    }
    return out;
}

static void set_err(char **err, const char *msg) {
    if (err) *err = rlc_strdup(msg);
}

/* Take ownership of an LLVM-allocated message: copy it to malloc memory and dispose the original. */
static void set_err_llvm(char **err, char *msg) {
    set_err(err, msg ? msg : "unknown LLVM error");
    if (msg) LLVMDisposeMessage(msg);
}

void rlc_free(void *p) { free(p); }

static void append_diag(rlc_module *m, const char *text) {
    size_t old = m->diag ? strlen(m->diag) : 0, add = strlen(text);
    char *buf = realloc(m->diag, old + add + 2);
    if (!buf) return;
    if (old) buf[old++] = '\n';
    memcpy(buf + old, text, add + 1);
    m->diag = buf;
}

static void diagnostic_handler(LLVMDiagnosticInfoRef info, void *opaque) {
    rlc_module *m = opaque;
    if (LLVMGetDiagInfoSeverity(info) != LLVMDSError) return; /* warnings/remarks: not our business */
    char *text = LLVMGetDiagInfoDescription(info);
    if (text) {
        append_diag(m, text);
        LLVMDisposeMessage(text);
    }
}

/* Move the recorded diagnostics into an error message (prefixed), or use the fallback. */
static void take_diag(rlc_module *m, char **err, const char *fallback) {
    if (m->diag) {
        if (err) *err = m->diag;
        else free(m->diag);
        m->diag = NULL;
    } else {
        set_err(err, fallback);
    }
}

static rlc_module *new_handle(void) {
    rlc_module *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->ctx = LLVMContextCreate();
    LLVMContextSetDiagnosticHandler(m->ctx, diagnostic_handler, m);
    return m;
}

/* Target machines no module uses, by triple. Making one (and its X86 subtarget on the first pass) took about
 * 165 µs of an episode's first step on crcfile; a module takes one here and gives it back when disposed, so
 * consecutive episodes reuse it. One module at a time uses a target machine (they are not thread-safe); what a
 * pass reads from it (subtargets, cached per function attributes; the target options) does not depend on
 * which modules used it before. */
typedef struct tm_entry {
    char *triple;
    LLVMTargetMachineRef tm;
    struct tm_entry *next;
} tm_entry;
static tm_entry *tm_pool;
static size_t tm_pool_len;
static pthread_mutex_t tm_pool_lock = PTHREAD_MUTEX_INITIALIZER;
enum { TM_POOL_MAX = 8 };

static void tm_pool_after_fork(void) { pthread_mutex_init(&tm_pool_lock, NULL); }

/* A pooled target machine for triple, or NULL. */
static LLVMTargetMachineRef tm_take(const char *triple) {
    LLVMTargetMachineRef tm = NULL;
    pthread_mutex_lock(&tm_pool_lock);
    for (tm_entry **at = &tm_pool; *at; at = &(*at)->next)
        if (!strcmp((*at)->triple, triple)) {
            tm_entry *e = *at;
            *at = e->next;
            tm_pool_len--;
            tm = e->tm;
            free(e->triple);
            free(e);
            break;
        }
    pthread_mutex_unlock(&tm_pool_lock);
    return tm;
}

/* Give tm (made for triple) back to the pool, or dispose of it if the pool is full. */
static void tm_give(const char *triple, LLVMTargetMachineRef tm) {
    tm_entry *e = malloc(sizeof *e);
    char *key = triple ? rlc_strdup(triple) : NULL;
    if (e && key) {
        pthread_mutex_lock(&tm_pool_lock);
        if (tm_pool_len < TM_POOL_MAX) {
            *e = (tm_entry){key, tm, tm_pool};
            tm_pool = e, tm_pool_len++;
            e = NULL;
        }
        pthread_mutex_unlock(&tm_pool_lock);
        if (!e) return;
    }
    free(e);
    free(key);
    LLVMDisposeTargetMachine(tm);
}

/* The number of pooled target machines; with `clear`, dispose of them first (tests). */
size_t rlc_tm_pool(int clear) {
    pthread_mutex_lock(&tm_pool_lock);
    tm_entry *all = clear ? tm_pool : NULL;
    if (clear) tm_pool = NULL, tm_pool_len = 0;
    size_t n = tm_pool_len;
    pthread_mutex_unlock(&tm_pool_lock);
    while (all) {
        tm_entry *next = all->next;
        LLVMDisposeTargetMachine(all->tm);
        free(all->triple);
        free(all);
        all = next;
    }
    return n;
}

#ifdef RLC_HAVE_PASSRUN
void *rlc_passrun_new(LLVMModuleRef m, LLVMTargetMachineRef tm);
LLVMErrorRef rlc_passrun_run(void *runner, LLVMModuleRef m, const char *pipeline);
void rlc_passrun_free(void *runner);
#endif

void rlc_dispose(rlc_module *m) {
    if (!m) return;
#ifdef RLC_HAVE_PASSRUN
    if (m->runner) rlc_passrun_free(m->runner); /* before the target machine and the context it uses */
#endif
    if (m->mod) LLVMDisposeModule(m->mod);
    if (m->tm) tm_give(m->tm_triple, m->tm);
    free(m->tm_triple);
    if (m->opts) LLVMDisposePassBuilderOptions(m->opts);
    LLVMContextDispose(m->ctx);
    free(m->diag);
    free(m);
}

/* 64-bit mixing for the fingerprint (a multiply-xorshift step; quality is ample for change detection). */
static inline uint64_t mix(uint64_t h, uint64_t x) {
    h ^= x + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 31);
}

/* Bytes hashed eight at a time (names, tables, strings). */
static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = mix(0xDA7A, n);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        h = mix(h, x);
    }
    uint64_t tail = 0;
    if (n > i) memcpy(&tail, s + i, n - i);
    return mix(h, tail);
}

/* Pointer -> value map (open addressing): positions of the blocks, arguments and instructions of one
 * function, and the fingerprint's memo of constant hashes. */
typedef struct {
    const void **keys;
    uint64_t *vals;
    size_t mask;
    size_t used; /* counted by ptrmap_put_grow only */
} ptrmap;

static int ptrmap_init(ptrmap *pm, size_t n) {
    size_t cap = 16;
    while (cap < 2 * n + 2) cap <<= 1;
    pm->keys = calloc(cap, sizeof *pm->keys);
    pm->vals = malloc(cap * sizeof *pm->vals);
    pm->mask = cap - 1;
    pm->used = 0;
    return pm->keys && pm->vals;
}

static void ptrmap_free(ptrmap *pm) {
    free(pm->keys);
    free(pm->vals);
}

static inline size_t ptr_slot(const void *p, size_t mask) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x = (x ^ (x >> 29)) * 0xBF58476D1CE4E5B9ULL;
    return (size_t)(x ^ (x >> 32)) & mask;
}

static void ptrmap_put(ptrmap *pm, const void *key, uint64_t val) {
    size_t i = ptr_slot(key, pm->mask);
    while (pm->keys[i] && pm->keys[i] != key) i = (i + 1) & pm->mask;
    pm->keys[i] = key;
    pm->vals[i] = val;
}

/* Insert a new key, doubling the table when it gets half full (a failed allocation only skips the insert). */
static void ptrmap_put_grow(ptrmap *pm, const void *key, uint64_t val) {
    if (2 * (pm->used + 1) > pm->mask + 1) {
        ptrmap bigger = {0};
        if (!ptrmap_init(&bigger, pm->mask + 1)) return;
        for (size_t i = 0; i <= pm->mask; i++)
            if (pm->keys[i]) ptrmap_put(&bigger, pm->keys[i], pm->vals[i]);
        bigger.used = pm->used;
        ptrmap_free(pm);
        *pm = bigger;
    }
    ptrmap_put(pm, key, val);
    pm->used++;
}

static inline int64_t ptrmap_get(const ptrmap *pm, const void *key) {
    size_t i = ptr_slot(key, pm->mask);
    while (pm->keys[i]) {
        if (pm->keys[i] == key) return (int64_t)pm->vals[i];
        i = (i + 1) & pm->mask;
    }
    return -1;
}

static inline int ptrmap_lookup(const ptrmap *pm, const void *key, uint64_t *val) {
    size_t i = ptr_slot(key, pm->mask);
    while (pm->keys[i]) {
        if (pm->keys[i] == key) {
            *val = pm->vals[i];
            return 1;
        }
        i = (i + 1) & pm->mask;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Initialization, version                                                                    */
/* ------------------------------------------------------------------------------------------ */

static int all_targets_initialized = 0;

/* Initialize the host target (for passes' TargetMachine and codegen). Returns 0 on success. */
int rlc_init(void) {
    static int registered = 0;
    if (!registered) registered = 1, pthread_atfork(NULL, NULL, tm_pool_after_fork);
    int failed = LLVMInitializeNativeTarget();
    failed |= LLVMInitializeNativeAsmPrinter();
    failed |= LLVMInitializeNativeAsmParser(); /* inline asm in codegen */
    return failed;
}

void rlc_llvm_version(unsigned *major, unsigned *minor, unsigned *patch) {
    LLVMGetVersion(major, minor, patch);
}

/* ------------------------------------------------------------------------------------------ */
/* Parse, clone, serialize                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Parse bitcode or textual IR from memory into a new module with its own context. `name` (the file, or
 * "<memory>") is the buffer name LLVM's diagnostics start with. */
rlc_module *rlc_parse(const char *data, size_t len, const char *name, char **err) {
    rlc_module *m = new_handle();
    if (!m) {
        set_err(err, "out of memory");
        return NULL;
    }
    /* A copy is NUL-terminated, which the textual IR parser needs. */
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(data, len, name ? name : "<memory>");
    char *msg = NULL;
    LLVMModuleRef mod = NULL;
    if (LLVMParseIRInContext(m->ctx, buf, &mod, &msg) || !mod) { /* consumes buf */
        if (msg && m->diag) {
            append_diag(m, msg);
            LLVMDisposeMessage(msg);
            take_diag(m, err, "");
        } else if (msg) {
            set_err_llvm(err, msg);
        } else {
            take_diag(m, err, "cannot parse module");
        }
        rlc_dispose(m);
        return NULL;
    }
    if (msg) LLVMDisposeMessage(msg);
    /* The identifier (printed as "; ModuleID") is the buffer name: make it independent of where the module
     * came from, so equal modules print equal IR (IrSha1) whether read from a file, bytes or a clone. */
    LLVMSetModuleIdentifier(mod, "<module>", 8);
    m->mod = mod;
    return m;
}

/* Bitcode of the module in an LLVM memory buffer; read with rlc_buffer_* and free with rlc_buffer_dispose. */
LLVMMemoryBufferRef rlc_bitcode(rlc_module *m) { return LLVMWriteBitcodeToMemoryBuffer(m->mod); }
const char *rlc_buffer_start(LLVMMemoryBufferRef b) { return LLVMGetBufferStart(b); }
size_t rlc_buffer_size(LLVMMemoryBufferRef b) { return LLVMGetBufferSize(b); }
void rlc_buffer_dispose(LLVMMemoryBufferRef b) { LLVMDisposeMemoryBuffer(b); }

/* An independent copy in a new context (through bitcode: a module cannot move between contexts). */
rlc_module *rlc_clone(rlc_module *m, char **err) {
    LLVMMemoryBufferRef b = LLVMWriteBitcodeToMemoryBuffer(m->mod);
    if (!b) {
        set_err(err, "cannot write bitcode");
        return NULL;
    }
    rlc_module *copy = rlc_parse(LLVMGetBufferStart(b), LLVMGetBufferSize(b), "<clone>", err);
    LLVMDisposeMemoryBuffer(b);
    return copy;
}

/* Textual IR (malloc'ed; free with rlc_free). */
char *rlc_print_ir(rlc_module *m) {
    char *text = LLVMPrintModuleToString(m->mod);
    char *out = rlc_strdup(text);
    LLVMDisposeMessage(text);
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Passes, verification, attributes                                                           */
/* ------------------------------------------------------------------------------------------ */

static LLVMTargetMachineRef get_tm(rlc_module *m, char **err) {
    if (m->tm || m->tm_failed) return m->tm;
    const char *triple = LLVMGetTarget(m->mod);
    char *host = NULL;
    if (!triple || !*triple) triple = host = LLVMGetDefaultTargetTriple();
    m->tm_triple = rlc_strdup(triple);
    if (m->tm_triple && (m->tm = tm_take(triple))) {
        if (host) LLVMDisposeMessage(host);
        return m->tm;
    }
    LLVMTargetRef target = NULL;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        if (msg) LLVMDisposeMessage(msg);
        msg = NULL;
        if (!all_targets_initialized) { /* a foreign triple: initialize every target once and retry */
            LLVMInitializeAllTargetInfos();
            LLVMInitializeAllTargets();
            LLVMInitializeAllTargetMCs();
            LLVMInitializeAllAsmPrinters();
            LLVMInitializeAllAsmParsers();
            all_targets_initialized = 1;
        }
        if (LLVMGetTargetFromTriple(triple, &target, &msg)) target = NULL;
    }
    if (target) {
        m->tm = LLVMCreateTargetMachine(target, triple, "", "", LLVMCodeGenLevelDefault, LLVMRelocPIC,
                                        LLVMCodeModelDefault);
    }
    if (!m->tm) {
        m->tm_failed = 1;
        if (err) set_err_llvm(err, msg ? msg : rlc_strdup("no target for the module's triple"));
        else if (msg) LLVMDisposeMessage(msg);
    } else if (msg) {
        LLVMDisposeMessage(msg);
    }
    if (host) LLVMDisposeMessage(host);
    return m->tm;
}

static LLVMErrorRef llvm_run_passes(rlc_module *m, const char *pipeline) {
    if (!m->opts) {
        m->opts = LLVMCreatePassBuilderOptions();
        LLVMPassBuilderOptionsSetVerifyEach(m->opts, 0);
    }
    return LLVMRunPasses(m->mod, pipeline, get_tm(m, NULL), m->opts);
}

static LLVMErrorRef run_passes(rlc_module *m, const char *pipeline) {
#ifdef RLC_HAVE_PASSRUN
    /* LLVMRunPasses without building its pass builder and analysis managers at every call (passrun.cpp) */
    if (!m->runner) m->runner = rlc_passrun_new(m->mod, get_tm(m, NULL));
    if (m->runner) return rlc_passrun_run(m->runner, m->mod, pipeline);
#endif
    return llvm_run_passes(m, pipeline);
}

/* 1 (the error consumed) if the pipeline was rejected, else 0. */
static int rejected(LLVMErrorRef e) {
    if (!e) return 0;
    LLVMConsumeError(e);
    return 1;
}

/* Whether passes run through passrun.cpp (1) or LLVMRunPasses (0). */
int rlc_passrun_linked(void) {
#ifdef RLC_HAVE_PASSRUN
    return 1;
#else
    return 0;
#endif
}

/* LLVMRunPasses itself, whatever run_passes uses: the reference passrun.cpp must equal (tests). 0, or 1 for a
 * rejected pipeline. */
int rlc_run_passes_reference(rlc_module *m, const char *pipeline) { return rejected(llvm_run_passes(m, pipeline)); }

/* Run a new-PM pipeline. Returns 0, or 1 with *err = LLVM's message (unknown pass, bad syntax), or 2
 * with *err = an error diagnostic LLVM reported while running (rare, e.g. a bad inline asm). */
int rlc_run_passes(rlc_module *m, const char *pipeline, char **err) {
    LLVMErrorRef e = run_passes(m, pipeline);
    if (e) {
        char *msg = LLVMGetErrorMessage(e);
        set_err(err, msg);
        LLVMDisposeErrorMessage(msg);
        return 1;
    }
    if (m->diag) {
        take_diag(m, err, "");
        return 2;
    }
    return 0;
}

/* The passes and nothing else (same TargetMachine and options): the floor a step is measured against. */
int rlc_run_passes_bare(rlc_module *m, const char *pipeline) { return rejected(run_passes(m, pipeline)); }

/* Returns 0 if the module verifies, else 1 with *err = the verifier's report. */
int rlc_verify(rlc_module *m, char **err) {
    char *msg = NULL;
    int broken = LLVMVerifyModule(m->mod, LLVMReturnStatusAction, &msg);
    if (broken) set_err_llvm(err, msg);
    else if (msg) LLVMDisposeMessage(msg);
    return broken;
}

/* Add minsize + optsize to every defined function that is not optnone (what clang -Oz does). */
void rlc_set_size_attributes(rlc_module *m) {
    unsigned optnone = LLVMGetEnumAttributeKindForName("optnone", 7);
    unsigned minsize = LLVMGetEnumAttributeKindForName("minsize", 7);
    unsigned optsize = LLVMGetEnumAttributeKindForName("optsize", 7);
    LLVMAttributeRef a_min = LLVMCreateEnumAttribute(m->ctx, minsize, 0);
    LLVMAttributeRef a_opt = LLVMCreateEnumAttribute(m->ctx, optsize, 0);
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f)) continue;
        if (LLVMGetEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, optnone)) continue;
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, a_min);
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, a_opt);
    }
}

/* The -O3 baseline starts from the same prepared module as -Oz, which clang marked minsize/optsize. */
void rlc_clear_size_attributes(rlc_module *m) {
    unsigned minsize = LLVMGetEnumAttributeKindForName("minsize", 7);
    unsigned optsize = LLVMGetEnumAttributeKindForName("optsize", 7);
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
        LLVMRemoveEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, minsize);
        LLVMRemoveEnumAttributeAtIndex(f, LLVMAttributeFunctionIndex, optsize);
        /* clang also puts them on call sites. */
        for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b))
            for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i))
                if (LLVMIsACallInst(i) || LLVMIsAInvokeInst(i)) {
                    LLVMRemoveCallSiteEnumAttribute(i, LLVMAttributeFunctionIndex, minsize);
                    LLVMRemoveCallSiteEnumAttribute(i, LLVMAttributeFunctionIndex, optsize);
                }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Counting and features                                                                      */
/* ------------------------------------------------------------------------------------------ */

int64_t rlc_instruction_count(rlc_module *m) {
    int64_t n = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
        for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b))
            for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) n++;
    return n;
}

/* Autophase indices (CompilerGym order). */
enum {
    AP_BBNumArgsHi, AP_BBNumArgsLo, AP_onePred, AP_onePredOneSuc, AP_onePredTwoSuc, AP_oneSuccessor,
    AP_twoPred, AP_twoPredOneSuc, AP_twoEach, AP_twoSuccessor, AP_morePreds, AP_BB03Phi, AP_BBHiPhi,
    AP_BBNoPhi, AP_BeginPhi, AP_BranchCount, AP_returnInt, AP_CriticalCount, AP_NumEdges, AP_const32Bit,
    AP_const64Bit, AP_numConstZeroes, AP_numConstOnes, AP_UncondBranches, AP_binaryConstArg, AP_NumAShrInst,
    AP_NumAddInst, AP_NumAllocaInst, AP_NumAndInst, AP_BlockMid, AP_BlockLow, AP_NumBitCastInst,
    AP_NumBrInst, AP_NumCallInst, AP_NumGetElementPtrInst, AP_NumICmpInst, AP_NumLShrInst, AP_NumLoadInst,
    AP_NumMulInst, AP_NumOrInst, AP_NumPHIInst, AP_NumRetInst, AP_NumSExtInst, AP_NumSelectInst,
    AP_NumShlInst, AP_NumStoreInst, AP_NumSubInst, AP_NumTruncInst, AP_NumXorInst, AP_NumZExtInst,
    AP_TotalBlocks, AP_TotalInsts, AP_TotalMemInst, AP_TotalFuncs, AP_ArgsPhi, AP_testUnary
};

/* InstCount index of each opcode (3 + position in LLVM 10's Instruction.def), -1 if none. */
enum { IC_TotalInsts, IC_TotalBlocks, IC_TotalFuncs };
enum { OP_NONE = -1, OP_BR = 4 };

static int instcount_index(LLVMOpcode op) {
    switch (op) {
    case LLVMRet: return 3;
#ifdef RLC_HAVE_LLVMUncondBr
    case LLVMUncondBr:
    case LLVMCondBr: return OP_BR;
#else
    case LLVMBr: return OP_BR;
#endif
    case LLVMSwitch: return 5;
    case LLVMIndirectBr: return 6;
    case LLVMInvoke: return 7;
    case LLVMResume: return 8;
    case LLVMUnreachable: return 9;
    case LLVMCleanupRet: return 10;
    case LLVMCatchRet: return 11;
    case LLVMCatchSwitch: return 12;
    case LLVMCallBr: return 13;
    case LLVMFNeg: return 14;
    case LLVMAdd: return 15;
    case LLVMFAdd: return 16;
    case LLVMSub: return 17;
    case LLVMFSub: return 18;
    case LLVMMul: return 19;
    case LLVMFMul: return 20;
    case LLVMUDiv: return 21;
    case LLVMSDiv: return 22;
    case LLVMFDiv: return 23;
    case LLVMURem: return 24;
    case LLVMSRem: return 25;
    case LLVMFRem: return 26;
    case LLVMShl: return 27;
    case LLVMLShr: return 28;
    case LLVMAShr: return 29;
    case LLVMAnd: return 30;
    case LLVMOr: return 31;
    case LLVMXor: return 32;
    case LLVMAlloca: return 33;
    case LLVMLoad: return 34;
    case LLVMStore: return 35;
    case LLVMGetElementPtr: return 36;
    case LLVMFence: return 37;
    case LLVMAtomicCmpXchg: return 38;
    case LLVMAtomicRMW: return 39;
    case LLVMTrunc: return 40;
    case LLVMZExt: return 41;
    case LLVMSExt: return 42;
    case LLVMFPToUI: return 43;
    case LLVMFPToSI: return 44;
    case LLVMUIToFP: return 45;
    case LLVMSIToFP: return 46;
    case LLVMFPTrunc: return 47;
    case LLVMFPExt: return 48;
    case LLVMPtrToInt: return 49;
    case LLVMIntToPtr: return 50;
    case LLVMBitCast: return 51;
    case LLVMAddrSpaceCast: return 52;
    case LLVMCleanupPad: return 53;
    case LLVMCatchPad: return 54;
    case LLVMICmp: return 55;
    case LLVMFCmp: return 56;
    case LLVMPHI: return 57;
    case LLVMCall: return 58;
    case LLVMSelect: return 59;
    case LLVMUserOp1: return 60;
    case LLVMUserOp2: return 61;
    case LLVMVAArg: return 62;
    case LLVMExtractElement: return 63;
    case LLVMInsertElement: return 64;
    case LLVMShuffleVector: return 65;
    case LLVMExtractValue: return 66;
    case LLVMInsertValue: return 67;
    case LLVMLandingPad: return 68;
    case LLVMFreeze: return 69;
    default: return OP_NONE; /* opcodes newer than LLVM 10 (e.g. ptrtoaddr) count in TotalInsts only */
    }
}

/* llvm::UnaryInstruction: casts, alloca, load, va_arg, extractvalue, fneg, freeze. */
static int is_unary_instruction(LLVMOpcode op) {
    switch (op) {
    case LLVMAlloca: case LLVMLoad: case LLVMVAArg: case LLVMExtractValue: case LLVMFNeg: case LLVMFreeze:
    case LLVMTrunc: case LLVMZExt: case LLVMSExt: case LLVMFPToUI: case LLVMFPToSI: case LLVMUIToFP:
    case LLVMSIToFP: case LLVMFPTrunc: case LLVMFPExt: case LLVMPtrToInt: case LLVMIntToPtr:
    case LLVMBitCast: case LLVMAddrSpaceCast:
#ifdef RLC_HAVE_LLVMPtrToAddr
    case LLVMPtrToAddr:
#endif
        return 1;
    default:
        return 0;
    }
}

/* The value of case k (1 <= k < successors) of a switch. LLVM 23 no longer keeps case values among the
 * operands (LLVM 19 does, at operands 2, 4, ...); CompilerGym (LLVM 10) counted them as operands. */
static LLVMValueRef switch_case_value(LLVMValueRef sw, unsigned k) {
#ifdef RLC_HAVE_LLVMGetSwitchCaseValue
    return LLVMGetSwitchCaseValue(sw, k);
#else
    return LLVMGetOperand(sw, 2 * k);
#endif
}

static int is_binary_operator(LLVMOpcode op) { return op >= LLVMAdd && op <= LLVMXor; }

static int is_branch(LLVMOpcode op, LLVMValueRef inst, int *unconditional) {
#ifdef RLC_HAVE_LLVMUncondBr
    (void)inst;
    *unconditional = op == LLVMUncondBr;
    return op == LLVMUncondBr || op == LLVMCondBr;
#else
    if (op != LLVMBr) return 0;
    *unconditional = !LLVMIsConditional(inst);
    return 1;
#endif
}

/* ------------------------------------------------------------------------------------------ */
/* The walk: fingerprint, instruction count, Autophase and InstCount in one pass              */
/* ------------------------------------------------------------------------------------------ */

/* An environment step asks for the fingerprint (did the pass change the module?), the instruction count
 * and the feature vectors together, so one walk over the module computes whichever of them are wanted:
 * the instruction list, the opcodes and the operands are read once. */

/* Pointer -> value map whose entries belong to one stamp: a new stamp empties it in O(1), so the maps live
 * with the module between walks (no allocation or clearing per call). Half full at most. */
typedef struct {
    const void *key;
    uint64_t val;
    uint64_t stamp;
} stamp_slot;

typedef struct {
    stamp_slot *slots;
    size_t mask, used;
    uint64_t stamp;
} stampmap;

static int stampmap_init(stampmap *sm) {
    sm->slots = calloc(256, sizeof *sm->slots);
    sm->mask = 255, sm->used = 0, sm->stamp = 1; /* empty slots have stamp 0 */
    return sm->slots != NULL;
}

static void stampmap_clear(stampmap *sm) {
    sm->stamp++;
    sm->used = 0;
}

/* The slot of key: its entry (slot->stamp == sm->stamp) or the empty slot where it belongs. */
static inline stamp_slot *stampmap_slot(const stampmap *sm, const void *key) {
    size_t i = ptr_slot(key, sm->mask);
    for (;;) {
        stamp_slot *s = &sm->slots[i];
        if (s->stamp != sm->stamp || s->key == key) return s;
        i = (i + 1) & sm->mask;
    }
}

/* Make room for one more entry (the table starts, or doubles when half full). Returns 0, or -1 out of memory. */
static int stampmap_room(stampmap *sm) {
    size_t cap = sm->mask + 1;
    if (2 * (sm->used + 1) <= cap) return 0;
    size_t bigger = 2 * cap;
    stamp_slot *slots = calloc(bigger, sizeof *slots);
    if (!slots) return -1;
    stampmap grown = {slots, bigger - 1, sm->used, 1};
    for (size_t i = 0; i < cap; i++)
        if (sm->slots[i].stamp == sm->stamp) {
            stamp_slot *s = stampmap_slot(&grown, sm->slots[i].key);
            *s = sm->slots[i];
            s->stamp = 1;
        }
    free(sm->slots);
    *sm = grown;
    return 0;
}

/* Insert key (not in the map) with val. Returns 0, or -1 out of memory. */
static int stampmap_put(stampmap *sm, const void *key, uint64_t val) {
    if (stampmap_room(sm)) return -1;
    stamp_slot *s = stampmap_slot(sm, key);
    *s = (stamp_slot){key, val, sm->stamp};
    sm->used++;
    return 0;
}

/* A walk's maps: the local values of the function being walked (arguments, blocks and instructions,
 * numbered), the hashes of constants and types, and the blocks' predecessor counts. They are freed after
 * each walk rather than kept with the module: measured, the pass that runs next is about 5% faster when
 * it can reuse that memory. */
typedef struct rlc_walk {
    stampmap locals, constants, types;
    uint32_t *preds;
    size_t preds_cap;
    int failed; /* out of memory during this walk */
} rlc_walk;

static void walk_dispose(rlc_walk *w) {
    if (!w) return;
    free(w->locals.slots);
    free(w->constants.slots);
    free(w->types.slots);
    free(w->preds);
    free(w);
}

static rlc_walk *walk_new(void) {
    rlc_walk *w = calloc(1, sizeof *w);
    if (w && stampmap_init(&w->locals) && stampmap_init(&w->constants) && stampmap_init(&w->types)) return w;
    walk_dispose(w);
    return NULL;
}

static uint64_t hash_type(rlc_walk *w, LLVMTypeRef t, int depth);

static uint64_t hash_type_uncached(rlc_walk *w, LLVMTypeRef t, int depth) {
    LLVMTypeKind kind = LLVMGetTypeKind(t);
    uint64_t h = mix(0x7E, (uint64_t)kind);
    switch (kind) {
    case LLVMIntegerTypeKind:
        return mix(h, LLVMGetIntTypeWidth(t));
    case LLVMPointerTypeKind:
        return mix(h, LLVMGetPointerAddressSpace(t));
    case LLVMArrayTypeKind:
        h = mix(h, LLVMGetArrayLength2(t));
        return depth < 4 ? mix(h, hash_type(w, LLVMGetElementType(t), depth + 1)) : h;
    case LLVMVectorTypeKind:
    case LLVMScalableVectorTypeKind:
        h = mix(h, LLVMGetVectorSize(t));
        return depth < 4 ? mix(h, hash_type(w, LLVMGetElementType(t), depth + 1)) : h;
    case LLVMStructTypeKind: {
        const char *name = LLVMGetStructName(t);
        if (name) return mix(h, hash_bytes(name, strlen(name)));
        unsigned count = LLVMCountStructElementTypes(t);
        h = mix(h, count);
        for (unsigned i = 0; i < count && depth < 4 && i < 16; i++)
            h = mix(h, hash_type(w, LLVMStructGetTypeAtIndex(t, i), depth + 1));
        return h;
    }
    default:
        return h;
    }
}

/* Types are uniqued per context: their hashes are memoized by address (nested ones are hashed afresh). */
static uint64_t hash_type(rlc_walk *w, LLVMTypeRef t, int depth) {
    if (depth) return hash_type_uncached(w, t, depth);
    stamp_slot *s = stampmap_slot(&w->types, t);
    if (s->stamp == w->types.stamp) return s->val;
    uint64_t h = hash_type_uncached(w, t, 0);
    if (stampmap_put(&w->types, t, h)) w->failed = 1;
    return h;
}

static uint64_t hash_name(LLVMValueRef v) {
    size_t n = 0;
    const char *name = LLVMGetValueName2(v, &n);
    return hash_bytes(name, n);
}

static uint64_t hash_constant(rlc_walk *w, LLVMValueRef c, int depth) {
    uint64_t h = mix(0xC0, (uint64_t)LLVMGetValueKind(c));
    h = mix(h, hash_type(w, LLVMTypeOf(c), 0));
    if (LLVMIsAGlobalValue(c)) return mix(h, hash_name(c));
    if (LLVMIsAConstantInt(c)) {
        unsigned width = LLVMGetIntTypeWidth(LLVMTypeOf(c));
        return mix(h, width <= 64 ? LLVMConstIntGetZExtValue(c) : (uint64_t)LLVMIsNull(c));
    }
    if (LLVMIsAConstantFP(c)) {
        LLVMBool lost = 0;
        double d = LLVMConstRealGetDouble(c, &lost);
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(h, bits);
    }
    if (depth >= 3) return h;
    if (LLVMIsAConstantDataSequential(c)) { /* tables and strings: the first 4 KiB and the length */
        size_t n = 0;
#ifdef RLC_HAVE_LLVMGetRawDataValues
        const char *data = LLVMGetRawDataValues(c, &n);
        return mix(mix(h, n), hash_bytes(data, n < 4096 ? n : 4096));
#else
        if (LLVMIsConstantString(c)) {
            const char *data = LLVMGetAsString(c, &n);
            return mix(mix(h, n), hash_bytes(data, n < 4096 ? n : 4096));
        }
        LLVMTypeRef t = LLVMTypeOf(c);
        n = LLVMGetTypeKind(t) == LLVMArrayTypeKind ? (size_t)LLVMGetArrayLength2(t) : LLVMGetVectorSize(t);
        for (unsigned i = 0; i < n && i < 64; i++) {
            LLVMValueRef element = LLVMGetAggregateElement(c, i);
            if (element) h = mix(h, hash_constant(w, element, depth + 1));
        }
        return h;
#endif
    }
    if (LLVMIsAConstantExpr(c)) h = mix(h, (uint64_t)LLVMGetConstOpcode(c));
    int n = LLVMGetNumOperands(c);
    for (int i = 0; i < n && i < 64; i++) {
        LLVMValueRef op = LLVMGetOperand(c, i);
        if (op && LLVMIsAConstant(op)) h = mix(h, hash_constant(w, op, depth + 1));
    }
    return h;
}

/* Constants are uniqued per context, so within one walk their hashes are memoized by address: a module
 * refers to the same few globals and constants many times. */
static uint64_t memo_constant(rlc_walk *w, LLVMValueRef c) {
    stamp_slot *s = stampmap_slot(&w->constants, c);
    if (s->stamp == w->constants.stamp) return s->val;
    uint64_t h = hash_constant(w, c, 0);
    if (stampmap_put(&w->constants, c, h)) w->failed = 1;
    return h;
}

/* The number of a local value (argument, block, instruction) of the function being walked: numbered in the
 * order the walk first meets them. Sets *fresh when the value is numbered now. */
static inline uint64_t local_number(rlc_walk *w, const void *v, int *fresh) {
    stamp_slot *s = stampmap_slot(&w->locals, v);
    if (s->stamp == w->locals.stamp) {
        *fresh = 0;
        return s->val;
    }
    uint64_t id = w->locals.used;
    if (stampmap_put(&w->locals, v, id)) w->failed = 1;
    *fresh = 1;
    return id;
}

/* Opcodes that never carry fast-math flags (LLVMCanValueUseFastMathFlags is false): the common ones, to
 * skip the call. */
static int never_fast_math(LLVMOpcode op) {
    switch (op) {
    case LLVMRet: case LLVMSwitch: case LLVMUnreachable: case LLVMAdd: case LLVMSub: case LLVMMul:
    case LLVMUDiv: case LLVMSDiv: case LLVMURem: case LLVMSRem: case LLVMShl: case LLVMLShr: case LLVMAShr:
    case LLVMAnd: case LLVMOr: case LLVMXor: case LLVMAlloca: case LLVMLoad: case LLVMStore:
    case LLVMGetElementPtr: case LLVMTrunc: case LLVMZExt: case LLVMSExt: case LLVMPtrToInt:
    case LLVMIntToPtr: case LLVMICmp:
#ifdef RLC_HAVE_LLVMUncondBr
    case LLVMUncondBr: case LLVMCondBr:
#else
    case LLVMBr:
#endif
        return 1;
    default:
        return 0;
    }
}

/* Flags that passes change without changing opcodes (nsw/nuw, exact, predicates, alignment, ...). */
static uint64_t hash_flags(rlc_walk *w, LLVMValueRef i, LLVMOpcode op) {
    uint64_t h = 0;
    switch (op) {
    case LLVMAdd: case LLVMSub: case LLVMMul: case LLVMShl:
        h = (uint64_t)LLVMGetNUW(i) | (uint64_t)LLVMGetNSW(i) << 1;
        break;
    case LLVMUDiv: case LLVMSDiv: case LLVMLShr: case LLVMAShr:
        h = (uint64_t)LLVMGetExact(i);
        break;
    case LLVMZExt:
        h = (uint64_t)LLVMGetNNeg(i);
        break;
    case LLVMOr:
        h = (uint64_t)LLVMGetIsDisjoint(i);
        break;
    case LLVMICmp:
        h = (uint64_t)LLVMGetICmpPredicate(i);
#ifdef RLC_HAVE_LLVMGetICmpSameSign
        h |= (uint64_t)LLVMGetICmpSameSign(i) << 8;
#endif
        break;
    case LLVMFCmp:
        h = (uint64_t)LLVMGetFCmpPredicate(i);
        break;
    case LLVMLoad: case LLVMStore:
        h = (uint64_t)LLVMGetAlignment(i) | (uint64_t)LLVMGetVolatile(i) << 32;
        break;
    case LLVMAlloca:
        h = (uint64_t)LLVMGetAlignment(i) | mix(0, hash_type(w, LLVMGetAllocatedType(i), 0));
        break;
    case LLVMGetElementPtr:
        h = (uint64_t)LLVMIsInBounds(i) | mix(1, hash_type(w, LLVMGetGEPSourceElementType(i), 0));
        break;
    default:
        break;
    }
    if (!never_fast_math(op) && LLVMCanValueUseFastMathFlags(i)) h = mix(h, LLVMGetFastMathFlags(i));
    return h;
}

/* What to compute in a walk. */
enum { WALK_FINGERPRINT = 1, WALK_FEATURES = 2 };

typedef struct {
    uint64_t fingerprint; /* WALK_FINGERPRINT */
    int64_t count;        /* always */
    int64_t autophase[RLC_AUTOPHASE_DIM], instcount[RLC_INSTCOUNT_DIM]; /* WALK_FEATURES */
} walk_result;

/* Number the function's arguments (fingerprint only) and blocks, and count the blocks' predecessors from
 * every terminator's successor list (features only). Returns the number of blocks (preds has one count
 * per block, by block order), or -1 out of memory. */
static int64_t walk_blocks(rlc_walk *w, LLVMValueRef f, int what, uint64_t *first_block) {
    int fresh;
    if (what & WALK_FINGERPRINT)
        for (LLVMValueRef p = LLVMGetFirstParam(f); p; p = LLVMGetNextParam(p)) local_number(w, p, &fresh);
    *first_block = w->locals.used;
    size_t n = 0;
    for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b), n++) {
        local_number(w, LLVMBasicBlockAsValue(b), &fresh);
        if (n == w->preds_cap) {
            size_t cap = n ? 2 * n : 64;
            uint32_t *p = realloc(w->preds, cap * sizeof *p);
            if (!p) return -1;
            w->preds = p, w->preds_cap = cap;
        }
        w->preds[n] = 0;
    }
    if (w->failed) return -1;
    if (what & WALK_FEATURES)
        for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b)) {
            LLVMValueRef term = LLVMGetBasicBlockTerminator(b);
            unsigned ns = term ? LLVMGetNumSuccessors(term) : 0;
            for (unsigned s = 0; s < ns; s++) {
                uint64_t j = local_number(w, LLVMBasicBlockAsValue(LLVMGetSuccessor(term, s)), &fresh) - *first_block;
                if (!fresh && j < n) w->preds[j]++;
            }
        }
    return (int64_t)n;
}

static void count_int_constant(int64_t *ap, LLVMValueRef v) { /* v is a ConstantInt */
    unsigned width = LLVMGetIntTypeWidth(LLVMTypeOf(v));
    if (width == 32) ap[AP_const32Bit]++;
    else if (width == 64) ap[AP_const64Bit]++;
    if (width <= 64) {
        unsigned long long val = LLVMConstIntGetZExtValue(v);
        if (val == 1) ap[AP_numConstOnes]++;
        else if (val == 0) ap[AP_numConstZeroes]++;
    } else if (LLVMIsNull(v)) { /* wider than 64 bits: compare with the uniqued constants */
        ap[AP_numConstZeroes]++;
    } else if (v == LLVMConstInt(LLVMTypeOf(v), 1, 0)) {
        ap[AP_numConstOnes]++;
    }
}

/* The block-level Autophase features of block b (number idx among its function's blocks). */
static void block_features(rlc_walk *w, int64_t *ap, LLVMBasicBlockRef b, uint32_t idx, uint64_t first_block,
                           int64_t nblocks) {
    int fresh;
    ap[AP_TotalBlocks]++;
    LLVMValueRef term = LLVMGetBasicBlockTerminator(b);
    unsigned ns = term ? LLVMGetNumSuccessors(term) : 0;
    for (unsigned s = 0; s < ns; s++) {
        ap[AP_NumEdges]++;
        if (ns > 1) {
            uint64_t j = local_number(w, LLVMBasicBlockAsValue(LLVMGetSuccessor(term, s)), &fresh) - first_block;
            if (!fresh && j < (uint64_t)nblocks && w->preds[j] > 1) ap[AP_CriticalCount]++;
        }
    }
    uint32_t np = w->preds[idx];
    if (ns == 1) ap[AP_oneSuccessor]++;
    else if (ns == 2) ap[AP_twoSuccessor]++;
    if (np == 1) ap[AP_onePred]++;
    else if (np == 2) ap[AP_twoPred]++;
    else if (np > 2) ap[AP_morePreds]++;
    if (np == 1 && ns == 1) ap[AP_onePredOneSuc]++;
    else if (np == 2 && ns == 1) ap[AP_twoPredOneSuc]++;
    else if (np == 1 && ns == 2) ap[AP_onePredTwoSuc]++;
    else if (np == 2 && ns == 2) ap[AP_twoEach]++;
}

/* Autophase's opcode features, each an InstCount counter: {Autophase index, InstCount index}. */
static const int OPCODE_FEATURES[][2] = {
    {AP_NumAShrInst, 29},
    {AP_NumAddInst, 15},
    {AP_NumAllocaInst, 33},
    {AP_NumAndInst, 30},
    {AP_NumBitCastInst, 51},
    {AP_NumBrInst, OP_BR},
    {AP_NumCallInst, 58},
    {AP_NumGetElementPtrInst, 36},
    {AP_NumICmpInst, 55},
    {AP_NumLShrInst, 28},
    {AP_NumLoadInst, 34},
    {AP_NumMulInst, 19},
    {AP_NumOrInst, 31},
    {AP_NumPHIInst, 57},
    {AP_NumRetInst, 3},
    {AP_NumSExtInst, 42},
    {AP_NumSelectInst, 59},
    {AP_NumShlInst, 27},
    {AP_NumStoreInst, 35},
    {AP_NumSubInst, 17},
    {AP_NumTruncInst, 40},
    {AP_NumXorInst, 32},
    {AP_NumZExtInst, 41},
};

/* One pass over the module computing what `what` asks for.
 *
 * Fingerprint: a structural 64-bit hash of globals and functions by name, linkage and attribute counts, and
 * every instruction's opcode, type, flags and operands (arguments, blocks and instructions by their number
 * in the function, constants by value, globals by name). Local values are numbered in the order the walk
 * meets them, after the arguments and blocks in order; an instruction met as an operand before its
 * definition (a phi's incoming value) mixes its number in where it is defined, so the numbering is part of
 * the hash. Independent of the context, so clones fingerprint equal; names of local values and metadata are
 * not included.
 *
 * Features: Autophase (56) and InstCount (70), with the semantics of CompilerGym's autophase::InstCount and
 * InstCount passes: predecessor counts count edges (a block reached twice from one switch has 2
 * predecessors), an edge is critical when its source has several successors and its target several
 * predecessors, constants are counted per operand occurrence, Autophase TotalFuncs counts defined functions
 * while InstCount TotalFuncs counts every function (CompilerGym visited declarations too).
 *
 * Returns 0, or -1 out of memory. */
static int walk_module(rlc_walk *w, rlc_module *m, int what, walk_result *r) {
    int fp = what & WALK_FINGERPRINT, feat = what & WALK_FEATURES;
    int64_t *ap = r->autophase, *ic = r->instcount;
    memset(r, 0, sizeof *r);
    uint64_t h = 0x5EED;
    if (fp) {
        for (LLVMValueRef g = LLVMGetFirstGlobal(m->mod); g; g = LLVMGetNextGlobal(g)) {
            h = mix(h, hash_name(g));
            h = mix(h, (uint64_t)LLVMGetLinkage(g) | (uint64_t)LLVMIsGlobalConstant(g) << 8);
            LLVMValueRef init = LLVMGetInitializer(g);
            h = mix(h, init ? memo_constant(w, init) : 1);
        }
        for (LLVMValueRef g = LLVMGetFirstGlobalAlias(m->mod); g; g = LLVMGetNextGlobalAlias(g))
            h = mix(h, hash_name(g));
    }
    int fresh;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
        int declaration = LLVMIsDeclaration(f);
        if (fp) {
            h = mix(h, hash_name(f));
            h = mix(h, (uint64_t)LLVMGetLinkage(f) | (uint64_t)declaration << 8);
            h = mix(h, hash_type(w, LLVMGlobalGetValueType(f), 0));
            h = mix(h, LLVMGetAttributeCountAtIndex(f, LLVMAttributeFunctionIndex));
            unsigned nparams = LLVMCountParams(f);
            for (unsigned p = 0; p < nparams; p++) h = mix(h, LLVMGetAttributeCountAtIndex(f, p + 1));
        }
        ic[IC_TotalFuncs]++;
        if (declaration) continue;
        ap[AP_TotalFuncs]++;
        stampmap_clear(&w->locals);
        uint64_t first_block;
        int64_t nblocks = walk_blocks(w, f, what, &first_block);
        if (nblocks < 0) return -1;
        uint32_t idx = 0;
        for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b), idx++) {
            if (fp) h = mix(h, 0xB10C);
            if (feat) block_features(w, ap, b, idx, first_block, nblocks);
            int64_t count = 0, phis = 0, phi_args = 0;
            for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i), count++) {
                LLVMOpcode op = LLVMGetInstructionOpcode(i);
                if (fp) {
                    uint64_t id = local_number(w, i, &fresh);
                    if (!fresh) h = mix(h, 0xF0F0 ^ id); /* numbered earlier, as an operand */
                    h = mix(h, (uint64_t)op);
                    h = mix(h, hash_type(w, LLVMTypeOf(i), 0));
                    h = mix(h, hash_flags(w, i, op));
                }
                int const_arg = 0;
                int nops = LLVMGetNumOperands(i);
                for (int o = 0; o < nops; o++) {
                    LLVMValueRef v = LLVMGetOperand(i, o);
                    if (!v) {
                        if (fp) h = mix(h, (uint64_t)-2);
                        continue;
                    }
                    stamp_slot *known = stampmap_slot(&w->locals, v); /* most operands: numbered already */
                    if (known->stamp == w->locals.stamp) {
                        if (fp) h = mix(h, known->val);
                        continue;
                    }
                    LLVMValueKind kind = LLVMGetValueKind(v);
                    switch (kind) {
                    case LLVMArgumentValueKind: case LLVMBasicBlockValueKind: case LLVMInstructionValueKind:
                        if (fp) h = mix(h, local_number(w, v, &fresh));
                        break;
                    case LLVMMetadataAsValueValueKind: case LLVMInlineAsmValueKind: case LLVMMemoryUseValueKind:
                    case LLVMMemoryDefValueKind: case LLVMMemoryPhiValueKind:
                        if (fp) h = mix(h, (uint64_t)kind);
                        break;
                    default: /* every other kind of value is a constant */
                        if (fp) h = mix(h, memo_constant(w, v));
                        if (feat) {
                            if (kind == LLVMConstantIntValueKind) count_int_constant(ap, v);
                            if (o < 2) const_arg = 1;
                        }
                    }
                }
                if (op == LLVMSwitch) {
                    unsigned ns = LLVMGetNumSuccessors(i);
                    for (unsigned k = 1; k < ns; k++) {
                        LLVMValueRef value = switch_case_value(i, k);
                        if (fp) h = mix(h, memo_constant(w, value));
#ifdef RLC_HAVE_LLVMGetSwitchCaseValue /* otherwise the case values are operands, counted above */
                        if (feat && value && LLVMIsAConstantInt(value)) count_int_constant(ap, value);
#endif
                    }
                } else if (op == LLVMPHI) {
                    unsigned ni = LLVMCountIncoming(i);
                    if (fp) /* incoming blocks are not operands */
                        for (unsigned k = 0; k < ni; k++)
                            h = mix(h, local_number(w, LLVMBasicBlockAsValue(LLVMGetIncomingBlock(i, k)), &fresh));
                    if (feat) {
                        if (count == 0) ap[AP_BeginPhi]++;
                        phis++;
                        phi_args += ni;
                    }
                }
                if (!feat) continue;
                int k = instcount_index(op);
                if (k >= 0) ic[k]++;
                int uncond = 0;
                if (is_branch(op, i, &uncond)) {
                    ap[AP_BranchCount]++;
                    if (uncond) ap[AP_UncondBranches]++;
                }
                if (op == LLVMCall) {
                    LLVMValueRef callee = LLVMGetCalledValue(i);
                    if (callee && LLVMIsAFunction(callee) &&
                        LLVMGlobalGetValueType(callee) == LLVMGetCalledFunctionType(i) &&
                        LLVMGetTypeKind(LLVMTypeOf(i)) == LLVMIntegerTypeKind)
                        ap[AP_returnInt]++;
                }
                if (is_unary_instruction(op)) ap[AP_testUnary]++;
                if (const_arg && is_binary_operator(op)) ap[AP_binaryConstArg]++;
            }
            r->count += count;
            if (!feat) continue;
            ap[AP_ArgsPhi] += phi_args;
            if (phis == 0) ap[AP_BBNoPhi]++;
            else if (phis <= 3) ap[AP_BB03Phi]++;
            else ap[AP_BBHiPhi]++;
            if (phi_args > 5) ap[AP_BBNumArgsHi]++;
            else if (phi_args >= 1) ap[AP_BBNumArgsLo]++;
            if (count < 15) ap[AP_BlockLow]++;
            else if (count <= 500) ap[AP_BlockMid]++;
            ic[IC_TotalInsts] += count;
            ic[IC_TotalBlocks]++;
        }
        if (w->failed) return -1;
    }
    if (w->failed) return -1;
    r->fingerprint = h;
    if (!feat) return 0;
    for (size_t k = 0; k < sizeof OPCODE_FEATURES / sizeof *OPCODE_FEATURES; k++)
        ap[OPCODE_FEATURES[k][0]] = ic[OPCODE_FEATURES[k][1]];
    ap[AP_TotalInsts] = ic[IC_TotalInsts];
    ap[AP_TotalMemInst] = ic[36] + ic[34] + ic[35] + ic[58] + ic[7] + ic[33];
    return 0;
}

static int walk(rlc_module *m, int what, walk_result *r) {
    rlc_walk *w = walk_new();
    if (!w) return -1;
    int status = walk_module(w, m, what, r);
    walk_dispose(w);
    return status;
}

/* Autophase (56) and InstCount (70) in one walk, either may be NULL. Returns 0, or -1 out of memory. */
int rlc_features(rlc_module *m, int64_t *autophase, int64_t *instcount) {
    walk_result r;
    if (walk(m, WALK_FEATURES, &r)) return -1;
    if (autophase) memcpy(autophase, r.autophase, sizeof r.autophase);
    if (instcount) memcpy(instcount, r.instcount, sizeof r.instcount);
    return 0;
}

/* The module's fingerprint (see walk()); 0 out of memory. */
uint64_t rlc_fingerprint(rlc_module *m) {
    walk_result r;
    return walk(m, WALK_FINGERPRINT, &r) ? 0 : r.fingerprint;
}

/* Query codes (fastlane.QUERY_CODES) and the values each writes. */
enum { Q_FINGERPRINT = 1, Q_INSTRUCTION_COUNT = 2, Q_AUTOPHASE = 3, Q_INST_COUNT = 4, Q_FEATURES = 5 };

/* The values of the queries `codes` (n of them) for the module's current state, in order, into `values`:
 * fingerprint (as int64) and instruction count one value each, Autophase 56, InstCount 70, features both;
 * computed in at most one walk. Returns the number of values written, -1 out of memory, -2 for an unknown
 * code. */
int64_t rlc_query(rlc_module *m, const char *codes, size_t n, int64_t *values) {
    int what = 0;
    for (size_t k = 0; k < n; k++) {
        if (codes[k] < Q_FINGERPRINT || codes[k] > Q_FEATURES) return -2;
        if (codes[k] == Q_FINGERPRINT) what |= WALK_FINGERPRINT;
        else if (codes[k] != Q_INSTRUCTION_COUNT) what |= WALK_FEATURES;
    }
    walk_result r;
    if (what && walk(m, what, &r)) return -1;
    int64_t *at = values;
    for (size_t k = 0; k < n; k++) {
        switch (codes[k]) {
        case Q_FINGERPRINT: *at++ = (int64_t)r.fingerprint; break;
        case Q_INSTRUCTION_COUNT: *at++ = what ? r.count : rlc_instruction_count(m); break;
        default:
            if (codes[k] != Q_INST_COUNT) memcpy(at, r.autophase, sizeof r.autophase), at += RLC_AUTOPHASE_DIM;
            if (codes[k] != Q_AUTOPHASE) memcpy(at, r.instcount, sizeof r.instcount), at += RLC_INSTCOUNT_DIM;
        }
    }
    return at - values;
}

/* A step: run `pipeline` (as rlc_run_passes), then write the values of the queries (as rlc_query) and their
 * number to *count. Returns rlc_run_passes's status (0, 1, 2, with *err), -1 out of memory or -2 for an
 * unknown query code (the pipeline has run). */
int rlc_step(rlc_module *m, const char *pipeline, const char *codes, size_t n, int64_t *values, int64_t *count,
             char **err) {
    int status = rlc_run_passes(m, pipeline, err);
    if (status) return status;
    int64_t written = rlc_query(m, codes, n, values);
    if (written < 0) return (int)written;
    *count = written;
    return 0;
}


/* ------------------------------------------------------------------------------------------ */
/* Codegen                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static int is_text_section(const char *name) {
    return name && (strcmp(name, ".text") == 0 || strncmp(name, ".text.", 6) == 0);
}

/* Bytes in the .text sections (".text" and ".text.*") of an object emitted in memory for the module's
 * target at codegen -O2 with PIC, like `llc -filetype=obj -relocation-model=pic`. The module is left
 * unchanged (codegen runs on a copy). Returns the size, or -1 with *err set. */
int64_t rlc_object_text_size(rlc_module *m, char **err) {
    LLVMTargetMachineRef tm = get_tm(m, err);
    if (!tm) return -1;
    if (rlc_verify(m, err)) return -1; /* codegen aborts the process on a broken module */
    LLVMModuleRef copy = LLVMCloneModule(m->mod);
    LLVMMemoryBufferRef obj = NULL;
    char *msg = NULL;
    LLVMBool failed = LLVMTargetMachineEmitToMemoryBuffer(tm, copy, LLVMObjectFile, &msg, &obj);
    LLVMDisposeModule(copy);
    if (failed || !obj) {
        if (m->diag) {
            if (msg) LLVMDisposeMessage(msg);
            take_diag(m, err, "");
        } else {
            set_err_llvm(err, msg ? msg : rlc_strdup("cannot emit an object file"));
        }
        return -1;
    }
    if (msg) LLVMDisposeMessage(msg);
    if (m->diag) { /* e.g. an inline asm error reported while emitting */
        LLVMDisposeMemoryBuffer(obj);
        take_diag(m, err, "");
        return -1;
    }
    LLVMBinaryRef bin = LLVMCreateBinary(obj, m->ctx, &msg);
    if (!bin) {
        LLVMDisposeMemoryBuffer(obj);
        set_err_llvm(err, msg);
        return -1;
    }
    int64_t total = 0;
    LLVMSectionIteratorRef it = LLVMObjectFileCopySectionIterator(bin);
    for (; !LLVMObjectFileIsSectionIteratorAtEnd(bin, it); LLVMMoveToNextSection(it))
        if (is_text_section(LLVMGetSectionName(it))) total += (int64_t)LLVMGetSectionSize(it);
    LLVMDisposeSectionIterator(it);
    LLVMDisposeBinary(bin);
    LLVMDisposeMemoryBuffer(obj);
    return total;
}

/* ========================================================================================== */
/* ProGraML program graph (owner: the graph observation, rl_compiler/graph/). Begin section.   */
/* ========================================================================================== */
/*
 * One walk of the module builds a graph in ProGraML's schema (Cummins et al., ICML 2021):
 *   nodes: 0 instruction, 1 variable, 2 constant; each with a text (an opcode name for instructions, a
 *          type for variables and constants), the index of its function and of its block (-1 if none);
 *   edges: 0 control, 1 data, 2 call; each with a position (successor index of a control edge between
 *          blocks, operand index of a data edge into an instruction, 0 otherwise).
 * Node order: the root "[external]" instruction; one variable per global variable; then per function
 * (module order) either one "; undefined function" instruction (a declaration) or its arguments
 * (variables) followed by every instruction, each directly followed by its result's variable when it has
 * one; last, one constant node per distinct constant operand (constants are uniqued, so distinct = by
 * address), in order of first use. Function operands carry no data edge (call edges stand for them);
 * block, metadata and inline-asm operands are not data. Differences from ProGraML 0.3 are deliberate and
 * documented in rl_compiler/graph/programl.py (one variable per SSA value instead of one per use,
 * globals as variables, control positions).
 */

enum { PG_INSTRUCTION = 0, PG_VARIABLE = 1, PG_CONSTANT = 2 };
enum { PG_CONTROL = 0, PG_DATA = 1, PG_CALL = 2 };
enum { PG_TEXT_EXTERNAL = 0, PG_TEXT_UNDEFINED = 1 };
#define PG_OPCODES 128

typedef struct {
    int64_t *v;
    size_t n, cap; /* in int64s */
} pg_vec;

typedef struct {
    int32_t *v;
    size_t n, cap; /* in int32s */
} pg_vec32;

typedef struct {
    char *s;
    size_t n, cap;
    int64_t count;
} pg_strings;

typedef struct rlc_graph rlc_graph;
void rlc_graph_dispose(rlc_graph *g);

struct rlc_graph {
    pg_vec32 nodes; /* 4 per node: type, text, function, block */
    pg_vec32 edges; /* 4 per edge: flow, position, source, target */
    pg_strings texts, functions;
    int failed; /* an allocation failed */
};

static void pg_push(rlc_graph *g, pg_vec *a, int64_t x0, int64_t x1, int64_t x2, int64_t x3) {
    if (a->n + 4 > a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 1024;
        int64_t *v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            g->failed = 1;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    int64_t *p = a->v + a->n;
    p[0] = x0, p[1] = x1, p[2] = x2, p[3] = x3;
    a->n += 4;
}

static int pg_grow32(rlc_graph *g, pg_vec32 *a) {
    size_t cap = a->cap ? 2 * a->cap : 4096;
    int32_t *v = realloc(a->v, cap * sizeof *v);
    if (!v) {
        g->failed = 1;
        return 0;
    }
    a->v = v;
    a->cap = cap;
    return 1;
}

static inline void pg_push32(rlc_graph *g, pg_vec32 *a, int64_t x0, int64_t x1, int64_t x2, int64_t x3) {
    if (a->n + 4 > a->cap && !pg_grow32(g, a)) return;
    int32_t *p = a->v + a->n;
    p[0] = (int32_t)x0, p[1] = (int32_t)x1, p[2] = (int32_t)x2, p[3] = (int32_t)x3;
    a->n += 4;
}

static int64_t pg_node(rlc_graph *g, int64_t type, int64_t text, int64_t function, int64_t block) {
    pg_push32(g, &g->nodes, type, text, function, block);
    return (int64_t)(g->nodes.n / 4) - 1;
}

static void pg_edge(rlc_graph *g, int64_t flow, int64_t position, int64_t source, int64_t target) {
    pg_push32(g, &g->edges, flow, position, source, target);
}

/* Append a NUL-terminated string; returns its index. */
static int64_t pg_string(rlc_graph *g, pg_strings *t, const char *s, size_t n) {
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->n + n + 1) cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            g->failed = 1;
            return 0;
        }
        t->s = p;
        t->cap = cap;
    }
    if (n) memcpy(t->s + t->n, s, n);
    t->s[t->n + n] = 0;
    t->n += n + 1;
    return t->count++;
}

/* LLVM's Instruction::getOpcodeName spelling (the IR keyword), which ProGraML uses as instruction text. */
static const char *opcode_name(LLVMOpcode op) {
    switch (op) {
    case LLVMRet: return "ret";
#ifdef RLC_HAVE_LLVMUncondBr
    case LLVMUncondBr: case LLVMCondBr: return "br";
#else
    case LLVMBr: return "br";
#endif
    case LLVMSwitch: return "switch";
    case LLVMIndirectBr: return "indirectbr";
    case LLVMInvoke: return "invoke";
    case LLVMUnreachable: return "unreachable";
    case LLVMCallBr: return "callbr";
    case LLVMFNeg: return "fneg";
    case LLVMAdd: return "add";
    case LLVMFAdd: return "fadd";
    case LLVMSub: return "sub";
    case LLVMFSub: return "fsub";
    case LLVMMul: return "mul";
    case LLVMFMul: return "fmul";
    case LLVMUDiv: return "udiv";
    case LLVMSDiv: return "sdiv";
    case LLVMFDiv: return "fdiv";
    case LLVMURem: return "urem";
    case LLVMSRem: return "srem";
    case LLVMFRem: return "frem";
    case LLVMShl: return "shl";
    case LLVMLShr: return "lshr";
    case LLVMAShr: return "ashr";
    case LLVMAnd: return "and";
    case LLVMOr: return "or";
    case LLVMXor: return "xor";
    case LLVMAlloca: return "alloca";
    case LLVMLoad: return "load";
    case LLVMStore: return "store";
    case LLVMGetElementPtr: return "getelementptr";
    case LLVMTrunc: return "trunc";
    case LLVMZExt: return "zext";
    case LLVMSExt: return "sext";
    case LLVMFPToUI: return "fptoui";
    case LLVMFPToSI: return "fptosi";
    case LLVMUIToFP: return "uitofp";
    case LLVMSIToFP: return "sitofp";
    case LLVMFPTrunc: return "fptrunc";
    case LLVMFPExt: return "fpext";
    case LLVMPtrToInt: return "ptrtoint";
#ifdef RLC_HAVE_LLVMPtrToAddr
    case LLVMPtrToAddr: return "ptrtoaddr";
#endif
    case LLVMIntToPtr: return "inttoptr";
    case LLVMBitCast: return "bitcast";
    case LLVMAddrSpaceCast: return "addrspacecast";
    case LLVMICmp: return "icmp";
    case LLVMFCmp: return "fcmp";
    case LLVMPHI: return "phi";
    case LLVMCall: return "call";
    case LLVMSelect: return "select";
    case LLVMUserOp1: return "<Invalid operator>";
    case LLVMUserOp2: return "<Invalid operator>";
    case LLVMVAArg: return "va_arg";
    case LLVMExtractElement: return "extractelement";
    case LLVMInsertElement: return "insertelement";
    case LLVMShuffleVector: return "shufflevector";
    case LLVMExtractValue: return "extractvalue";
    case LLVMInsertValue: return "insertvalue";
    case LLVMFreeze: return "freeze";
    case LLVMFence: return "fence";
    case LLVMAtomicCmpXchg: return "cmpxchg";
    case LLVMAtomicRMW: return "atomicrmw";
    case LLVMResume: return "resume";
    case LLVMLandingPad: return "landingpad";
    case LLVMCleanupRet: return "cleanupret";
    case LLVMCatchRet: return "catchret";
    case LLVMCatchPad: return "catchpad";
    case LLVMCleanupPad: return "cleanuppad";
    case LLVMCatchSwitch: return "catchswitch";
    default: return "<unknown opcode>";
    }
}

/* Value -> node id for one function's arguments, instructions and blocks. Emptied per function by bumping a
 * generation instead of clearing, so it stays small and cache-resident (a module-wide map of every
 * instruction would be mostly cache misses). */
typedef struct {
    const void **keys;
    uint32_t *vals, *gens;
    size_t mask, used;
    uint32_t gen;
} pg_locals;

static inline size_t locals_find(const pg_locals *t, const void *key) {
    size_t i = ptr_slot(key, t->mask);
    while (t->gens[i] == t->gen && t->keys[i] != key) i = (i + 1) & t->mask;
    return i;
}

static int locals_alloc(pg_locals *t, size_t cap) {
    const void **keys = malloc(cap * sizeof *keys);
    uint32_t *vals = malloc(cap * sizeof *vals), *gens = calloc(cap, sizeof *gens);
    if (!keys || !vals || !gens) {
        free(keys), free(vals), free(gens);
        return 0;
    }
    free(t->keys), free(t->vals), free(t->gens);
    t->keys = keys, t->vals = vals, t->gens = gens, t->mask = cap - 1, t->gen = 1;
    return 1;
}

/* Start a new function. */
static int locals_reset(pg_locals *t) {
    t->used = 0;
    if (!t->keys) return locals_alloc(t, 1024);
    if (++t->gen == 0) { /* wrapped: really clear once */
        memset(t->gens, 0, (t->mask + 1) * sizeof *t->gens);
        t->gen = 1;
    }
    return 1;
}

static int locals_put(pg_locals *t, const void *key, uint32_t val) {
    if (2 * (t->used + 1) > t->mask + 1) { /* rehash the current generation into a table twice the size */
        pg_locals bigger = {0};
        if (!locals_alloc(&bigger, 2 * (t->mask + 1))) return 0;
        for (size_t i = 0; i <= t->mask; i++)
            if (t->gens[i] == t->gen) {
                size_t j = locals_find(&bigger, t->keys[i]);
                bigger.keys[j] = t->keys[i], bigger.vals[j] = t->vals[i], bigger.gens[j] = bigger.gen;
            }
        free(t->keys), free(t->vals), free(t->gens);
        bigger.used = t->used;
        *t = bigger;
    }
    size_t i = locals_find(t, key);
    t->keys[i] = key, t->vals[i] = val, t->gens[i] = t->gen;
    t->used++;
    return 1;
}

static inline int locals_get(const pg_locals *t, const void *key, uint64_t *val) {
    size_t i = locals_find(t, key);
    if (t->gens[i] != t->gen) return 0;
    *val = t->vals[i];
    return 1;
}

/* The builder's maps and lists. One per thread, kept between calls (like the graph's own arrays, see
 * pg_spare): a fresh megabyte per call would cost more in page faults than the walk itself. */
typedef struct {
    rlc_graph *g;
    int64_t opcode_text[PG_OPCODES];
    ptrmap types;     /* LLVMTypeRef -> text id (types are uniqued per context: print each once) */
    ptrmap globals;   /* global variable -> node id */
    pg_locals locals; /* argument / instruction / block of the current function -> node id (a block: its first instruction) */
    ptrmap constants; /* constant -> index among constant nodes */
    ptrmap functions; /* function -> function index */
    pg_vec const_text; /* text id of each constant node (1 used of every 4) */
    pg_vec pending;    /* edges whose source is a constant: index into edges (1 used of every 4) */
    /* 4 int64s per item: entries (entry node, first exit, end of exits) per function; exits (node);
     * calls (call node, 0, callee address, 0). */
    pg_vec entries, exits, calls;
} pg_builder;

static _Thread_local pg_builder pg_scratch;
static _Thread_local rlc_graph *pg_spare;

static int pg_map_reset(ptrmap *pm, size_t n) {
    if (!pm->keys) return ptrmap_init(pm, n);
    memset(pm->keys, 0, (pm->mask + 1) * sizeof *pm->keys);
    pm->used = 0;
    return 1;
}

static int64_t pg_type_text(pg_builder *b, LLVMTypeRef t) {
    uint64_t id;
    if (ptrmap_lookup(&b->types, t, &id)) return (int64_t)id;
    char *text = LLVMPrintTypeToString(t);
    int64_t k = pg_string(b->g, &b->g->texts, text, strlen(text));
    LLVMDisposeMessage(text);
    ptrmap_put_grow(&b->types, t, (uint64_t)k);
    return k;
}

static int64_t pg_opcode_text(pg_builder *b, LLVMOpcode op) {
    unsigned k = (unsigned)op < PG_OPCODES ? (unsigned)op : 0;
    if (b->opcode_text[k] < 0) {
        const char *name = opcode_name(op);
        b->opcode_text[k] = pg_string(b->g, &b->g->texts, name, strlen(name));
    }
    return b->opcode_text[k];
}

static int has_result(LLVMValueRef v) { return LLVMGetTypeKind(LLVMTypeOf(v)) != LLVMVoidTypeKind; }

/* The data edge from operand `v` into instruction node `target` at `position`, if `v` is data. */
static void pg_operand(pg_builder *b, LLVMValueRef v, int64_t target, int64_t position) {
    if (!v) return;
    uint64_t id;
    switch (LLVMGetValueKind(v)) {
    case LLVMArgumentValueKind:
        if (locals_get(&b->locals, v, &id)) pg_edge(b->g, PG_DATA, position, (int64_t)id, target);
        return;
    case LLVMGlobalVariableValueKind:
        if (ptrmap_lookup(&b->globals, v, &id)) pg_edge(b->g, PG_DATA, position, (int64_t)id, target);
        return;
    case LLVMInstructionValueKind: /* the producer's result variable follows the producer's node */
        if (locals_get(&b->locals, v, &id)) pg_edge(b->g, PG_DATA, position, (int64_t)id + 1, target);
        return;
    case LLVMFunctionValueKind:
    case LLVMBasicBlockValueKind:
    case LLVMMetadataAsValueValueKind:
    case LLVMInlineAsmValueKind:
    case LLVMMemoryUseValueKind:
    case LLVMMemoryDefValueKind:
    case LLVMMemoryPhiValueKind:
        return;
    default:
        break;
    }
    if (!LLVMIsAConstant(v)) return;
    if (!ptrmap_lookup(&b->constants, v, &id)) {
        id = b->const_text.n / 4;
        ptrmap_put_grow(&b->constants, v, id);
        pg_push(b->g, &b->const_text, pg_type_text(b, LLVMTypeOf(v)), 0, 0, 0);
    }
    pg_push(b->g, &b->pending, (int64_t)(b->g->edges.n / 4), 0, 0, 0);
    pg_edge(b->g, PG_DATA, position, (int64_t)id, target); /* source fixed up once constants are numbered */
}

/* Build the graph of the module; NULL if out of memory. `sizes` receives what rlc_graph_export needs:
 * nodes, edges, bytes of the text table, bytes of the function-name table. */
rlc_graph *rlc_programl(rlc_module *m, int64_t *sizes) {
    rlc_graph *g = pg_spare ? pg_spare : calloc(1, sizeof *g);
    if (!g) return NULL;
    pg_spare = NULL;
    pg_builder *bp = &pg_scratch;
    pg_builder b = *bp; /* a local copy for speed; its buffers go back to the scratch at the end */
    b.g = g;
    for (int k = 0; k < PG_OPCODES; k++) b.opcode_text[k] = -1;
    b.const_text.n = b.pending.n = b.entries.n = b.exits.n = b.calls.n = 0;
    if (!pg_map_reset(&b.types, 64) || !pg_map_reset(&b.globals, 256) || !pg_map_reset(&b.constants, 256) ||
        !pg_map_reset(&b.functions, 64)) {
        g->failed = 1;
        goto done;
    }
    pg_string(g, &g->texts, "[external]", 10);
    pg_string(g, &g->texts, "; undefined function", 20);
    pg_node(g, PG_INSTRUCTION, PG_TEXT_EXTERNAL, -1, -1);
    for (LLVMValueRef v = LLVMGetFirstGlobal(m->mod); v; v = LLVMGetNextGlobal(v))
        ptrmap_put_grow(&b.globals, v, (uint64_t)pg_node(g, PG_VARIABLE, pg_type_text(&b, LLVMGlobalGetValueType(v)), -1, -1));
    int64_t fi = 0, bi = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f), fi++) {
        size_t name_len = 0;
        const char *name = LLVMGetValueName2(f, &name_len);
        pg_string(g, &g->functions, name, name_len);
        ptrmap_put_grow(&b.functions, f, (uint64_t)fi);
        size_t first_exit = b.exits.n / 4;
        if (LLVMIsDeclaration(f)) {
            int64_t node = pg_node(g, PG_INSTRUCTION, PG_TEXT_UNDEFINED, fi, -1);
            pg_push(g, &b.exits, node, 0, 0, 0);
            pg_push(g, &b.entries, node, (int64_t)first_exit, (int64_t)(b.exits.n / 4), 0);
            continue;
        }
        /* Number first: operands and successors may refer to later blocks and instructions. */
        if (!locals_reset(&b.locals)) g->failed = 1;
        unsigned nparams = LLVMCountParams(f);
        for (unsigned p = 0; p < nparams; p++) {
            LLVMValueRef arg = LLVMGetParam(f, p);
            if (!locals_put(&b.locals, arg, (uint32_t)pg_node(g, PG_VARIABLE, pg_type_text(&b, LLVMTypeOf(arg)), fi, -1)))
                g->failed = 1;
        }
        int64_t entry = -1, block = bi, next = (int64_t)(g->nodes.n / 4);
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb), block++) {
            int64_t first = -1;
            for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
                int64_t node = pg_node(g, PG_INSTRUCTION, pg_opcode_text(&b, LLVMGetInstructionOpcode(i)), fi, block);
                if (has_result(i)) pg_node(g, PG_VARIABLE, pg_type_text(&b, LLVMTypeOf(i)), fi, block);
                if (!locals_put(&b.locals, i, (uint32_t)node)) g->failed = 1;
                if (first < 0) first = node;
            }
            if (!locals_put(&b.locals, LLVMBasicBlockAsValue(bb), (uint32_t)first)) g->failed = 1;
            if (entry < 0) entry = first;
        }
        /* Then the edges. */
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb), bi++) {
            int64_t previous = -1;
            for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
                int64_t node = next; /* the numbering above gave instructions consecutive nodes */
                if (previous >= 0) pg_edge(g, PG_CONTROL, 0, previous, node);
                previous = node;
                if (has_result(i)) {
                    pg_edge(g, PG_DATA, 0, node, node + 1);
                    next = node + 2;
                } else {
                    next = node + 1;
                }
                LLVMOpcode op = LLVMGetInstructionOpcode(i);
                int nops = LLVMGetNumOperands(i);
                for (int o = 0; o < nops; o++) pg_operand(&b, LLVMGetOperand(i, o), node, o);
#ifdef RLC_HAVE_LLVMGetSwitchCaseValue
                if (op == LLVMSwitch) { /* case values are not operands in LLVM 23: they follow them */
                    unsigned ns = LLVMGetNumSuccessors(i);
                    for (unsigned k = 1; k < ns; k++) pg_operand(&b, switch_case_value(i, k), node, nops + k - 1);
                }
#endif
                if (op == LLVMCall || op == LLVMInvoke || op == LLVMCallBr) {
                    LLVMValueRef callee = LLVMGetCalledValue(i);
                    if (callee && LLVMIsAFunction(callee)) pg_push(g, &b.calls, node, 0, (int64_t)(uintptr_t)callee, 0);
                }
                if (LLVMIsATerminatorInst(i)) {
                    unsigned ns = LLVMGetNumSuccessors(i);
                    for (unsigned s = 0; s < ns; s++) {
                        uint64_t target = 0;
                        if (locals_get(&b.locals, LLVMBasicBlockAsValue(LLVMGetSuccessor(i, s)), &target))
                            pg_edge(g, PG_CONTROL, s, node, (int64_t)target);
                    }
                    if (ns == 0) pg_push(g, &b.exits, node, 0, 0, 0);
                }
            }
        }
        pg_push(g, &b.entries, entry, (int64_t)first_exit, (int64_t)(b.exits.n / 4), 0);
    }
    /* Constants last, then the constant sources of their data edges. */
    int64_t base = (int64_t)(g->nodes.n / 4);
    for (size_t k = 0; k < b.const_text.n; k += 4) pg_node(g, PG_CONSTANT, b.const_text.v[k], -1, -1);
    if (!g->failed)
        for (size_t k = 0; k < b.pending.n; k += 4) g->edges.v[4 * b.pending.v[k] + 2] += base;
    /* Call edges: the root calls every function; a call site calls its (direct) callee's entry, and every
     * exit of the callee (a terminator without successors) returns to the call site. */
    for (size_t k = 0; k < b.entries.n && !g->failed; k += 4) {
        pg_edge(g, PG_CALL, 0, 0, b.entries.v[k]);
        for (int64_t e = b.entries.v[k + 1]; e < b.entries.v[k + 2]; e++) pg_edge(g, PG_CALL, 0, b.exits.v[4 * e], 0);
    }
    for (size_t k = 0; k < b.calls.n && !g->failed; k += 4) {
        uint64_t callee;
        if (!ptrmap_lookup(&b.functions, (const void *)(uintptr_t)b.calls.v[k + 2], &callee)) continue;
        const int64_t *fn = b.entries.v + 4 * callee;
        pg_edge(g, PG_CALL, 0, b.calls.v[k], fn[0]);
        for (int64_t e = fn[1]; e < fn[2]; e++) pg_edge(g, PG_CALL, 0, b.exits.v[4 * e], b.calls.v[k]);
    }
done:
    *bp = b;
    if (g->failed) {
        rlc_graph_dispose(g);
        return NULL;
    }
    sizes[0] = (int64_t)(g->nodes.n / 4);
    sizes[1] = (int64_t)(g->edges.n / 4);
    sizes[2] = (int64_t)g->texts.n;
    sizes[3] = (int64_t)g->functions.n;
    return g;
}

/* Copy the graph out and free it: nodes (n x 4 int32: type, text, function, block), edge features (m x 2
 * int32: flow, position), edge links (m x 2 int32: source, target), the NUL-separated texts and function
 * names. */
void rlc_graph_export(rlc_graph *g, int32_t *nodes, int32_t *edge_features, int32_t *edge_links, char *texts,
                      char *functions) {
    if (g->nodes.n) memcpy(nodes, g->nodes.v, g->nodes.n * sizeof *nodes);
    for (size_t k = 0, e = 0; k < g->edges.n; k += 4, e += 2) {
        edge_features[e] = g->edges.v[k];
        edge_features[e + 1] = g->edges.v[k + 1];
        edge_links[e] = g->edges.v[k + 2];
        edge_links[e + 1] = g->edges.v[k + 3];
    }
    if (g->texts.n) memcpy(texts, g->texts.s, g->texts.n);
    if (g->functions.n) memcpy(functions, g->functions.s, g->functions.n);
    rlc_graph_dispose(g);
}

/* Free a graph; one per thread is kept for the next rlc_programl (its arrays are reused). */
void rlc_graph_dispose(rlc_graph *g) {
    if (!g) return;
    if (!pg_spare && !g->failed) {
        g->nodes.n = g->edges.n = g->texts.n = g->functions.n = 0;
        g->texts.count = g->functions.count = 0;
        pg_spare = g;
        return;
    }
    free(g->nodes.v);
    free(g->edges.v);
    free(g->texts.s);
    free(g->functions.s);
    free(g);
}
/* ========================================================================================== */
/* ProGraML program graph. End section.                                                        */
/* ========================================================================================== */

/* ========================================================================================== */
/* Block profiling (owner: the runtime costs, rl_compiler/llvm/profile.py). Begin section.    */
/* ========================================================================================== */
/* Number blocks, weigh them, insert one counter per block; self-contained (nothing else calls it). */

/* Name of the instrumented module's counter array ([N x i64], external linkage) and of its length
 * (an i64 constant): profile_runtime.c declares both and writes the counts at exit. */
#define RLC_COUNTERS "__rlc_block_counts"
#define RLC_COUNTERS_N "__rlc_block_counts_n"

static int is_free_intrinsic(const char *name) {
    static const char *const free_prefixes[] = {
        "llvm.lifetime.", "llvm.dbg.", "llvm.assume", "llvm.experimental.noalias", "llvm.invariant.",
        "llvm.pseudoprobe", "llvm.sideeffect", "llvm.var.annotation", "llvm.donothing",
    };
    for (size_t k = 0; k < sizeof free_prefixes / sizeof *free_prefixes; k++)
        if (strncmp(name, free_prefixes[k], strlen(free_prefixes[k])) == 0) return 1;
    return 0;
}

/* A static estimate, in cycles, of one execution of an instruction on a current out-of-order x86-64
 * core: roughly its latency on the critical path (Agner Fog's tables, rounded). Documented in
 * docs/runtime.md; changing it changes EstimatedCycles (bump PROFILE_VERSION in profile.py). */
static int64_t static_cycles(LLVMValueRef i, LLVMOpcode op) {
    switch (op) {
    case LLVMPHI: case LLVMBitCast: case LLVMFreeze: case LLVMPtrToInt: case LLVMIntToPtr:
    case LLVMAddrSpaceCast: case LLVMTrunc: case LLVMUnreachable: case LLVMAlloca:
        return 0; /* register renaming / no code */
    case LLVMMul: case LLVMFAdd: case LLVMFSub: case LLVMFMul: case LLVMFCmp: case LLVMFNeg:
    case LLVMFPExt: case LLVMFPTrunc:
        return 3;
    case LLVMUIToFP: case LLVMSIToFP: case LLVMFPToUI: case LLVMFPToSI:
        return 4;
    case LLVMLoad:
        return 4; /* L1 hit */
    case LLVMUDiv: case LLVMSDiv: case LLVMURem: case LLVMSRem:
        return 25;
    case LLVMFDiv:
        return 14;
    case LLVMFRem:
        return 30; /* a libm call */
    case LLVMAtomicCmpXchg: case LLVMAtomicRMW: case LLVMFence:
        return 20;
    case LLVMSwitch: case LLVMIndirectBr:
        return 2;
    case LLVMExtractElement: case LLVMInsertElement: case LLVMShuffleVector:
        return 2;
    case LLVMCall: case LLVMInvoke: {
        LLVMValueRef callee = LLVMGetCalledValue(i);
        size_t len = 0;
        const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
        if (strncmp(name, "llvm.", 5) == 0) return is_free_intrinsic(name) ? 0 : 1;
        return 5; /* call + return + argument set-up; the callee's blocks are counted separately */
    }
    default:
        return 1; /* integer ALU, compare, select, store, branch, ret, GEP, extensions, ... */
    }
}

static LLVMValueRef first_insertion_point(LLVMBasicBlockRef b) {
    LLVMValueRef i = LLVMGetFirstInstruction(b);
    while (i && (LLVMGetInstructionOpcode(i) == LLVMPHI || LLVMIsALandingPadInst(i) ||
                 LLVMIsACatchPadInst(i) || LLVMIsACleanupPadInst(i)))
        i = LLVMGetNextInstruction(i);
    if (i && LLVMIsACatchSwitchInst(i)) return NULL; /* a block of only a catchswitch takes no code */
    return i;
}

/* Walk the defined functions' blocks in module order; for the first `capacity` blocks write the number of
 * instructions (as rlc_instruction_count counts them) and the static cycle estimate. Returns the number
 * of blocks: call again with more room if it exceeds `capacity`. */
int64_t rlc_block_costs(rlc_module *m, int64_t *sizes, int64_t *cycles, int64_t capacity) {
    int64_t n = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
        for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b), n++) {
            if (n >= capacity) continue;
            int64_t count = 0, cost = 0;
            for (LLVMValueRef i = LLVMGetFirstInstruction(b); i; i = LLVMGetNextInstruction(i)) {
                count++;
                cost += static_cycles(i, LLVMGetInstructionOpcode(i));
            }
            sizes[n] = count;
            cycles[n] = cost;
        }
    return n;
}

/* Insert `counters[k] += 1` at the top of block k (after PHIs and EH pads), numbering blocks as
 * rlc_block_costs does, and define the counter array and its length. The module is changed in place
 * (instrument a clone). Returns the number of blocks, or -1 with *err set. */
int64_t rlc_instrument_blocks(rlc_module *m, char **err) {
    if (LLVMGetNamedGlobal(m->mod, RLC_COUNTERS)) {
        set_err(err, "the module is already instrumented (it defines " RLC_COUNTERS ")");
        return -1;
    }
    int64_t n = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
        for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b)) n++;
    LLVMTypeRef i64 = LLVMInt64TypeInContext(m->ctx);
    LLVMTypeRef array = LLVMArrayType2(i64, (uint64_t)(n ? n : 1));
    LLVMValueRef counters = LLVMAddGlobal(m->mod, array, RLC_COUNTERS);
    LLVMSetInitializer(counters, LLVMConstNull(array));
    LLVMSetLinkage(counters, LLVMExternalLinkage);
    LLVMSetAlignment(counters, 8);
    LLVMValueRef length = LLVMAddGlobal(m->mod, i64, RLC_COUNTERS_N);
    LLVMSetInitializer(length, LLVMConstInt(i64, (unsigned long long)n, 0));
    LLVMSetGlobalConstant(length, 1);
    LLVMSetLinkage(length, LLVMExternalLinkage);

    LLVMBuilderRef builder = LLVMCreateBuilderInContext(m->ctx);
    LLVMValueRef zero = LLVMConstInt(i64, 0, 0), one = LLVMConstInt(i64, 1, 0);
    int64_t k = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
        for (LLVMBasicBlockRef b = LLVMGetFirstBasicBlock(f); b; b = LLVMGetNextBasicBlock(b), k++) {
            LLVMValueRef at = first_insertion_point(b);
            if (!at) continue;
            LLVMPositionBuilderBefore(builder, at);
            LLVMValueRef index[2] = {zero, LLVMConstInt(i64, (unsigned long long)k, 0)};
            LLVMValueRef slot = LLVMConstInBoundsGEP2(array, counters, index, 2);
            LLVMValueRef old = LLVMBuildLoad2(builder, i64, slot, "");
            LLVMBuildStore(builder, LLVMBuildAdd(builder, old, one, ""), slot);
        }
    LLVMDisposeBuilder(builder);
    return n;
}
/* ========================================================================================== */
/* Block profiling. End section.                                                               */
/* ========================================================================================== */
