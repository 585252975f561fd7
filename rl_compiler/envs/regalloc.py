"""``rl_compiler/llvm-regalloc-v0``: the greedy register allocator's eviction decisions, through ``llc``."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from gymnasium import spaces

from rl_compiler.datasets.resolve import BenchmarkArg
from rl_compiler.envs.mlgo_common import (
    MLGOEnv,
    cached_json,
    prepared_module,
    relative_reward,
)
from rl_compiler.llvm.mlgo import (
    REGALLOC_CHANNEL_OPTION,
    REGALLOC_FLAGS,
    InteractiveCompilation,
    RegallocStats,
    parse_regalloc_remarks,
    run_compiler,
    text_size,
)
from rl_compiler.llvm.tempdirs import private_dir

REWARD_MODES = ("module", "function")
#: Flags of every llc run, policy and default alike (the channel adds -regalloc-enable-advisor=release).
LLC_FLAGS = ("-O2", "-filetype=obj", "-pass-remarks-filter=regalloc")


def _score_summary(stats: dict[str, RegallocStats]) -> dict:
    return {
        "score": sum(s.score for s in stats.values()),
        "spills": sum(s.spills + s.folded_spills for s in stats.values()),
        "reloads": sum(s.reloads + s.folded_reloads for s in stats.values()),
        "copies": sum(s.copies for s in stats.values()),
        "functions": {name: s.as_dict() for name, s in stats.items()},
    }


def default_heuristic_result(llc: Path | str, module: Path, extra_args: Sequence[str] = ()) -> dict:
    """Compile ``module`` with llc's default eviction heuristic (no channel): remark score, .text size."""
    with private_dir("regalloc-default") as tmp:
        obj, remarks = Path(tmp) / "out.o", Path(tmp) / "remarks.yaml"
        run_compiler([llc, *LLC_FLAGS, *extra_args, f"-pass-remarks-output={remarks}", "-o", obj, module])
        data = obj.read_bytes()
        summary = _score_summary(parse_regalloc_remarks(remarks.read_text() if remarks.exists() else ""))
    summary["text_size"] = text_size(data)
    summary["object_sha1"] = hashlib.sha1(data).hexdigest()
    return summary


