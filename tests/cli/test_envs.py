"""``rl-compiler envs`` lists every registered id, the observation and reward spaces, and the action sets."""

from __future__ import annotations

import json

import gymnasium as gym
from cli_run import run_cli

import rl_compiler  # noqa: F401 - registers the env ids
from rl_compiler.envs.action_sets import action_set_names, load_action_set
from rl_compiler.observations import OBSERVATION_NAMES
from rl_compiler.rewards import REWARD_NAMES


def test_envs_lists_everything_a_user_can_make():
    result = run_cli("envs")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    ours = [i for i in gym.registry if i.startswith("rl_compiler/")]
    for env_id in ours:
        assert any(line.startswith(env_id + " ") for line in lines), env_id
    autophase = next(line for line in lines if line.startswith("rl_compiler/llvm-autophase-ic-v0 "))
    assert autophase.split()[1:4] == ["Autophase", "IrInstructionCountOz", "200"]
    for name in (*OBSERVATION_NAMES, *REWARD_NAMES):
        assert any(line.split()[:1] == [name] for line in lines), name
    assert "Autophase                  Box(int64, shape (56,))" in result.stdout


def test_envs_json(capsys):
    from rl_compiler.cli import main

    assert main(["envs", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {e["id"] for e in data["envs"]} == {i for i in gym.registry if i.startswith("rl_compiler/")}
    assert {a["name"]: a["actions"] for a in data["action_sets"]} == {
        name: len(load_action_set(name)) for name in action_set_names()
    }
    regalloc = next(e for e in data["envs"] if e["id"] == "rl_compiler/llvm-regalloc-v0")
    assert regalloc["observation"] == "flat" and regalloc["max_episode_steps"] is None
