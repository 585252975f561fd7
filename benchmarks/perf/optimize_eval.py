"""Evaluate ``rl-compiler optimize`` as a user runs it, on held-out sets, and write the README's tables.

    nice -n 10 python benchmarks/perf/optimize_eval.py --time-limit 10 \\
        --set builtin-test=dataset://builtin-v0/test \\
        --set csmith-heldout=csmith:1000000:200 \\
        --set realc-heldout=dataset://realc-heldout-v0/test \\
        --results benchmarks/perf/results/optimize_eval.jsonl --out benchmarks/perf/optimize_eval.md

Each program is optimized by its own ``rl-compiler optimize URI -o DIR/NAME.o --time-limit T`` process, timed
from spawn to exit (the budget is the whole command). Every result is then validated here, independently
of the command's own checks: ``NAME.bc`` is parsed and verified, its ``.text`` and IR instruction count are
measured again, and for runnable programs it is linked, run and its output compared with the unoptimised
build's. Per set: geomean object ``.text`` -Oz/final, geomean ``IrInstructionCountOz``, programs with
larger ``.text`` than -Oz, results that kept -Oz or an earlier best (the best's replay not done in time or
failing a check), wall time per program, and the validation count; a per-program table follows.

A set is ``dataset://NAME/SPLIT`` (a dataset's split), a dataset manifest ``PATH.yaml`` (all its programs;
give ``RL_COMPILER_DATASETS`` so the command finds them by name), ``csmith:FIRST:COUNT`` (the first COUNT csmith-v0
programs from seed FIRST on whose unoptimised build runs cleanly within 10 s: the others cannot be checked
and are listed as left out), or a file listing one benchmark URI per line. Results are appended to
``--results`` as JSON lines and programs already there are skipped, so a run can be resumed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perfreport import emit

from rl_compiler.stats import geomean  # the geomean of every report

ROOT = Path(__file__).resolve().parents[2]


def set_uris(spec: str) -> list[str]:
    """The benchmark URIs of one ``--set`` value."""
    if spec.startswith("dataset://"):
        from rl_compiler.datasets import get_dataset

        name, _, split = spec[len("dataset://") :].partition("/")
        dataset = get_dataset(name)
        return dataset.split(split) if split else dataset.benchmark_uris()
    if spec.endswith((".yaml", ".yml")):
        from rl_compiler.datasets import get_dataset

        return get_dataset(spec).benchmark_uris()
    if spec.startswith("csmith:"):
        _, first, count = spec.split(":")
        return runnable_csmith(int(first), int(count))
    return [line.strip() for line in Path(spec).read_text().splitlines() if line.strip()]


def select(uris: list[str], sample: int | None, max_instructions: int | None) -> list[str]:
    """Programs below ``max_instructions`` (start module), then a seeded subset of ``sample`` of them."""
    if max_instructions is not None:
        from rl_compiler.datasets import get_benchmark
        from rl_compiler.llvm.module import Module

        kept = []
        for uri in uris:
            with Module.from_bitcode(get_benchmark(uri).bitcode()) as module:
                if module.instruction_count() <= max_instructions:
                    kept.append(uri)
        uris = kept
    if sample is not None and sample < len(uris):
        uris = sorted(random.Random(0).sample(uris, sample))
    return uris


def runnable_csmith(first: int, count: int) -> list[str]:
    """The first ``count`` csmith-v0 programs from seed ``first`` on whose unoptimised build runs cleanly."""
    from rl_compiler.datasets import get_benchmark
    from rl_compiler.datasets.errors import DatasetError

    uris, seed = [], first
    while len(uris) < count:
        uri = f"generator://csmith-v0/{seed}"
        try:
            get_benchmark(uri).reference_output(timeout=10.0)
            uris.append(uri)
        except DatasetError as error:
            print(f"left out {uri}: {str(error).splitlines()[0][:100]}", flush=True)
        seed += 1
    return uris


def optimize(uri: str, time_limit: float, workdir: Path, metric: str = "text") -> dict:
    """Run the command on ``uri``; its JSON record plus the wall time and exit code."""
    output = workdir / "prog.o"
    command = [sys.executable, "-m", "rl_compiler.cli", "optimize", uri, "-o", str(output), "--metric", metric]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--time-limit", str(time_limit)], capture_output=True, text=True, timeout=30 * time_limit + 600
    )
    wall = time.perf_counter() - started
    row = {"uri": uri, "exit": done.returncode, "wall": wall}
    if done.returncode != 0:
        row["error"] = (done.stderr or done.stdout).strip()[-2000:]
        return row
    record = json.loads((workdir / "prog.json").read_text())
    row.update(
        ic_start=record["ir_instruction_count"]["start"],
        ic_oz=record["ir_instruction_count"]["Oz"],
        ic_final=record["ir_instruction_count"]["final"],
        text_oz=record["object_text_size"]["Oz"],
        text_final=record["object_text_size"]["final"],
        fell_back=record["fell_back_to_oz"],
        reason=record["reason"],
        passes=record["opt_pipeline"],
        evaluations=sum(record["search"]["evaluations"].values()),
        cancelled=record["search"].get("cancelled", 0),
        replay_check=record["replay_check"],
        seconds=record["seconds"],
    )
    row["validation"] = validate(uri, workdir / "prog.bc", row)
    return row


def validate(uri: str, bitcode_path: Path, row: dict) -> str:
    """Verify the written module, re-measure its sizes, and run it against the expected output if runnable."""
    from rl_compiler.datasets import get_benchmark
    from rl_compiler.llvm.module import Module

    try:
        with Module.from_file(bitcode_path) as module:
            module.verify()
            ic, text = module.instruction_count(), module.object_text_size()
        if ic != row["ic_final"] or text != row["text_final"]:
            return f"FAILED: sizes differ ({ic} IR, {text} .text measured again)"
        benchmark = get_benchmark(uri)
        if not benchmark.runnable:
            return "ok: verifier (not runnable)"
        benchmark.check_output(bitcode_path.read_bytes())
        return "ok: verifier, output"
    except Exception as error:  # any failure is a failed validation, recorded as such
        return f"FAILED: {type(error).__name__}: {str(error)[:300]}"


def ir_instruction_count_oz(row: dict) -> float:
    """CompilerGym's return, (C_start - C_final) / max(C_start - C_Oz, 1)."""
    return (row["ic_start"] - row["ic_final"]) / max(row["ic_start"] - row["ic_oz"], 1)


