"""The pass-sequence coreset as data, and the environments whose actions are its sequences.

A coreset (Coreset-NVP, Liang et al., ICML 2023, https://arxiv.org/abs/2208.13193) is a short list of whole
pass pipelines chosen offline to cover a training corpus (``rl-compiler coreset build``). Each applies to an
episode's start module (clang's -Oz front-end output) like ``opt -passes=<sequence>``; index 0 is -Oz
(``default<O2>``). The shipped one is ``agents/coreset/coreset-v0.yml``, with the command that rebuilt it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from gymnasium import spaces

from rl_compiler.data import data_path
from rl_compiler.envs.action_sets import ActionSet, action_index
from rl_compiler.envs.passes import PassOrderingEnv
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


class CoresetEnv(PassOrderingEnv):
    """
    ## Description

    Choose whole pass sequences from a coreset (``agents/coreset/coreset-v0.yml``): each step applies one
    sequence to the episode's start module, replacing the previous state, and measures the result. An
    agent learns which of a few dozen proven pipelines suits a program, the action space of Coreset-NVP
    (Liang et al., ICML 2023); ``rank_sequences`` in ``rl_compiler.agents.coreset`` is a supervised
    answer to the same question.

    ## Action Space

    ``Discrete(len(coreset))``: index into ``env.unwrapped.action_names`` (the sequences; 0 is -Oz).

    ## Observation Space

    As :class:`PassOrderingEnv` (``observation_space=``); the registered ids observe ``Autophase`` of the
    current state.

    ## Rewards

    As :class:`PassOrderingEnv`, dense: each step's reward is the cost decrease from the previous state to
    the new one, so the return is the value of the last sequence applied (1.0 under
    ``IrInstructionCountOz`` when it equals -Oz). ``llvm-coreset-ic-v0``: ``IrInstructionCountOz``;
    ``llvm-coreset-codesize-v0``: ``ObjectTextSizeOz``.

    ## Starting State

    The benchmark's start module (``clang -Oz -Xclang -disable-llvm-passes``).

    ## Episode End

    Never terminates; truncated after ``max_episode_steps`` (10 in the registry). A sequence that crashes
    LLVM twice leaves the start module as the state (``info["recovered_crash"]``).

    ## Arguments

    ```python
    import gymnasium as gym
    import rl_compiler

    env = gym.make("rl_compiler/llvm-coreset-codesize-v0", benchmark="benchmark://builtin-v0/crc32")
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(1)   # the coreset's first sequence after -Oz
    print(info["action"], reward, env.unwrapped.commandline())
    env.close()
    ```

    ``coreset`` (a shipped name or a file, default ``coreset-v0``) and every :class:`PassOrderingEnv`
    argument except ``action_set`` and ``terminal_action``.

    ## Version History

    * v0: initial version (coreset-v0, LLVM 23.1.4).
    """

    def __init__(self, benchmark: str | None = None, *, coreset: str | Path = DEFAULT_CORESET, **kwargs: Any):
        for name in ("action_set", "terminal_action"):
            if name in kwargs:
                raise ValueError(f"{name!r} is not an argument of CoresetEnv: its actions are the coreset's")
        super().__init__(benchmark, **kwargs)
        self.coreset = load_coreset(coreset)
        self._action_set = ActionSet(
            name=self.coreset.name,
            pipelines=self.coreset.sequences,
            flags=self.coreset.sequences,
            excluded=(),
            description=f"the sequences of coreset {self.coreset.name}",
        )
        self.action_set_name = self.coreset.name
        self.action_space = spaces.Discrete(len(self.coreset))

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        program = self._require_program()
        index = action_index(action, int(self.action_space.n))
        # Each sequence applies to the start module: a fresh parse in the same worker, never a clone
        # (see PassOrderingEnv.fork), so the state is exactly opt -passes=<sequence> on the start bitcode.
        previous = program.session
        program.session = self._session = previous.sibling(program.prepared.bitcode)
        previous.close()
        reward, info, applied = self._run(program, self._action_set.pipelines[index])
        self._applied = [index] if applied else []
        return self._step_observation(), reward, False, False, info
