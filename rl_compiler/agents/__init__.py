"""Agents behind one policy interface, for every env family, built by name from one registry.

- :mod:`~rl_compiler.agents.base`: the interface (:class:`Policy`, :class:`DecisionPolicy`) and what an
  episode records; :mod:`~rl_compiler.agents.registry`: names -> agents (:func:`make_agent`);
  :mod:`~rl_compiler.agents.envtools`: what agents use of a pass-ordering env;
  :mod:`~rl_compiler.agents.evaluation`: run a policy over benchmarks and summarise.
- :mod:`rl_compiler.agents.search`: search agents and fixed pass lists (random, greedy, beam, local search,
  epsilon-greedy, -Oz, -O3, replay) and the macro-action ranking.
- :mod:`rl_compiler.agents.mlgo`: baseline decision policies for register allocation and inlining.
- :mod:`rl_compiler.agents.rl`: Stable-Baselines3 models as policies, training runs, hyperparameters.
- :mod:`rl_compiler.agents.optimize`: the shipped default policy and ``rl-compiler optimize``'s library.

The names below are imported on first use: ``rl-compiler optimize`` imports ``rl_compiler.agents.optimize``,
which needs none of them (nor Gymnasium, which the interface imports).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rl_compiler.agents.base import Budget, DecisionEpisode, DecisionPolicy, EpisodeResult, Policy
    from rl_compiler.agents.registry import AGENTS, UnknownAgentError, make_agent

_HOMES = {
    "AGENTS": "registry",
    "Budget": "base",
    "DecisionEpisode": "base",
    "DecisionPolicy": "base",
    "EpisodeResult": "base",
    "Policy": "base",
    "UnknownAgentError": "registry",
    "make_agent": "registry",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "AGENTS",
    "Budget",
    "DecisionEpisode",
    "DecisionPolicy",
    "EpisodeResult",
    "Policy",
    "UnknownAgentError",
    "make_agent",
]
