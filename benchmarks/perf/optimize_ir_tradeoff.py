"""What preferring fewer IR instructions would cost `rl-compiler optimize` in object `.text`, on training programs.

    nice -n 10 python benchmarks/perf/optimize_ir_tradeoff.py --uris train.txt --results tradeoff.jsonl

For each program (one benchmark URI per line in ``--uris``; training programs only) the search of
``rl-compiler optimize`` (:class:`~rl_compiler.agents.optimize.size_search.SizeSearch`, ``.text`` first, the
shipped coreset in the value model's order) runs for ``--seconds`` and every exactly evaluated candidate is
kept. Then, for a ``.text`` slack s, the pick is the candidate with the fewest IR instructions among those
within (1 + s) of the smallest ``.text`` and never larger than -Oz's; "IR first" picks the fewest IR
instructions among all candidates not larger than -Oz. Printed per slack: geomean ``.text`` -Oz/final, IR
-Oz/final and ``IrInstructionCountOz``. Candidates are those one ``.text``-first search found, so this
bounds what a secondary IR objective could gain without searching differently (``--metric ir`` does that).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rl_compiler.stats import geomean

SLACKS = (0.0, 0.0025, 0.005, 0.01, 0.02, 0.05)


def collect(uris: list[str], seconds: float, results: Path) -> None:
    """Run the search on each URI not yet in ``results``; append (start IR, -Oz sizes, all candidates)."""
    from rl_compiler.agents.optimize.optimizer import CandidateSequences, load_benchmark
    from rl_compiler.agents.optimize.size_search import Deadline, SizeSearch
    from rl_compiler.llvm.session import Session

    done = {json.loads(line)["uri"] for line in results.read_text().splitlines()} if results.is_file() else set()
    for uri in uris:
        if uri in done:
            continue
        root = Session(load_benchmark([uri]).bitcode(), isolated=True)
        search = SizeSearch(sequences=CandidateSequences())
        try:
            oz = search.baseline(root)
            found = search.run(root, Deadline.after(seconds), oz=oz)
            row = {"uri": uri, "start": root.instruction_count(), "oz": [oz.ic, oz.text]}
            row["found"] = [[c.ic, c.text] for c in found]
        finally:
            search.close()
            root.close()
        with results.open("a") as out:
            out.write(json.dumps(row) + "\n")
        print(uri, len(row["found"]), "candidates", flush=True)


def pick(row: dict, slack: float | None) -> tuple[int, int]:
    """(ic, text) chosen with ``.text`` slack ``slack`` (None: IR first), never larger than -Oz in ``.text``."""
    oz_text = row["oz"][1]
    admissible = [c for c in row["found"] if c[1] <= oz_text]
    if slack is not None:
        smallest = min(c[1] for c in admissible)
        admissible = [c for c in admissible if c[1] <= smallest * (1 + slack)]
    return tuple(min(admissible))  # fewest IR instructions, then .text


def report(rows: list[dict]) -> list[str]:
    lines = ["| pick | .text -Oz/final | IR -Oz/final | IrInstructionCountOz |", "|---|--:|--:|--:|"]
    for slack in (*SLACKS, None):
        picks = [(row, pick(row, slack)) for row in rows]
        text = geomean([row["oz"][1] / text for row, (_, text) in picks])
        ir = geomean([row["oz"][0] / ic for row, (ic, _) in picks])
        ic_oz = geomean([max((r["start"] - ic) / max(r["start"] - r["oz"][0], 1), 0.01) for r, (ic, _) in picks])
        name = "IR first" if slack is None else f".text within {100 * slack:g}% of the smallest"
        lines.append(f"| {name} | {text:.4f}x | {ir:.4f}x | {ic_oz:.4f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uris", type=Path, required=True, help="training benchmark URIs, one per line")
    parser.add_argument("--results", type=Path, required=True, help="JSON lines, appended (resumable)")
    parser.add_argument("--seconds", type=float, default=7.5, help="search time per program (default: 7.5)")
    args = parser.parse_args()
    collect(args.uris.read_text().split(), args.seconds, args.results)
    rows = [json.loads(line) for line in args.results.read_text().splitlines()]
    print("\n".join(report(rows)))


if __name__ == "__main__":
    main()
