"""Wall time of value prediction alone in two checkouts, side by side: every program timed in both, alternating.

    nice -n 10 python benchmarks/perf/predict_time.py --before /work/main --after . \
        --set realc-heldout-v0 --set csmith-heldout-v0 --set builtin-v0/test -o results.json

Each checkout runs in its own long-lived process (``PYTHONPATH`` and working directory = the checkout, so its
workers import it too) and times its own ``benchmarks/perf/coreset_eval.py`` ``prediction_path`` (features,
-Oz, the value model's order, 4 more compilations, each verified) on each program, with its workers started
ahead. The two take turns per program (which goes first alternates), so both see the same load. Checks that
both pick the same sequences and keep the same result (IR instructions and ``.text``), and prints per-program
times, medians per set and the programs at or above 1 s. A checkout whose path has a wall-clock budget
(default 1 s since the budget was added; ``--budget``, ``--no-budget``) may keep another result where a
compilation did not finish in it: such programs are listed with both ``.text`` sizes, and fail the run (exit 1)
only with ``--no-budget``.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def serve(checkout: Path, lanes: int, max_instructions: int, budget: float | None | str) -> None:
    """One side: read benchmark URIs from stdin, time the checkout's prediction path on each, print JSON lines."""
    from rl_compiler.agents.coreset import load_coreset, load_value_model
    from rl_compiler.agents.coreset.scoring import Scorer

    spec = importlib.util.spec_from_file_location("coreset_eval", checkout / "benchmarks/perf/coreset_eval.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    coreset, model = load_coreset(), load_value_model()
    options = {"lanes": lanes} if "lanes" in inspect.signature(Scorer).parameters else {}
    path_options = {}
    if "budget" in inspect.signature(module.prediction_path).parameters and budget != "default":
        path_options["budget"] = budget
    warm = False
    with Scorer(**options) as scorer:
        for line in sys.stdin:
            uri = line.strip()
            try:
                program = scorer.program(uri, max_instructions)
            except Exception as error:  # noqa: BLE001 - reported per program
                print(json.dumps({"uri": uri, "skipped": str(error).splitlines()[0][:200]}), flush=True)
                continue
            if program is None:
                print(json.dumps({"uri": uri, "skipped": f"above {max_instructions} instructions"}), flush=True)
                continue
            if not warm:  # start every worker before the first timed run
                module.prediction_path(program, scorer, coreset, model, **path_options)
                warm = True
            start = time.perf_counter()
            chosen, sequence, ic, text = module.prediction_path(program, scorer, coreset, model, **path_options)
            seconds = time.perf_counter() - start
            row = {"uri": uri, "ic_start": program.ic_start, "ic_oz": program.ic_oz, "seconds": seconds,
                   "chosen": [int(c) for c in chosen], "kept": coreset.sequences.index(sequence),
                   "ic": int(ic), "text": int(text)}  # fmt: skip
            print(json.dumps(row), flush=True)


class Side:
    """A serving process for one checkout."""

    def __init__(self, checkout: Path, lanes: int, max_instructions: int, budget: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(checkout))
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(checkout)]
        command += ["--lanes", str(lanes), "--max-instructions", str(max_instructions), "--budget", budget]
        self.process = subprocess.Popen(command, cwd=checkout, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)  # fmt: skip

    def time(self, uri: str) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(uri + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the serving process ended at {uri} (exit status {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--before", type=Path, help="the checkout to compare against (e.g. /work/main)")
    parser.add_argument("--after", type=Path, default=Path("."), help="this checkout (default: .)")
    parser.add_argument("--set", action="append", default=[], help="NAME or NAME/SPLIT (repeat)")
    parser.add_argument("--limit", type=int, help="only the first N programs of each set")
    parser.add_argument("--min-instructions", type=int, default=0, help="leave out smaller start modules")
    parser.add_argument("--max-instructions", type=int, default=10_000, help="leave out larger start modules")
    parser.add_argument("--lanes", type=int, default=2, help="lanes of the checkouts that have them")
    parser.add_argument("-o", "--output", type=Path, help="JSON file of every program's times")
    parser.add_argument("--budget", default="default", help="seconds of the path, for checkouts that have one")
    parser.add_argument("--no-budget", action="store_true", help="no budget, for checkouts that have one")
    args = parser.parse_args()
    budget = "none" if args.no_budget else args.budget
    if args.serve:
        seconds = None if budget == "none" else budget if budget == "default" else float(budget)
        serve(args.serve.resolve(), args.lanes, args.max_instructions, seconds)
        return 0
    if args.before is None or not args.set:
        parser.error("give --before CHECKOUT and at least one --set")
    from rl_compiler.agents.coreset.build import dataset_uris
    from rl_compiler.llvm.module import Module

    names = {"before": args.before.resolve(), "after": args.after.resolve()}
    sides = {name: Side(path, args.lanes, args.max_instructions, budget) for name, path in names.items()}
    results, mismatches = {}, []
    try:
        for selector in args.set:
            rows = []
            for index, uri in enumerate(dataset_uris(selector)[: args.limit]):
                if args.min_instructions:
                    from rl_compiler.datasets import get_benchmark

                    with Module.from_bitcode(get_benchmark(uri).bitcode("size"), verify=False) as module:
                        if module.instruction_count() < args.min_instructions:
                            continue
                order = ("before", "after") if index % 2 == 0 else ("after", "before")
                timed = {name: sides[name].time(uri) for name in order}
                if any("skipped" in row for row in timed.values()):
                    continue
                before, after = timed["before"], timed["after"]
                same = all(before[key] == after[key] for key in ("chosen", "kept", "ic", "text"))
                if not same:
                    mismatches.append(f"{uri} (.text {before['text']} before, {after['text']} after)")
                row = {"uri": uri, "ic_start": after["ic_start"], "ic_oz": after["ic_oz"], "same": same,
                       "before": before["seconds"], "after": after["seconds"], "kept": after["kept"],
                       "text": after["text"], "kept_before": before["kept"], "text_before": before["text"]}  # fmt: skip
                rows.append(row)
                flag = "" if same else f" different result: .text {before['text']} before, {after['text']} after"
                print(f"{uri} {row['ic_start']} before {row['before']:.3f} s after {row['after']:.3f} s "
                      f"x{row['before'] / row['after']:.2f}{flag}", flush=True)  # fmt: skip
            results[selector] = rows
    finally:
        for side in sides.values():
            side.close()
    print("\n| set | programs | median s before | median s after | median ratio | max s before | max s after "
          "| at or above 1 s after |\n|---|--:|--:|--:|--:|--:|--:|--:|")  # fmt: skip
    for selector, rows in results.items():
        if not rows:
            continue
        ratio = statistics.median(r["before"] / r["after"] for r in rows)
        slow = sum(r["after"] >= 1.0 for r in rows)
        print(f"| {selector} | {len(rows)} | {statistics.median(r['before'] for r in rows):.3f} | "
              f"{statistics.median(r['after'] for r in rows):.3f} | {ratio:.2f}x | "
              f"{max(r['before'] for r in rows):.2f} | {max(r['after'] for r in rows):.2f} | {slow} |")  # fmt: skip
    print(f"\nsame picks and result: {'all' if not mismatches else 'NOT for ' + ', '.join(mismatches)}")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps({"before": str(names["before"]), "results": results}, indent=1))
    # Without a budget both checkouts must pick and keep the same; with one, a result may differ where a
    # compilation did not finish in time (listed above, not an error).
    return 1 if mismatches and budget == "none" else 0


if __name__ == "__main__":
    raise SystemExit(main())
