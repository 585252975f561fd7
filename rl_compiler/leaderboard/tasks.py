"""Leaderboard tasks: what is measured, on which programs, declared as data in ``benchmarks/leaderboard/tasks``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from rl_compiler.data import data_path, read_yaml_mapping

TASK_FIELDS = ("name", "description", "env", "dataset", "split", "repetitions", "metric")
#: The metrics a task can name, and whether a replayed result is an exact integer computation.
METRICS = ("IrInstructionCountOz", "ObjectTextSizeOz", "DynamicInstructionCountO3", "RegallocScore", "InlineTextSize")


class TaskError(ValueError):
    """A task name that does not exist, or a task file that is malformed."""


@dataclass(frozen=True)
class Task:
    """One leaderboard task: an environment, the programs it is judged on, and its metric."""

    name: str
    description: str
    env: str
    dataset: str
    split: str
    repetitions: int
    metric: str

    @property
    def kind(self) -> str:
        """``passes`` for pass-ordering tasks, ``mlgo`` for the register-allocation and inlining tasks."""
        return "mlgo" if self.metric in ("RegallocScore", "InlineTextSize") else "passes"

    def with_overrides(
        self, dataset: str | None = None, split: str | None = None, repetitions: int | None = None
    ) -> Task:
        """A copy of the task pointed at another dataset/split or repetition count."""
        return Task(
            name=self.name,
            description=self.description,
            env=self.env,
            dataset=dataset or self.dataset,
            split=split or self.split,
            repetitions=repetitions or self.repetitions,
            metric=self.metric,
        )


def tasks_dir() -> Path:
    """The folder of the shipped task files."""
    return data_path("benchmarks", "leaderboard", "tasks")


def task_names() -> list[str]:
    """Names of the shipped tasks."""
    return sorted(path.stem for path in tasks_dir().glob("*.yaml"))


def load_task(name_or_path: str) -> Task:
    """Load a shipped task by name (``llvm-ic``) or a task file by path."""
    path = Path(name_or_path)
    if not (path.suffix in (".yaml", ".yml") and path.exists()):
        path = tasks_dir() / f"{name_or_path}.yaml"
        if not path.exists():
            close = difflib.get_close_matches(name_or_path, task_names(), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TaskError(f"unknown leaderboard task {name_or_path!r}.{hint} Tasks: {', '.join(task_names())}")
    data = read_yaml_mapping(path, TaskError, f"a task: a mapping with fields {', '.join(TASK_FIELDS)}")
    missing = [field for field in TASK_FIELDS if field not in data]
    if missing:
        raise TaskError(f"{path}: missing field(s) {', '.join(missing)}")
    if data["metric"] not in METRICS:
        raise TaskError(f"{path}: unknown metric {data['metric']!r}; expected one of {', '.join(METRICS)}")
    if not isinstance(data["repetitions"], int) or data["repetitions"] < 1:
        raise TaskError(f"{path}: repetitions must be a positive integer, got {data['repetitions']!r}")
    return Task(**{field: data[field] for field in TASK_FIELDS})
