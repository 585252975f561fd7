"""A leaderboard results directory: a manifest plus one atomically written file per result row.

Layout::

    RESULTS/manifest.json            what was run, with which versions, on which machine and data
    RESULTS/rows/<key>.json          one row per (benchmark, repetition), written atomically
    RESULTS/results.csv              all rows as a table (regenerated from the row files)

One file per row makes a run resumable (finished rows are skipped), means an interruption loses at most
the rows in flight, and lets several processes write into the same directory without corrupting it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rl_compiler.llvm.cache import atomic_write_text

MANIFEST = "manifest.json"
ROWS = "rows"
CSV = "results.csv"


class ResultsError(ValueError):
    """A results directory that is missing, malformed, or belongs to a different run."""


@dataclass
class Row:
    """The result of one agent episode on one benchmark.

    ``actions`` is the replayable record: pass pipeline elements for pass-ordering tasks, the decisions
    (action indices) for register-allocation and inlining tasks. ``details`` holds the raw costs the metric
    was computed from (e.g. ``ic_O0``, ``ic_Oz``, ``ic_final``, ``text_final``).
    """

    benchmark: str
    repetition: int
    reward: float
    walltime: float
    actions: list[Any]
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A file-name-safe key, unique per (benchmark, repetition)."""
        digest = hashlib.sha1(self.benchmark.encode()).hexdigest()[:12]
        name = self.benchmark.rstrip("/").rsplit("/", 1)[-1]
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:40]
        return f"{safe}-{digest}-r{self.repetition}"


def row_key(benchmark: str, repetition: int) -> str:
    """The key a row for this benchmark and repetition is stored under."""
    return Row(benchmark, repetition, 0.0, 0.0, []).key


class ResultsDir:
    """Read and write one results directory."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def rows_dir(self) -> Path:
        return self.path / ROWS

    def manifest(self) -> dict[str, Any]:
        """The run's manifest; raises ResultsError if the directory holds no results."""
        path = self.path / MANIFEST
        if not path.exists():
            raise ResultsError(f"{self.path} is not a leaderboard results directory (no {MANIFEST})")
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError as error:
            raise ResultsError(f"{path}: malformed JSON: {error}") from error

    def start(self, manifest: dict[str, Any], identity_keys: tuple[str, ...]) -> None:
        """Create the directory with ``manifest``, or check that an existing one is the same run.

        ``identity_keys`` are the manifest fields that must agree for a resumed run (task, agent, ...).
        """
        self.rows_dir.mkdir(parents=True, exist_ok=True)
        path = self.path / MANIFEST
        if path.exists():
            existing = self.manifest()
            differing = [key for key in identity_keys if existing.get(key) != manifest.get(key)]
            if differing:
                raise ResultsError(
                    f"{self.path} holds a different run ({', '.join(differing)} differ); use another --output directory"
                )
            return
        atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")

    def has_row(self, benchmark: str, repetition: int) -> bool:
        return (self.rows_dir / f"{row_key(benchmark, repetition)}.json").exists()

    def write_row(self, row: Row) -> None:
        """Write one row atomically (readers never see a partial row)."""
        atomic_write_text(self.rows_dir / f"{row.key}.json", json.dumps(asdict(row), sort_keys=True) + "\n")

    def rows(self) -> list[Row]:
        """Every row, sorted by benchmark and repetition."""
        rows = []
        for path in sorted(self.rows_dir.glob("*.json")):
            try:
                rows.append(Row(**json.loads(path.read_text())))
            except (json.JSONDecodeError, TypeError) as error:
                raise ResultsError(f"{path}: malformed result row: {error}") from error
        return sorted(rows, key=lambda row: (row.benchmark, row.repetition))

    def write_csv(self) -> Path:
        """Regenerate ``results.csv`` from the row files (atomically) and return its path."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["benchmark", "repetition", "reward", "walltime", "actions", "details"])
        for row in self.rows():
            writer.writerow(
                [
                    row.benchmark,
                    row.repetition,
                    repr(row.reward),
                    f"{row.walltime:.4f}",
                    " ".join(str(action) for action in row.actions),
                    json.dumps(row.details, sort_keys=True),
                ]
            )
        path = self.path / CSV
        atomic_write_text(path, buffer.getvalue())
        return path
