"""What each coreset sequence costs to compile, on training programs: the data of ``agents/coreset/costs-v0.json``.

    nice -n 10 python benchmarks/perf/coreset_costs.py measure --set builtin-v0/train --set realc-train-v0 \
        -o benchmarks/perf/results/coreset_costs.jsonl
    python benchmarks/perf/coreset_costs.py fit benchmarks/perf/results/coreset_costs.jsonl \
        -o agents/coreset/costs-v0.json

``measure`` compiles every coreset sequence on each program's start module, one after the other on one
worker (the prediction path's compilation: a fresh parse, the pipeline, the verifier, code generation to
memory), and appends one JSON line per program: the wall seconds, IR instructions and ``.text`` of each
(null: failed). A program already in the output is skipped, so a run can be resumed. ``fit`` writes the
cost model (:mod:`rl_compiler.agents.coreset.costs`): per sequence a quantile of its seconds over -Oz's on
the same program. ``simulate`` replays the budgeted prediction path (:class:`~rl_compiler.agents.coreset.predict.Plan`
on a simulated clock, two lanes, the measured times scaled by ``--slowdown``) for several designs and prints
the share of the oracle's ``.text`` gain and the simulated time per set; the cost model there is fitted on
the other folds (grouped by program). Only training programs (never the held-out sets): these choose what
the prediction path compiles.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from coreset_cv import group  # a real-C unit's library: the programs held out together

from rl_compiler.agents.coreset import load_coreset, load_value_model
from rl_compiler.agents.coreset.build import dataset_uris, load_programs
from rl_compiler.agents.coreset.costs import SequenceCosts, fit_costs
from rl_compiler.agents.coreset.predict import COMPILATIONS, ORDERS, RESERVE, SPECULATIVE, Plan
from rl_compiler.agents.coreset.scoring import Scorer
from rl_compiler.agents.coreset.speculate import (
    force_inlining,
    prior_speculation,
    start_order,
    start_speculation,
)
from rl_compiler.agents.coreset.value import START_FEATURES, feature_vector, start_vector
from rl_compiler.datasets import get_benchmark

#: Seconds lane 0 spends on the features and the ranking besides -Oz (parse, Autophase, InstCount, model).
OVERHEAD = 0.01


def measure(selectors: list[str], output: Path, max_instructions: int, limit: int | None) -> None:
    """Append each program's per-sequence seconds, IR and ``.text`` to ``output`` (JSON lines)."""
    coreset = load_coreset()
    done = set()
    if output.is_file():
        done = {json.loads(line)["uri"] for line in output.read_text().splitlines() if line.strip()}
    output.parent.mkdir(parents=True, exist_ok=True)
    with Scorer() as scorer, output.open("a") as out:
        for selector in selectors:
            uris = [uri for uri in dataset_uris(selector, limit) if uri not in done]
            for program in load_programs(scorer, uris, print, max_instructions):
                row: dict = {"uri": program.uri, "set": selector, "ic_start": program.ic_start, "seconds": [],
                             "ic": [], "text": []}  # fmt: skip
                for sequence in coreset.sequences:
                    start = time.perf_counter()
                    result = scorer.compile(program.bitcode, sequence)
                    row["seconds"].append(time.perf_counter() - start)
                    row["ic"].append(None if result is None else result[0])
                    row["text"].append(None if result is None else result[1])
                out.write(json.dumps(row) + "\n")
                out.flush()
                print(
                    f"{program.uri} {program.ic_start} -Oz {row['seconds'][0]:.3f} s, all {sum(row['seconds']):.2f} s"
                )


def load_rows(path: Path) -> list[dict]:
    """The JSON lines written by ``measure``."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass(frozen=True)
class Start:
    """What the start module tells before -Oz: force-inlining, and the start features' order (:mod:`.speculate`;
    the neighbours exclude the program's own library, which the model was trained on)."""

    forced: bool
    order: list[int]


def picks(rows: list[dict]) -> tuple[list[list[int]], list[Start]]:
    """The value model's picks (-Oz first) for each measured program, from its features and -Oz's outcome, and
    what its start module alone tells (:class:`Start`)."""
    model = load_value_model()
    chosen, starts, vectors = [], [], []
    with Scorer() as scorer:
        for row in rows:
            bitcode = get_benchmark(row["uri"]).bitcode("size")
            autophase, inst_count, ic_start = scorer.features(bitcode)
            features = feature_vector(autophase, inst_count, ic_start, row["ic"][0], row["text"][0])
            order = [i for i in model.rank(features) if i != 0]
            chosen.append([0, *order[: COMPILATIONS - 1]])
            with scorer.session(bitcode) as session:
                starts.append(force_inlining(session.ir()))
            vectors.append(start_vector(autophase, inst_count))
    groups = [group(row["uri"]) for row in rows]
    known = model.features[:, :START_FEATURES]
    out = []
    for p, forced in enumerate(starts):
        same = [vectors[q] for q in range(len(rows)) if groups[q] == groups[p]]
        exclude = np.array([any(np.allclose(f, v, atol=1e-6) for v in same) for f in known])
        out.append(Start(forced, start_order(model, vectors[p], exclude)))
    return chosen, out


