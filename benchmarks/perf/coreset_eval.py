"""The shipped coreset and value model on held-out programs: prediction with 5 compilations vs the oracle.

    nice -n 10 python benchmarks/perf/coreset_eval.py --set builtin-v0/test --set csmith-heldout-v0 \
        --set realc-heldout-v0 -o benchmarks/perf/results/coreset_eval.json

Per program (start module = clang's -Oz front-end output):

- **-Oz**: ``default<O2>``, the reference (1.0);
- **value prediction, 5 compilations**: -Oz first, then the value model's first 4 other sequences for the
  start module's features and -Oz's outcome, keeping the smallest object ``.text`` (then IR), so never
  larger than -Oz. For the first ``--timed`` programs of each set the whole path (features, -Oz, prediction,
  4 more compilations, each verified, on ``--lanes`` worker processes at once) is compiled afresh and timed,
  and must reproduce the cached scores;
- **static order, 5 compilations**: the same with the 4 sequences of best mean training value (no model);
- **coreset order, 5 compilations**: the same with the coreset file's first 4 (its greedy cover of the
  training corpus, no model): what the model must beat to be worth having;
- **coreset oracle**: the best of all the coreset's sequences by ``.text`` (what unlimited compilations of
  the coreset reach).

Reports geomean ``.text`` -Oz/final, geomean IrInstructionCountOz (CompilerGym's return: 1.0 is -Oz),
IR -Oz/final, programs larger than -Oz, the share of the oracle's ``.text`` gain that prediction reaches,
and the wall time per program of the prediction path. Every kept result passed the verifier; runnable
programs (csmith, the built-in suite) are also run and their output checked against the unoptimized build.
Scores are cached (``--prescore`` fills the cache without the model). The held-out sets were never used to
build the coreset or train the model (see docs/coreset.md).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from rl_compiler.agents.coreset import load_coreset, load_value_model, rank_sequences
from rl_compiler.agents.coreset.build import dataset_uris, load_programs
from rl_compiler.agents.coreset.predict import COMPILATIONS, predict
from rl_compiler.agents.coreset.scoring import Program, Scorer, score_table
from rl_compiler.agents.coreset.value import feature_vector
from rl_compiler.datasets import get_benchmark
from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.module import Module

UNCHECKABLE = "not checkable:"


def geomean(values: list[float]) -> float:
    return float(math.exp(np.mean([math.log(max(v, 1e-2)) for v in values]))) if values else float("nan")


def prediction_path(program: Program, scorer: Scorer, coreset, model) -> tuple[list[int], str, int, int]:
    """Value prediction alone, compiled now (no cache; this path is timed): features, -Oz, the model's order,
    its first 4 other sequences, on every lane of ``scorer`` at once (:mod:`~rl_compiler.agents.coreset.predict`);
    keep the smallest ``.text`` (then IR). Returns (the 5 columns, the kept sequence, its ic, its text)."""
    prediction = predict(program.bitcode, scorer, coreset, model, COMPILATIONS)
    return prediction.chosen, coreset.sequences[prediction.kept], prediction.ic, prediction.text


def check_output(uri: str, bitcode: bytes, sequence: str) -> str | None:
    """None if the program's output after ``sequence`` matches (or it is not runnable), else the error;
    ``"not checkable: ..."`` if the unoptimized program itself does not run to completion (within 60 s)."""
    benchmark = get_benchmark(uri)
    if not benchmark.runnable:
        return None
    try:
        benchmark.expected_output()
    except Exception as error:  # noqa: BLE001 - reported per program
        return f"{UNCHECKABLE} the unoptimized program: {str(error).splitlines()[0][:160]}"
    try:
        with Module.from_bitcode(bitcode) as module:
            module.run_passes(sequence)
            module.verify()
            benchmark.check_output(module.bitcode())
    except (LLVMError, Exception) as error:  # noqa: BLE001 - any failure is reported, per program
        return str(error).splitlines()[0][:200]
    return None


def best(texts: np.ndarray, ics: np.ndarray, columns: list[int]) -> int:
    """The column of smallest ``.text``, then IR; failures (NaN) and results without any ``.text`` (which
    cannot be compared; scoring.ScoreTable.values counts them as failures too) never win."""
    return min(columns, key=lambda c: (texts[c] if texts[c] > 0 else np.inf, ics[c]))


def outcome(texts: np.ndarray, ics: np.ndarray, column: int) -> dict:
    return {"sequence": column, "ic": int(ics[column]), "text": int(texts[column])}


def evaluate_set(
    selector: str, scorer: Scorer, max_instructions: int, limit: int | None, timed: int, run: bool = True
) -> dict:
    coreset, model = load_coreset(), load_value_model()
    static = [0, *sorted(range(1, len(coreset)), key=lambda i: -coreset.stats[i]["mean_text_value"])]
    cover = list(range(COMPILATIONS))
    programs = load_programs(scorer, dataset_uris(selector)[:limit], max_instructions=max_instructions)
    table = score_table(scorer, programs, list(coreset.sequences))
    if programs and timed:
        scorer.start(programs[0].bitcode)  # every lane's worker: no timed program pays a process start
    rows = []
    for row, program in enumerate(programs):
        texts, ics = table.text[row], table.ic[row]
        features = feature_vector(program.autophase, program.inst_count, program.ic_start, program.ic_oz,
                                  program.text_oz)  # fmt: skip
        order = rank_sequences(features, coreset=coreset, model=model)
        chosen = [0, *[i for i in order if i != 0][: COMPILATIONS - 1]]
        seconds = None
        if row < timed:  # the whole prediction path, compiled afresh and timed; it must agree with the table
            start = time.perf_counter()
            fresh, sequence, ic, text = prediction_path(program, scorer, coreset, model)
            seconds = time.perf_counter() - start
            kept = coreset.sequences.index(sequence)
            assert fresh == chosen and (ic, text) == (ics[kept], texts[kept]), f"{program.uri}: not reproducible"
        predicted = best(texts, ics, chosen)
        static_col = best(texts, ics, static[:COMPILATIONS])
        cover_col = best(texts, ics, cover)
        oracle = best(texts, ics, list(range(len(coreset))))
        rows.append(
            {
                "uri": program.uri,
                "ic_start": program.ic_start,
                "ic_oz": program.ic_oz,
                "text_oz": program.text_oz,
                "predicted": outcome(texts, ics, predicted),
                "static": outcome(texts, ics, static_col),
                "cover": outcome(texts, ics, cover_col),
                "oracle": outcome(texts, ics, oracle),
                "seconds": seconds,
                "runnable": run and get_benchmark(program.uri).runnable,
                "output_error": check_output(program.uri, program.bitcode, coreset.sequences[predicted])
                if run
                else None,
            }
        )
    return {"set": selector, "programs": rows, "coreset": coreset.name, "sequences": len(coreset)}


def summarize(result: dict) -> dict:
    rows = result["programs"]

    def metrics(key: str) -> dict:
        text = [r["text_oz"] / r[key]["text"] for r in rows]
        ir = [r["ic_oz"] / r[key]["ic"] for r in rows]
        ic_oz = [(r["ic_start"] - r[key]["ic"]) / max(r["ic_start"] - r["ic_oz"], 1) for r in rows]
        return {
            "text": geomean(text),
            "ir_ratio": geomean(ir),
            "ic_oz": geomean(ic_oz),
            "larger": sum(r[key]["text"] > r["text_oz"] for r in rows),
        }

    summary = {key: metrics(key) for key in ("predicted", "static", "cover", "oracle")}
    oracle_gain = summary["oracle"]["text"] - 1
    summary["share_of_oracle_gain"] = (summary["predicted"]["text"] - 1) / oracle_gain if oracle_gain > 0 else None
    for key in ("static", "cover"):
        share = (summary[key]["text"] - 1) / oracle_gain if oracle_gain > 0 else None
        summary[f"{key}_share_of_oracle_gain"] = share
    seconds = [r["seconds"] for r in rows if r["seconds"] is not None]
    summary["timed_programs"] = len(seconds)
    summary["seconds_median"] = float(np.median(seconds)) if seconds else float("nan")
    summary["seconds_max"] = float(max(seconds)) if seconds else float("nan")
    errors = [r for r in rows if r["output_error"]]
    summary["output_errors"] = [r["uri"] for r in errors if not r["output_error"].startswith(UNCHECKABLE)]
    summary["output_not_checkable"] = [r["uri"] for r in errors if r["output_error"].startswith(UNCHECKABLE)]
    summary["programs"] = len(rows)
    return summary


def markdown(results: list[dict]) -> str:
    lines = [
        "| set | programs | value prediction, 5 compilations | static order, 5 compilations "
        "| coreset order, 5 compilations | coreset oracle "
        "| share of the oracle's .text gain (prediction / static / coreset order) | larger than -Oz "
        "| s/program (median / max) | validation |",
        "|---|--:|---|---|---|---|---|--:|---|---|",
    ]
    for result in results:
        s = result["summary"]
        cell = {
            k: f"{s[k]['text']:.4f}x / {s[k]['ir_ratio']:.4f}x / {s[k]['ic_oz']:.3f}"
            for k in ("predicted", "static", "cover", "oracle")
        }
        share = " / ".join(
            "-" if s[key] is None else f"{100 * s[key]:.0f}%"
            for key in ("share_of_oracle_gain", "static_share_of_oracle_gain", "cover_share_of_oracle_gain")
        )
        errors, unchecked = len(s["output_errors"]), len(s.get("output_not_checkable", []))
        runnable = sum(bool(r.get("runnable")) for r in result["programs"]) - unchecked
        check = "verifier ok" + (
            f"; output of {runnable} runs: {errors} failed" if errors else f"; output of {runnable} runs ok"
        )
        if runnable <= 0 and not unchecked:
            check = "verifier ok (not runnable)"
        if unchecked:
            check += f"; {unchecked} not checkable (the unoptimized program does not finish in 60 s)"
        lines.append(
            f"| {result['set']} | {s['programs']} | {cell['predicted']} | {cell['static']} | {cell['cover']} | "
            f"{cell['oracle']} | {share} | {s['predicted']['larger']} | "
            f"{s['seconds_median']:.2f} / {s['seconds_max']:.2f} ({s['timed_programs']} timed) | {check} |"
        )
    lines.append("")
    lines.append(
        "Cells: geomean object `.text` -Oz/final / geomean IR instructions -Oz/final / geomean "
        "IrInstructionCountOz (CompilerGym's return, values below 0.01 counted as 0.01)."
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", required=True, help="NAME or NAME/SPLIT (repeat)")
    parser.add_argument("--limit", type=int, help="only the first N programs of each set (sorted by URI)")
    parser.add_argument("--max-instructions", type=int, default=10_000, help="leave out larger start modules")
    parser.add_argument(
        "--timed", type=int, default=40, help="programs per set whose prediction path is compiled afresh and timed"
    )
    parser.add_argument(
        "--lanes", type=int, default=2, help="worker processes the timed prediction path compiles on at once"
    )
    parser.add_argument("--no-run", action="store_true", help="skip running the programs (verifier only)")
    parser.add_argument("--prescore", action="store_true", help="only score the coreset on the sets (fill the cache)")
    parser.add_argument("-o", "--output", type=Path, help="JSON file of every program's results")
    args = parser.parse_args()
    results = []
    with Scorer(lanes=args.lanes) as scorer:
        for selector in args.set:
            if args.prescore:
                programs = load_programs(scorer, dataset_uris(selector)[: args.limit], None, args.max_instructions)
                table = score_table(scorer, programs, list(load_coreset().sequences))
                print(f"{selector}: {len(programs)} programs, {table.compilations} compilations", flush=True)
                continue
            result = evaluate_set(selector, scorer, args.max_instructions, args.limit, args.timed, not args.no_run)
            result["summary"] = summarize(result)
            results.append(result)
            print(f"{selector}: {json.dumps(result['summary'])}", flush=True)
    if args.prescore:
        return 0
    print(markdown(results))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({"max_instructions": args.max_instructions, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
