"""The one agent registry: built-in names of every env family, user agents by import string, saved policies."""

from __future__ import annotations

import pytest

from rl_compiler.agents import envtools
from rl_compiler.agents.base import Policy
from rl_compiler.agents.registry import AGENTS, UnknownAgentError, agent_names, make_agent


class FirstActionTwice(Policy):
    """A user agent written against the public interface: the first action, twice."""

    name = "first-twice"

    def act(self, observation, env):
        self.count = getattr(self, "count", 0) + 1
        return 0 if self.count <= 2 else None

    def reset(self, env):
        self.count = 0


def test_user_agent_by_import_string(env, small_split):
    agent = make_agent(f"{__name__}:FirstActionTwice")
    result = agent.run(env, benchmark=small_split[0])
    assert result.actions == [0, 0]
    assert result.passes == [envtools.action_names(env)[0]] * 2


def test_unknown_agent_names_the_choices():
    with pytest.raises(UnknownAgentError, match="greedy"):
        make_agent("simulated-annealing")
    with pytest.raises(UnknownAgentError, match="no_such_module"):
        make_agent("no_such_module:Agent")
    with pytest.raises(UnknownAgentError, match="not a subclass"):
        make_agent("pathlib:Path")


def test_registry_lists_every_agent_type():
    for name in ("random", "greedy", "beam", "local-search", "epsilon-greedy", "oz", "o3", "replay", "default"):
        assert name in AGENTS


MLGO_NAMES = ("first-legal", "random-legal", "no-eviction", "follow-default", "never", "always")


def test_one_registry_for_every_env_family():
    for name in MLGO_NAMES:
        assert make_agent(name, family="mlgo", strict=False, seed=0).family == "mlgo"
    assert set(agent_names("mlgo")) == set(MLGO_NAMES)
    assert "greedy" in agent_names("passes") and "first-legal" not in agent_names("passes")
    with pytest.raises(UnknownAgentError, match="acts on mlgo envs, not passes"):
        make_agent("first-legal", family="passes")
    with pytest.raises(UnknownAgentError, match="acts on passes envs, not mlgo; mlgo agents: first-legal"):
        make_agent("greedy", family="mlgo")
    with pytest.raises(ValueError, match="unknown env family 'loops'"):
        make_agent("greedy", family="loops")


def test_a_saved_model_loads_as_the_family_asks(tmp_path):
    missing = tmp_path / "model.zip"
    with pytest.raises(UnknownAgentError, match="does not exist"):
        make_agent(str(missing), family="mlgo")


def test_the_package_names_its_interface_and_registry_on_first_use():
    import rl_compiler.agents as agents

    assert agents.make_agent is make_agent and agents.Policy is Policy and agents.AGENTS is AGENTS
    assert set(agents.__all__) >= {"make_agent", "Policy", "Budget", "UnknownAgentError"}
    with pytest.raises(AttributeError, match="no attribute 'make_agnet'"):
        agents.make_agnet  # noqa: B018
