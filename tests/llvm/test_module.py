"""``Module``: construction, clones, passes (equal to ``opt``), serialization, fingerprints, codegen size."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from llvm_programs import DATA

from rl_compiler.llvm.errors import VerifierError
from rl_compiler.llvm.module import Module

PIPELINES = [
    "function(instcombine<no-verify-fixpoint>)",
    "function(sroa,early-cse,simplifycfg),globaldce",
    "default<O2>",
]


def strip_header(ir: str) -> str:
    """IR text without the ``; ModuleID`` line (it names the input file)."""
    return "\n".join(line for line in ir.splitlines() if not line.startswith("; ModuleID"))


def test_from_file_bitcode_and_text(kitchen_o0: Path, tmp_path: Path) -> None:
    with Module.from_file(kitchen_o0) as from_bc:
        (tmp_path / "k.ll").write_text(from_bc.ir())
        with Module.from_file(tmp_path / "k.ll") as from_ll:
            assert from_ll.instruction_count() == from_bc.instruction_count() > 100
            assert from_ll.fingerprint() == from_bc.fingerprint()
        with Module.from_ir(from_bc.ir()) as from_ir:
            assert from_ir.sha1() == Module.from_ir(from_bc.ir()).sha1()


def test_bitcode_round_trip(kitchen_o0: Path) -> None:
    with Module.from_file(kitchen_o0) as module:
        module.run_passes("function(mem2reg)")
        with Module.from_bitcode(module.bitcode()) as copy:
            assert copy.bitcode() == module.bitcode()
            assert copy.ir() == module.ir()
            assert copy.sha1() == module.sha1() == hashlib.sha1(module.bitcode()).hexdigest()
            assert copy.ir_sha1() == module.ir_sha1() == hashlib.sha1(module.ir().encode()).hexdigest()
            assert copy.fingerprint() == module.fingerprint()


def test_clone_is_independent(kitchen_o0: Path) -> None:
    original = Module.from_file(kitchen_o0)
    before = (original.ir(), original.fingerprint(), original.instruction_count())
    clone = original.clone()
    assert clone.fingerprint() == before[1] and clone.ir() == before[0]
    clone.run_passes("function(sroa,instcombine<no-verify-fixpoint>)")
    assert clone.instruction_count() < before[2]
    assert (original.ir(), original.fingerprint(), original.instruction_count()) == before
    original.close()  # the clone has its own context: it outlives the original
    clone.verify()
    assert clone.instruction_count() > 0
    grandchild = clone.clone()
    clone.close()
    assert grandchild.ir()
    grandchild.close()


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_run_passes_matches_opt(pipeline: str, c_modules: dict[str, Path], toolchain, tmp_path: Path) -> None:
    # Compared as text: a bitcode round trip resets intrinsics' attributes, so opt's .bc output would differ.
    source = c_modules["kitchen-Oz-pre"]
    out = tmp_path / "opt.ll"
    subprocess.run([str(toolchain.opt), f"-passes={pipeline}", "-S", str(source), "-o", str(out)], check=True)
    with Module.from_file(source) as ours:
        ours.run_passes(pipeline)
        assert strip_header(ours.ir()) == strip_header(out.read_text())


def test_fingerprint_tracks_changes(kitchen_o0: Path) -> None:
    with Module.from_file(kitchen_o0) as module:
        seen = {module.fingerprint()}
        module.run_passes("function(no-op-function)")
        assert module.fingerprint() in seen
        for pipeline in ("function(mem2reg)", "function(instcombine<no-verify-fixpoint>)", "globaldce"):
            before = module.ir()
            module.run_passes(pipeline)
            changed = module.ir() != before
            assert (module.fingerprint() not in seen) == changed, pipeline
            seen.add(module.fingerprint())
        module.set_size_attributes()
        assert module.fingerprint() not in seen


@pytest.mark.parametrize(
    "a, b",
    [
        ("add i32 %x, 1", "add i32 %x, 2"),  # a constant
        ("add i32 %x, 1", "add nsw i32 %x, 1"),  # a flag
        ("add i32 %x, 1", "sub i32 %x, 1"),  # an opcode
        ("add i32 %x, 1", "add i32 1, %x"),  # operand order
        ("icmp slt i32 %x, 1", "icmp sgt i32 %x, 1"),  # a predicate
    ],
)
def test_fingerprint_sees_small_edits(a: str, b: str) -> None:
    result_type = "i1" if a.startswith("icmp") else "i32"
    template = "define {} @f(i32 %x) {{\n  %r = {}\n  ret {} %r\n}}\n"
    ir_a, ir_b = (template.format(result_type, body, result_type) for body in (a, b))
    with Module.from_ir(ir_a) as ma, Module.from_ir(ir_b) as mb:
        assert ma.instruction_count() == mb.instruction_count() == 2
        assert ma.fingerprint() != mb.fingerprint()


def test_fingerprint_sees_switch_case_values() -> None:
    text = (
        "define i32 @f(i32 %x) {\n  switch i32 %x, label %d [\n    i32 CASE, label %a\n  ]\n"
        "a:\n  ret i32 1\nd:\n  ret i32 0\n}\n"
    )
    with Module.from_ir(text.replace("CASE", "3")) as ma, Module.from_ir(text.replace("CASE", "4")) as mb:
        assert ma.fingerprint() != mb.fingerprint()
        assert ma.instruction_count() == mb.instruction_count() == 3


def test_set_size_attributes_skips_declarations_and_optnone() -> None:
    text = (
        "declare void @ext()\n"
        "define void @plain() {\n  ret void\n}\n"
        "define void @frozen() #0 {\n  ret void\n}\n"
        "attributes #0 = { noinline optnone }\n"
    )
    with Module.from_ir(text) as module:
        module.set_size_attributes()
        ir = module.ir()
    plain_attrs = ir.split("define void @plain() #")[1].split(" ")[0]
    groups = {line.split(" = ")[0]: line for line in ir.splitlines() if line.startswith("attributes #")}
    assert "minsize" in groups[f"attributes #{plain_attrs}"] and "optsize" in groups[f"attributes #{plain_attrs}"]
    frozen = ir.split("define void @frozen() #")[1].split(" ")[0]
    assert "minsize" not in groups[f"attributes #{frozen}"]
    assert "declare void @ext()\n" in ir


def llc_text_size(toolchain, module: Module, tmp_path: Path) -> int:
    bc, obj = tmp_path / "m.bc", tmp_path / "m.o"
    bc.write_bytes(module.bitcode())
    llc = [str(toolchain.llc), "-O2", "-filetype=obj", "-relocation-model=pic", str(bc), "-o", str(obj)]
    subprocess.run(llc, check=True)
    report = subprocess.run([str(toolchain.llvm_size), "-A", str(obj)], capture_output=True, text=True, check=True)
    total = 0
    for line in report.stdout.splitlines():
        parts = line.split()
        if parts and (parts[0] == ".text" or parts[0].startswith(".text.")):
            total += int(parts[1])
    return total


@pytest.mark.parametrize("name", ["kitchen-O0", "kitchen-O2", "crc32-O2"])
def test_object_text_size_matches_llc(name: str, c_modules, toolchain, tmp_path: Path) -> None:
    if name not in c_modules:
        pytest.skip(f"{name} not available")
    with Module.from_file(c_modules[name]) as module:
        fingerprint = module.fingerprint()
        size = module.object_text_size()
        assert size == llc_text_size(toolchain, module, tmp_path) > 0
        assert module.fingerprint() == fingerprint  # codegen ran on a copy
        assert module.object_text_size() == size


def test_verify() -> None:
    with pytest.raises(VerifierError, match="does not dominate all uses"):
        Module.from_file(DATA / "not_verified.ll")
    with Module.from_file(DATA / "not_verified.ll", verify=False) as module:
        with pytest.raises(VerifierError, match="does not dominate all uses"):
            module.verify()
        with pytest.raises(VerifierError):
            module.object_text_size()  # codegen would abort on it: refused instead
    with Module.from_file(DATA / "cfg.ll") as module:
        module.verify()


def test_close_and_context_manager(kitchen_o0: Path) -> None:
    module = Module.from_file(kitchen_o0)
    with module:
        assert not module.closed
    assert module.closed
    module.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        module.instruction_count()
    assert "closed" in repr(module)


def test_run_passes_bare_is_the_same_pass(kitchen_o0: Path) -> None:
    with Module.from_file(kitchen_o0) as a, Module.from_file(kitchen_o0) as b:
        assert a.run_passes_bare(b"function(sroa)") == 0
        b.run_passes("function(sroa)")
        assert a.fingerprint() == b.fingerprint()
        assert a.run_passes_bare(b"no-such-pass") == 1
