"""The one registry of agents, for every env family: names -> classes, user agents as ``"module:Class"``,
and saved policies by path. The leaderboard and the CLI build every agent here.

``make_agent("greedy", time_limit=5)``, ``make_agent("my_pkg.agents:MyAgent")``,
``make_agent("runs/ppo_llvm-autophase-ic-v0_1")`` (a training run), ``make_agent("policy.zip")`` and
``make_agent("default")`` (the shipped policy plus its search) all return a :class:`Policy` for the
pass-ordering envs; ``make_agent("first-legal", family="mlgo")`` or
``make_agent("model.zip", family="mlgo")`` (a MaskablePPO model) a decision policy for the register
allocation and inlining envs.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from rl_compiler.agents.base import Policy

#: Built-in agents by name. SB3 algorithms need a trained model: name a run directory or a .zip.
AGENTS: dict[str, str] = {
    "random": "rl_compiler.agents.search.random_search:RandomSearch",
    "greedy": "rl_compiler.agents.search.greedy:GreedySearch",
    "beam": "rl_compiler.agents.search.beam:BeamSearch",
    "local-search": "rl_compiler.agents.search.local_search:IteratedLocalSearch",
    "epsilon-greedy": "rl_compiler.agents.search.epsilon_greedy:EpsilonGreedy",
    "oz": "rl_compiler.agents.search.fixed:OzPolicy",
    "o3": "rl_compiler.agents.search.fixed:O3Policy",
    "replay": "rl_compiler.agents.search.fixed:ReplayPolicy",
    "default": "rl_compiler.agents.optimize.default:DefaultPolicy",
    "sb3": "rl_compiler.agents.rl.sb3:SB3Policy",
    # Decision policies of the MLGO envs (register allocation, inlining).
    "first-legal": "rl_compiler.agents.mlgo.baselines:FirstLegal",
    "random-legal": "rl_compiler.agents.mlgo.baselines:RandomLegal",
    "no-eviction": "rl_compiler.agents.mlgo.baselines:NoEviction",
    "follow-default": "rl_compiler.agents.mlgo.baselines:FollowDefault",
    "never": "rl_compiler.agents.mlgo.baselines:Never",
    "always": "rl_compiler.agents.mlgo.baselines:Always",
}
#: The env families: pass ordering, and the MLGO channel (register allocation, inlining).
FAMILIES = ("passes", "mlgo")
#: The policy class of a saved model, per family.
SAVED_POLICIES = {
    "passes": "rl_compiler.agents.rl.sb3:SB3Policy",
    "mlgo": "rl_compiler.agents.rl.mlgo:SB3DecisionPolicy",
}
ALIASES = {
    "epsilon_greedy": "epsilon-greedy",
    "ils": "local-search",
    "local_search": "local-search",
    "random-search": "random",
    "-Oz": "oz",
    "-O3": "o3",
}
#: Agents that take a search budget (``max_steps``/``time_limit``).
SEARCH_AGENTS = ("random", "greedy", "beam", "local-search", "epsilon-greedy", "default")


class UnknownAgentError(ValueError):
    """An agent name that is neither built in, nor importable, nor a saved policy."""


def import_object(spec: str) -> Any:
    """Import ``"package.module:Name"``."""
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnknownAgentError(f"cannot import {module_name!r} for agent {spec!r}: {error}") from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise UnknownAgentError(f"module {module_name!r} has no {attribute!r} (agent {spec!r})") from None


def agent_class(name: str) -> type[Policy]:
    name = ALIASES.get(name, name)
    if name in AGENTS:
        return import_object(AGENTS[name])
    if ":" in name:
        cls = import_object(name)
        if not (inspect.isclass(cls) and issubclass(cls, Policy)):
            raise UnknownAgentError(f"{name!r} is not a subclass of rl_compiler.agents.Policy")
        return cls
    raise UnknownAgentError(
        f"unknown agent {name!r}; expected one of {', '.join(AGENTS)}, "
        "a saved policy (run directory or .zip), "
        "or 'package.module:Class'"
    )


def accepted_kwargs(cls: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``kwargs`` that ``cls`` (or its bases, through ``**kwargs``) accepts."""
    accepted: dict[str, Any] = {}
    for klass in cls.__mro__:
        if klass is object:
            break
        signature = inspect.signature(klass.__init__)
        accepted.update({k: v for k, v in kwargs.items() if k in signature.parameters})
        if not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
            break
    return accepted


def agent_names(family: str) -> list[str]:
    """The built-in agent names of one env family."""
    check_family(family)
    return [name for name, spec in AGENTS.items() if import_object(spec).family == family]


def check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ValueError(f"unknown env family {family!r}; expected one of {', '.join(FAMILIES)}")


def is_saved_policy(name_or_path: str) -> bool:
    """Whether ``name_or_path`` names a saved model (a run directory or a ``.zip``) rather than an agent."""
    path = Path(name_or_path)
    return ALIASES.get(name_or_path, name_or_path) not in AGENTS and (path.is_dir() or path.suffix == ".zip")


def make_agent(name_or_path: str, *, family: str | None = None, strict: bool = True, **kwargs: Any) -> Policy:
    """Build an agent by name, ``module:Class`` or saved-policy path, with its constructor kwargs.

    :param family: the envs the agent must act on (``"passes"`` or ``"mlgo"``); None: any, and a saved
        model is a pass-ordering policy.
    :param strict: if False, silently drop kwargs the agent does not take (e.g. a budget for ``oz``).
    """
    if family is not None:
        check_family(family)
    path = Path(name_or_path)
    if is_saved_policy(name_or_path):
        if not path.exists():
            raise UnknownAgentError(f"saved policy {path} does not exist")
        cls: type[Policy] = import_object(SAVED_POLICIES[family or "passes"])
        kwargs = {"path": str(path), **kwargs}
    else:
        cls = agent_class(name_or_path)
    if family is not None and cls.family != family:
        raise UnknownAgentError(
            f"agent {name_or_path!r} acts on {cls.family} envs, not {family}; "
            f"{family} agents: {', '.join(agent_names(family))}"
        )
    if not strict:
        kwargs = accepted_kwargs(cls, kwargs)
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise UnknownAgentError(f"cannot configure agent {name_or_path!r}: {error}") from None
