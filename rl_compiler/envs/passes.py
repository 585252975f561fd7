"""Pass-ordering environments: each action runs one LLVM optimization pass on a program's module.

The environment keeps its module in a :class:`~rl_compiler.llvm.session.Session` (a crash-isolated
worker by default). Benchmarks are prepared once per process (bitcode, baselines, fingerprint) and every
episode parses the benchmark's bitcode in the already running worker: no process start per reset.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from rl_compiler.datasets import Benchmark, resolve_benchmark, resolve_benchmarks
from rl_compiler.datasets.resolve import BenchmarkArg
from rl_compiler.datasets.timing import RuntimeStats
from rl_compiler.envs.action_sets import ActionSet, action_index, load_action_set
from rl_compiler.envs.datasets import Datasets
from rl_compiler.envs.pipelines import canonical_pipeline
from rl_compiler.envs.program import ObservationView, Program, RewardView, observation_choice, prepare, step_queries
from rl_compiler.envs.start_cache import StartCache
from rl_compiler.envs.state import EpisodeState
from rl_compiler.envs.validation import ValidationResult, opt_commandline, replay_state, validate_env
from rl_compiler.llvm.baselines import Baselines
from rl_compiler.llvm.errors import ModuleParseError, WorkerCrashError, WorkerTimeoutError, unnamed
from rl_compiler.llvm.session import DEFAULT_MEMORY_LIMIT, Session, Worker
from rl_compiler.observations import ObservationSpec, build_observation_specs
from rl_compiler.rewards import EXECUTION_COSTS, RewardSpec, reward_spec

DEFAULT_BENCHMARK = "benchmark://builtin-v0/crc32"


class PassOrderingEnv(gym.Env):
    """
    ## Description

    Choose a sequence of LLVM optimization passes for a program. Each step runs one pass (a new-PM
    pipeline element such as ``function(sroa)``) on the program's LLVM module, in-process in a
    crash-isolated worker. The task of the registered ``-ic-`` and ``-codesize-`` ids is to make the
    program smaller than ``clang -Oz`` does; ``llvm-autophase-runtime-v0`` makes it faster. Ids, names
    and formulas follow CompilerGym (https://github.com/facebookresearch/CompilerGym), on LLVM 23.

    ## Action Space

    ``Discrete(n)``: index into ``env.unwrapped.action_names`` (pipeline strings). ``action_set="default"``
    has every safe new-PM transform pass of the pinned LLVM (148); ``"compiler_gym"`` has CompilerGym's
    124 actions mapped to new-PM names (108; ``env.unwrapped.action_flags`` gives their legacy flags).
    With ``terminal_action=True`` one extra last action ends the episode.

    ## Observation Space

    Chosen at construction with ``observation_space=``: a name (``Autophase``: ``Box(int64, (56,))``,
    ``InstCount`` ``(70,)``, ``InstCountNorm`` ``float32 (69,)``, ``AutophaseDict``, ``InstCountDict``,
    ``IrInstructionCount[O0|O3|Oz]``, ``ObjectTextSize{Bytes,O0,O3,Oz}``,
    ``DynamicInstructionCount[O0|O3|Oz]``, ``EstimatedCycles[O0|O3|Oz]`` as ``Box(int64, (1,))``,
    ``Ir`` and ``IrSha1`` as ``Text``, ``Bitcode`` as bytes, ``Runtime`` as
    ``Box(float64, (runtime_repeats,))``, ``RuntimeStats`` (median, spread) as ``Box(float64, (2,))``),
    a list of names (a ``Dict`` space), or ``None``: a placeholder ``Discrete(1)`` that is always 0.
    ``env.unwrapped.observation["Name"]`` computes any of them on demand (as CompilerGym returned them:
    ``int`` for counts, ``str``, ``bytes``, arrays, dicts).

    ## Rewards

    ``reward_space=``: ``IrInstructionCount``, ``ObjectTextSizeBytes`` (cost decrease per step),
    ``DynamicInstructionCount`` (IR instructions one run executes) and ``EstimatedCycles`` (deterministic:
    one instrumented run, docs/runtime.md), their ``Norm`` (/ C_O0), ``O3`` (/ max(C_O0 - C_O3, 1)) and
    ``Oz`` (/ max(C_O0 - C_Oz, 1)) variants (``ObjectTextSize{Norm,O3,Oz}``), and ``Runtime`` (decrease of
    the median of ``runtime_repeats`` run times, seconds; 0 within ``runtime_noise_band`` standard errors).
    The episode's return is ``(C_O0 - C_final) / scale``: 1.0 under ``IrInstructionCountOz``
    means as small as -Oz. ``None``: reward 0. ``env.unwrapped.reward["Name"]`` computes any reward on demand.

    ## Starting State

    The benchmark's unoptimized module (``benchmark.bitcode("size")``: ``clang -Oz -Xclang
    -disable-llvm-passes``; ``"runtime"`` variant for the Runtime reward).

    ## Episode End

    Never terminates by itself (unless the terminal action is taken); truncated after
    ``max_episode_steps`` (200 in the registry, override with ``gym.make(..., max_episode_steps=N)``).
    A pass that crashes LLVM twice is skipped: the state is unchanged, reward 0,
    ``info["recovered_crash"]`` holds the message, and the episode goes on.

    ## Arguments

    ```python
    env = gym.make("rl_compiler/llvm-autophase-ic-v0", benchmark="benchmark://builtin-v0/crc32")  # import rl_compiler
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    print(info["action"], reward, env.unwrapped.commandline())
    ```

    ``benchmark`` (default ``benchmark://builtin-v0/crc32``): anything
    :func:`rl_compiler.datasets.resolve_benchmarks` accepts (a URI, ``"dataset://builtin-v0/train"``, a
    ``.c``/``.ll``/``.bc`` path, a manifest, a list); several benchmarks are sampled with the env's
    ``np_random`` at each reset. ``benchmarks``: the same, always sampled.
    ``observation_space``, ``reward_space``, ``action_set``, ``terminal_action``, ``isolated`` (False:
    in-process, fastest, no crash safety), ``memory_limit`` (bytes of address space for the worker, default 4 GiB:
    a pass that exceeds it is skipped like a crash), ``runtime_repeats``, ``runtime_warmup``, ``runtime_noise_band``,
    ``runtime_timeout``, ``timeout`` (seconds per pass),
    ``bitcode_variant``. ``reset(options={"benchmark": uri})`` picks the benchmark of one episode;
    ``reset(options={"start": pipeline})`` starts it after ``pipeline``, copied from the start cache when an
    earlier episode of the benchmark ran it (``apply_pipeline(pipeline, cached=True)``; the bitcode is then not
    even parsed), and returns that state's observation.

    ## Version History

    * v0: initial version (LLVM 23.1.4, Gymnasium 1.x, CompilerGym 0.2.5 names).
    """

    metadata = {"render_modes": ["ansi"]}

    def __init__(
        self,
        benchmark: BenchmarkArg | None = None,
        *,
        benchmarks: BenchmarkArg | None = None,
        observation_space: str | Sequence[str] | None = None,
        reward_space: str | None = None,
        action_set: str = "default",
        terminal_action: bool = False,
        isolated: bool = True,
        runtime_repeats: int = 5,
        runtime_warmup: int = 1,
        runtime_noise_band: float = 2.0,
        runtime_timeout: float = 10.0,
        timeout: float = 60.0,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        bitcode_variant: str | None = None,
        render_mode: str | None = None,
    ) -> None:
        # Other modes render nothing (gym.make warns): SB3's make_vec_env asks for "rgb_array" (no TypeError).
        self.render_mode = render_mode
        self._action_set: ActionSet = load_action_set(action_set)
        self.action_set_name = action_set
        self.terminal_action = bool(terminal_action)
        self.isolated = bool(isolated)
        self.timeout = float(timeout)
        self.memory_limit = memory_limit
        if runtime_repeats < 1:
            raise ValueError(f"runtime_repeats must be >= 1, got {runtime_repeats}")
        self.runtime_repeats = int(runtime_repeats)
        if runtime_warmup < 0 or runtime_noise_band < 0:
            raise ValueError(
                f"runtime_warmup and runtime_noise_band must be >= 0, got {runtime_warmup}, {runtime_noise_band}"
            )
        self.runtime_warmup = int(runtime_warmup)
        self.runtime_noise_band = float(runtime_noise_band)
        self.runtime_timeout = float(runtime_timeout)
        self._observation_specs: dict[str, ObservationSpec] = build_observation_specs(self.runtime_repeats)

        # Spaces: fixed here, never changed afterwards.
        self.observation_space_spec, self.observation_space = observation_choice(
            self._observation_specs, observation_space
        )
        self.reward_space_spec: RewardSpec | None = None if reward_space is None else reward_spec(reward_space)
        self._step_queries = step_queries(self.reward_space_spec, self.observation_space_spec)
        self._step_request = ("fingerprint", *self._step_queries)  # what a step asks the session for
        self.reward_range = (-np.inf, np.inf)
        n_actions = len(self._action_set) + (1 if self.terminal_action else 0)
        self.action_space = spaces.Discrete(n_actions)
        executes = self.reward_space_spec is not None and self.reward_space_spec.cost in EXECUTION_COSTS
        self.bitcode_variant = bitcode_variant or ("runtime" if executes else "size")

        # Benchmarks: a fixed one, or a list sampled at each reset; resolved (and so checked) here.
        if benchmarks is not None and benchmark is not None:
            raise ValueError("give either benchmark= or benchmarks=, not both")
        if benchmarks is None:
            resolved = resolve_benchmarks(DEFAULT_BENCHMARK if benchmark is None else benchmark)
        else:
            resolved = resolve_benchmarks(benchmarks)
        self._benchmark_pool = {b.uri: b for b in resolved}
        fixed = benchmarks is None and len(resolved) == 1
        self._fixed_benchmark: str | None = resolved[0].uri if fixed else None
        self._benchmark_choices: list[str] | None = None if fixed else [b.uri for b in resolved]

        self._session: Session | None = None
        self.shared_worker: Worker | None = None  # where new sessions open (a vector env's; None: their own)
        # Recoveries are reported by the next step, whichever call met them (a step, an observation read,
        # a fork, a reset): the count of the current session reported so far, and one from a closed session.
        self._recoveries_reported = 0
        self._pending_recovery: str | None = None
        self._start_cache = StartCache()
        self._program: Program | None = None
        self._closed = False
        self._benchmark_uri: str | None = None
        self._applied: list[int] = []
        self.episode_reward = 0.0
        self._prev_cost: float | None = None
        self._reward_scale = 1.0
        self._prev_runtime: RuntimeStats | None = None
        self._reset_time = 0.0
        self._last_step_time = 0.0
        self.observation = ObservationView(self)
        self.reward = RewardView(self)

    def _observation_spec(self, name: str) -> ObservationSpec:
        return observation_choice(self._observation_specs, name)[0]  # type: ignore[return-value]

    # -- public attributes -----------------------------------------------------------------------

    @property
    def action_names(self) -> list[str]:
        """The pipeline string of every action (the terminal action, if any, is ``"<end-episode>"``)."""
        names = list(self._action_set.pipelines)
        return names + ["<end-episode>"] if self.terminal_action else names

    @property
    def action_flags(self) -> list[str]:
        """CompilerGym's legacy flag of every action (``-sroa``; the pipeline string where there is none)."""
        return list(self._action_set.flags)

    @property
    def benchmark(self) -> str | None:
        """The URI of the current episode's benchmark (the fixed benchmark before the first reset)."""
        return self._benchmark_uri or self._fixed_benchmark

    @property
    def datasets(self) -> Datasets:
        """CompilerGym's ``env.datasets``: every registered dataset (:mod:`rl_compiler.envs.datasets`)."""
        return Datasets()

    @property
    def benchmarks(self) -> list[str] | None:
        """The URIs sampled at each reset, or None when the benchmark is fixed."""
        return None if self._benchmark_choices is None else list(self._benchmark_choices)

    @property
    def actions(self) -> list[int]:
        """The indices of the actions applied in this episode."""
        return list(self._applied)

    @property
    def baselines(self) -> Baselines:
        """The O0/O3/Oz instruction counts and object sizes of the current benchmark."""
        return self._require_program().baselines

    @property
    def session(self) -> Session:
        """The current episode's :class:`Session` (its ``pid`` is the worker's)."""
        return self._require_program().session

    @property
    def current_benchmark(self) -> Benchmark:
        """The current episode's :class:`Benchmark` (sources, build, expected output)."""
        return self._require_program().benchmark_object

    @property
    def start_bitcode(self) -> bytes:
        """The bitcode the episode started from: what ``state.actions`` and :meth:`commandline` apply to."""
        return self._require_program().prepared.bitcode

    @property
    def current_observation(self) -> Any:
        """The observation of the current state in the env's observation space, as ``step`` returns it
        (e.g. after :meth:`apply_pipeline`)."""
        return self._step_observation()

    @property
    def state(self) -> EpisodeState:
        """The replayable state of the episode so far."""
        program = self._require_program()
        return EpisodeState(
            benchmark=program.benchmark_object.uri,
            actions=tuple(program.session.history),
            reward=self.episode_reward if self.reward_space_spec is not None else None,
            walltime=self._last_step_time - self._reset_time,
            reward_space=None if self.reward_space_spec is None else self.reward_space_spec.name,
        )

    # -- Gymnasium API ---------------------------------------------------------------------------

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict]:
        super().reset(seed=seed)
        self._check_open()
        options = dict(options or {})
        unknown = set(options) - {"benchmark", "start"}
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; valid: ['benchmark', 'start']")
        start = None if options.get("start") is None else canonical_pipeline(str(options["start"]))
        if options.get("benchmark") is not None:
            benchmark = resolve_benchmark(options["benchmark"])
        elif self._benchmark_choices is not None:
            choices = self._benchmark_choices
            benchmark = self._benchmark_pool[choices[int(self.np_random.integers(len(choices)))]]
        else:
            benchmark = self._benchmark_pool[self._fixed_benchmark]
        prepared = prepare(benchmark, self.bitcode_variant)
        uri = prepared.benchmark.uri
        # A start the start cache will copy replaces the session before any use: leave its bitcode unparsed.
        lazy = start is not None and self._start_cache.has(uri, self.bitcode_variant, start)
        try:
            session = self._new_session(prepared.bitcode, lazy=lazy)
        except ModuleParseError as error:
            raise ModuleParseError(f"benchmark {uri}: {unnamed(error)}") from None
        program = Program(session, prepared, self.runtime_repeats, self.runtime_timeout, 0, {}, self.runtime_warmup)
        try:  # before the env changes: a benchmark that fails here leaves the last episode as it was
            prepared.start(session)
            program.fingerprint = prepared.fingerprint  # type: ignore[assignment]
            spec = self.reward_space_spec
            initial = None if spec is None else program.initial_cost(spec)
            scale = 1.0 if spec is None else spec.scale(program.baselines)  # fixed per benchmark: found once
        except BaseException:
            session.close()
            raise
        if self._session is not None:
            if self._session.recoveries != self._recoveries_reported:  # met by a call since the last step
                self._pending_recovery = self._session.last_failure
            self._session.close()
        self._session, self._program, self._recoveries_reported = session, program, 0
        self._benchmark_uri = uri
        self._applied = []
        self.episode_reward = 0.0
        self._prev_cost, self._prev_runtime = initial, prepared.runtime_o0
        self._reward_scale = scale
        self._reset_time = self._last_step_time = time.perf_counter()
        if start is not None:
            self.apply_pipeline(start, cached=True)
        return self._step_observation(), {"benchmark": uri}

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        program = self._require_program()
        index = action_index(action, int(self.action_space.n))
        if self.terminal_action and index == len(self._action_set):
            info = {"action": "<end-episode>", "ir_changed": False, "recovered_crash": None}
            self._last_step_time = time.perf_counter()
            return self._step_observation(), 0.0, True, False, info
        reward, info, applied = self._run(program, self._action_set.pipelines[index])
        if applied:
            self._applied.append(index)
        return self._step_observation(), reward, False, False, info

    def apply_pipeline(self, pipeline: str, *, cached: bool = False) -> tuple[float, dict]:
        """Run any pipeline string on the current module, as a step would, without it being an action.

        Search agents use this to start from a fixed pipeline (e.g. ``default<O2>``, which on the size-prepared
        bitcode is exactly -Oz). It is part of the episode: ``commandline()``, ``state``, ``fork()`` and crash
        replay include it, and its reward counts in ``episode_reward``. Returns ``(reward, info)`` like a step.

        :param cached: at an episode's start, copy an earlier episode's result (:mod:`~rl_compiler.envs.start_cache`).
        :raises PassPipelineError: if LLVM rejects the pipeline string.
        """
        if cached:
            return self._start_cache.apply(self, pipeline)
        reward, info, _ = self._run(self._require_program(), pipeline)
        return reward, info

    def _run(self, program: Program, pipeline: str) -> tuple[float, dict, bool]:
        """Run ``pipeline`` as one step: ``(reward, info, applied)``; not applied: it crashed LLVM twice, skipped."""
        session = program.session
        crash = results = None
        try:
            # One worker round trip: the pass, the fingerprint, and the cheap costs and features.
            fingerprint, *values = session.step(pipeline, self._step_request)
            results = dict(zip(self._step_queries, values, strict=True))
        except (WorkerCrashError, WorkerTimeoutError) as error:
            crash = f"skipped: {error}"
            fingerprint = session.fingerprint()
        reward, info = self._adopt(program, pipeline, fingerprint, results, crash)
        return reward, info, results is not None

    def _adopt(self, program: Program, pipeline: str, fingerprint: int, results: dict | None, crash: str | None):
        """The bookkeeping of a step, run (:meth:`_run`) or copied (``StartCache``): ``program`` (on a new session
        for a copy) is the episode's, at ``fingerprint`` with step query ``results``; returns ``(reward, info)``."""
        session, old = program.session, self._session
        if old is not session:
            if old is not None:
                if old.recoveries != self._recoveries_reported:  # met by a call since the last step
                    self._pending_recovery = self._pending_recovery or old.last_failure
                old.close()
            self._session, self._program, self._recoveries_reported = session, program, 0
        if crash is None and (session.recoveries != self._recoveries_reported or self._pending_recovery):
            crash = f"recovered: {session.last_failure or self._pending_recovery}"
        self._recoveries_reported, self._pending_recovery = session.recoveries, None
        changed = program.changed(fingerprint)
        if changed and results:
            program.prefill(results)
        reward = self._reward_of_change(program) if changed and self.reward_space_spec is not None else 0.0
        self.episode_reward += reward
        self._last_step_time = time.perf_counter()
        return float(reward), {"action": pipeline, "ir_changed": changed, "recovered_crash": crash}

    def render(self) -> str | None:
        if self.render_mode != "ansi" or self._program is None:
            return None
        return (
            f"{self.benchmark}: {self._program.cost('IrInstructionCount')} instructions after "
            f"{len(self._applied)} passes (Oz: {self.baselines.ic_Oz})"
        )

    def close(self) -> None:
        """Free the modules; the worker process ends with its last session. Idempotent."""
        self._start_cache.close()
        if self._session is not None:
            self._session.close()
            self._session = None
        self._program = None
        self._closed = True

    # -- beyond Gymnasium ------------------------------------------------------------------------

    def fork(self) -> PassOrderingEnv:
        """An independent copy of this environment at its current state, in the same worker process.

        The copy replays the episode's passes on a fresh parse of the benchmark, so that the same future
        actions give bit-identical results in both (see the comment below).
        """
        program = self._require_program()
        twin = type(self).__new__(type(self))
        twin.__dict__.update(self.__dict__)
        # Not Session.fork(): a clone goes through bitcode written without use-list orders, and later
        # passes can then act differently. Re-running the history on the benchmark's bitcode (one
        # request to the worker) gives exactly the state that the parent, `opt` and crash recovery have.
        twin._session = program.session.replica()
        twin._program = program.with_session(twin._session)
        twin._recoveries_reported = 0  # the replica's own count: its start may have met a lost worker
        twin._applied = list(self._applied)
        twin._start_cache = StartCache()  # the cached starts stay the parent's (it closes them)
        twin.observation = ObservationView(twin)
        twin.reward = RewardView(twin)
        if self._np_random is not None:
            twin._np_random = np.random.Generator(type(self._np_random.bit_generator)())
            twin._np_random.bit_generator.state = self._np_random.bit_generator.state
        return twin

    def commandline(self, input_path: str = "input.bc", output_path: str = "output.bc") -> str:
        """An ``opt`` command turning the benchmark's starting bitcode (``input_path``) into the current IR.

        The starting bitcode is ``get_benchmark(env.benchmark).bitcode(env.bitcode_variant)``.
        """
        return opt_commandline(self._require_program().session.history, input_path, output_path)

    def apply(self, state: EpisodeState) -> None:
        """Reset to ``state.benchmark`` and replay its pipelines (:func:`~rl_compiler.envs.validation.replay_state`)."""
        replay_state(self, state)

    def validate(self, state: EpisodeState | None = None) -> ValidationResult:
        """Replay the episode (or ``state``) from scratch, run the verifier and, for runnable benchmarks,
        compare the program's output with the expected output (:func:`~rl_compiler.envs.validation.validate_env`)."""
        return validate_env(self, state)

    # -- internals -------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise gym.error.ClosedEnvironmentError("the environment is closed")

    def _require_program(self) -> Program:
        self._check_open()
        if self._program is None:
            raise gym.error.ResetNeeded("call reset() before step() or before reading the episode state")
        return self._program

    def _new_session(self, bitcode: bytes, lazy: bool = False) -> Session:
        """A session on ``bitcode`` (parsed, not cloned: see fork()), in the current worker if any, else in
        ``shared_worker`` or a new one (``lazy``: parsed at its first use)."""
        anchor = self._session
        if anchor is not None and not anchor.closed:
            return anchor.sibling(bitcode, lazy=lazy)  # same worker: no process start
        where = {"timeout": self.timeout, "memory_limit": self.memory_limit, "worker": self.shared_worker}
        return Session(bitcode, isolated=self.isolated, **where)

    def _reward_of_change(self, program: Program) -> float:
        """The reward of a step that changed the IR. A run-time change within the noise band
        (``runtime_noise_band`` standard errors; rl_compiler.datasets.timing) earns 0 and keeps the last
        significant state as the reference, so that small real changes still add up."""
        spec = self.reward_space_spec
        assert spec is not None
        if spec.cost == "Runtime" and self.runtime_noise_band > 0 and self._prev_runtime is not None:
            stats = program.runtime_stats()
            if not stats.significant(self._prev_runtime, self.runtime_noise_band):
                return 0.0
            self._prev_runtime = stats
        cost = program.cost(spec.cost)
        reward, self._prev_cost = spec.reward(self._prev_cost, cost, self._reward_scale), cost
        return reward

    def _natural_observation(self, spec: ObservationSpec) -> Any:
        program = self._require_program()
        if not spec.deterministic:
            return spec.compute(program)
        return program.cached("obs:" + spec.name, lambda: spec.compute(program))

    def _step_observation(self) -> Any:
        spec = self.observation_space_spec
        if spec is None:
            return np.int64(0)
        if isinstance(spec, list):
            return {s.name: s.to_space(self._natural_observation(s)) for s in spec}
        return spec.to_space(self._natural_observation(spec))

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