def ir_needed(row: dict, target: float = 1.05) -> float:
    """The IR ratio -Oz/final that ``IrInstructionCountOz`` = ``target`` needs on this program (inf: it would
    need fewer than zero instructions): C_final = C_Oz - (target - 1) * (C_start - C_Oz)."""
    final = row["ic_oz"] - (target - 1.0) * (row["ic_start"] - row["ic_oz"])
    return row["ic_oz"] / final if final > 0 else float("inf")


def summary(rows: list[dict]) -> dict:
    ok = [r for r in rows if r["exit"] == 0]
    # The return is meaningless where -Oz grows the IR (inlining): its denominator is then 1 (max(., 1)).
    shrunk = [r for r in ok if r["ic_oz"] < r["ic_start"]]
    return {
        "programs": len(rows),
        "errors": len(rows) - len(ok),
        "text": geomean([r["text_oz"] / r["text_final"] for r in ok]),
        "ir_oz": geomean([ir_instruction_count_oz(r) for r in shrunk]),
        "ir_oz_programs": len(shrunk),
        "ir_ratio": geomean([r["ic_oz"] / r["ic_final"] for r in ok]),
        "larger": sum(r["text_final"] > r["text_oz"] for r in ok),
        "smaller": sum(r["text_final"] < r["text_oz"] for r in ok),
        "fell_back": sum(r["fell_back"] for r in ok),
        # The best's replay not done in time (or failing a check): an earlier replayed best written instead.
        "earlier": sum(bool(r["reason"]) and not r["fell_back"] for r in ok),
        "wall_mean": statistics.fmean(r["wall"] for r in rows) if rows else float("nan"),
        "wall_median": statistics.median(r["wall"] for r in rows) if rows else float("nan"),
        "wall_max": max((r["wall"] for r in rows), default=float("nan")),
        "valid": sum(r.get("validation", "").startswith("ok") for r in ok),
        "ran": sum(r.get("validation", "") == "ok: verifier, output" for r in ok),
        "ir_needed_median": statistics.median(ir_needed(r) for r in shrunk) if shrunk else float("nan"),
        "ir_needed_impossible": sum(ir_needed(r) == float("inf") for r in shrunk),
    }


