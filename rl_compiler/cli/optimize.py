"""``rl-compiler optimize``: make a program smaller than ``clang -Oz`` (shipped policy + short search).

    rl-compiler optimize prog.c -o out/prog          # out/prog.bc, out/prog.passes.txt, out/prog.json
    rl-compiler optimize a.c b.c util.c -o build/app --emit obj
    rl-compiler optimize module.ll --time-limit 30
    rl-compiler optimize benchmark://builtin-v0/crc32

PROGRAM is one or more C/C++ files forming one program (compiled with clang's -Oz front end and linked),
or one ``.ll``/``.bc`` module, or a benchmark URI. The result is verified, run against the unoptimised
build when the program has a ``main``, and replaced by the -Oz result if it is not at least as small.
Outputs (with ``-o OUT``):

- ``OUT.bc``: the optimized module;
- ``OUT.o`` with ``--emit obj`` (``llc -O2 -filetype=obj``);
- ``OUT.passes.txt``: the pass pipeline, replayable with ``opt -passes="$(cat OUT.passes.txt)" OUT.input.bc``;
- ``OUT.input.bc``: the unoptimised start module the pipeline applies to (``minsize optsize`` set);
- ``OUT.json``: sizes, pass list, checks and timings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from rl_compiler.cli import CLIError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "optimize",
        help="optimize a program for size (shipped policy + search; never worse than -Oz)",
        description="Optimize a program for code size with the shipped policy plus a short search, check the "
        "result, write the optimized bitcode and the replayable pass list, and compare with -Oz.",
    )
    parser.add_argument(
        "programs",
        nargs="+",
        metavar="PROGRAM",
        help="C/C++ files forming one program, one .ll/.bc module, or a benchmark:// URI",
    )
    parser.add_argument(
        "-o",
        "--output",
        default=None,
        help="output prefix OUT (writes OUT.bc, OUT.passes.txt, OUT.input.bc, OUT.json; "
        "default: the first program's name without suffix, in the current directory)",
    )
    parser.add_argument(
        "--emit",
        nargs="+",
        choices=("bc", "obj", "ll"),
        default=["bc"],
        help="what to write besides the pass list (default: bc)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        help="seconds for the policy and search per program (default: 10)",
    )
    parser.add_argument(
        "--metric",
        choices=("ir", "text"),
        default="ir",
        help="what must not be worse than -Oz: IR instruction count or object .text bytes (default: ir)",
    )
    parser.add_argument(
        "--policy",
        default=None,
        help="a saved policy (.zip with .yml, or run directory) instead of the shipped one; 'none' for search only",
    )
    parser.add_argument(
        "--no-run", action="store_true", help="do not run the program to check its output (verifier only)"
    )
    parser.add_argument("--cflags", default="", help="extra clang flags for C/C++ inputs, e.g. '-DN=10 -Iinclude'")
    parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=True, help="progress bars (default: on)"
    )
    parser.set_defaults(func=run)


def _output_prefix(args: argparse.Namespace) -> Path:
    if args.output:
        prefix = Path(args.output)
        for suffix in (".bc", ".o", ".ll"):
            if prefix.suffix == suffix:
                prefix = prefix.with_suffix("")
    else:
        first = args.programs[0]
        prefix = Path(first.rsplit("/", 1)[-1] if "://" in first else Path(first).stem).with_suffix("")
        prefix = Path(prefix.name + ".opt")
    directory = prefix.parent if str(prefix.parent) else Path(".")
    if not directory.is_dir():
        raise CLIError(f"cannot write to {prefix}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise CLIError(f"cannot write to {prefix}: directory {directory} is not writable")
    return prefix


def _load(args: argparse.Namespace):
    from rl_compiler.agents.optimizer import load_benchmark
    from rl_compiler.datasets import DatasetError

    try:
        import shlex

        return load_benchmark(args.programs, cflags=shlex.split(args.cflags))
    except (FileNotFoundError, ValueError, DatasetError) as error:
        raise CLIError(str(error)) from None


def _object_code(bitcode: bytes) -> bytes:
    from rl_compiler.llvm.toolchain import get_toolchain

    with tempfile.TemporaryDirectory(prefix="rl-compiler-obj-") as tmp:
        source, obj = Path(tmp) / "m.bc", Path(tmp) / "m.o"
        source.write_bytes(bitcode)
        result = subprocess.run(
            [
                str(get_toolchain().llc),
                "-O2",
                "-relocation-model=pic",
                "-filetype=obj",
                str(source),
                "-o",
                str(obj),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise CLIError(f"llc failed to generate an object: {result.stderr.strip()}")
        return obj.read_bytes()


def _ll(bitcode: bytes) -> str:
    from rl_compiler.llvm.module import Module

    with Module.from_bitcode(bitcode) as module:
        return module.ir()


def run(args: argparse.Namespace) -> int:
    from rl_compiler.agents.optimizer import OptimizeError, optimize_program
    from rl_compiler.llvm.cache import atomic_write_bytes, atomic_write_text

    if args.time_limit <= 0:
        raise CLIError(f"--time-limit must be positive, got {args.time_limit}")
    prefix = _output_prefix(args)
    started = time.perf_counter()
    benchmark = _load(args)
    policy = None
    if args.policy is not None:
        from rl_compiler.agents.default import DefaultPolicy

        if args.policy != "none" and not Path(args.policy).exists():
            raise CLIError(f"policy {args.policy} does not exist")
        policy = DefaultPolicy(time_limit=args.time_limit, policy_path="" if args.policy == "none" else args.policy)
    print(f"optimizing {' '.join(args.programs)} (search budget {args.time_limit:g} s)")
    try:
        outcome = optimize_program(
            benchmark,
            policy=policy,
            time_limit=args.time_limit,
            metric=args.metric,
            run=not args.no_run,
            progress=args.progress,
        )
    except OptimizeError as error:
        raise CLIError(str(error)) from None
    except Exception as error:
        name = type(error).__name__
        if name in (
            "BuildError",
            "MissingFileError",
            "DatasetError",
            "ModuleParseError",
            "UnknownBenchmarkError",
        ):
            raise CLIError(f"cannot build {' '.join(args.programs)}: {error}") from None
        raise
    result, oz = outcome.result, outcome.oz
    files: list[Path] = []
    try:
        if "bc" in args.emit:
            files.append(prefix.with_name(prefix.name + ".bc"))
            atomic_write_bytes(files[-1], outcome.bitcode)
        if "ll" in args.emit:
            files.append(prefix.with_name(prefix.name + ".ll"))
            atomic_write_text(files[-1], _ll(outcome.bitcode))
        if "obj" in args.emit:
            files.append(prefix.with_name(prefix.name + ".o"))
            atomic_write_bytes(files[-1], _object_code(outcome.bitcode))
        files.append(prefix.with_name(prefix.name + ".input.bc"))
        atomic_write_bytes(files[-1], outcome.start_bitcode)
        files.append(prefix.with_name(prefix.name + ".passes.txt"))
        atomic_write_text(files[-1], outcome.opt_pipeline() + "\n")
        files.append(prefix.with_name(prefix.name + ".json"))
        atomic_write_text(
            files[-1],
            json.dumps(
                {
                    "program": [str(p) for p in args.programs],
                    "benchmark": str(benchmark.uri),
                    "agent": result.agent,
                    "fell_back_to_oz": outcome.fell_back,
                    "reason": outcome.reason,
                    "passes": [p for p in outcome.passes],
                    "opt_pipeline": outcome.opt_pipeline(),
                    "replay": f'opt -passes="$(cat {files[-2].name})" {prefix.name}.input.bc -o {prefix.name}.bc',
                    "ir_instruction_count": {"O0": result.ic_o0, "Oz": oz.ic_final, "final": result.ic_final},
                    "object_text_size": {"Oz": oz.text_final, "final": result.text_final},
                    "ir_instruction_count_oz": result.ir_instruction_count_oz,
                    "size_ratio": result.size_ratio,
                    "text_ratio": result.text_ratio,
                    "checks": outcome.checks,
                    "search_seconds": result.wall_time,
                    "total_seconds": time.perf_counter() - started,
                },
                indent=2,
            )
            + "\n",
        )
    except OSError as error:
        raise CLIError(f"cannot write {files[-1] if files else prefix}: {error.strerror or error}") from None
    print(
        f"IR instructions: {result.ic_final} vs {oz.ic_final} with -Oz ({size_change(result.ic_final, oz.ic_final)}; "
        f"{result.ic_o0} unoptimised; IrInstructionCountOz {result.ir_instruction_count_oz:.3f})"
    )
    if result.text_final and oz.text_final:
        change = size_change(result.text_final, oz.text_final)
        print(f"object .text:    {result.text_final} bytes vs {oz.text_final} with -Oz ({change})")
    if outcome.fell_back:
        print(f"kept the -Oz result: {outcome.reason}")
    for check in outcome.checks:
        print(f"check: {check}")
    print(f"passes: {len(outcome.passes)} ({result.wall_time:.1f} s)")
    for path in files:
        print(f"wrote {path}")
    return 0


def size_change(size: int, reference: int) -> str:
    """``size`` against ``reference`` in words: ``"1.3% smaller"``, ``"0.1% larger"`` or ``"same size"``."""
    if size == reference:
        return "same size"
    percent = 100.0 * abs(size - reference) / max(reference, 1)
    return f"{percent:.1f}% {'smaller' if size < reference else 'larger'}"
