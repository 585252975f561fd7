"""The serializable state of a pass-ordering episode: enough to replay it exactly.

Like CompilerGym's ``CompilerEnvState``: the benchmark URI, the applied actions (pipeline elements, in
order), the episode reward and the wall time. JSON and CSV round-trip; ``env.apply(state)`` replays it.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from rl_compiler.envs.action_sets import load_action_set, split_pipeline
from rl_compiler.llvm.module import ENGINE_OPT_FLAGS

CSV_HEADER = ("benchmark", "reward", "walltime", "commandline")


@dataclass(frozen=True)
class EpisodeState:
    """A replayable episode.

    :param benchmark: the benchmark URI.
    :param actions: the applied pipeline elements, in order.
    :param reward: the episode reward (sum of step rewards) of ``reward_space``, or None.
    :param walltime: seconds from reset to the end of the last step.
    :param reward_space: the reward's name (informational), or None.
    """

    benchmark: str
    actions: tuple[str, ...] = ()
    reward: float | None = None
    walltime: float = 0.0
    reward_space: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def pipeline(self) -> str:
        """The actions as one ``opt -passes=`` pipeline string."""
        return ",".join(self.actions)

    def to_json(self) -> str:
        """This state as a JSON object string."""
        data = asdict(self)
        data["actions"] = list(self.actions)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | dict) -> EpisodeState:
        """Parse :meth:`to_json` output (or its dict)."""
        data = json.loads(text) if isinstance(text, str) else dict(text)
        if "benchmark" not in data:
            raise ValueError("episode state JSON lacks 'benchmark'")
        return cls(
            benchmark=data["benchmark"],
            actions=tuple(data.get("actions", ())),
            reward=None if data.get("reward") is None else float(data["reward"]),
            walltime=float(data.get("walltime", 0.0)),
            reward_space=data.get("reward_space"),
            extra=dict(data.get("extra") or {}),
        )

    def csv_row(self) -> list[str]:
        """One CSV row in CompilerGym's column order: benchmark, reward, walltime, commandline (pipeline)."""
        reward = "" if self.reward is None else repr(float(self.reward))
        return [self.benchmark, reward, repr(float(self.walltime)), self.pipeline]

    @classmethod
    def from_csv_row(cls, row: list[str] | dict) -> EpisodeState:
        """Parse one row written by :meth:`csv_row` or by CompilerGym (a list, or a dict keyed by
        :data:`CSV_HEADER`); the commandline cell is read by :func:`commandline_pipelines`."""
        if isinstance(row, dict):
            row = [row.get(name, "") for name in CSV_HEADER]
        if len(row) != len(CSV_HEADER):
            raise ValueError(f"expected {len(CSV_HEADER)} CSV columns {CSV_HEADER}, got {len(row)}: {row!r}")
        benchmark, reward, walltime, commandline = row
        return cls(
            benchmark=benchmark,
            actions=tuple(commandline_pipelines(commandline)),
            reward=float(reward) if reward else None,
            walltime=float(walltime) if walltime else 0.0,
        )


def commandline_pipelines(commandline: str) -> list[str]:
    """The pipeline elements of a CSV ``commandline`` cell: our pipeline string (``"function(sroa),gvn"``), an
    ``opt -passes=...`` command (what ``env.commandline()`` prints), or CompilerGym's ``opt -sroa -gvn input.bc
    -o output.bc`` with legacy flags (mapped through the ``compiler_gym`` action set).

    :raises ValueError: naming a legacy flag that has no equivalent here.
    """
    text = commandline.strip()
    if not text.startswith("opt ") and text != "opt":
        return split_pipeline(text)
    tokens = shlex.split(text)[1:]
    pipelines: list[str] = []
    flags = load_action_set("compiler_gym")
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
        elif token == "-o":
            skip_next = True  # the output file
        elif token.startswith("-passes="):
            pipelines.extend(split_pipeline(token[len("-passes=") :]))
        elif token in ENGINE_OPT_FLAGS:
            pass  # target machine settings that env.commandline() prints, not passes
        elif token.startswith("-"):
            try:
                pipelines.append(flags.pipelines[flags.index(token)])
            except ValueError:
                raise ValueError(
                    f"commandline {commandline!r}: {token} is not a CompilerGym pass flag rl-compiler maps "
                    "(see envs/actions/compiler_gym.yaml)"
                ) from None
    return pipelines


def states_to_csv(states: Iterable[EpisodeState]) -> str:
    """CSV text with a header row and one row per state."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for state in states:
        writer.writerow(state.csv_row())
    return buffer.getvalue()


def states_from_csv(text: str) -> list[EpisodeState]:
    """Parse :func:`states_to_csv` output."""
    rows = list(csv.reader(io.StringIO(text)))
    if rows and tuple(rows[0]) == CSV_HEADER:
        rows = rows[1:]
    return [EpisodeState.from_csv_row(row) for row in rows if row]
