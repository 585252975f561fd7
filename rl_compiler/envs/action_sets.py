"""Action sets of the pass-ordering environments, loaded from the shipped ``envs/actions/*.yaml`` data.

An action is one new-pass-manager pipeline element with its nesting, e.g. ``function(sroa)`` or
``function(loop-mssa(licm))``: running the action is ``Session.run_passes(action)``. Each file records
the actions and, for every pass left out, the reason (``excluded`` for ``default``, ``unmapped`` for
``compiler_gym``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from rl_compiler.data import data_path

ACTIONS_FOLDER = "actions"


@dataclass(frozen=True)
class ActionSet:
    """A named, ordered list of pipeline elements.

    :param name: the set's name (``default``, ``compiler_gym``).
    :param pipelines: one pipeline element per action index.
    :param flags: CompilerGym's legacy flag per action (``-sroa``), or the pipeline itself when none.
    :param excluded: (pass or flag, reason) pairs for everything left out.
    """

    name: str
    pipelines: tuple[str, ...]
    flags: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]
    description: str = ""

    def __len__(self) -> int:
        return len(self.pipelines)

    def index(self, name: str) -> int:
        """The index of an action given as pipeline element or CompilerGym flag."""
        if name in self.pipelines:
            return self.pipelines.index(name)
        if name in self.flags:
            return self.flags.index(name)
        raise ValueError(f"{name!r} is not an action of the {self.name!r} action set ({len(self)} actions)")


def action_set_names() -> list[str]:
    """The names of the shipped action sets."""
    return sorted(path.stem for path in data_path("envs", ACTIONS_FOLDER).glob("*.yaml"))


@functools.cache
def load_action_set(name: str) -> ActionSet:
    """Load a shipped action set by name; raises ``ValueError`` listing the valid names for an unknown one."""
    names = action_set_names()
    if name not in names:
        raise ValueError(f"unknown action set {name!r}; valid names: {', '.join(names)}")
    path = data_path("envs", ACTIONS_FOLDER, f"{name}.yaml")
    doc = yaml.safe_load(path.read_text())
    pipelines, flags = [], []
    for entry in doc["actions"]:
        if isinstance(entry, str):
            pipelines.append(entry)
            flags.append(entry)
        else:
            pipelines.append(entry["pipeline"])
            flags.append(entry.get("flag", entry["pipeline"]))
    if len(set(pipelines)) != len(pipelines):
        raise ValueError(f"{path}: duplicate actions")
    excluded: list[tuple[str, str]] = []
    for group in doc.get("excluded", []):
        excluded.extend((p, group["reason"]) for p in group["passes"])
    excluded.extend((entry["flag"], entry["reason"]) for entry in doc.get("unmapped", []))
    return ActionSet(
        name=doc.get("name", name),
        pipelines=tuple(pipelines),
        flags=tuple(flags),
        excluded=tuple(excluded),
        description=doc.get("description", ""),
    )


def split_pipeline(pipeline: str) -> list[str]:
    """Split a pipeline at its top-level commas: ``"function(a,b),c"`` -> ``["function(a,b)", "c"]``."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(pipeline):
        if char in "(<":
            depth += 1
        elif char in ")>":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(pipeline[start:i])
            start = i + 1
    tail = pipeline[start:]
    if tail:
        parts.append(tail)
    return [part.strip() for part in parts if part.strip()]


#: Scalar action types taken as they are (a step does not build an array for them).
_INTS = frozenset((int, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64))


def action_index(action: Any, n: int) -> int:
    """The index of a ``Discrete(n)`` action: one integer (Python, NumPy, or a one-element integer array).

    :raises ValueError: naming the action for anything else (a float such as ``3.0``, a bool, a string, several
        values) and for an index outside ``[0, n - 1]``.
    """
    if type(action) in _INTS:
        index = int(action)
    else:
        value = np.asarray(action)
        if value.size != 1 or not (np.issubdtype(value.dtype, np.integer) and value.dtype != np.bool_):
            raise ValueError(
                f"action {action!r} is not an integer: expected one integer in [0, {n - 1}] (Discrete({n}))"
            )
        index = int(value.reshape(()))
    if not 0 <= index < n:
        raise ValueError(f"action {index} is out of range: expected an integer in [0, {n - 1}] (Discrete({n}))")
    return index
