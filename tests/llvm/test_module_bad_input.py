"""Bad input raises the specific exception, with LLVM's own diagnostic in the message; the process lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from llvm_programs import DATA

from rl_compiler.llvm import engine
from rl_compiler.llvm.errors import LLVMError, ModuleParseError, PassPipelineError
from rl_compiler.llvm.module import Module


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.bc"
    with pytest.raises(FileNotFoundError, match="nope.bc"):
        Module.from_file(missing)


def test_directory_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        Module.from_file(tmp_path)


def test_random_bytes() -> None:
    data = b"x" + bytes(byte or 1 for byte in os.urandom(4096))  # no NUL: it reaches LLVM's lexer
    with pytest.raises(ModuleParseError, match="cannot parse module <memory>: .*error"):
        Module.from_bitcode(data)


def test_binary_zeros_are_not_an_empty_module() -> None:
    with pytest.raises(ModuleParseError, match="neither bitcode nor textual IR"):
        Module.from_bitcode(b"\0" * 100)


def test_empty_input() -> None:
    with pytest.raises(ModuleParseError, match="empty"):
        Module.from_bitcode(b"")
    with pytest.raises(ModuleParseError, match="empty"):
        Module.from_ir("  \n")


@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.95])
def test_truncated_bitcode(kitchen_o0: Path, fraction: float) -> None:
    data = kitchen_o0.read_bytes()
    with pytest.raises(ModuleParseError) as info:
        Module.from_bitcode(data[: int(len(data) * fraction)])
    message = str(info.value).lower()
    assert message.startswith("cannot parse module <memory>: ") and len(message) > 40


def test_ir_syntax_error_has_llvm_diagnostic() -> None:
    with pytest.raises(ModuleParseError) as info:
        Module.from_file(DATA / "syntax_error.ll")
    message = str(info.value)
    # LLVM's diagnostic, with file, line and column
    assert f"{DATA / 'syntax_error.ll'}:3:3: error: expected value token" in message


def test_wrong_types() -> None:
    with pytest.raises(TypeError):
        Module.from_bitcode("not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Module.from_ir(b"not str")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "pipeline, diagnostic",
    [
        ("no-such-pass", "unknown pass name 'no-such-pass'"),
        ("function(no-such-pass)", "unknown function pass 'no-such-pass'"),
        ("function(sroa", "invalid pipeline"),
        ("function(sroa))", "invalid pipeline"),
        ("instcombine<bogus-option>", "bogus-option"),
    ],
)
def test_bad_pipeline(pipeline: str, diagnostic: str) -> None:
    with Module.from_file(DATA / "cfg.ll") as module:
        before = module.fingerprint()
        with pytest.raises(PassPipelineError) as info:
            module.run_passes(pipeline)
        assert diagnostic in str(info.value) and pipeline in str(info.value)
        assert module.fingerprint() == before  # nothing ran
        module.run_passes("function(instcombine<no-verify-fixpoint>)")  # still usable


@pytest.mark.parametrize("pipeline", ["default<Oz>", "function(sroa),default<Os>", "lto<Oz>"])
def test_removed_size_levels_are_refused_not_fatal(pipeline: str) -> None:
    # LLVM 22+ exits the process on these ("LLVM ERROR: The optimization level "Oz" is no longer supported").
    with Module.from_file(DATA / "cfg.ll") as module:
        if engine.llvm_major() < 22:
            module.run_passes(pipeline)
            return
        with pytest.raises(PassPipelineError, match="no longer supported"):
            module.run_passes(pipeline)


def test_empty_pipeline() -> None:
    with Module.from_file(DATA / "cfg.ll") as module, pytest.raises(PassPipelineError, match="non-empty"):
        module.run_passes("")


def test_errors_share_a_base_class() -> None:
    assert issubclass(ModuleParseError, LLVMError) and issubclass(PassPipelineError, LLVMError)
