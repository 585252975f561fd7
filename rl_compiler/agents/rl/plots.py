"""Training curves of run directories as one PNG (``rl-compiler plot RUN...``).

Two panels, one line per run: the training episode return against environment steps (from the Monitor
files ``<rank>.monitor.csv`` that every run writes, the RL Zoo's format, smoothed over a moving window) and
the periodic validation score (``evaluations.csv``).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MONITOR_SUFFIX = ".monitor.csv"
EVALUATIONS = "evaluations.csv"


class PlotError(ValueError):
    """A run directory that holds nothing to plot, or a bad plot setting."""


@dataclass
class Curves:
    """What one run directory holds to plot."""

    name: str
    #: Training episodes: cumulative environment steps at each episode's end, and its return.
    steps: np.ndarray = field(default_factory=lambda: np.zeros(0))
    returns: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Periodic validation: steps, scores, and the metric's name.
    eval_steps: np.ndarray = field(default_factory=lambda: np.zeros(0))
    eval_scores: np.ndarray = field(default_factory=lambda: np.zeros(0))
    metric: str = ""


def read_monitors(run_dir: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Every ``*.monitor.csv`` of a run merged in wall-clock order: (cumulative steps, episode returns)."""
    episodes: list[tuple[float, float, int]] = []
    for path in sorted(Path(run_dir).glob(f"*{MONITOR_SUFFIX}")):
        with path.open(newline="") as stream:
            first = stream.readline()
            try:
                start = float(json.loads(first.lstrip("#")).get("t_start", 0.0))
            except (json.JSONDecodeError, AttributeError):
                raise PlotError(f"{path} is not a Monitor file (its first line is not the '#{{...}}' header)") from None
            for row in csv.DictReader(stream):
                try:
                    episodes.append((start + float(row["t"]), float(row["r"]), int(row["l"])))
                except (KeyError, TypeError, ValueError):
                    raise PlotError(f"{path}: a row without numeric r, l, t columns: {row}") from None
    episodes.sort()
    lengths = np.array([length for _, _, length in episodes], dtype=float)
    return np.cumsum(lengths), np.array([reward for _, reward, _ in episodes], dtype=float)


def read_evaluations(run_dir: str | Path) -> tuple[np.ndarray, np.ndarray, str]:
    """The run's ``evaluations.csv``: (steps, scores, metric name); empty arrays if it has none."""
    path = Path(run_dir) / EVALUATIONS
    if not path.is_file():
        return np.zeros(0), np.zeros(0), ""
    with path.open(newline="") as stream:
        rows = list(csv.reader(stream))
    if not rows or len(rows[0]) < 2:
        raise PlotError(f"{path} has no header 'timesteps,<metric>,...'")
    try:
        steps = np.array([float(row[0]) for row in rows[1:]])
        scores = np.array([float(row[1]) for row in rows[1:]])
    except (ValueError, IndexError):
        raise PlotError(f"{path}: a row that is not 'timesteps,score,...'") from None
    return steps, scores, rows[0][1]


def read_run(run_dir: str | Path, name: str | None = None) -> Curves:
    """The curves of one run directory; PlotError if it is not one or holds neither file."""
    path = Path(run_dir)
    if not path.is_dir():
        raise PlotError(f"run directory {path} does not exist")
    steps, returns = read_monitors(path)
    eval_steps, eval_scores, metric = read_evaluations(path)
    if not steps.size and not eval_steps.size:
        raise PlotError(f"{path} has nothing to plot: no *{MONITOR_SUFFIX} with episodes and no {EVALUATIONS}")
    return Curves(name or path.name, steps, returns, eval_steps, eval_scores, metric)


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Moving average over the last ``window`` values (fewer at the start)."""
    if window <= 1 or not values.size:
        return values
    sums = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, values.size + 1), window)
    return (sums[1:] - sums[np.maximum(np.arange(1, values.size + 1) - window, 0)]) / counts


def plot_runs(
    run_dirs: list[str | Path],
    out: str | Path,
    *,
    labels: list[str] | None = None,
    window: int = 20,
    size: tuple[float, float] = (12.0, 4.5),
    dpi: int = 100,
    title: str = "",
) -> Path:
    """Draw every run's training return and validation score on one figure and save it as a PNG.

    The image is exactly ``size`` inches times ``dpi`` pixels (``12 x 4.5`` at 100: 1200 x 450).
    """
    if not run_dirs:
        raise PlotError("no run directory to plot")
    if labels is not None and len(labels) != len(run_dirs):
        raise PlotError(f"{len(labels)} labels for {len(run_dirs)} runs")
    if size[0] <= 0 or size[1] <= 0 or dpi <= 0:
        raise PlotError(f"figure size and dpi must be positive, got {size[0]}x{size[1]} at {dpi} dpi")
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise PlotError(f"cannot write {out}: the file name must end in .png")
    runs = [read_run(path, labels[i] if labels else None) for i, path in enumerate(run_dirs)]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (training, validation) = plt.subplots(1, 2, figsize=size, dpi=dpi)
    for index, run in enumerate(runs):
        color = f"C{index % 10}"
        if run.steps.size:
            training.plot(run.steps, run.returns, color=color, alpha=0.2, linewidth=0.8)
            training.plot(run.steps, smooth(run.returns, window), color=color, label=run.name)
        if run.eval_steps.size:
            validation.plot(run.eval_steps, run.eval_scores, color=color, marker="o", markersize=3, label=run.name)
    metrics = sorted({run.metric for run in runs if run.metric})
    training.set(xlabel="environment steps", ylabel=f"episode return (mean of {window})", title="training")
    validation.set(xlabel="environment steps", ylabel=" / ".join(metrics) or "validation score", title="validation")
    if not any(run.eval_steps.size for run in runs):
        validation.text(0.5, 0.5, "no validation recorded", ha="center", va="center", transform=validation.transAxes)
    for axes in (training, validation):
        axes.grid(alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=8)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=dpi)  # no bbox_inches="tight": the PNG keeps the size asked for
    plt.close(figure)
    return out


def png_size(path: str | Path) -> tuple[int, int]:
    """(width, height) in pixels, read from a PNG's header."""
    header = Path(path).read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise PlotError(f"{path} is not a PNG")
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
