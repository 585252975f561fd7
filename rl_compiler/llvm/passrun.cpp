// What LLVMRunPasses does, with the pass builder, its analysis managers and the standard instrumentations
// built once per module instead of at every call (issue 19: that set-up cost 6-8 µs of every step).
//
// LLVMRunPasses (llvm/lib/Passes/PassBuilderBindings.cpp) makes a PassBuilder for the target machine,
// registers every analysis in four new analysis managers, cross-registers their proxies, registers the
// standard instrumentations (which skip optnone functions, among others) and then parses and runs the
// pipeline. Here all but the parse and the run are kept with the module; after every run the analysis
// managers are cleared, so that no analysis result outlives the call, as when they were destroyed: every
// pipeline starts from the state LLVMRunPasses starts from. Same options as engine.c's: no verify-each, no
// debug logging, default tuning options, the default AA pipeline.
//
// Built only against a libLLVM that uses libc++ (the pip toolchain's), with its clang++: see engine.py.

#include "llvm-c/Core.h"
#include "llvm-c/Error.h"
#include "llvm-c/TargetMachine.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <new>

using namespace llvm;

namespace {
struct PassRunner {
    PassInstrumentationCallbacks PIC;
    std::unique_ptr<PassBuilder> PB;
    LoopAnalysisManager LAM;
    FunctionAnalysisManager FAM;
    CGSCCAnalysisManager CGAM;
    ModuleAnalysisManager MAM;
    std::unique_ptr<StandardInstrumentations> SI;

    PassRunner(Module &M, TargetMachine *TM) {
        PB = std::make_unique<PassBuilder>(TM, PipelineTuningOptions(), std::nullopt, &PIC);
        PB->registerLoopAnalyses(LAM);
        PB->registerFunctionAnalyses(FAM);
        PB->registerCGSCCAnalyses(CGAM);
        PB->registerModuleAnalyses(MAM);
        PB->crossRegisterProxies(LAM, FAM, CGAM, MAM);
        SI = std::make_unique<StandardInstrumentations>(M.getContext(), /*DebugLogging=*/false,
                                                        /*VerifyEach=*/false);
        SI->registerCallbacks(PIC, &MAM);
    }

    void clear() { // in the order LLVMRunPasses's managers are destroyed
        MAM.clear();
        CGAM.clear();
        FAM.clear();
        LAM.clear();
    }
};
} // namespace

extern "C" {

/* A runner for module `m` (NULL out of memory); `tm` may be NULL, as for LLVMRunPasses. */
void *rlc_passrun_new(LLVMModuleRef m, LLVMTargetMachineRef tm) {
    return new (std::nothrow) PassRunner(*unwrap(m), reinterpret_cast<TargetMachine *>(tm));
}

/* LLVMRunPasses(m, pipeline, tm, options) on the runner's module: NULL, or the pipeline's parse error. */
LLVMErrorRef rlc_passrun_run(void *runner, LLVMModuleRef m, const char *pipeline) {
    auto *r = static_cast<PassRunner *>(runner);
    ModulePassManager MPM;
    if (auto Err = r->PB->parsePassPipeline(MPM, pipeline)) return wrap(std::move(Err));
    MPM.run(*unwrap(m), r->MAM);
    r->clear();
    return LLVMErrorSuccess;
}

void rlc_passrun_free(void *runner) { delete static_cast<PassRunner *>(runner); }
}
