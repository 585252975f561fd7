"""An independent reference for the engine's counters: parse ``llvm-dis`` text in plain Python.

Counts functions, blocks, instructions by opcode, CFG edges and predecessors, and phi arguments from the
textual IR, with no LLVM API involved, so the tests compare two implementations of the same definitions.
Handles what clang emits for C (multi-line ``switch``; debug records are skipped); not a general parser.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# InstCount's 67 opcode names (after TotalInsts, TotalBlocks, TotalFuncs), LLVM 10 Instruction.def order.
INSTCOUNT_OPCODES = """
Ret Br Switch IndirectBr Invoke Resume Unreachable CleanupRet CatchRet CatchSwitch CallBr FNeg Add FAdd
Sub FSub Mul FMul UDiv SDiv FDiv URem SRem FRem Shl LShr AShr And Or Xor Alloca Load Store GetElementPtr Fence
AtomicCmpXchg AtomicRMW Trunc ZExt SExt FPToUI FPToSI UIToFP SIToFP FPTrunc FPExt PtrToInt IntToPtr BitCast
AddrSpaceCast CleanupPad CatchPad ICmp FCmp PHI Call Select UserOp1 UserOp2 VAArg ExtractElement InsertElement
ShuffleVector ExtractValue InsertValue LandingPad Freeze
""".split()
assert len(INSTCOUNT_OPCODES) == 67

AUTOPHASE_NAMES = """
BBNumArgsHi BBNumArgsLo onePred onePredOneSuc onePredTwoSuc oneSuccessor twoPred twoPredOneSuc twoEach
twoSuccessor morePreds BB03Phi BBHiPhi BBNoPhi BeginPhi BranchCount returnInt CriticalCount NumEdges
const32Bit const64Bit numConstZeroes numConstOnes UncondBranches binaryConstArg NumAShrInst NumAddInst
NumAllocaInst NumAndInst BlockMid BlockLow NumBitCastInst NumBrInst NumCallInst NumGetElementPtrInst
NumICmpInst NumLShrInst NumLoadInst NumMulInst NumOrInst NumPHIInst NumRetInst NumSExtInst NumSelectInst
NumShlInst NumStoreInst NumSubInst NumTruncInst NumXorInst NumZExtInst TotalBlocks TotalInsts
TotalMemInst TotalFuncs ArgsPhi testUnary
""".split()
assert len(AUTOPHASE_NAMES) == 56

#: Autophase features derived from CFG, phi and opcode structure (the ones this parser can check).
_VALUE_FEATURES = (
    "const32Bit",
    "const64Bit",
    "numConstZeroes",
    "numConstOnes",
    "returnInt",
    "binaryConstArg",
)
STRUCTURAL_AUTOPHASE = [name for name in AUTOPHASE_NAMES if name not in _VALUE_FEATURES]

_KEYWORD_OPCODE = {name.lower(): name for name in INSTCOUNT_OPCODES}
_KEYWORD_OPCODE.update({"cmpxchg": "AtomicCmpXchg", "va_arg": "VAArg", "phi": "PHI"})
_UNARY = set(
    "Alloca Load VAArg ExtractValue FNeg Freeze Trunc ZExt SExt FPToUI FPToSI UIToFP SIToFP FPTrunc FPExt "
    "PtrToInt IntToPtr BitCast AddrSpaceCast".split()
)
_MEMORY = {"GetElementPtr", "Load", "Store", "Call", "Invoke", "Alloca"}
_LABEL_DEF = re.compile(r'^("[^"]*"|[\w.$-]+):')
_LABEL_REF = re.compile(r'label %("[^"]*"|[\w.$-]+)')
_TERMINATORS = {"Ret", "Br", "Switch", "IndirectBr", "Invoke", "Resume", "Unreachable", "CleanupRet",
                "CatchRet", "CatchSwitch", "CallBr"}  # fmt: skip


@dataclass
class Block:
    name: str
    opcodes: list[str] = field(default_factory=list)
    successors: list[str] = field(default_factory=list)
    phi_args: list[int] = field(default_factory=list)  # per phi
    unconditional: bool = False


@dataclass
class Function:
    blocks: list[Block] = field(default_factory=list)


@dataclass
class ParsedModule:
    functions: list[Function]
    declarations: int

    @property
    def instruction_count(self) -> int:
        return sum(len(b.opcodes) for f in self.functions for b in f.blocks)

    def inst_count(self) -> list[int]:
        """InstCount from text: TotalInsts, TotalBlocks, TotalFuncs (declarations too), opcodes."""
        opcodes = Counter(op for f in self.functions for b in f.blocks for op in b.opcodes)
        blocks = sum(len(f.blocks) for f in self.functions)
        head = [self.instruction_count, blocks, len(self.functions) + self.declarations]
        return head + [opcodes[name] for name in INSTCOUNT_OPCODES]

    def autophase(self) -> dict[str, int]:
        """The structural Autophase features (see STRUCTURAL_AUTOPHASE) from text."""
        ap: Counter[str] = Counter()
        opcodes = Counter(op for f in self.functions for b in f.blocks for op in b.opcodes)
        for f in self.functions:
            preds = Counter(s for b in f.blocks for s in b.successors)
            for b in f.blocks:
                ns, np_ = len(b.successors), preds[b.name]
                ap["TotalBlocks"] += 1
                ap["NumEdges"] += ns
                if ns > 1:
                    ap["CriticalCount"] += sum(preds[s] > 1 for s in b.successors)
                ap["oneSuccessor"] += ns == 1
                ap["twoSuccessor"] += ns == 2
                ap["onePred"] += np_ == 1
                ap["twoPred"] += np_ == 2
                ap["morePreds"] += np_ > 2
                ap["onePredOneSuc"] += np_ == 1 and ns == 1
                ap["twoPredOneSuc"] += np_ == 2 and ns == 1
                ap["onePredTwoSuc"] += np_ == 1 and ns == 2
                ap["twoEach"] += np_ == 2 and ns == 2
                phis, args = len(b.phi_args), sum(b.phi_args)
                ap["BBNoPhi"] += phis == 0
                ap["BB03Phi"] += 0 < phis <= 3
                ap["BBHiPhi"] += phis > 3
                ap["BBNumArgsHi"] += args > 5
                ap["BBNumArgsLo"] += 1 <= args <= 5
                ap["ArgsPhi"] += args
                ap["BeginPhi"] += bool(b.opcodes) and b.opcodes[0] == "PHI"
                ap["BlockLow"] += len(b.opcodes) < 15
                ap["BlockMid"] += 15 <= len(b.opcodes) <= 500
                ap["UncondBranches"] += b.unconditional
        ap["BranchCount"] = opcodes["Br"]
        ap["TotalInsts"] = self.instruction_count
        ap["TotalFuncs"] = len(self.functions)
        ap["TotalMemInst"] = sum(opcodes[name] for name in _MEMORY)
        ap["testUnary"] = sum(opcodes[name] for name in _UNARY)
        for name in AUTOPHASE_NAMES:
            if name.startswith("Num") and name.endswith("Inst") and name != "NumEdges":
                ap[name] = opcodes[name[3:-4]]
        return {name: ap[name] for name in STRUCTURAL_AUTOPHASE}


def _opcode(line: str) -> str:
    body = line.split(" = ", 1)[1] if line.startswith("%") and " = " in line else line
    words = body.split()
    while words[0] in ("tail", "musttail", "notail"):
        words = words[1:]
    return _KEYWORD_OPCODE[words[0]]


def parse(text: str) -> ParsedModule:
    """Parse textual IR (as printed by llvm-dis) into functions, blocks and instructions."""
    functions: list[Function] = []
    declarations = 0
    function: Function | None = None
    pending = ""  # a multi-line instruction (switch [...]) being joined
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith(";"):
            continue
        if function is None:
            if line.startswith("define "):
                function = Function(blocks=[Block(name="<entry>")])
            elif line.startswith("declare "):
                declarations += 1
            continue
        if pending:
            pending += " " + stripped
            if stripped == "]":
                _add_instruction(function.blocks[-1], pending)
                pending = ""
            continue
        if not stripped or stripped.startswith("#dbg_"):
            continue
        if stripped == "}":
            functions.append(function)
            function = None
            continue
        label = _LABEL_DEF.match(line)
        if label and not line.startswith(" "):
            name = label.group(1)
            if function.blocks[-1].opcodes:
                function.blocks.append(Block(name=name))
            else:  # a labelled entry block
                function.blocks[-1].name = name
            continue
        if stripped.endswith("["):
            pending = stripped
            continue
        _add_instruction(function.blocks[-1], stripped)
    return ParsedModule(functions=functions, declarations=declarations)


def _add_instruction(block: Block, line: str) -> None:
    op = _opcode(line)
    block.opcodes.append(op)
    if op == "PHI":
        block.phi_args.append(line.count("[ "))
    if op in _TERMINATORS:
        block.successors = [m.group(1) for m in _LABEL_REF.finditer(line)]
        block.unconditional = op == "Br" and len(block.successors) == 1 and "br label" in line


def parse_bitcode(llvm_dis: Path, bitcode: bytes, workdir: Path) -> ParsedModule:
    """Disassemble ``bitcode`` with ``llvm-dis`` and parse the text."""
    path = workdir / "module.bc"
    path.write_bytes(bitcode)
    text = subprocess.run([str(llvm_dis), str(path), "-o", "-"], capture_output=True, text=True, check=True)
    return parse(text.stdout)
