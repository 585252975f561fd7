"""``build_coreset``: programs -> candidate sequences by search -> scores on every program -> greedy cover.

Also the shared helpers of the CLI and the evaluation: which programs a dataset selector names, and the
programs' start modules with their -Oz reference.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rl_compiler import __version__
from rl_compiler.agents.coreset.candidates import DEFAULT_SEARCHES, SearchSpec, search_candidates
from rl_compiler.agents.coreset.scoring import OZ, Program, Scorer, ScoreTable, score_table
from rl_compiler.agents.coreset.selection import coverage, greedy_cover
from rl_compiler.datasets import get_dataset
from rl_compiler.envs.coreset_data import Coreset
from rl_compiler.llvm.toolchain import get_toolchain

Progress = Callable[[str], None] | None
#: Always candidates besides what the searches find: -Oz run twice (it often shrinks further).
EXTRA_CANDIDATES = (f"{OZ},{OZ}",)


def dataset_uris(selector: str, limit: int | None = None, seed: int = 0) -> list[str]:
    """The benchmark URIs of ``name``, ``name/split`` or ``dataset://name[/split]``; ``limit`` keeps a
    seeded random subset of that many (sorted)."""
    if Path(selector).exists():  # a manifest file or folder
        name, split = selector, ""
    else:
        name, _, split = selector.removeprefix("dataset://").partition("/")
    dataset = get_dataset(name)
    uris = list(dataset.split(split)) if split else list(dataset.benchmark_uris())
    if limit is not None and limit < len(uris):
        uris = sorted(random.Random(seed).sample(uris, limit))
    return uris


def load_programs(
    scorer: Scorer, uris: Sequence[str], progress: Progress = None, max_instructions: int | None = None
) -> list[Program]:
    """The programs of ``uris`` ready to score; programs that do not build, on which -Oz fails, or whose
    start module has more than ``max_instructions`` IR instructions are reported and left out."""
    programs = []
    for uri in uris:
        try:
            program = scorer.program(uri, max_instructions)
        except Exception as error:  # a bad program is skipped and named, never fatal to a corpus run
            _say(progress, f"skipped {uri}: {str(error).splitlines()[0][:200]}")
            continue
        if program is None:
            _say(progress, f"skipped {uri}: more than {max_instructions} IR instructions")
        else:
            programs.append(program)
    return programs


def build_coreset(
    programs: Sequence[Program],
    size: int,
    scorer: Scorer,
    *,
    metric: str = "text",
    searches: Sequence[SearchSpec] = DEFAULT_SEARCHES,
    search_programs: int | None = None,
    seed: int = 0,
    name: str = "coreset-v0",
    recipe: str = "",
    progress: Progress = None,
) -> tuple[Coreset, ScoreTable]:
    """Choose a coreset of at most ``size`` sequences (plus -Oz) covering ``programs`` best.

    :param search_programs: search on a seeded random subset of this many programs only (each search
        gives candidates; scoring still covers every program).
    """
    searched = list(programs)
    if search_programs is not None and search_programs < len(searched):
        searched = random.Random(seed).sample(searched, search_programs)
    candidates = search_candidates([p.uri for p in searched], searches, seed=seed, progress=progress)
    candidates = [OZ, *dict.fromkeys([*EXTRA_CANDIDATES, *candidates])]
    _say(progress, f"{len(candidates) - 1} candidate sequences; scoring them on {len(programs)} programs")
    table = score_table(scorer, programs, candidates, progress=progress)
    values = table.values(metric)
    picks = greedy_cover(values[:, 1:], size)
    columns = [0] + [pick.column + 1 for pick in picks]
    text, ir = table.values("text"), table.values("ir")

    def stats(column: int, gain: float, covered: int) -> dict:
        return {
            "marginal_gain": round(gain, 6),
            "programs_improved": covered,
            "mean_text_value": round(float(np.nanmean(text[:, column])), 5),
            "mean_ir_value": round(float(np.nanmean(ir[:, column])), 5),
            "failures": int(np.isnan(text[:, column]).sum()),
        }

    metadata = {
        "description": (
            f"{len(columns) - 1} pass sequences (plus -Oz first) chosen greedily to cover {len(programs)} "
            f"training programs by {metric} value normalized to -Oz; each applies to the start module"
        ),
        "metric": metric,
        "llvm": get_toolchain().version,
        "rl_compiler": __version__,
        "training_programs": len(programs),
        "search_programs": len(searched),
        "candidates": len(candidates) - 1,
        "compilations": table.compilations,
        "training_coverage": {
            "text": round(coverage(text, columns), 5),
            "ir": round(coverage(ir, columns), 5),
            "oracle_all_candidates_text": round(coverage(text, list(range(len(candidates)))), 5),
        },
        "training_uris": [p.uri for p in programs],
    }
    coreset = Coreset(
        name=name,
        sequences=tuple(candidates[c] for c in columns),
        stats=(stats(0, 0.0, 0), *(stats(p.column + 1, p.marginal_gain, p.covered) for p in picks)),
        recipe=recipe,
        metadata=metadata,
    )
    return coreset, table


def _say(progress: Progress, line: str) -> None:
    if progress is not None:
        progress(line)
