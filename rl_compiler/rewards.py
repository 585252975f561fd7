"""Named rewards of the pass-ordering environments, with CompilerGym's names and formulas.

Every reward is the decrease of a cost C between two states, divided by a scale fixed per benchmark:

- ``IrInstructionCount`` / ``ObjectTextSizeBytes`` / ``DynamicInstructionCount`` / ``EstimatedCycles`` /
  ``Runtime``: scale 1 (``Runtime`` is in seconds, the cost is the median of ``runtime_repeats`` runs; the
  envs reward 0 for a change within its noise band, see docs/runtime.md);
- ``...Norm``: scale ``max(C_O0, 1)``;
- ``...O3`` / ``...Oz``: scale ``max(C_O0 - C_O3, 1)`` / ``max(C_O0 - C_Oz, 1)`` (CompilerGym's clamp).

An episode starts at the benchmark as given, whose cost is ``C_O0``, so the sum of the step rewards of an
episode is ``(C_O0 - C_final) / scale``: :func:`episode_reward`. For ``IrInstructionCountOz``, 1.0 means
"as small as -Oz".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: cost name -> (baseline field prefix on Baselines, description)
COSTS: dict[str, str] = {
    "IrInstructionCount": "ic",
    "ObjectTextSizeBytes": "text",
    "Runtime": "",
    "DynamicInstructionCount": "dyn",
    "EstimatedCycles": "cycles",
}


@dataclass(frozen=True)
class RewardSpec:
    """One named reward: the cost it reduces and how the decrease is scaled.

    :param name: the CompilerGym name, e.g. ``"IrInstructionCountOz"``.
    :param cost: ``IrInstructionCount``, ``ObjectTextSizeBytes`` or ``Runtime``.
    :param baseline: ``None`` (unscaled), ``"Norm"``, ``"O3"`` or ``"Oz"``.
    """

    name: str
    cost: str
    baseline: str | None = None
    deterministic: bool = True
    platform_dependent: bool = False

    def scale(self, baselines: Any) -> float:
        """The divisor of this reward for a benchmark with these baselines (1 when unscaled)."""
        if self.baseline is None:
            return 1.0
        prefix = COSTS[self.cost]
        c_o0 = float(getattr(baselines, f"{prefix}_O0"))
        if self.baseline == "Norm":
            return max(c_o0, 1.0)
        return max(c_o0 - float(getattr(baselines, f"{prefix}_{self.baseline}")), 1.0)

    def initial_cost(self, baselines: Any) -> float | None:
        """The cost at the start of an episode (``C_O0``), or None when it must be measured (Runtime)."""
        if not COSTS[self.cost]:
            return None
        return float(getattr(baselines, f"{COSTS[self.cost]}_O0"))

    def reward(self, cost_before: float, cost_after: float, scale: float) -> float:
        """The step reward for a change of cost."""
        return (cost_before - cost_after) / scale


def _build() -> dict[str, RewardSpec]:
    specs = {}
    for cost, display in (
        ("IrInstructionCount", "IrInstructionCount"),
        ("ObjectTextSizeBytes", "ObjectTextSize"),
        ("DynamicInstructionCount", "DynamicInstructionCount"),
        ("EstimatedCycles", "EstimatedCycles"),
    ):
        platform = cost == "ObjectTextSizeBytes"
        specs[cost] = RewardSpec(cost, cost, None, platform_dependent=platform)
        for baseline in ("Norm", "O3", "Oz"):
            name = f"{display}{baseline}"
            specs[name] = RewardSpec(name, cost, baseline, platform_dependent=platform)
    specs["Runtime"] = RewardSpec("Runtime", "Runtime", None, deterministic=False, platform_dependent=True)
    return specs


#: Costs measured by running the program (the envs build the ``runtime`` variant for them).
EXECUTION_COSTS = ("Runtime", "DynamicInstructionCount", "EstimatedCycles")
REWARD_SPECS: dict[str, RewardSpec] = _build()
REWARD_NAMES: tuple[str, ...] = tuple(REWARD_SPECS)


def reward_spec(name: str) -> RewardSpec:
    """The spec of one reward; raises ``ValueError`` listing the valid names for an unknown one."""
    if name not in REWARD_SPECS:
        raise ValueError(f"unknown reward space {name!r}; valid names: {', '.join(REWARD_NAMES)}")
    return REWARD_SPECS[name]


def episode_reward(name: str, baselines: Any, final_cost: float, initial_cost: float | None = None) -> float:
    """The episode-level value of a reward: ``(C_start - C_final) / scale``; C_start defaults to ``C_O0``."""
    spec = reward_spec(name)
    start = spec.initial_cost(baselines) if initial_cost is None else initial_cost
    if start is None:
        raise ValueError(f"{name}: the initial cost must be given (it is measured, not a baseline)")
    return spec.reward(start, final_cost, spec.scale(baselines))
