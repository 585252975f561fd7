"""The pass-sequence coreset as data: a :class:`Coreset` and the shipped files (:func:`load_coreset`).

A coreset (Coreset-NVP, Liang et al., ICML 2023, https://arxiv.org/abs/2208.13193) is a short list of whole
pass pipelines chosen offline to cover a training corpus (``rl-compiler coreset build``). Each applies to an
episode's start module (clang's -Oz front-end output) like ``opt -passes=<sequence>``; index 0 is -Oz
(``default<O2>``). The shipped one is ``agents/coreset/coreset-v0.yml``, with the command that rebuilt it.
Apart from the environments (:mod:`rl_compiler.envs.coreset`): ``rl-compiler optimize`` reads it without Gymnasium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rl_compiler.data import data_path
from rl_compiler.envs.pipelines import OZ

DEFAULT_CORESET = "coreset-v0"


@dataclass(frozen=True)
class Coreset:
    """An ordered list of pass sequences (``sequences[0]`` is -Oz) and how they were chosen.

    :param name: e.g. ``coreset-v0``.
    :param sequences: pipeline strings, each applied to the start module alone.
    :param stats: per sequence, what the selection measured on the training corpus (marginal gain,
        programs covered, mean values); same order as ``sequences``.
    :param recipe: the command that rebuilt it.
    :param metadata: training corpus, metric, sizes, LLVM version.
    """

    name: str
    sequences: tuple[str, ...]
    stats: tuple[dict[str, Any], ...] = ()
    recipe: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.sequences or self.sequences[0] != OZ:
            raise ValueError(f"coreset {self.name!r}: the first sequence must be -Oz ({OZ!r})")
        if len(set(self.sequences)) != len(self.sequences):
            raise ValueError(f"coreset {self.name!r}: duplicate sequences")

    def __len__(self) -> int:
        return len(self.sequences)

    def to_yaml(self) -> str:
        entries = [
            {"pipeline": sequence, **(self.stats[i] if i < len(self.stats) else {})}
            for i, sequence in enumerate(self.sequences)
        ]
        document = {"name": self.name, "recipe": self.recipe, **self.metadata, "sequences": entries}
        return yaml.safe_dump(document, sort_keys=False, width=1_000_000)

    @classmethod
    def from_file(cls, path: str | Path) -> Coreset:
        """Read a coreset YAML file; raises ValueError naming the file for a malformed one."""
        path = Path(path)
        try:
            document = yaml.safe_load(path.read_text())
            entries = document.pop("sequences")
            sequences = tuple(entry["pipeline"] for entry in entries)
            stats = tuple({k: v for k, v in entry.items() if k != "pipeline"} for entry in entries)
            name, recipe = document.pop("name"), document.pop("recipe", "")
        except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a coreset file (name, sequences[].pipeline): {error}") from error
        return cls(name=name, sequences=sequences, stats=stats, recipe=recipe, metadata=document)


def coreset_path(name: str = DEFAULT_CORESET) -> Path:
    """The shipped coreset file called ``name`` (``agents/coreset/<name>.yml``)."""
    return data_path("agents", "coreset", f"{name}.yml")


def load_coreset(name_or_path: str | Path = DEFAULT_CORESET) -> Coreset:
    """A shipped coreset by name, or a coreset file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = coreset_path(str(name_or_path))
        if not path.is_file():
            shipped = sorted(p.stem for p in data_path("agents", "coreset").glob("*.yml"))
            raise ValueError(f"unknown coreset {name_or_path!r}; shipped: {', '.join(shipped) or 'none'}")
    return Coreset.from_file(path)
