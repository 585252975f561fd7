"""LLVM's own view of a module, for checking the engine's graph: a second walk in Python over libLLVM's C
API (ctypes, no engine code), listing what ProGraML's schema is defined by: instructions and their
opcodes and result types, arguments, global variables, every operand use, CFG successors and call sites."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

from rl_compiler.llvm.toolchain import get_toolchain

V = ctypes.c_void_p
_SIGNATURES = {
    "LLVMContextCreate": (V, []),
    "LLVMContextDispose": (None, [V]),
    "LLVMCreateMemoryBufferWithMemoryRangeCopy": (V, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]),
    "LLVMParseIRInContext": (ctypes.c_int, [V, V, ctypes.POINTER(V), ctypes.POINTER(ctypes.c_char_p)]),
    "LLVMDisposeModule": (None, [V]),
    "LLVMGetFirstGlobal": (V, [V]),
    "LLVMGetNextGlobal": (V, [V]),
    "LLVMGetFirstFunction": (V, [V]),
    "LLVMGetNextFunction": (V, [V]),
    "LLVMIsDeclaration": (ctypes.c_int, [V]),
    "LLVMCountParams": (ctypes.c_uint, [V]),
    "LLVMGetParam": (V, [V, ctypes.c_uint]),
    "LLVMGetFirstBasicBlock": (V, [V]),
    "LLVMGetNextBasicBlock": (V, [V]),
    "LLVMGetFirstInstruction": (V, [V]),
    "LLVMGetNextInstruction": (V, [V]),
    "LLVMGetInstructionOpcode": (ctypes.c_int, [V]),
    "LLVMTypeOf": (V, [V]),
    "LLVMGetTypeKind": (ctypes.c_int, [V]),
    "LLVMGetNumOperands": (ctypes.c_int, [V]),
    "LLVMGetOperand": (V, [V, ctypes.c_uint]),
    "LLVMIsAArgument": (V, [V]),
    "LLVMIsAGlobalVariable": (V, [V]),
    "LLVMIsAInstruction": (V, [V]),
    "LLVMIsAConstant": (V, [V]),
    "LLVMIsAFunction": (V, [V]),
    "LLVMIsATerminatorInst": (V, [V]),
    "LLVMGetNumSuccessors": (ctypes.c_uint, [V]),
    "LLVMGetSuccessor": (V, [V, ctypes.c_uint]),
    "LLVMGetCalledValue": (V, [V]),
    "LLVMGetSwitchCaseValue": (V, [V, ctypes.c_uint]),
    "LLVMBasicBlockAsValue": (V, [V]),
}
# LLVMOpcode values used here (fixed in the enum since LLVM 10).
SWITCH, CALL, INVOKE, CALLBR = 3, 45, 5, 67
VOID_TYPE = 0


def _lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(str(get_toolchain().libllvm))
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


@dataclass
class LLVMView:
    """Keys: ("inst", function, k) the k-th instruction of a defined function; ("result", function, k) its
    value; ("arg", function, p); ("global", k); ("decl", function); ("const", address) (constants are
    uniqued, so equal addresses are the same constant); ("root",)."""

    instructions: list[tuple] = field(default_factory=list)
    opcodes: list[int] = field(default_factory=list)
    results: list[tuple] = field(default_factory=list)
    arguments: list[tuple] = field(default_factory=list)
    globals: list[tuple] = field(default_factory=list)
    declarations: list[tuple] = field(default_factory=list)
    constants: set[int] = field(default_factory=set)
    #: (source key, target key, position) per flow
    data: list[tuple] = field(default_factory=list)
    control: list[tuple] = field(default_factory=list)
    call: list[tuple] = field(default_factory=list)


def view(bitcode: bytes) -> LLVMView:
    lib = _lib()
    ctx = lib.LLVMContextCreate()
    buf = lib.LLVMCreateMemoryBufferWithMemoryRangeCopy(bitcode, len(bitcode), b"view")
    mod, msg = V(), ctypes.c_char_p()
    assert lib.LLVMParseIRInContext(ctx, buf, ctypes.byref(mod), ctypes.byref(msg)) == 0, msg.value
    try:
        return _walk(lib, mod)
    finally:
        lib.LLVMDisposeModule(mod)
        lib.LLVMContextDispose(ctx)


def _walk(lib: ctypes.CDLL, mod: V) -> LLVMView:
    out = LLVMView()
    key: dict[int, tuple] = {}
    g = lib.LLVMGetFirstGlobal(mod)
    while g:
        key[g] = ("global", len(out.globals))
        out.globals.append(key[g])
        g = lib.LLVMGetNextGlobal(g)
    functions, entry, exits, call_sites = [], {}, {}, []
    f = lib.LLVMGetFirstFunction(mod)
    while f:
        functions.append(f)
        f = lib.LLVMGetNextFunction(f)
    for fi, f in enumerate(functions):
        if lib.LLVMIsDeclaration(f):
            entry[f] = ("decl", fi)
            exits[f] = [("decl", fi)]
            out.declarations.append(("decl", fi))
            continue
        for p in range(lib.LLVMCountParams(f)):
            key[lib.LLVMGetParam(f, p)] = ("arg", fi, p)
            out.arguments.append(("arg", fi, p))
        blocks, k = [], 0
        b = lib.LLVMGetFirstBasicBlock(f)
        while b:
            insts = []
            i = lib.LLVMGetFirstInstruction(b)
            while i:
                key[i] = ("inst", fi, k)
                insts.append(i)
                k += 1
                i = lib.LLVMGetNextInstruction(i)
            key[lib.LLVMBasicBlockAsValue(b)] = key[insts[0]]
            blocks.append(insts)
            b = lib.LLVMGetNextBasicBlock(b)
        entry[f] = key[blocks[0][0]]
        exits[f] = []
        for insts in blocks:
            for n, i in enumerate(insts):
                me = key[i]
                out.instructions.append(me)
                out.opcodes.append(lib.LLVMGetInstructionOpcode(i))
                if n:
                    out.control.append((key[insts[n - 1]], me, 0))
                if lib.LLVMGetTypeKind(lib.LLVMTypeOf(i)) != VOID_TYPE:
                    out.results.append(("result", fi, me[2]))
                    out.data.append((me, ("result", fi, me[2]), 0))
                nops = lib.LLVMGetNumOperands(i)
                operands = [(lib.LLVMGetOperand(i, o), o) for o in range(nops)]
                opcode = lib.LLVMGetInstructionOpcode(i)
                if opcode == SWITCH:  # LLVM 23: case values are not operands
                    cases = lib.LLVMGetNumSuccessors(i)
                    operands += [(lib.LLVMGetSwitchCaseValue(i, c), nops + c - 1) for c in range(1, cases)]
                for value, position in operands:
                    source = _data_source(lib, value, key)
                    if source is not None:
                        if source[0] == "const":
                            out.constants.add(source[1])
                        out.data.append((source, me, position))
                if lib.LLVMIsATerminatorInst(i):
                    successors = lib.LLVMGetNumSuccessors(i)
                    for s in range(successors):
                        out.control.append((me, key[lib.LLVMBasicBlockAsValue(lib.LLVMGetSuccessor(i, s))], s))
                    if successors == 0:
                        exits[f].append(me)
                if opcode in (CALL, INVOKE, CALLBR):
                    callee = lib.LLVMGetCalledValue(i)
                    if callee and lib.LLVMIsAFunction(callee):
                        call_sites.append((me, callee))
    root = ("root",)
    for f in functions:
        out.call.append((root, entry[f], 0))
        out.call += [(exit, root, 0) for exit in exits[f]]
    for site, callee in call_sites:
        out.call.append((site, entry[callee], 0))
        out.call += [(exit, site, 0) for exit in exits[callee]]
    return out


def _data_source(lib: ctypes.CDLL, value: int | None, key: dict[int, tuple]) -> tuple | None:
    if not value:
        return None
    if lib.LLVMIsAArgument(value) or lib.LLVMIsAGlobalVariable(value):
        return key[value]
    if lib.LLVMIsAInstruction(value):
        _, fi, k = key[value]
        return ("result", fi, k)
    if lib.LLVMIsAFunction(value):  # call edges stand for functions
        return None
    if lib.LLVMIsAConstant(value):
        return ("const", value)
    return None  # blocks (control edges), metadata, inline asm
