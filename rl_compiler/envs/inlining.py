"""``rl_compiler/llvm-inline-v0``: the inliner's decisions at the size pipeline, through ``opt``."""

from __future__ import annotations

import hashlib
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
    INLINER_CHANNEL_OPTION,
    INLINER_FLAGS,
    InteractiveCompilation,
    run_compiler,
    text_size,
)
from rl_compiler.llvm.tempdirs import private_dir

#: The size pipeline: LLVM 22+ rejects default<Oz>; clang -Oz is "minsize optsize on every function, then
#: the O2 pipeline" (DESIGN.md decision 1). default<O2> starts with ForceFunctionAttrsPass, which applies
#: -force-attribute to every function except optnone ones, before the inliner runs.
SIZE_PIPELINE = ("-force-attribute=minsize", "-force-attribute=optsize", "-passes=default<O2>")
LLC_FLAGS = ("-O2", "-filetype=obj")
DEFAULT_FEATURE = "inlining_default"


def object_text_size(llc: Path | str, module: Path, workdir: Path) -> tuple[int, str]:
    """``llc -O2 -filetype=obj`` the module; the object's executable-section bytes and its SHA-1."""
    obj = workdir / "out.o"
    run_compiler([llc, *LLC_FLAGS, "-o", obj, module])
    data = obj.read_bytes()
    return text_size(data), hashlib.sha1(data).hexdigest()


