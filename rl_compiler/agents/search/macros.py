"""Rank macro actions: which passes, alone or followed by the -Oz pipeline, shrink programs beyond -Oz.

The shipped policy's ``search.macro_actions`` (``agents/policies/default-ic.yml``) come from this ranking on
the built-in suite's train split (never the validation or test split)::

    python -m rl_compiler.agents.search.macros --dataset builtin-v0 --split train --top 15

For every program of the split: apply -Oz, then try every action of the env's action set alone and followed
by ``default<O2>`` (the -Oz pipeline again), and add up each candidate's relative gain over -Oz.
"""

from __future__ import annotations

import argparse
import collections
from collections.abc import Iterable

import gymnasium as gym
from tqdm.auto import tqdm

from rl_compiler.agents import envtools
from rl_compiler.agents.search.common import SearchState
from rl_compiler.llvm.errors import LLVMError


def rank_macro_actions(env: gym.Env, benchmarks: Iterable[str], progress: bool = True) -> list[tuple[str, float]]:
    """(candidate pipeline, summed relative gain over -Oz) for every candidate that helped somewhere, best first.

    Candidates that only re-run -Oz (the gain of ``default<O2>`` alone) rank with it; ties keep the action
    set's order.
    """
    gain: collections.Counter[str] = collections.Counter()
    for uri in tqdm(list(benchmarks), desc="rank macro actions", unit="program", disable=not progress):
        env.reset(options={"benchmark": uri})
        envtools.run_pipeline(env, envtools.OZ)
        root = SearchState.of_env(env)
        try:
            base = root.cost
            actions = envtools.action_names(env)
            candidates = [c for action in actions for c in (action, f"{action},{envtools.OZ}")] + [envtools.OZ]
            for candidate in candidates:
                try:
                    child = root.child(candidate)
                except LLVMError:  # a crashing pass is no candidate
                    continue
                if child.cost < base:
                    gain[candidate] += (base - child.cost) / base
                child.close()
        finally:
            root.close()
    return gain.most_common()


def select_macro_actions(ranking: list[tuple[str, float]], top: int, singles: int = 3) -> list[str]:
    """The -Oz re-run, the best "pass, then -Oz" pairs that beat a plain re-run, and the best ``singles``
    passes alone: ``top`` pipelines in all.

    A pair's gain includes what re-running -Oz alone gains; that baseline is the most common pair gain
    (the gain of the many passes that change nothing), and pairs within 0.001 of it are left out.
    """
    suffix = f",{envtools.OZ}"
    pair_gains = [round(value, 6) for candidate, value in ranking if candidate.endswith(suffix)]
    rerun = collections.Counter(pair_gains).most_common(1)[0][0] if pair_gains else 0.0
    pairs = [c for c, v in ranking if c.endswith(suffix) and v > rerun + 1e-3]
    alone = [c for c, v in ranking if not c.endswith(suffix) and c != envtools.OZ and v > 0]
    chosen_alone = alone[:singles]
    return [envtools.OZ] + pairs[: max(top - 1 - len(chosen_alone), 0)] + chosen_alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="rl_compiler/llvm-autophase-ic-v0")
    parser.add_argument("--dataset", default="builtin-v0")
    parser.add_argument("--split", default="train")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    import yaml

    import rl_compiler  # noqa: F401 - registers the envs
    from rl_compiler.datasets import get_dataset

    env = gym.make(args.env)
    try:
        ranking = rank_macro_actions(env, get_dataset(args.dataset).split(args.split))
    finally:
        env.close()
    for candidate, value in ranking[:40]:
        print(f"{value:8.4f}  {candidate}")
    print(yaml.safe_dump({"macro_actions": select_macro_actions(ranking, args.top)}, sort_keys=False))


if __name__ == "__main__":
    main()
