"""Random search over a dataset with CompilerGym's wrappers, written as a CompilerGym user would.

For each benchmark: several episodes of random passes from a constrained set of CompilerGym flags, each
episode ending at the terminal action or the step limit; the best episode's state is kept, validated, and
printed with the ``opt`` command that reproduces it. Usage::

    python examples/random_search.py --dataset builtin-v0 --benchmarks 3 --episodes 10 --steps 20
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

import rl_compiler  # noqa: F401 - registers the environments
from rl_compiler.envs.state import EpisodeState
from rl_compiler.wrappers import CommandlineWithTerminalAction, ConstrainedCommandline, Counter, CycleOverBenchmarks

#: CompilerGym's flags for the passes searched over.
FLAGS = ["-mem2reg", "-sroa", "-instcombine", "-simplifycfg", "-gvn", "-early-cse", "-dce", "-licm", "-loop-rotate"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="builtin-v0")
    parser.add_argument("--benchmarks", type=int, default=3, help="the first N benchmarks of the dataset")
    parser.add_argument("--episodes", type=int, default=10, help="episodes per benchmark")
    parser.add_argument("--steps", type=int, default=20, help="step limit of an episode")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    env = gym.make("rl_compiler/llvm-ic-v0", max_episode_steps=args.steps)
    benchmarks = list(env.unwrapped.datasets[args.dataset].benchmark_uris())[: args.benchmarks]
    env = ConstrainedCommandline(env, flags=FLAGS)
    env = CommandlineWithTerminalAction(env)
    env = CycleOverBenchmarks(env, benchmarks)
    env = Counter(env)
    rng = np.random.default_rng(args.seed)
    best: dict[str, tuple[float, EpisodeState]] = {}
    try:
        for _ in range(len(benchmarks) * args.episodes):
            _, info = env.reset()
            total, done = 0.0, False
            while not done:
                _, reward, terminated, truncated, _ = env.step(int(rng.integers(env.action_space.n)))
                total += reward
                done = terminated or truncated
            uri = info["benchmark"]
            if uri not in best or total > best[uri][0]:
                best[uri] = (total, env.unwrapped.state)
        print(f"{'benchmark':<36} {'best IrInstructionCountOz':>26}  valid  passes")
        for uri, (total, state) in best.items():
            valid = env.unwrapped.validate(state).okay()
            print(f"{uri:<36} {total:>26.4f}  {'yes' if valid else 'NO':>5}  {state.pipeline}")
        print(f"{env.counters['reset']} episodes, {env.counters['step']} steps")
    finally:
        env.close()


if __name__ == "__main__":
    main()