@dataclass(frozen=True)
class Design:
    """One way to spend the budget: the speculative compilations, whether estimates skip picks, the order."""

    name: str
    budget: float | None
    speculative: int = SPECULATIVE
    quantile: float | None = None  # the cost model's (None: none: the prior order, no skipping)
    skip: bool = True
    order: str = "model"
    guess: str = "prior"  # what the speculative compilations are (predict's ``guess``)
    capacity: int | None = None  # compilations after -Oz in all, wasted guesses included (None: no cap)


def simulate(row: dict, chosen: list[int], design: Design, costs: SequenceCosts | None, slowdown: float,
             known: Start | None = None, lanes: int = 2) -> tuple[list[int], float, int, int]:  # fmt: skip
    """The picks that finish, the wall seconds of the prediction path, the picks skipped and the compilations
    started (wasted speculative ones included), on one program, on a simulated clock (what
    :func:`~rl_compiler.agents.coreset.predict.predict` does, with measured times; the start module's guess,
    ``known``, after ``OVERHEAD``, when lane 0 has the features)."""
    seconds = [slowdown * t for t in row["seconds"]]
    now = [0.0]
    end = None if design.budget is None else design.budget - RESERVE
    prior = prior_speculation(load_value_model(), costs, design.speculative)
    guessing = design.guess == "start" and known is not None
    plan = Plan([] if guessing else prior, design.speculative, end, clock=lambda: now[0], capacity=design.capacity)
    busy: dict[int, tuple[int, float]] = {0: (-1, OVERHEAD)}  # -1: lane 0 has the features, then -Oz
    waiting: list[int] = []

    def start(lane: int) -> None:
        index = plan.take()
        if index == "wait":
            waiting.append(lane)
        elif index is not None:
            busy[lane] = (index, now[0] + seconds[index])

    for lane in range(1, lanes):
        start(lane)
    finished, last = [0], 0.0
    while busy:
        lane, (index, finish) = min(busy.items(), key=lambda item: item[1][1])
        del busy[lane]
        if index != 0 and end is not None and finish > end:  # cancelled at the deadline: the lane stops
            now[0] = last = max(last, end + RESERVE)
            continue
        now[0] = last = max(last, finish)
        if index == -1:
            busy[0] = (0, now[0] + seconds[0])
            if guessing:
                plan.speculate(prior if known.forced else start_speculation(known.order, design.speculative))
            restart, waiting[:] = list(waiting), []
        elif index == 0:
            estimate = None
            if costs is not None and design.skip:
                estimate = lambda i: costs.seconds(i, seconds[0], row["ic_start"])  # noqa: E731
            plan.decide(chosen, estimate, design.order)
            restart, waiting[:] = [lane, *waiting], []
        else:
            finished.append(index)
            restart = [lane]
        for free in restart:
            start(free)
    return [i for i in finished if i in chosen], last, len(plan.skipped), len(plan.started) + 1


def designs(budgets: list[float], quantiles: list[float]) -> list[Design]:
    """The designs compared: no budget; cancelling only (a); a cost model skipping picks (b); speculating on
    two sequences, cheapest per instruction first, with and without skipping, in each start order (c); and
    (b+c) with the speculative sequences guessed from the start module (d: :mod:`.speculate`)."""
    out = [Design("no budget", None, 0)]  # predict guesses nothing without a budget
    for b in budgets:
        out.append(Design(f"{b:g} s: (a) cancel at the deadline", b))
        out.append(Design(f"{b:g} s: (c) speculate 2 cheapest first, cancel", b, 2, quantiles[0], skip=False))
        for q in quantiles:
            out.append(Design(f"{b:g} s: (b) costs q{q:g} skip", b, 1, q))
            out += [Design(f"{b:g} s: (b+c) speculate 2, costs q{q:g} skip, {o} first", b, 2, q, True, o)
                    for o in ORDERS]  # fmt: skip
            out.append(Design(f"{b:g} s: (d) guess 2 from the start, costs q{q:g} skip", b, 2, q, guess="start"))
            out.append(Design(f"{b:g} s: (d), at most {COMPILATIONS} compilations in all (shipped)", b, 2, q,
                              guess="start", capacity=COMPILATIONS - 1))  # fmt: skip
    return out


