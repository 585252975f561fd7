"""Training runs: the step count a run ends at (the progress bar's total) and the default recipe's settings."""

from __future__ import annotations

import gymnasium as gym
import pytest

from rl_compiler.agents.rl.hyperparams import load_hyperparams
from rl_compiler.agents.rl.training import DEFAULT_NUM_THREADS, planned_steps, resolve_config
from rl_compiler.agents.rl.wrappers import apply_wrappers

ENV_ID = "rl_compiler/llvm-autophase-ic-v0"


@pytest.fixture
def vec_env(small_split):
    from stable_baselines3.common.vec_env import DummyVecEnv

    from rl_compiler.wrappers.benchmarks import BenchmarkSampler

    def make():
        env = BenchmarkSampler(gym.make(ENV_ID, max_episode_steps=4), small_split, seed=0)
        return apply_wrappers(env, ["start-oz", "autophase-norm", "action-histogram"])

    env = DummyVecEnv([make, make])
    yield env
    env.close()


def test_planned_steps_round_up_to_whole_rollouts(vec_env):
    from stable_baselines3 import DQN, PPO
    from stable_baselines3.common.logger import Logger

    ppo = PPO("MlpPolicy", vec_env, n_steps=16, batch_size=16, device="cpu")  # 32 steps per rollout (2 envs)
    assert planned_steps(ppo, 0, 32) == 32
    assert planned_steps(ppo, 0, 33) == 64
    assert planned_steps(ppo, 32, 40) == 64, "a resumed run rounds from where it stopped"
    assert planned_steps(ppo, 64, 40) == 64, "nothing left to run"
    ppo.set_logger(Logger(folder=None, output_formats=[]))  # SB3's default leaves a /tmp/SB3-<time> directory
    ppo.learn(33)
    assert ppo.num_timesteps == planned_steps(ppo, 0, 33), "SB3 stops where the plan says"
    dqn = DQN("MlpPolicy", vec_env, train_freq=4, learning_starts=0, buffer_size=100, device="cpu")
    assert planned_steps(dqn, 0, 9) == 16  # 8 steps per rollout (4 per env)
    dqn.set_logger(Logger(folder=None, output_formats=[]))
    dqn.learn(9)
    assert dqn.num_timesteps == planned_steps(dqn, 0, 9)


def test_default_recipe_is_pass_level_from_a_cached_oz_start():
    params = load_hyperparams("ppo", ENV_ID)
    wrappers = params["wrappers"]
    assert wrappers[0] == "start-oz", "episodes start from -Oz, from the start cache"
    macro = next(w["macro-actions"] for w in wrappers if isinstance(w, dict) and "macro-actions" in w)
    assert all("default<O2>" not in action for action in macro["actions"]), "no action re-runs -Oz"
    config = resolve_config("ppo", ENV_ID, eval_split="validation")
    assert config.num_threads == DEFAULT_NUM_THREADS == 1 and config.eval_benchmarks
