"""Autophase, InstCount and instruction counts against independent counts.

Hand-written modules have features counted by hand (CFG_EXPECTED, PHIS_EXPECTED); real modules (C
programs at several -O levels, Debian's PostgreSQL bitcode) are checked against a pure-Python parse of
their ``llvm-dis`` text (irtext.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from irtext import AUTOPHASE_NAMES, INSTCOUNT_OPCODES, parse, parse_bitcode
from llvm_programs import C_FLAGS, DATA, c_sources, postgres_modules

from rl_compiler.llvm.module import AUTOPHASE_DIM, INSTCOUNT_DIM, Module

# Counted by hand from cfg.ll (comments there explain the shapes); every other feature is 0.
CFG_EXPECTED = {
    "BBNumArgsHi": 1, "BBNumArgsLo": 2, "onePred": 4, "onePredOneSuc": 3, "onePredTwoSuc": 1,
    "oneSuccessor": 4, "twoPred": 4, "twoPredOneSuc": 1, "twoEach": 1, "twoSuccessor": 4, "morePreds": 1,
    "BB03Phi": 3, "BBNoPhi": 8, "BeginPhi": 3, "BranchCount": 8, "returnInt": 1, "CriticalCount": 7,
    "NumEdges": 15,
    # i32: add 1, switch cases 0 and 7, phi 0, alloca's implicit size 1, icmp 0; i64: 0, 1, 8, 100, 1, 2, 0
    "const32Bit": 6, "const64Bit": 7, "numConstZeroes": 5, "numConstOnes": 4,
    "UncondBranches": 4, "binaryConstArg": 1, "NumAddInst": 2, "NumAllocaInst": 1, "BlockLow": 11,
    "NumBrInst": 8, "NumCallInst": 2, "NumGetElementPtrInst": 1, "NumICmpInst": 3, "NumLoadInst": 1,
    "NumPHIInst": 4, "NumRetInst": 2, "NumStoreInst": 1, "NumTruncInst": 1, "NumZExtInst": 1,
    "TotalBlocks": 11, "TotalInsts": 28, "TotalMemInst": 6, "TotalFuncs": 2, "ArgsPhi": 10, "testUnary": 4,
}  # fmt: skip
CFG_INSTCOUNT = {
    "TotalInsts": 28, "TotalBlocks": 11, "TotalFuncs": 4, "Ret": 2, "Br": 8, "Switch": 1, "Add": 2,
    "Alloca": 1, "Load": 1, "Store": 1, "GetElementPtr": 1, "Trunc": 1, "ZExt": 1, "ICmp": 3, "PHI": 4,
    "Call": 2,
}  # fmt: skip
PHIS_EXPECTED = {
    "BBNumArgsHi": 1, "onePred": 2, "onePredOneSuc": 2, "oneSuccessor": 2, "twoPred": 1, "twoSuccessor": 1,
    "BBHiPhi": 1, "BBNoPhi": 4, "BeginPhi": 1, "BranchCount": 3, "NumEdges": 4,
    # phis 1..6 and 0, xor -1, shl 2, lshr 1, ashr 1, and 255, or 16, select 0; an i128 1 counts as a one
    "const32Bit": 14, "numConstZeroes": 2, "numConstOnes": 4,
    "UncondBranches": 2, "binaryConstArg": 7, "NumAShrInst": 1, "NumAddInst": 2, "NumAndInst": 1,
    "BlockMid": 1, "BlockLow": 4, "NumBrInst": 3, "NumLShrInst": 1, "NumMulInst": 1, "NumOrInst": 1,
    "NumPHIInst": 4, "NumRetInst": 2, "NumSelectInst": 1, "NumShlInst": 1, "NumSubInst": 1,
    "NumTruncInst": 1, "NumXorInst": 1, "NumZExtInst": 1, "TotalBlocks": 5, "TotalInsts": 26,
    "TotalFuncs": 2, "ArgsPhi": 8, "testUnary": 5,
}  # fmt: skip


def expected_vector(names: list[str], values: dict[str, int]) -> list[int]:
    assert set(values) <= set(names), set(values) - set(names)
    return [values.get(name, 0) for name in names]


def as_dict(names: list[str], vector: np.ndarray) -> dict[str, int]:
    return {name: int(value) for name, value in zip(names, vector, strict=True) if value}


INSTCOUNT_NAMES = ["TotalInsts", "TotalBlocks", "TotalFuncs", *INSTCOUNT_OPCODES]


@pytest.mark.parametrize(
    "filename, expected, instcount",
    [("cfg.ll", CFG_EXPECTED, CFG_INSTCOUNT), ("phis.ll", PHIS_EXPECTED, None)],
)
def test_hand_counted_features(filename: str, expected: dict, instcount: dict | None) -> None:
    with Module.from_file(DATA / filename) as module:
        autophase = module.autophase()
        assert as_dict(AUTOPHASE_NAMES, autophase) == {k: v for k, v in expected.items() if v}
        assert module.instruction_count() == expected["TotalInsts"]
        if instcount is not None:
            assert as_dict(INSTCOUNT_NAMES, module.inst_count()) == instcount


def test_instcount_names_opcodes_not_enum_values() -> None:
    # fneg/freeze/sitofp/fadd sit far apart in LLVM's enum; they must land on InstCount's named slots.
    with Module.from_file(DATA / "phis.ll") as module:
        counts = dict(zip(INSTCOUNT_NAMES, module.inst_count().tolist(), strict=True))
    assert (counts["FNeg"], counts["Freeze"], counts["SIToFP"], counts["FAdd"]) == (1, 1, 1, 1)
    assert counts["TotalFuncs"] == 2 and counts["Select"] == 1 and counts["Switch"] == 0


def test_shapes_and_single_pass_features() -> None:
    with Module.from_file(DATA / "cfg.ll") as module:
        autophase, inst_count = module.features()
        assert autophase.shape == (AUTOPHASE_DIM,) and autophase.dtype == np.int64
        assert inst_count.shape == (INSTCOUNT_DIM,) and inst_count.dtype == np.int64
        np.testing.assert_array_equal(autophase, module.autophase())
        np.testing.assert_array_equal(inst_count, module.inst_count())


def _real_modules() -> list[tuple[str, str]]:
    cases = [("c", f"{src.stem}-{level}") for src in c_sources() for level in C_FLAGS]
    cases += [("postgres", str(path)) for path in postgres_modules()]
    return cases


@pytest.mark.parametrize("kind, name", _real_modules(), ids=lambda value: Path(value).stem)
def test_features_match_llvm_dis_text(kind: str, name: str, c_modules, toolchain, tmp_path: Path) -> None:
    path = c_modules[name] if kind == "c" else Path(name)
    with Module.from_file(path) as module:
        reference = parse_bitcode(toolchain.llvm_dis, module.bitcode(), tmp_path)
        assert module.instruction_count() == reference.instruction_count > 0
        np.testing.assert_array_equal(module.inst_count(), reference.inst_count())
        engine_autophase = dict(zip(AUTOPHASE_NAMES, module.autophase().tolist(), strict=True))
        text_autophase = reference.autophase()
        assert {k: engine_autophase[k] for k in text_autophase} == text_autophase


def test_features_after_passes_match_text(kitchen_o0: Path, toolchain, tmp_path: Path) -> None:
    with Module.from_file(kitchen_o0) as module:
        module.run_passes("function(mem2reg,simplifycfg,loop-simplify,lcssa)")
        reference = parse_bitcode(toolchain.llvm_dis, module.bitcode(), tmp_path)
        assert reference.autophase()["NumPHIInst"] > 0
        np.testing.assert_array_equal(module.inst_count(), reference.inst_count())
        autophase = dict(zip(AUTOPHASE_NAMES, module.autophase().tolist(), strict=True))
        assert {k: autophase[k] for k in reference.autophase()} == reference.autophase()


def test_text_parser_agrees_with_hand_counts() -> None:
    # The reference parser itself, on the hand-counted module.
    parsed = parse((DATA / "cfg.ll").read_text())
    assert parsed.autophase() == {k: CFG_EXPECTED.get(k, 0) for k in parsed.autophase()}


LLVM19_CONFIG = Path("/usr/lib/llvm-19/bin/llvm-config")


@pytest.mark.skipif(not LLVM19_CONFIG.exists(), reason="no system LLVM 19 (apt llvm-19)")
def test_same_features_with_llvm19() -> None:
    """The engine builds against LLVM 19 too, and counts the same (its opcode enum differs from 23's)."""
    script = (
        "import json, sys; from rl_compiler.llvm.module import Module; from rl_compiler.llvm import engine\n"
        "out = {'version': engine.llvm_version()}\n"
        "for p in sys.argv[1:]:\n"
        "    m = Module.from_file(p); out[p] = [m.autophase().tolist(), m.inst_count().tolist()]\n"
        "print(json.dumps(out))\n"
    )
    files = [str(DATA / "cfg.ll"), str(DATA / "phis.ll")]
    env = {**os.environ, "RL_COMPILER_LLVM_CONFIG": str(LLVM19_CONFIG)}
    proc = subprocess.run([sys.executable, "-c", script, *files], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["version"].startswith("19.")
    for path in files:
        with Module.from_file(path) as module:
            assert result[path] == [module.autophase().tolist(), module.inst_count().tolist()]
