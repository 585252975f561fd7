"""What the register-allocation and inlining environments share: benchmarks, caching, spaces, reward.

Both environments drive one compiler process per episode through :mod:`rl_compiler.llvm.mlgo`; their
observation spaces come from the header that compiler sends (probed once per toolchain), and their
terminal reward is MLGO's relative form ``1 - (s_policy + delta) / (s_baseline + delta)``.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from rl_compiler.datasets import Benchmark, resolve_benchmark, resolve_benchmarks
from rl_compiler.datasets.resolve import BenchmarkArg
from rl_compiler.envs.action_sets import action_index
from rl_compiler.envs.datasets import Datasets
from rl_compiler.llvm.cache import atomic_write_bytes, atomic_write_text, cache_dir, file_lock
from rl_compiler.llvm.mlgo import (
    ChannelNotOpenedError,
    ChannelProtocolError,
    ChannelSpec,
    InteractiveCompilation,
    NoDecisionsError,
    Observation,
    probe_spec,
    run_compiler,
)
from rl_compiler.llvm.toolchain import Toolchain, get_toolchain

OBSERVATION_FORMATS = ("flat", "dict")


def relative_reward(policy_score: float, baseline_score: float, delta: float) -> float:
    """MLGO's reward ``1 - (policy + delta) / (baseline + delta)``: positive when the policy scores lower."""
    return 1.0 - (policy_score + delta) / (baseline_score + delta)


def benchmark_name(uri: str) -> str:
    """A readable name of a benchmark URI: the file name of a ``file://`` URI, else the URI."""
    return Path(uri.removeprefix("file://")).name if uri.startswith("file://") else uri


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def prepared_module(data: bytes, opt_args: Sequence[str], toolchain: Toolchain) -> Path:
    """``data`` after ``opt <opt_args>`` (or as is if there are none), as a cached file keyed by content."""
    folder = cache_dir("mlgo", toolchain.id, "modules")
    if not opt_args:
        path = folder / f"{sha1(data)}.input"
        if not path.exists():
            atomic_write_bytes(path, data)
        return path
    key = sha1(data + b"\0" + "\0".join(opt_args).encode())
    path = folder / f"{key}.bc"
    if path.exists():
        return path
    with file_lock(folder / f"{key}.lock"):
        if not path.exists():
            source = folder / f"{sha1(data)}.input"
            if not source.exists():
                atomic_write_bytes(source, data)
            tmp = folder / f".{key}.{os.getpid()}.tmp.bc"
            try:
                run_compiler([toolchain.opt, *opt_args, source, "-o", tmp])
                os.replace(tmp, path)
            finally:
                if tmp.exists():
                    tmp.unlink()
    return path


def cached_json(kind: str, key: str, toolchain: Toolchain, compute: Callable[[], dict]) -> dict:
    """A JSON result cached on disk under ``mlgo/<toolchain>/<kind>/<key>.json`` (computed once per key)."""
    path = cache_dir("mlgo", toolchain.id, kind) / f"{key}.json"
    if path.exists():
        return json.loads(path.read_text())
    with file_lock(path.with_suffix(".lock")):
        if path.exists():
            return json.loads(path.read_text())
        result = compute()
        atomic_write_text(path, json.dumps(result, sort_keys=True))
    return result


class ObservationEncoder:
    """Turns an observation's raw bytes into the Gymnasium observation, for a space built from the header.

    ``flat``: one float32 vector, every feature flattened and concatenated in header order.
    ``dict``: one 1-D Box per feature, in the feature's own dtype.
    Non-finite floats (LLVM sends NaN when a normalising maximum is 0) become 0 (+-inf: the dtype's limits).
    """

    def __init__(self, spec: ChannelSpec, observation_format: str = "flat") -> None:
        if observation_format not in OBSERVATION_FORMATS:
            raise ValueError(
                f"observation_format={observation_format!r}; expected one of {', '.join(OBSERVATION_FORMATS)}"
            )
        self.spec = spec
        self.format = observation_format
        self.slices: dict[str, slice] = {}
        start = 0
        for feature in spec.features:
            self.slices[feature.name] = slice(start, start + feature.size)
            start += feature.size
        self.flat_size = start
        # Consecutive features of one dtype are contiguous on the wire and in the flat vector: copy each
        # such run with one frombuffer (6 runs instead of 21 tensors for regalloc).
        self._plan: list[tuple[np.dtype, int, int, slice]] = []
        for feature, offset in zip(spec.features, spec.offsets, strict=True):
            where = self.slices[feature.name]
            if self._plan and self._plan[-1][0] == feature.dtype:
                dtype, count, run_offset, run = self._plan[-1]
                self._plan[-1] = (dtype, count + feature.size, run_offset, slice(run.start, where.stop))
            else:
                self._plan.append((feature.dtype, feature.size, offset, where))
        if observation_format == "flat":
            low, high = _bounds(np.dtype(np.float32))
            self.space: spaces.Space = spaces.Box(low, high, shape=(self.flat_size,), dtype=np.float32)
        else:
            self.space = spaces.Dict(
                {
                    feature.name: spaces.Box(*_bounds(feature.dtype), shape=(feature.size,), dtype=feature.dtype)
                    for feature in spec.features
                }
            )

    def encode(self, blob: bytes) -> Any:
        if self.format == "flat":
            out = np.empty(self.flat_size, dtype=np.float32)
            for dtype, count, offset, where in self._plan:
                out[where] = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
            return _finite(out)
        return {
            name: _finite(array.copy()) if array.dtype.kind == "f" else array.copy()
            for name, array in self.spec.tensors(blob).items()
        }

    def zeros(self) -> Any:
        if self.format == "flat":
            return np.zeros(self.flat_size, dtype=np.float32)
        return {f.name: np.zeros(f.size, dtype=f.dtype) for f in self.spec.features}


