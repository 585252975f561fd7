"""CompilerGym's action-space wrappers for pass-ordering envs: a subset of the passes, and a terminal action."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import gymnasium as gym

from rl_compiler.envs.action_sets import load_action_set

END_OF_EPISODE = "end-of-episode"


def action_for_flag(env: gym.Env, flag: str) -> int:
    """The index of the env's action named by ``flag``: an action name (``"function(sroa)"``), its index as text,
    the env's own flag, or CompilerGym's flag (``"-sroa"``) for the same pass on any action set.

    :raises ValueError: naming the flag when the env has no such action.
    """
    core = env.unwrapped
    names = list(core.action_names)
    if flag in names:
        return names.index(flag)
    if flag.isdigit() and int(flag) < len(names):
        return int(flag)
    own = list(getattr(core, "action_flags", []))
    if flag in own:
        return own.index(flag)
    compiler_gym = load_action_set("compiler_gym")
    if flag in compiler_gym.flags and compiler_gym.pipelines[compiler_gym.index(flag)] in names:
        return names.index(compiler_gym.pipelines[compiler_gym.index(flag)])
    raise ValueError(f"unknown flag {flag!r}: not an action of the env (an index, action name or CompilerGym flag)")


class ConstrainedCommandline(gym.ActionWrapper):
    """CompilerGym's ``ConstrainedCommandline``: the action space becomes ``Discrete(len(flags))`` over a subset
    of the env's actions, in the order given.

    :param flags: the actions to keep, each an action name (a pipeline such as ``"function(sroa)"``) or
        CompilerGym's flag for it (``"-sroa"``).
    """

    def __init__(self, env: gym.Env, flags: Iterable[str]) -> None:
        super().__init__(env)
        names = list(env.unwrapped.action_names)
        self.flags = [str(flag) for flag in flags]
        if not self.flags:
            raise ValueError("ConstrainedCommandline needs at least one flag")
        self.indices = [action_for_flag(env, flag) for flag in self.flags]
        if len(set(self.indices)) != len(self.indices):
            raise ValueError(f"flags name the same action twice: {self.flags}")
        #: The pipeline string of every action of the constrained space.
        self.action_names = [names[i] for i in self.indices]
        self.action_space = gym.spaces.Discrete(len(self.indices))

    def action(self, action: Any) -> int:
        """The env's action index for the constrained action ``action``."""
        index = int(action)
        if not 0 <= index < len(self.indices):
            raise ValueError(f"action {action!r} outside the constrained space of {len(self.indices)} flags")
        return self.indices[index]

    def reverse_action(self, action: Any) -> int:
        """The constrained action for the env's action index ``action``."""
        try:
            return self.indices.index(int(action))
        except ValueError:
            raise ValueError(f"the env's action {action!r} is not one of the constrained flags") from None


class CommandlineWithTerminalAction(gym.Wrapper):
    """CompilerGym's ``CommandlineWithTerminalAction``: one more action, the last, that ends the episode
    (``terminated``) without changing the program. Envs made with ``terminal_action=True`` have it already.

    :param terminal: the extra action's name (CompilerGym's ``end-of-episode``).
    """

    def __init__(self, env: gym.Env, terminal: str = END_OF_EPISODE) -> None:
        super().__init__(env)
        if not isinstance(env.action_space, gym.spaces.Discrete):
            raise ValueError(f"CommandlineWithTerminalAction needs a Discrete action space, got {env.action_space}")
        if getattr(env.unwrapped, "terminal_action", False):
            raise ValueError("the env already has a terminal action (made with terminal_action=True)")
        self.terminal = terminal
        self.terminal_index = int(env.action_space.n)
        self.action_space = gym.spaces.Discrete(self.terminal_index + 1)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        if int(action) == self.terminal_index:
            observation = self.env.unwrapped.current_observation
            return observation, 0.0, True, False, {"action": self.terminal, "ir_changed": False}
        return self.env.step(action)
