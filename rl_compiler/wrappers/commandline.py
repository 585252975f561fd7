"""CompilerGym's action-space wrappers for pass-ordering envs: a subset of the passes, and a terminal action."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import gymnasium as gym

END_OF_EPISODE = "end-of-episode"


class ConstrainedCommandline(gym.ActionWrapper):
    """CompilerGym's ``ConstrainedCommandline``: the action space becomes ``Discrete(len(flags))`` over a subset
    of the env's actions, in the order given.

    :param flags: the actions to keep, each an action name (a pipeline such as ``"function(sroa)"``) or
        CompilerGym's flag for it (``"-sroa"``).
    """

    def __init__(self, env: gym.Env, flags: Iterable[str]) -> None:
        super().__init__(env)
        names = list(env.unwrapped.action_names)
        legacy = list(getattr(env.unwrapped, "action_flags", []))
        self.flags = [str(flag) for flag in flags]
        if not self.flags:
            raise ValueError("ConstrainedCommandline needs at least one flag")
        self.indices: list[int] = []
        for flag in self.flags:
            if flag in names:
                self.indices.append(names.index(flag))
            elif flag in legacy:
                self.indices.append(legacy.index(flag))
            else:
                raise ValueError(f"unknown flag {flag!r}: neither an action name nor a CompilerGym flag of the env")
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