def _finite(array: np.ndarray) -> np.ndarray:
    # LLVM normalises features by their maximum over the columns and sends NaN when that is 0/0 (seen in
    # use_def_density); a NaN would poison a policy network. NaN -> 0, +-inf -> the dtype's limits.
    if not np.isfinite(array).all():
        np.nan_to_num(array, copy=False, nan=0.0)
    return array


def _bounds(dtype: np.dtype) -> tuple[float, float]:
    # Finite bounds: the features are counts, flags and normalised weights; infinities only trip checkers.
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else np.finfo(dtype)
    return info.min, info.max


class MLGOEnv(gym.Env):
    """Base of the MLGO-channel environments: one compiler process per episode, one step per decision.

    Subclasses set :attr:`channel_kind`, :attr:`channel_option`, :attr:`default_benchmark` and implement
    :meth:`_prepare`, :meth:`_command`, :meth:`_baseline`, :meth:`_mask`, :meth:`_advice` and :meth:`_result`.
    """

    metadata: dict[str, Any] = {"render_modes": []}
    channel_kind = ""
    channel_option = ""
    default_benchmark = ""

    def __init__(
        self,
        benchmark: BenchmarkArg | None,
        variant: str,
        observation_format: str,
        reward_delta: float,
        startup_timeout: float,
        decision_timeout: float,
    ) -> None:
        self.toolchain = get_toolchain()
        self.channel_spec = probe_spec(self.channel_kind, self.toolchain)
        self.encoder = ObservationEncoder(self.channel_spec, observation_format)
        self.observation_space = self.encoder.space
        # Resolved (and so checked) now, like the pass-ordering envs: a bad argument fails at construction.
        resolved = resolve_benchmarks(self.default_benchmark if benchmark is None else benchmark)
        self._benchmark_pool = {b.uri: b for b in resolved}
        #: The URIs each reset picks from (a module that asks no decision is dropped from the rotation).
        self.benchmarks: list[str] = list(self._benchmark_pool)
        self.variant = variant
        self.reward_delta = float(reward_delta)
        self.startup_timeout = startup_timeout
        self.decision_timeout = decision_timeout
        self.benchmark: str | None = None
        self.module_path: Path | None = None
        self.module_sha1: str | None = None
        self.baseline: dict | None = None
        self.last_object: bytes | None = None
        self.decisions = 0
        self.illegal_actions = 0
        self._compilation: InteractiveCompilation | None = None
        self._blob: bytes | None = None
        self._mask_now: np.ndarray | None = None
        self._last_observation: Any = None
        self._decisions_per_function: dict[str, int] = {}

    # ---- hooks

    def _prepare(self, data: bytes) -> Path:
        raise NotImplementedError

    def _command(self, module: Path, compilation: InteractiveCompilation) -> list[str]:
        raise NotImplementedError

    def _baseline(self, module: Path, key: str) -> dict:
        raise NotImplementedError

    def _mask(self, blob: bytes) -> np.ndarray:
        raise NotImplementedError

    def _advice(self, index: int, mask: np.ndarray) -> tuple[int, bool]:
        raise NotImplementedError

    def _result(self, compilation: InteractiveCompilation) -> tuple[float, dict]:
        raise NotImplementedError

    # ---- Gymnasium API

    @property
    def compiler_pid(self) -> int | None:
        """The pid of the running compiler, or None between episodes."""
        return self._compilation.pid if self._compilation is not None else None

    @property
    def workdir(self) -> Path | None:
        """The running compilation's private temporary directory (FIFOs, stderr, outputs), or None."""
        return self._compilation.workdir if self._compilation is not None else None

    @property
    def datasets(self) -> Datasets:
        """CompilerGym's ``env.datasets``: every registered dataset (:mod:`rl_compiler.envs.datasets`)."""
        return Datasets()

    def action_masks(self) -> np.ndarray:
        """Legal actions of the current decision (for sb3-contrib's MaskablePPO)."""
        if self._mask_now is None:
            return np.ones(self.action_space.n, dtype=bool)
        return self._mask_now.copy()

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[Any, dict]:
        super().reset(seed=seed)
        self._close_compilation()
        explicit = (options or {}).get("benchmark")
        while True:
            if explicit is not None:
                benchmark = resolve_benchmark(explicit)
            elif not self.benchmarks:
                raise ValueError("no benchmarks left to choose from")
            else:
                uri = self.benchmarks[int(self.np_random.integers(len(self.benchmarks)))]
                benchmark = self._benchmark_pool[uri]
            try:
                return self._start(benchmark)
            except NoDecisionsError as error:
                if explicit is not None or len(self.benchmarks) == 1:
                    raise
                # No decision at all does not depend on the policy: drop the module from the rotation.
                warnings.warn(f"{error}; dropping it from this environment's benchmarks", stacklevel=2)
                self.benchmarks = [uri for uri in self.benchmarks if uri != benchmark.uri]

    def _start(self, benchmark: Benchmark) -> tuple[Any, dict]:
        name = benchmark_name(benchmark.uri)
        module = self._prepare(benchmark.bitcode(self.variant))
        self.benchmark, self.module_path = benchmark.uri, module
        self.module_sha1 = sha1(module.read_bytes())
        self.baseline = self._baseline(module, self.module_sha1)
        self.decisions = self.illegal_actions = 0
        self._decisions_per_function = {}
        self.last_object = None
        compilation = InteractiveCompilation(self.startup_timeout, self.decision_timeout)
        try:
            spec = compilation.start(self._command(module, compilation), self.channel_option)
            tool = Path(compilation.argv[0]).name
            if spec is None:
                raise ChannelNotOpenedError(
                    f"benchmark {name}: {tool} finished without opening the {self.channel_kind} channel "
                    "(no function reached the advisor, e.g. the module defines no function); "
                    "there is no decision to make"
                )
            if spec != self.channel_spec:
                raise ChannelProtocolError(
                    f"benchmark {name}: {tool} sent a header that differs from the probed one the spaces "
                    "were "
                    f"built from: {spec.to_json()} != {self.channel_spec.to_json()}"
                )
            observation = compilation.next_observation()
            if observation is None:
                compilation.finish()
                raise NoDecisionsError(
                    f"benchmark {name}: {tool} opened the {self.channel_kind} channel but asked no decision "
                    "(no function needed one); there is nothing for a policy to do"
                )
        except BaseException:
            compilation.close()
            raise
        self._compilation = compilation
        # Like the pass-ordering envs: reset's info names the benchmark the episode compiles.
        return self._observe(observation), {**self._step_info(observation), "benchmark": benchmark.uri}

    def _observe(self, observation: Observation) -> Any:
        self._blob = observation.blob
        self._mask_now = self._mask(observation.blob)
        self._last_observation = self.encoder.encode(observation.blob)
        return self._last_observation

    def _step_info(self, observation: Observation) -> dict:
        return {
            "action_mask": self._mask_now.copy(),
            "function": observation.context,
            "decisions": self.decisions,
        }

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        compilation = self._compilation
        if compilation is None:
            raise gym.error.ResetNeeded("no episode is running: call reset() first (the last one ended or failed)")
        # An out-of-range action raises before anything is sent: the episode stays usable.
        index = action_index(action, int(self.action_space.n))
        advice, illegal = self._advice(index, self._mask_now)
        try:
            compilation.send(advice)
            function = compilation.context
            self._decisions_per_function[function] = self._decisions_per_function.get(function, 0) + 1
            self.decisions += 1
            self.illegal_actions += illegal
            observation = compilation.next_observation()
            if observation is not None:
                encoded = self._observe(observation)
                info = self._step_info(observation)
                info["illegal_action"] = illegal
                return encoded, 0.0, False, False, info
            compilation.finish()
            reward, info = self._result(compilation)
        finally:
            if compilation.closed or compilation.returncode is not None:
                self._close_compilation()
        info.update(
            action_mask=self._mask_now.copy(),
            illegal_action=illegal,
            decisions=self.decisions,
            illegal_actions=self.illegal_actions,
            benchmark=self.benchmark,
        )
        # A copy: Gymnasium expects fresh observation data from every step.
        last = self._last_observation
        observation = {k: v.copy() for k, v in last.items()} if isinstance(last, dict) else last.copy()
        return observation, reward, True, False, info

    def _close_compilation(self) -> None:
        if self._compilation is not None:
            self._compilation.close()
            self._compilation = None

    def close(self) -> None:
        """Kill the running compiler (if any) and remove its FIFOs and files."""
        self._close_compilation()
        super().close()
