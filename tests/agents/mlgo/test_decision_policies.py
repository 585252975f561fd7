"""Decision policies from the registry play real register-allocation and inlining compilations; what they
record replays exactly."""

from __future__ import annotations

import pytest

from rl_compiler.agents.base import DecisionEpisode
from rl_compiler.agents.mlgo.baselines import first_legal, run_episode
from rl_compiler.agents.registry import make_agent
from rl_compiler.envs.inlining import InliningEnv
from rl_compiler.envs.regalloc import RegallocEnv
from rl_compiler.leaderboard.decisions import replay

BENCHMARK = "benchmark://builtin-v0/crc32"


@pytest.fixture
def regalloc(make_env) -> RegallocEnv:
    return make_env(RegallocEnv, BENCHMARK)


def test_a_registered_policy_records_a_replayable_episode(regalloc):
    episode = make_agent("first-legal", family="mlgo").run(regalloc, BENCHMARK, seed=0)
    assert isinstance(episode, DecisionEpisode) and episode.benchmark == BENCHMARK
    assert episode.steps == len(episode.decisions) > 0
    assert episode.info["score"] > 0 and episode.wall_time > 0
    total, steps, info = run_episode(regalloc, first_legal, benchmark=BENCHMARK, seed=0)
    assert (total, steps) == (episode.total_reward, episode.steps)
    reward, _ = replay(regalloc, BENCHMARK, episode.decisions)
    assert reward == episode.reward


def test_random_legal_is_seeded(regalloc):
    first = make_agent("random-legal", family="mlgo", seed=3).run(regalloc, BENCHMARK, seed=0)
    again = make_agent("random-legal", family="mlgo", seed=3).run(regalloc, BENCHMARK, seed=0)
    assert first.decisions == again.decisions


def test_follow_default_finds_its_feature_when_the_episode_starts(make_env):
    episode = make_agent("follow-default", family="mlgo").run(make_env(InliningEnv, "benchmark://builtin-v0/huffman"))
    assert episode.reward == 0.0 and episode.info["default_agreement"] == 1.0
