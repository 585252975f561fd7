"""``rl-compiler optimize``: make a program's object code smaller than ``clang -Oz``, within a wall-time budget.

    rl-compiler optimize prog.c -o prog             # a linked executable, plus prog.bc, prog.passes.txt, prog.json
    rl-compiler optimize a.c b.c util.c -o build/app.o
    rl-compiler optimize module.ll -o module.opt.ll --time-limit 30
    rl-compiler optimize benchmark://builtin-v0/crc32 -o crc32.bc

PROGRAM is one or more C/C++ files forming one program (compiled with clang's -Oz front end and linked),
one ``.ll``/``.bc`` module, or a benchmark URI. ``-o`` works as for a compiler: ``x.o`` object, ``x.s``
assembly, ``x.ll``/``x.bc`` IR, anything else a linked executable; ``x.bc``, ``x.input.bc``,
``x.passes.txt`` and ``x.json`` are written beside it (:mod:`rl_compiler.agents.optimize.output`).
The time limit is the whole wall time of the command, from the start of its process (interpreter start-up
and imports included; :func:`rl_compiler.cli.command_start`), or from the call of ``main`` inside a running
program. The result is judged by object ``.text`` (``--metric
ir``: IR instructions), verified, run against the unoptimised build when the program has a ``main``, and
never larger than -Oz in ``.text``: otherwise the -Oz result is written and the reason printed.

Exit codes, as a compiler's: 0 written (also when the -Oz result was kept); 1 the input is wrong (a
missing or unsupported file, a program that does not compile or does not run, an output that cannot be
written); 2 bad usage; 70 an internal failure (LLVM fails on even the -Oz result); 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import shlex
import time
from pathlib import Path

from rl_compiler.cli import CLIError

EXIT_INPUT = 1
EXIT_INTERNAL = 70


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "optimize",
        help="optimize a program for object size within a time budget (never larger than -Oz)",
        description="Optimize a program for object code size within a wall-time budget, check the result, and "
        "write it where -o says (object, assembly, IR or executable) with the replayable pass list.",
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
        help="output file: x.o object, x.s assembly, x.ll/x.bc IR, other names a linked executable "
        "(default: NAME.opt.bc for the first program's NAME)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        help="seconds of wall time for the whole command (default: 10)",
    )
    parser.add_argument(
        "--metric",
        choices=("text", "ir"),
        default="text",
        help="what to minimise: object .text bytes or IR instruction count (default: text); "
        "the result is never larger than -Oz in .text either way",
    )
    parser.add_argument(
        "--no-run", action="store_true", help="do not run the program to check its output (verifier only)"
    )
    parser.add_argument("--cflags", default="", help="extra clang flags for C/C++ inputs, e.g. '-DN=10 -Iinclude'")
    parser.add_argument("--ldflags", default="", help="extra link flags for an executable, e.g. '-lm'")
    parser.add_argument("--seed", type=int, default=0, help="seed of the search's random choices (default: 0)")
    parser.set_defaults(func=run)


def _output(args: argparse.Namespace) -> Path:
    if args.output:
        return Path(args.output)
    first = args.programs[0]
    name = first.rsplit("/", 1)[-1] if "://" in first else Path(first).stem
    return Path(f"{name}.opt.bc")


def run(args: argparse.Namespace) -> int:
    from rl_compiler.agents.optimize.optimizer import (
        OptimizeError,
        OptimizeInputError,
        ProgramRunError,
        WorkerStart,
        load_benchmark,
        optimize_program,
        preload_value_model,
    )
    from rl_compiler.agents.optimize.output import OutputPaths, check_output_kind, write_outputs
    from rl_compiler.llvm.errors import LLVMError

    started = args.command_started  # set by main: the process's start for the command, else main's call
    if args.time_limit <= 0:
        raise CLIError(f"--time-limit must be positive, got {args.time_limit}")
    preload_value_model()  # imports the value model while the program builds
    worker = WorkerStart()  # and starts the search's worker
    try:
        paths = OutputPaths.of(_output(args))
        if not os.access(paths.output.parent, os.W_OK):
            raise OptimizeInputError(f"cannot write to {paths.output}: directory {paths.output.parent} is not writable")
        benchmark = load_benchmark(args.programs, cflags=shlex.split(args.cflags), ldflags=shlex.split(args.ldflags))
        check_output_kind(paths, benchmark)
        print(f"optimizing {' '.join(args.programs)} for {args.metric} size ({args.time_limit:g} s in all)")
        outcome = optimize_program(
            benchmark,
            time_limit=args.time_limit,
            metric=args.metric,
            run=not args.no_run,
            started=started,
            seed=args.seed,
            worker=worker,
        )
        files = write_outputs(outcome, paths.output, list(args.programs), started)
    except OptimizeInputError as error:
        raise CLIError(str(error), code=EXIT_INPUT) from None
    except OSError as error:
        raise CLIError(
            f"cannot write {error.filename or paths.output}: {error.strerror or error}", code=EXIT_INPUT
        ) from None
    except ProgramRunError as error:
        raise CLIError(str(error), code=EXIT_INPUT) from None
    except (OptimizeError, LLVMError) as error:
        raise CLIError(str(error), code=EXIT_INTERNAL) from None
    finally:
        worker.join().shutdown()  # already stopped unless the program failed to load
    final, oz = outcome.final, outcome.oz
    print(f"object .text:    {final.text} bytes vs {oz.text} with -Oz ({size_change(final.text, oz.text)})")
    print(
        f"IR instructions: {final.ic} vs {oz.ic} with -Oz ({size_change(final.ic, oz.ic)}; "
        f"{outcome.ic_start} unoptimised; IrInstructionCountOz {outcome.ir_instruction_count_oz:.3f})"
    )
    if outcome.fell_back:
        print(f"kept the -Oz result: {outcome.reason}")
    elif outcome.reason:
        print(f"kept an earlier result: {outcome.reason}")
    for check in outcome.checks:
        print(f"check: {check}")
    print(
        f"passes: {len(outcome.passes)} ({outcome.candidates} candidates compiled, "
        f"{time.perf_counter() - started:.1f} s in all)"
    )
    for path in files:
        print(f"wrote {path}")
    return 0


def size_change(size: int, reference: int) -> str:
    """``size`` against ``reference`` in words: ``"1.3% smaller"``, ``"0.1% larger"`` or ``"same size"``."""
    if size == reference:
        return "same size"
    percent = 100.0 * abs(size - reference) / max(reference, 1)
    return f"{percent:.1f}% {'smaller' if size < reference else 'larger'}"
