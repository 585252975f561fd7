"""Write an :class:`~rl_compiler.agents.optimize.optimizer.OptimizeResult` where ``-o`` says, like a compiler.

The suffix of ``-o OUT`` chooses the kind: ``x.o`` an object file, ``x.s`` assembly, ``x.ll`` textual IR,
``x.bc`` bitcode, anything else (``x``, ``a.out``) an executable linked by the toolchain's clang driver.
Code generation is ``llc -O2 -relocation-model=pic`` (what the ``.text`` sizes were measured with). Beside
it, for ``x.o`` as for ``x``:

- ``x.bc``: the optimized module (always written), made by ``opt`` replaying the pass list (the module the
  checks ran on), so the replay reproduces it byte for byte; ``replay_check`` in ``x.json`` says whether it
  has the sizes the search measured in-process;
- ``x.input.bc``: the start module the pass list applies to (``minsize optsize`` set);
- ``x.passes.txt``: the pass list, one ``opt -passes=`` string;
- ``x.json``: sizes against -Oz, the pass list, the replay command, checks and timings.

``opt $(OPT_FLAGS) -passes="$(cat x.passes.txt)" x.input.bc -o x.bc`` reproduces ``x.bc`` exactly:
``OPT_FLAGS`` gives ``opt`` the target machine the engine runs passes with (PIC relocation model).
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rl_compiler.agents.optimize.errors import OptimizeError, OptimizeInputError
from rl_compiler.agents.optimize.tools import llc
from rl_compiler.llvm.cache import atomic_write_bytes, atomic_write_text
from rl_compiler.llvm.module import ENGINE_OPT_FLAGS
from rl_compiler.llvm.tempdirs import private_dir

if TYPE_CHECKING:
    from rl_compiler.agents.optimize.optimizer import OptimizeResult

#: Output kind by the suffix of ``-o``; any other suffix (or none) is an executable.
KINDS = {".o": "object", ".s": "assembly", ".ll": "ir", ".bc": "bitcode"}


@dataclass(frozen=True)
class OutputPaths:
    """Where each output of one optimization goes."""

    output: Path
    kind: str
    stem: Path

    @classmethod
    def of(cls, output: str | Path) -> OutputPaths:
        """The paths for ``-o output``; raises OptimizeInputError if its directory is missing."""
        output = Path(output)
        kind = KINDS.get(output.suffix, "executable")
        stem = output.with_suffix("") if kind != "executable" else output
        directory = output.parent
        if not directory.is_dir():
            raise OptimizeInputError(f"cannot write to {output}: directory {directory} does not exist")
        return cls(output, kind, stem)

    def beside(self, suffix: str) -> Path:
        return self.stem.with_name(self.stem.name + suffix)

    @property
    def bitcode(self) -> Path:
        return self.beside(".bc")

    @property
    def input(self) -> Path:
        return self.beside(".input.bc")

    @property
    def passes(self) -> Path:
        return self.beside(".passes.txt")

    @property
    def record(self) -> Path:
        return self.beside(".json")


def replay_command(paths: OutputPaths) -> str:
    """The ``opt`` command that turns ``x.input.bc`` into ``x.bc`` exactly (run where the files are)."""
    flags = " ".join(ENGINE_OPT_FLAGS)
    return (
        f'opt {flags} -passes="$(cat {shlex.quote(paths.passes.name)})" '
        f"{shlex.quote(paths.input.name)} -o {shlex.quote(paths.bitcode.name)}"
    )


def check_output_kind(paths: OutputPaths, benchmark: Any) -> None:
    """Fail fast, before any search, on an output that cannot be made (an executable without ``main``)."""
    if paths.kind == "executable" and not getattr(benchmark, "runnable", False):
        raise OptimizeInputError(
            f"cannot link the executable {paths.output}: the program has no main(); "
            f"write an object ({paths.output.name}.o) or bitcode ({paths.output.name}.bc) instead"
        )


def executable(bitcode: bytes, benchmark: Any) -> bytes:
    """The linked executable (``llc`` as above, then the toolchain's clang driver with the program's ldflags)."""
    from rl_compiler.datasets.errors import DatasetError
    from rl_compiler.datasets.runner import link_executable

    spec = benchmark.run_spec()
    with private_dir("link") as tmp:
        try:
            return link_executable(bitcode, tmp, spec.ldflags, spec.cxx).read_bytes()
        except DatasetError as error:
            raise OptimizeError(str(error)) from None


def record(
    result: OptimizeResult, paths: OutputPaths, programs: list[str], started: float, replayed: str
) -> dict[str, Any]:
    """The JSON record of one optimization (``replayed``: whether opt's replay has the measured sizes)."""
    final, oz = result.final, result.oz
    return {
        "program": programs,
        "benchmark": str(result.benchmark.uri),
        "output": {"path": str(paths.output), "kind": paths.kind},
        "metric": result.metric,
        "fell_back_to_oz": result.fell_back,
        "reason": result.reason,
        "origin": final.origin,
        "candidate_order": result.candidate_order,
        "passes": list(final.passes),
        "opt_pipeline": final.pipeline,
        "opt_flags": list(ENGINE_OPT_FLAGS),
        "replay": replay_command(paths),
        "replay_check": replayed,
        "ir_instruction_count": {"start": result.ic_start, "Oz": oz.ic, "final": final.ic},
        "object_text_size": {"Oz": oz.text, "final": final.text},
        "ir_instruction_count_oz": result.ir_instruction_count_oz,
        "ir_ratio": result.ir_ratio,
        "text_ratio": result.text_ratio,
        "checks": result.checks,
        "search": {
            "evaluations": result.log.evaluations,
            "seconds": {k: round(v, 3) for k, v in result.log.seconds.items()},
            "failures": result.log.failures,
            "cancelled": result.log.cancelled,
            "unwritable": result.log.unwritable,
            "replays": result.replays,
        },
        "seconds": {**{k: round(v, 3) for k, v in result.seconds.items()}, "total": time.perf_counter() - started},
    }


def write_outputs(result: OptimizeResult, output: str | Path, programs: list[str], started: float) -> list[Path]:
    """Write the output ``-o`` names and the files beside it; return the paths written.

    :raises OptimizeError: code generation or linking failed. ``OSError``: a file cannot be written.
    """
    paths = OutputPaths.of(output)
    bitcode = result.bitcode  # opt's replay of the pass list, the module that was checked
    primary = {
        "object": lambda: llc(bitcode, "obj"),
        "assembly": lambda: llc(bitcode, "asm"),
        "ir": lambda: _ir_text(bitcode).encode(),
        "bitcode": lambda: bitcode,
        "executable": lambda: executable(bitcode, result.benchmark),
    }[paths.kind]()
    written = []
    if paths.output != paths.bitcode:
        atomic_write_bytes(paths.output, primary)
        if paths.kind == "executable":
            paths.output.chmod(0o755)
        written.append(paths.output)
    atomic_write_bytes(paths.bitcode, bitcode)
    atomic_write_bytes(paths.input, result.start_bitcode)
    atomic_write_text(paths.passes, result.opt_pipeline() + "\n")
    written += [paths.bitcode, paths.input, paths.passes, paths.record]
    document = record(result, paths, programs, started, result.replay_check)
    atomic_write_text(paths.record, json.dumps(document, indent=2) + "\n")
    return written


def _ir_text(bitcode: bytes) -> str:
    from rl_compiler.llvm.module import Module

    with Module.from_bitcode(bitcode) as module:
        return module.ir()