def compare(rows: list[dict], budgets: list[float], slowdown: float, folds: int, quantiles: list[float]) -> None:
    """Print, per set and design, the share of the oracle's ``.text`` gain and the simulated seconds."""
    coreset = load_coreset()
    chosen, starts = picks(rows)
    texts = np.array([[np.nan if t is None or t <= 0 else t for t in row["text"]] for row in rows], float)
    seconds = np.array([row["seconds"] for row in rows], float)
    instructions = np.array([row["ic_start"] for row in rows], float)
    fold = np.arange(len(rows)) % folds
    oracle = np.nanmin(texts, axis=1)
    print("| set | design | programs | share of oracle gain | median s | max s | >= 1 s | cancelled | skipped | "
          "more than 5 compilations |")  # fmt: skip
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for selector in [*sorted({row["set"] for row in rows}), "all"]:
        members = [p for p, row in enumerate(rows) if selector in (row["set"], "all")]
        gain_oracle = np.exp(np.mean([np.log(texts[p, 0] / oracle[p]) for p in members])) - 1
        for design in designs(budgets, quantiles):
            logs, times, cancelled, skipped, over = [], [], 0, 0, 0
            for p in members:
                costs = None
                if design.quantile is not None:
                    rest = fold != fold[p]
                    costs = fit_costs(seconds[rest], instructions[rest], coreset, quantile=design.quantile)
                done, wall, skips, compilations = simulate(rows[p], chosen[p], design, costs, slowdown, starts[p])
                over += compilations > COMPILATIONS
                logs.append(np.log(texts[p, 0] / np.nanmin([texts[p, i] for i in done])))
                times.append(wall)
                skipped += skips
                cancelled += sum(1 for i in chosen[p][1:] if i not in done) - skips
            share = (np.exp(np.mean(logs)) - 1) / gain_oracle if gain_oracle > 0 else float("nan")
            slow = sum(t >= 1.0 for t in times)
            print(f"| {selector} | {design.name} | {len(members)} | {100 * share:.1f}% | {np.median(times):.3f} | "
                  f"{max(times):.2f} | {slow} | {cancelled} | {skipped} | {over} |")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("measure", help="time every coreset sequence on training programs")
    run.add_argument("--set", action="append", required=True, help="NAME or NAME/SPLIT (repeat); training only")
    run.add_argument("--limit", type=int, help="a seeded random subset of N programs per set")
    run.add_argument("--max-instructions", type=int, default=10_000, help="leave out larger start modules")
    run.add_argument("-o", "--output", type=Path, required=True, help="JSON lines file (appended)")
    fit = commands.add_parser("fit", help="write the cost model from measured times")
    fit.add_argument("times", type=Path, nargs="+", help="JSON lines files from measure")
    fit.add_argument("--quantile", type=float, default=0.9, help="of seconds / -Oz seconds per sequence")
    fit.add_argument("-o", "--output", type=Path, required=True, help="the cost model (JSON)")
    sim = commands.add_parser("simulate", help="compare budget designs on measured times (training programs)")
    sim.add_argument("times", type=Path, nargs="+", help="JSON lines files from measure")
    sim.add_argument("--budget", type=float, action="append", help="seconds (repeat; default 1)")
    sim.add_argument("--quantile", type=float, action="append", help="cost model quantiles to try (repeat)")
    sim.add_argument("--slowdown", type=float, default=1.0, help="scale every measured time (load)")
    sim.add_argument("--folds", type=int, default=5, help="the cost model is fitted without the program's fold")
    args = parser.parse_args()
    if args.command == "simulate":
        rows = [row for path in args.times for row in load_rows(path)]
        compare(rows, args.budget or [1.0], args.slowdown, args.folds, args.quantile or [0.5, 0.9])
        return 0
    if args.command == "measure":
        measure(args.set, args.output, args.max_instructions, args.limit)
        return 0
    rows = [row for path in args.times for row in load_rows(path)]
    seconds = np.array([row["seconds"] for row in rows], float)
    instructions = np.array([row["ic_start"] for row in rows], float)
    costs = fit_costs(
        seconds,
        instructions,
        load_coreset(),
        quantile=args.quantile,
        recipe=" ".join(
            ["benchmarks/perf/coreset_costs.py fit", *map(str, args.times), "--quantile", str(args.quantile)]
        ),
    )
    costs.save(args.output)
    print(json.dumps({"programs": len(rows), "ratios": [round(r, 2) for r in costs.ratios],
                      "us_per_instruction": [round(1e6 * c, 1) for c in costs.per_instruction]}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
