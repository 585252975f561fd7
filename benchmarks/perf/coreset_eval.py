"""The shipped coreset and value model on held-out programs: prediction with 5 compilations vs the oracle.

    nice -n 10 python benchmarks/perf/coreset_eval.py --set builtin-v0/test --set csmith-heldout-v0 \
        --set realc-heldout-v0 -o benchmarks/perf/results/coreset_eval.json

Per program (start module = clang's -Oz front-end output):

- **-Oz**: ``default<O2>``, the reference (1.0);
- **value prediction, 5 compilations**: -Oz first, then the value model's first 4 other sequences for the
  start module's features and -Oz's outcome, keeping the smallest object ``.text`` (then IR), so never
  larger than -Oz, within a wall-clock budget (``--budget``, default 1 s for the whole path:
  :mod:`rl_compiler.agents.coreset.predict`). For the first ``--timed`` programs of each set (default all)
  the whole path (features, -Oz, prediction, 4 more compilations, each verified, on ``--lanes`` worker
  processes at once) is compiled afresh and timed: the result kept is what finished in the budget, and
  every compilation that finished must reproduce the cached scores; the other programs use the cached
  scores of all 5 (no budget);
- **unbudgeted prediction**: the same 5 compilations from the cached scores, whatever they take (what the
  budget costs is the difference);
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
from rl_compiler.agents.coreset.predict import BUDGET, COMPILATIONS, Prediction, predict
from rl_compiler.agents.coreset.scoring import Program, Scorer, score_table
from rl_compiler.agents.coreset.value import feature_vector
from rl_compiler.datasets import get_benchmark
from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.module import Module

UNCHECKABLE = "not checkable:"


def geomean(values: list[float]) -> float:
    return float(math.exp(np.mean([math.log(max(v, 1e-2)) for v in values]))) if values else float("nan")


def predicted(program: Program, scorer: Scorer, coreset, model, budget: float | None = BUDGET) -> Prediction:
    """Value prediction alone, compiled now (no cache; this path is timed): features, -Oz, the model's order,
    its first 4 other sequences, on every lane of ``scorer`` at once, within ``budget`` seconds
    (:mod:`~rl_compiler.agents.coreset.predict`); keep the smallest ``.text`` (then IR) that finished."""
    return predict(program.bitcode, scorer, coreset, model, COMPILATIONS, budget=budget)


def prediction_path(
    program: Program, scorer: Scorer, coreset, model, budget: float | None = BUDGET
) -> tuple[list[int], str, int, int]:
    """:func:`predicted`, as (the 5 columns, the kept sequence, its ic, its text)."""
    prediction = predicted(program, scorer, coreset, model, budget)
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
    selector: str,
    scorer: Scorer,
    max_instructions: int,
    limit: int | None,
    timed: int | None,
    run: bool = True,
    budget: float | None = BUDGET,
) -> dict:
    coreset, model = load_coreset(), load_value_model()
    static = [0, *sorted(range(1, len(coreset)), key=lambda i: -coreset.stats[i]["mean_text_value"])]
    cover = list(range(COMPILATIONS))
    programs = load_programs(scorer, dataset_uris(selector)[:limit], max_instructions=max_instructions)
    table = score_table(scorer, programs, list(coreset.sequences))
    timed = len(programs) if timed is None else timed
    if programs and timed:
        scorer.start(programs[0].bitcode)  # every lane's worker: no timed program pays a process start
    rows = []
    for row, program in enumerate(programs):
        texts, ics = table.text[row], table.ic[row]
        features = feature_vector(program.autophase, program.inst_count, program.ic_start, program.ic_oz,
                                  program.text_oz)  # fmt: skip
        order = rank_sequences(features, coreset=coreset, model=model)
        chosen = [0, *[i for i in order if i != 0][: COMPILATIONS - 1]]
        seconds, finished, cancelled, skipped, wasted, compilations = None, chosen, [], [], [], None
        if row < timed:  # the whole prediction path, compiled afresh and timed; it must agree with the table
            start = time.perf_counter()
            fresh = predicted(program, scorer, coreset, model, budget)
            seconds = time.perf_counter() - start
            finished = [i for i in chosen if i not in fresh.cancelled and i not in fresh.skipped]
            cancelled, skipped, wasted, compilations = fresh.cancelled, fresh.skipped, fresh.wasted, fresh.compilations
            same = all(
                fresh.results[i] == (None if np.isnan(texts[i]) or texts[i] <= 0 else (ics[i], texts[i]))
                for i in finished
            )
            assert fresh.chosen == chosen and same, f"{program.uri}: not reproducible"
        unbudgeted = best(texts, ics, chosen)
        predicted_col = best(texts, ics, finished)
        static_col = best(texts, ics, static[:COMPILATIONS])
        cover_col = best(texts, ics, cover)
        oracle = best(texts, ics, list(range(len(coreset))))
        rows.append(
            {
                "uri": program.uri,
                "ic_start": program.ic_start,
                "ic_oz": program.ic_oz,
                "text_oz": program.text_oz,
                "predicted": outcome(texts, ics, predicted_col),
                "unbudgeted": outcome(texts, ics, unbudgeted),
                "cancelled": [int(i) for i in cancelled],
                "skipped": [int(i) for i in skipped],
                "wasted": [int(i) for i in wasted],  # speculative compilations the model did not pick
                "compilations": compilations,  # started, -Oz and wasted ones included
                "static": outcome(texts, ics, static_col),
                "cover": outcome(texts, ics, cover_col),
                "oracle": outcome(texts, ics, oracle),
                "seconds": seconds,
                "runnable": run and get_benchmark(program.uri).runnable,
                "output_error": check_output(program.uri, program.bitcode, coreset.sequences[predicted_col])
                if run
                else None,
            }
        )
    return {"set": selector, "programs": rows, "coreset": coreset.name, "sequences": len(coreset), "budget": budget}


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

    summary = {key: metrics(key) for key in ("predicted", "unbudgeted", "static", "cover", "oracle")}
    oracle_gain = summary["oracle"]["text"] - 1
    summary["share_of_oracle_gain"] = (summary["predicted"]["text"] - 1) / oracle_gain if oracle_gain > 0 else None
    for key in ("unbudgeted", "static", "cover"):
        share = (summary[key]["text"] - 1) / oracle_gain if oracle_gain > 0 else None
        summary[f"{key}_share_of_oracle_gain"] = share
    seconds = [r["seconds"] for r in rows if r["seconds"] is not None]
    summary["timed_programs"] = len(seconds)
    summary["seconds_median"] = float(np.median(seconds)) if seconds else float("nan")
    summary["seconds_max"] = float(max(seconds)) if seconds else float("nan")
    summary["seconds_at_or_above_1"] = sum(s >= 1.0 for s in seconds)
    summary["cancelled"] = sum(len(r["cancelled"]) for r in rows)
    summary["skipped"] = sum(len(r["skipped"]) for r in rows)
    summary["more_than_5_compilations"] = sum((r.get("compilations") or 0) > COMPILATIONS for r in rows)
    summary["lost_to_budget"] = [
        {"uri": r["uri"], "unbudgeted": r["text_oz"] / r["unbudgeted"]["text"],
         "budgeted": r["text_oz"] / r["predicted"]["text"], "seconds": r["seconds"]}
        for r in rows if r["predicted"]["text"] > r["unbudgeted"]["text"]
    ]  # fmt: skip
    errors = [r for r in rows if r["output_error"]]
    summary["output_errors"] = [r["uri"] for r in errors if not r["output_error"].startswith(UNCHECKABLE)]
    summary["output_not_checkable"] = [r["uri"] for r in errors if r["output_error"].startswith(UNCHECKABLE)]
    summary["programs"] = len(rows)
    return summary


def markdown(results: list[dict]) -> str:
    lines = [
        "| set | programs | value prediction, 5 compilations | static order, 5 compilations "
        "| coreset order, 5 compilations | coreset oracle "
        "| share of the oracle's .text gain (prediction / unbudgeted / static / coreset order) | larger than -Oz "
        "| s/program (median / max / 1 s or more) | validation |",
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
            for key in (
                "share_of_oracle_gain",
                "unbudgeted_share_of_oracle_gain",
                "static_share_of_oracle_gain",
                "cover_share_of_oracle_gain",
            )
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
            f"{s['seconds_median']:.2f} / {s['seconds_max']:.2f} / {s['seconds_at_or_above_1']} "
            f"({s['timed_programs']} timed) | {check} |"
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
        "--timed", type=int, help="programs per set whose prediction path is compiled afresh and timed (default all)"
    )
    parser.add_argument(
        "--budget", type=float, default=BUDGET, help=f"seconds of the timed prediction path (default {BUDGET:g})"
    )
    parser.add_argument("--no-budget", action="store_true", help="the timed prediction path without a budget")
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
            budget = None if args.no_budget else args.budget
            result = evaluate_set(
                selector, scorer, args.max_instructions, args.limit, args.timed, not args.no_run, budget
            )
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