class RegallocEnv(MLGOEnv):
    """
    ## Description

    Register allocation by reinforcement learning, on LLVM's real greedy allocator. One episode compiles one
    benchmark module with ``llc -O2 -regalloc-enable-advisor=release`` and the MLGO interactive eviction
    channel (``-regalloc-evict-interactive-channel-base``); one step answers one eviction decision. When
    greedy cannot assign a free register to the live range at the head of its queue and at least one
    eviction is legal, it asks: evict the live ranges interfering on physical register *i* (and give *i* to
    the current live range), or evict nothing (the live range is then split or spilled). Splitting,
    spilling and everything else stay LLVM's heuristics. The episode length depends on the policy, because
    evictions requeue live ranges that may cause further decisions.

    By default the module first goes through ``opt -passes=default<O2>`` (the benchmark's ``runtime``
    build variant is unoptimised IR; modules given as paths are optimised the same way), so decisions are
    taken on the code ``llc -O2`` would see after ``clang -O2``. Pass ``pipeline=None`` to compile the
    module exactly as given.

    ## Action Space

    ``Discrete(33)`` (the size comes from the ``mask`` tensor of the header): ``i < 32`` evicts the
    interferences on the *i*-th register of the allocation order, ``32`` evicts nothing. Usually 2-16 actions
    are legal; ``action_masks()`` and ``info["action_mask"]`` give them (for sb3-contrib's MaskablePPO).
    An illegal (masked) action is never sent raw (LLVM would treat it as 32, or abort with "ran out of
    registers"): it is mapped to 32, or to the first legal register when 32 itself is illegal, and counted
    in ``info["illegal_actions"]``. An out-of-range or non-integer action raises ``ValueError`` before
    anything is sent; the episode stays usable.

    ## Observation Space

    Built at construction from the header the toolchain's ``llc`` sends (probed once per toolchain and
    cached), never hard-coded. For LLVM 19-23: 20 per-register tensors of 33 columns (``mask``,
    ``is_free``, ``is_hint``, ``is_local``, ``max_stage``, ``min_stage`` as int64; ``nr_urgent``,
    ``nr_broken_hints``, ``nr_rematerializable``, ``nr_defs_and_uses``, the block-frequency weighted
    ``weighed_*`` and ``*_bb_freq_by_max``, ``liverange_size``, ``use_def_density`` as float32, each divided
    by its maximum over the 33 columns) and ``progress`` (float32 [1]).
    ``observation_format="flat"`` (default): one ``Box(float32, (661,))`` of every tensor flattened in header
    order (``env.unwrapped.encoder.slices`` maps names to slices). ``"dict"``: a ``Dict`` of one 1-D ``Box``
    per tensor in its own dtype.

    ## Rewards

    0 on every step but the last. The terminal reward is MLGO's
    ``1 - (s_policy + delta) / (s_default + delta)``
    where *s* is the module's weighted spill cost: for every function, greedy's ``SpillReloadCopies`` remark
    (``-pass-remarks-output``, filter ``regalloc``) gives block-frequency weighted costs, and
    ``s = 1 * (spill + folded spill cost) + 4 * (reload + folded reload cost) + 0.2 * copy cost``, summed
    over functions (a function without the remark counts 0). ``s_default`` is the same score of llc's
    default eviction heuristic on the same module (same flags, no channel), cached on disk by module SHA-1
    and toolchain id. Positive means fewer (or colder) spills, reloads and copies than LLVM's heuristic.
    ``reward="function"`` instead gives the mean of the per-function relative rewards over the functions
    that asked at least one decision in the episode. Either way, per-function rewards are in
    ``info["function_rewards"]``.

    ## Episode End

    The episode terminates when ``llc`` exits with status 0 after the last decision; ``info`` then carries
    ``score``, ``default_score``, ``spills``, ``reloads``, ``copies`` (with ``default_*``), ``text_size`` and
    ``default_text_size`` (bytes of executable sections of the object), ``functions`` (per-function remark
    costs and scores), ``function_rewards``, ``decisions``, ``illegal_actions`` and ``object_sha1``; the
    object
    itself is ``env.unwrapped.last_object``. There is no truncation. If ``llc`` crashes, exits non-zero or
    stops answering, ``step`` raises :class:`~rl_compiler.llvm.mlgo.CompilerCrashError` (or
    ``ChannelTimeoutError``) after killing it, and a new ``reset`` is needed.
    A module that asks no decision at all (e.g. every function ``optnone``, or no register pressure) makes
    ``reset`` raise :class:`~rl_compiler.llvm.mlgo.NoDecisionsError` (``ChannelNotOpenedError`` if llc never
    opened the channel) naming the benchmark; when the environment cycles over several benchmarks, such a
    module is dropped from the rotation with a warning instead (no decision does not depend on the policy).

    ## Arguments

    ```python
    import gymnasium as gym
    import rl_compiler

    env = gym.make("rl_compiler/llvm-regalloc-v0", benchmark="benchmark://builtin-v0/sha256")
    observation, info = env.reset(seed=0)
    terminated = False
    while not terminated:
        action = int(info["action_mask"].nonzero()[0][0])      # the first legal register
        observation, reward, terminated, truncated, info = env.step(action)
    print(reward, info["score"], info["default_score"])
    env.close()
    ```

    * ``benchmark``: anything :func:`rl_compiler.datasets.resolve_benchmarks` accepts (a URI,
      ``dataset://<name>/<split>``, a ``.c``/``.ll``/``.bc`` path, a manifest, or a list of them), checked at
      construction; each reset picks one with the seeded generator, and
      ``reset(options={"benchmark": ...})`` overrides it for one episode.
    * ``pipeline``: ``opt`` pipeline run on the module first (default ``"default<O2>"``; ``None`` for none).
    * ``variant``: build variant of C programs (default ``"runtime"``).
    * ``observation_format``: ``"flat"`` (default) or ``"dict"``.
    * ``reward``: ``"module"`` (default) or ``"function"``.
    * ``reward_delta``: the ``delta`` of the reward formula (default 1.0: one spill in the entry block, so a
      module the heuristic allocates without spills does not make the reward explode).
    * ``llc_args``: extra flags for every llc run (policy and default alike).
    * ``startup_timeout`` / ``decision_timeout``: seconds to wait for the first / any later decision.

    ## Version History

    * v0: initial version (eviction advisor of LLVM >= 19 through the interactive channel).
    """

    channel_kind = "regalloc"
    channel_option = REGALLOC_CHANNEL_OPTION
    default_benchmark = "benchmark://builtin-v0/sha256"

    def __init__(
        self,
        benchmark: BenchmarkArg | None = None,
        *,
        pipeline: str | None = "default<O2>",
        variant: str = "runtime",
        observation_format: str = "flat",
        reward: str = "module",
        reward_delta: float = 1.0,
        llc_args: Sequence[str] = (),
        startup_timeout: float = 600.0,
        decision_timeout: float = 60.0,
    ) -> None:
        if reward not in REWARD_MODES:
            raise ValueError(f"reward={reward!r}; expected one of {', '.join(REWARD_MODES)}")
        super().__init__(benchmark, variant, observation_format, reward_delta, startup_timeout, decision_timeout)
        self.pipeline = pipeline or None
        self.reward_mode = reward
        self.llc_args = tuple(str(a) for a in llc_args)
        mask = self.channel_spec.feature("mask")
        self.action_space = spaces.Discrete(mask.size)
        self.no_eviction = mask.size - 1
        self._mask_offset = self.channel_spec.offsets[self.channel_spec.feature_names.index("mask")]
        self._mask_dtype, self._mask_size = mask.dtype, mask.size

    def _prepare(self, data: bytes) -> Path:
        opt_args = (f"-passes={self.pipeline}",) if self.pipeline else ()
        return prepared_module(data, opt_args, self.toolchain)

    def _command(self, module: Path, compilation: InteractiveCompilation) -> list[str]:
        return [
            str(self.toolchain.llc),
            *REGALLOC_FLAGS,
            *LLC_FLAGS,
            *self.llc_args,
            f"-pass-remarks-output={compilation.path('remarks.yaml')}",
            "-o",
            str(compilation.path("out.o")),
            str(module),
        ]

    def commandline(self) -> str:
        """The llc command line of the current episode (channel and output paths included)."""
        if self.module_path is None:
            raise RuntimeError("no episode yet: call reset() first")
        return " ".join(self._command(self.module_path, _PathsOnly()))

    def _baseline(self, module: Path, key: str) -> dict:
        flags_key = hashlib.sha1("\0".join((*LLC_FLAGS, *self.llc_args)).encode()).hexdigest()[:12]
        return cached_json(
            "regalloc-default",
            f"{key}-{flags_key}",
            self.toolchain,
            lambda: default_heuristic_result(self.toolchain.llc, module, self.llc_args),
        )

    def _mask(self, blob: bytes) -> np.ndarray:
        return np.frombuffer(blob, dtype=self._mask_dtype, count=self._mask_size, offset=self._mask_offset) != 0

    def _advice(self, index: int, mask: np.ndarray) -> tuple[int, bool]:
        if mask[index]:
            return index, False
        if mask[self.no_eviction]:
            return self.no_eviction, True
        return int(np.flatnonzero(mask)[0]), True  # the compiler only asks when something is legal

    def _result(self, compilation: InteractiveCompilation) -> tuple[float, dict]:
        remarks = compilation.path("remarks.yaml")
        stats = parse_regalloc_remarks(remarks.read_text() if remarks.exists() else "")
        data = compilation.path("out.o").read_bytes()
        self.last_object = data
        summary = _score_summary(stats)
        default = self.baseline
        delta = self.reward_delta
        function_rewards = {}
        for function in self._decisions_per_function:
            policy_score = summary["functions"].get(function, {}).get("score", 0.0)
            default_score = default["functions"].get(function, {}).get("score", 0.0)
            function_rewards[function] = relative_reward(policy_score, default_score, delta)
        if self.reward_mode == "module":
            reward = relative_reward(summary["score"], default["score"], delta)
        else:
            reward = float(np.mean(list(function_rewards.values()))) if function_rewards else 0.0
        info = {
            "score": summary["score"],
            "default_score": default["score"],
            "spills": summary["spills"],
            "reloads": summary["reloads"],
            "copies": summary["copies"],
            "default_spills": default["spills"],
            "default_reloads": default["reloads"],
            "default_copies": default["copies"],
            "text_size": text_size(data),
            "default_text_size": default["text_size"],
            "functions": summary["functions"],
            "function_rewards": function_rewards,
            "decisions_per_function": dict(self._decisions_per_function),
            "object_sha1": hashlib.sha1(data).hexdigest(),
            "reward_module": relative_reward(summary["score"], default["score"], delta),
        }
        return float(reward), info


class _PathsOnly:
    """Stands in for a compilation when only the command's shape is wanted (``commandline()``)."""

    def path(self, name: str) -> str:
        return os.path.join("$WORKDIR", name)
