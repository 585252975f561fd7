"""Fixed pass lists as policies: the -Oz and -O3 pipelines, and replay of a recorded pass list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Policy
from rl_compiler.envs.action_sets import split_pipeline  # noqa: F401 - re-exported: pass lists are pipelines


class ReplayPolicy(Policy):
    """Apply a recorded list of passes (pipeline strings or action indices), in order.

    Pass names in the env's action set are taken as actions; anything else (e.g. ``"oz"``, an alias of
    the -Oz pipeline ``default<O2>``, or ``"default<O3>"``) runs as a pipeline string. Both end up in
    the episode's replayable pass list.

    :param passes: the passes, or a comma-separated pipeline string.
    :param path: read the passes from a file instead: a ``.passes.txt`` pipeline (one line, or one pass per
        line) or a JSON file with a ``passes`` list (as written by ``rl-compiler optimize`` and ``eval -o``).
    """

    name = "replay"

    def __init__(self, passes: list[str | int] | str | None = None, path: str | Path | None = None) -> None:
        super().__init__()
        if path is not None:
            passes = read_pass_list(path)
        if passes is None:
            raise ValueError("replay needs passes=[...] or path=FILE")
        self.passes = split_pipeline(passes) if isinstance(passes, str) else list(passes)

    def optimize(self, env: gym.Env, observation: Any) -> None:
        envtools.apply(env, self.passes)


class OzPolicy(ReplayPolicy):
    """The -Oz pipeline as one step: ``default<O2>`` on the env's start module (``minsize optsize`` set)."""

    name = "oz"

    def __init__(self) -> None:
        super().__init__([envtools.OZ])


class O3Policy(ReplayPolicy):
    """The -O3 pipeline (``default<O3>``), as one action."""

    name = "o3"

    def __init__(self) -> None:
        super().__init__([envtools.O3])


def read_pass_list(path: str | Path) -> list[str]:
    """Read a pass list written by rl-compiler (``.passes.txt`` or ``.json``)."""
    path = Path(path)
    text = path.read_text()
    if path.suffix == ".json":
        data = json.loads(text)
        passes = data.get("passes") if isinstance(data, dict) else data
        if not isinstance(passes, list):
            raise ValueError(f"{path}: expected a JSON list of passes or an object with a 'passes' list")
        return [str(p) for p in passes]
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [p for line in lines for p in split_pipeline(line)]