class InliningEnv(MLGOEnv):
    """
    ## Description

    Inlining for code size by reinforcement learning, on LLVM's real inliner. One episode optimises one
    benchmark module with the size pipeline (``opt -force-attribute=minsize -force-attribute=optsize
    -passes=default<O2>``: what ``clang -Oz`` does, since LLVM 22+ ``opt`` rejects ``default<Oz>``) with
    ``-enable-ml-inliner=release`` and the MLGO interactive channel (``-inliner-interactive-channel-base``,
    ``-inliner-interactive-include-default``); one step answers one call site: inline it or not. Only
    non-mandatory, inlinable sites are asked; always-inline, never-inline and recursive sites keep LLVM's
    decision, and the advisor stops asking once the module grew past ``-ml-advisor-size-increase-threshold``.
    The optimised module is then compiled with ``llc -O2 -filetype=obj`` to measure its code size.

    ## Action Space

    ``Discrete(2)``: 0 = do not inline, 1 = inline. Both are always legal (``action_masks()`` is all True).

    ## Observation Space

    Built from the header the toolchain's ``opt`` sends (probed once per toolchain, cached), never
    hard-coded: for LLVM 19-23, 39 int64 scalars: the 25 ``InlineCost`` features, 13 call-graph features
    (``callee_basic_block_count`` ... ``is_caller_avail_external``) and, last, ``inlining_default``: LLVM's
    own heuristic decision for this call site. ``observation_format="flat"`` (default): ``Box(float32,
    (39,))``; ``"dict"``: a ``Dict`` of int64 ``Box(1,)`` per feature.

    ## Rewards

    0 on every step but the last. The terminal reward is ``1 - (size_policy + delta) / (size_default +
    delta)`` over the ``.text`` bytes (executable sections) of the object, where ``size_default`` comes from
    the same set-up (same interactive ``opt`` run, same ``llc``) answering every call site with
    ``inlining_default``, cached on disk by module SHA-1 and toolchain id. Positive means smaller code than
    LLVM's heuristic. (The interactive run that follows the heuristic is not always byte-identical to the
    plain pipeline, so the plain pipeline's size is reported in ``info["plain_text_size"]`` but not used.)

    ## Episode End

    The episode terminates when ``opt`` exits with status 0 after the last decision and ``llc`` compiled its
    output; ``info`` carries ``text_size``, ``default_text_size``, ``plain_text_size``, ``decisions``,
    ``inlined`` (call sites the policy inlined), ``default_agreement`` (share of decisions equal to
    ``inlining_default``) and ``object_sha1``; the object is ``env.unwrapped.last_object``. No truncation.
    A crash or a non-zero exit of ``opt`` or ``llc`` raises
    :class:`~rl_compiler.llvm.mlgo.CompilerCrashError`. A module with no call site to decide makes ``reset``
    raise :class:`~rl_compiler.llvm.mlgo.NoDecisionsError`
    (dropped with a warning instead when the environment cycles over several benchmarks).

    ## Arguments

    ```python
    import gymnasium as gym
    import rl_compiler

    env = gym.make("rl_compiler/llvm-inline-v0", benchmark="benchmark://builtin-v0/huffman")
    observation, info = env.reset(seed=0)
    terminated = False
    while not terminated:
        observation, reward, terminated, truncated, info = env.step(int(observation[-1]))  # follow LLVM
    print(reward, info["text_size"], info["default_text_size"])
    env.close()
    ```

    * ``benchmark``: anything :func:`rl_compiler.datasets.resolve_benchmarks` accepts (a URI,
      ``dataset://<name>/<split>``, a ``.c``/``.ll``/``.bc`` path, a manifest, or a list of them), checked at
      construction; each reset picks one with the seeded generator, and
      ``reset(options={"benchmark": ...})`` overrides it for one episode.
      Give unoptimised IR without ``noinline`` (e.g. ``clang -Oz -Xclang -disable-llvm-passes``).
    * ``variant``: build variant of C programs (default ``"size"``).
    * ``observation_format``: ``"flat"`` (default) or ``"dict"``.
    * ``reward_delta``: the ``delta`` of the reward formula (default 1.0 byte).
    * ``opt_args``: extra flags for every opt run (policy and baseline alike).
    * ``startup_timeout`` / ``decision_timeout``: seconds to wait for the first / any later decision.

    ## Version History

    * v0: initial version (ML inline advisor of LLVM >= 19 through the interactive channel).
    """

    channel_kind = "inliner"
    channel_option = INLINER_CHANNEL_OPTION
    default_benchmark = "benchmark://builtin-v0/huffman"

    def __init__(
        self,
        benchmark: BenchmarkArg | None = None,
        *,
        variant: str = "size",
        observation_format: str = "flat",
        reward_delta: float = 1.0,
        opt_args: Sequence[str] = (),
        startup_timeout: float = 600.0,
        decision_timeout: float = 120.0,
    ) -> None:
        super().__init__(benchmark, variant, observation_format, reward_delta, startup_timeout, decision_timeout)
        self.opt_args = tuple(str(a) for a in opt_args)
        self.action_space = spaces.Discrete(2)
        feature = self.channel_spec.feature(DEFAULT_FEATURE)  # KeyError names the features if it is missing
        self._default_offset = self.channel_spec.offsets[self.channel_spec.feature_names.index(DEFAULT_FEATURE)]
        self._default_dtype = feature.dtype
        self._always = np.ones(2, dtype=bool)
        self._agree = 0
        self._inlined = 0

    def heuristic_decision(self) -> int:
        """LLVM's own decision (``inlining_default``) for the current call site."""
        if self._blob is None:
            raise RuntimeError("no decision pending: call reset() first")
        return int(np.frombuffer(self._blob, dtype=self._default_dtype, count=1, offset=self._default_offset)[0] != 0)

    def _prepare(self, data: bytes) -> Path:
        return prepared_module(data, (), self.toolchain)

    def _opt_command(self, module: Path, output: Path | str) -> list[str]:
        return [
            str(self.toolchain.opt),
            *SIZE_PIPELINE,
            *INLINER_FLAGS,
            *self.opt_args,
            "-o",
            str(output),
            str(module),
        ]

    def _command(self, module: Path, compilation: InteractiveCompilation) -> list[str]:
        self._agree = self._inlined = 0
        return self._opt_command(module, compilation.path("out.bc"))

    def commandline(self) -> str:
        """The opt command line of the current episode (without the channel option)."""
        if self.module_path is None:
            raise RuntimeError("no episode yet: call reset() first")
        return " ".join(self._opt_command(self.module_path, "$WORKDIR/out.bc"))

    def _baseline(self, module: Path, key: str) -> dict:
        flags_key = hashlib.sha1("\0".join((*SIZE_PIPELINE, *INLINER_FLAGS, *self.opt_args)).encode()).hexdigest()[:12]
        return cached_json(
            "inline-default", f"{key}-{flags_key}", self.toolchain, lambda: self._compute_baseline(module)
        )

    def _compute_baseline(self, module: Path) -> dict:
        with InteractiveCompilation(self.startup_timeout, self.decision_timeout) as compilation:
            output = compilation.path("out.bc")
            decisions = 0
            if compilation.start(self._opt_command(module, output), self.channel_option) is not None:
                offset, dtype = self._default_offset, self._default_dtype
                while (observation := compilation.next_observation()) is not None:
                    compilation.send(int(np.frombuffer(observation.blob, dtype=dtype, count=1, offset=offset)[0] != 0))
                    decisions += 1
                compilation.finish()
            size, digest = object_text_size(self.toolchain.llc, output, compilation.workdir)
        with private_dir("inline-plain") as tmp:
            plain = Path(tmp) / "plain.bc"
            run_compiler([self.toolchain.opt, *SIZE_PIPELINE, *self.opt_args, "-o", plain, module])
            plain_size, _ = object_text_size(self.toolchain.llc, plain, Path(tmp))
        return {
            "text_size": size,
            "object_sha1": digest,
            "decisions": decisions,
            "plain_text_size": plain_size,
        }

    def _mask(self, blob: bytes) -> np.ndarray:
        return self._always

    def _advice(self, index: int, mask: np.ndarray) -> tuple[int, bool]:
        self._agree += index == self.heuristic_decision()
        self._inlined += index
        return index, False

    def _result(self, compilation: InteractiveCompilation) -> tuple[float, dict]:
        size, digest = object_text_size(self.toolchain.llc, compilation.path("out.bc"), compilation.workdir)
        self.last_object = compilation.path("out.o").read_bytes()
        default = self.baseline
        info = {
            "text_size": size,
            "default_text_size": default["text_size"],
            "plain_text_size": default["plain_text_size"],
            "inlined": self._inlined,
            "default_agreement": self._agree / max(self.decisions, 1),
            "object_sha1": digest,
        }
        return relative_reward(size, default["text_size"], self.reward_delta), info