def tables(sets: dict[str, list[dict]], time_limit: float) -> list[str]:
    lines = [
        f"`rl-compiler optimize --time-limit {time_limit:g}` per program (wall time of the whole command), "
        "on held-out sets; every result re-validated.",
        "",
        "| set | programs | .text -Oz/final (geomean) | IrInstructionCountOz (geomean; programs -Oz shrinks) "
        "| IR -Oz/final (geomean) | larger .text than -Oz | smaller .text | kept -Oz | kept an earlier best "
        "| wall s/program (median / mean / max) | valid (verifier / also output) | errors |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, rows in sets.items():
        s = summary(rows)
        lines.append(
            f"| {name} | {s['programs']} | {s['text']:.4f}x | {s['ir_oz']:.4f}x ({s['ir_oz_programs']}) "
            f"| {s['ir_ratio']:.4f}x | {s['larger']} | {s['smaller']} | {s['fell_back']} | {s['earlier']} "
            f"| {s['wall_median']:.1f} / {s['wall_mean']:.1f} / {s['wall_max']:.1f} | {s['valid']} / {s['ran']} "
            f"| {s['errors']} |"
        )
    lines += [
        "",
        "What `IrInstructionCountOz` >= 1.05 would take: (C_start - C_final) / (C_start - C_Oz) >= 1.05 means "
        "C_final <= C_Oz - 0.05 (C_start - C_Oz), so the more -Oz shrinks a program, the further below -Oz "
        "its IR must go.",
        "",
        "| set | programs -Oz shrinks | median (C_start - C_Oz) / C_Oz | median IR -Oz/final needed for 1.05 "
        "| programs where 1.05 needs fewer than 0 instructions | IR -Oz/final reached (geomean) |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for name, rows in sets.items():
        s = summary(rows)
        shrunk = [r for r in rows if r["exit"] == 0 and r["ic_oz"] < r["ic_start"]]
        spread = (
            statistics.median((r["ic_start"] - r["ic_oz"]) / r["ic_oz"] for r in shrunk) if shrunk else float("nan")
        )
        lines.append(
            f"| {name} | {s['ir_oz_programs']} | {spread:.2f} | {s['ir_needed_median']:.3f}x "
            f"| {s['ir_needed_impossible']} | {s['ir_ratio']:.4f}x |"
        )
    for name, rows in sets.items():
        lines += ["", f"**{name}** per program:", ""]
        lines += [
            "| program | IR start | IR -Oz | IR final | .text -Oz | .text final | .text -Oz/final | wall s "
            "| validation |",
            "|---|--:|--:|--:|--:|--:|--:|--:|---|",
        ]
        for r in rows:
            name_ = r["uri"].rsplit("/", 1)[-1]
            if r["exit"] != 0:
                lines.append(f"| {name_} | | | | | | exit {r['exit']} | {r['wall']:.1f} | {r['error'][:80]} |")
                continue
            lines.append(
                f"| {name_} | {r['ic_start']} | {r['ic_oz']} | {r['ic_final']} | {r['text_oz']} | {r['text_final']} "
                f"| {r['text_oz'] / r['text_final']:.4f} | {r['wall']:.1f} | {r['validation']} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", required=True, metavar="NAME=SPEC", help="a set to evaluate")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--metric", choices=("text", "ir"), default="text", help="optimize's --metric (default: text)")
    parser.add_argument("--results", type=Path, required=True, help="JSON lines, appended (resumable)")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown tables here")
    parser.add_argument("--sample", type=int, default=None, help="a seeded random subset of this many per set")
    parser.add_argument("--max-instructions", type=int, default=None, help="leave out larger start modules")
    parser.add_argument("--shard", default="0/1", help="K/N: run only every N-th program from the K-th (parallel runs)")
    args = parser.parse_args()
    done: dict[tuple[str, str], dict] = {}
    if args.results.is_file():
        for line in args.results.read_text().splitlines():
            row = json.loads(line)
            if row.get("time_limit") == args.time_limit and row.get("metric", "text") == args.metric:
                done[(row["set"], row["uri"])] = row
    sets: dict[str, list[dict]] = {}
    for item in args.set:
        name, _, spec = item.partition("=")
        uris = select(set_uris(spec), args.sample, args.max_instructions)
        rows = sets.setdefault(name, [])
        shard, shards = (int(part) for part in args.shard.split("/"))
        uris = uris[shard::shards]
        for index, uri in enumerate(uris):
            if (name, uri) not in done:
                with tempfile.TemporaryDirectory(prefix="rl-compiler-optimize-eval-") as tmp:
                    row = optimize(uri, args.time_limit, Path(tmp), args.metric)
                row.update(set=name, time_limit=args.time_limit, metric=args.metric)
                with args.results.open("a") as results:
                    results.write(json.dumps(row) + "\n")
                done[(name, uri)] = row
                status = row.get("validation") or row.get("error", "")[:60]
                ratio = f"{row['text_oz'] / row['text_final']:.4f}" if row["exit"] == 0 else "-"
                print(f"[{name} {index + 1}/{len(uris)}] {uri} text {ratio} {row['wall']:.1f}s {status}", flush=True)
            rows.append(done[(name, uri)])
    emit(tables(sets, args.time_limit), args.out)


if __name__ == "__main__":
    main()
