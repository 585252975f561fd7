"""What each coreset sequence costs to compile: per start-module instruction, and as a multiple of -Oz's time.

The prediction path (:mod:`.predict`) compiles -Oz first and knows how long that took on this program, on
this machine, at this load; most sequences hold -Oz's passes or the same kinds of passes, so their time
scales with it. Not all: on a module that -Oz's inliner blows up (lz4's ``lz4.c``: -Oz 0.8 s) a sequence
without that inlining takes a quarter of -Oz's time and shrinks the code 4 times. So the model keeps two
numbers per sequence, each a high quantile over training programs (measured with
``benchmarks/perf/coreset_costs.py``): wall seconds per start-module IR instruction, and wall seconds over
-Oz's on the same program; the estimate is the smaller of the two (either alone overestimates some
programs' best sequence). Shipped as ``agents/coreset/costs-v0.json``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rl_compiler.agents.coreset.value import sequences_digest
from rl_compiler.data import data_path
from rl_compiler.envs.coreset_data import Coreset

FORMAT = "rl-compiler-coreset-costs-v1"
DEFAULT_COSTS = "costs-v0.json"


@dataclass(frozen=True)
class SequenceCosts:
    """Per coreset sequence, its compilation time as a multiple of -Oz's on the same program (``ratios``) and
    in seconds per start-module instruction (``per_instruction``)."""

    ratios: tuple[float, ...]
    per_instruction: tuple[float, ...]
    coreset_digest: str
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def seconds(self, index: int, oz_seconds: float, instructions: int) -> float:
        """Estimated wall seconds of sequence ``index`` on a start module of ``instructions`` IR instructions
        where -Oz took ``oz_seconds``: the smaller of the two estimates."""
        return min(self.ratios[index] * oz_seconds, self.per_instruction[index] * instructions)

    def check_coreset(self, sequences: tuple[str, ...] | list[str]) -> None:
        """:raises ValueError: the costs were measured for another coreset."""
        if len(sequences) != len(self.ratios) or sequences_digest(sequences) != self.coreset_digest:
            raise ValueError(
                f"the sequence costs were measured for another coreset ({len(sequences)} sequences given): "
                "measure them again with benchmarks/perf/coreset_costs.py"
            )

    def save(self, path: str | Path) -> None:
        """Write the costs as JSON."""
        record = {"format": FORMAT, "coreset_digest": self.coreset_digest, "ratios": list(self.ratios),
                  "per_instruction": list(self.per_instruction), "info": self.info}  # fmt: skip
        Path(path).write_text(json.dumps(record, indent=1) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> SequenceCosts:
        """Read costs written by :meth:`save`.

        :raises ValueError: the file is not such a cost model.
        """
        try:
            record = json.loads(Path(path).read_text())
            if record.get("format") != FORMAT:
                raise ValueError(f"format is {record.get('format')!r}, not {FORMAT}")
            ratios = tuple(float(r) for r in record["ratios"])
            per_instruction = tuple(float(r) for r in record["per_instruction"])
            if len(ratios) != len(per_instruction):
                raise ValueError(f"{len(ratios)} ratios but {len(per_instruction)} per-instruction costs")
            return cls(ratios, per_instruction, str(record["coreset_digest"]), dict(record.get("info", {})))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path}: not a coreset cost model: {error}") from error


@functools.cache
def _load_cached(path: str) -> SequenceCosts:
    return SequenceCosts.load(path)


def load_costs(path: str | Path | None = None) -> SequenceCosts:
    """The shipped cost model (``agents/coreset/costs-v0.json``) or the one at ``path``; read once per process."""
    return _load_cached(str(Path(path) if path is not None else data_path("agents", "coreset", DEFAULT_COSTS)))


def fit_costs(
    seconds: np.ndarray, instructions: np.ndarray, coreset: Coreset, *, quantile: float = 0.9, recipe: str = ""
) -> SequenceCosts:
    """The cost model of measured ``seconds`` (programs x coreset sequences, column 0 -Oz) on programs whose
    start modules have ``instructions`` IR instructions: per sequence the ``quantile`` of its seconds over
    -Oz's on the same program (-Oz's own ratio is 1) and of its seconds per instruction."""
    seconds = np.atleast_2d(np.asarray(seconds, float))
    instructions = np.asarray(instructions, float).ravel()
    if seconds.ndim != 2 or seconds.shape[1] != len(coreset) or seconds.shape[0] == 0:
        raise ValueError(f"seconds have shape {seconds.shape}; expected (programs, {len(coreset)})")
    if instructions.shape != (seconds.shape[0],) or (instructions <= 0).any():
        raise ValueError(f"need a positive instruction count for each of the {seconds.shape[0]} programs")
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {quantile!r}")
    ratios = np.quantile(seconds / seconds[:, :1], quantile, axis=0)
    per_instruction = np.quantile(seconds / instructions[:, None], quantile, axis=0)
    info = {"programs": int(seconds.shape[0]), "quantile": quantile, "coreset": coreset.name, "recipe": recipe}
    return SequenceCosts(
        tuple(float(r) for r in ratios), tuple(float(c) for c in per_instruction),
        sequences_digest(coreset.sequences), info,
    )  # fmt: skip
