"""``rl-compiler envs``: every registered environment id, and the observation spaces, reward spaces and action
sets a pass-ordering env can be made with.

    rl-compiler envs            # tables
    rl-compiler envs --json     # the same as JSON
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "envs",
        help="list the environment ids, observation and reward spaces, and action sets",
        description="Every environment id rl-compiler registers with Gymnasium (with its default observation, "
        "reward and step limit), then the observation spaces, reward spaces and action sets that "
        "gym.make(id, observation_space=..., reward_space=..., action_set=...) accepts.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(func=run)


def catalogue() -> dict[str, Any]:
    """The ids, observation spaces, reward spaces and action sets, as plain data."""
    from rl_compiler.envs.action_sets import action_set_names, load_action_set
    from rl_compiler.envs.registration import registry_entries
    from rl_compiler.observations import build_observation_specs
    from rl_compiler.rewards import REWARD_SPECS

    envs = []
    for entry in registry_entries():
        kwargs = entry.get("kwargs") or {}
        envs.append(
            {
                "id": entry["id"],
                "entry_point": entry["entry_point"],
                # Pass-ordering envs name spaces; the MLGO envs a feature format and a reward granularity.
                "observation": kwargs.get("observation_space", kwargs.get("observation_format")),
                "reward": kwargs.get("reward_space", kwargs.get("reward")),
                "max_episode_steps": entry.get("max_episode_steps"),
                "description": entry.get("description", ""),
            }
        )
    observations = [
        {"name": spec.name, "space": describe_space(spec.space), "deterministic": spec.deterministic}
        for spec in build_observation_specs().values()
    ]
    rewards = [
        {"name": spec.name, "cost": spec.cost, "baseline": spec.baseline, "deterministic": spec.deterministic}
        for spec in REWARD_SPECS.values()
    ]
    action_sets = []
    for name in action_set_names():
        action_set = load_action_set(name)
        action_sets.append({"name": name, "actions": len(action_set), "description": action_set.description})
    return {"envs": envs, "observation_spaces": observations, "reward_spaces": rewards, "action_sets": action_sets}


def describe_space(space: Any) -> str:
    """A one-line description of a Gymnasium space (a Dict's keys and a Text's charset left out)."""
    import gymnasium as gym

    if isinstance(space, gym.spaces.Box):
        return f"Box({space.dtype}, shape {space.shape})"
    if isinstance(space, gym.spaces.Dict):
        kinds = sorted({describe_space(sub) for sub in space.spaces.values()})
        return f"Dict of {len(space.spaces)} named {' / '.join(kinds)}"
    if isinstance(space, gym.spaces.Text):
        return f"Text(length {space.min_length}..{space.max_length})"
    return type(space).__name__


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def run(args: argparse.Namespace) -> int:
    data = catalogue()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(
        _table(
            [
                [e["id"], e["observation"] or "-", e["reward"] or "-", e["max_episode_steps"] or "-", e["description"]]
                for e in data["envs"]
            ],
            ["id", "observation", "reward", "steps", "description"],
        )
    )
    print("\nobservation spaces (observation_space=NAME):")
    print(_table([[o["name"], o["space"]] for o in data["observation_spaces"]], ["name", "space"]))
    print("\nreward spaces (reward_space=NAME):")
    print(
        _table([[r["name"], r["cost"], r["baseline"] or "-"] for r in data["reward_spaces"]], ["name", "cost", "scale"])
    )
    print("\naction sets (action_set=NAME):")
    print(
        _table(
            [[a["name"], a["actions"], a["description"]] for a in data["action_sets"]],
            ["name", "actions", "description"],
        )
    )
    return 0
