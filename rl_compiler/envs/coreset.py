"""The environments whose actions are the sequences of a pass-sequence coreset
(:mod:`rl_compiler.envs.coreset_data`: the coreset itself, re-exported here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gymnasium import spaces

from rl_compiler.envs.action_sets import ActionSet, action_index
from rl_compiler.envs.coreset_data import DEFAULT_CORESET, Coreset, coreset_path, load_coreset
from rl_compiler.envs.passes import PassOrderingEnv
from rl_compiler.envs.pipelines import OZ

__all__ = ["DEFAULT_CORESET", "OZ", "Coreset", "CoresetEnv", "coreset_path", "load_coreset"]


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
