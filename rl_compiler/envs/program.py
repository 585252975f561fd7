"""The program of a pass-ordering episode: its prepared benchmark, its current module and per-state caches,
and the ``env.observation[...]`` / ``env.reward[...]`` views over it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gymnasium import spaces

from rl_compiler.datasets import Benchmark, EmptyBenchmarkError
from rl_compiler.datasets.profile import CostBaselines, profile_bitcode
from rl_compiler.datasets.timing import RuntimeStats
from rl_compiler.llvm.baselines import Baselines
from rl_compiler.llvm.errors import WorkerCrashError, WorkerTimeoutError
from rl_compiler.llvm.session import Session
from rl_compiler.observations import ObservationSpec
from rl_compiler.rewards import REWARD_NAMES, RewardSpec, reward_spec

if TYPE_CHECKING:
    from rl_compiler.envs.passes import PassOrderingEnv


@dataclass
class Prepared:
    """A benchmark ready for episodes: its bitcode, then (from the first episode's session) its starting
    fingerprint, and its baselines and starting run time when first needed."""

    benchmark: Benchmark
    bitcode: bytes
    baselines: Baselines | None = None  # a CostBaselines: the dynamic baselines are computed on first use
    runtime_o0: RuntimeStats | None = None
    fingerprint: int | None = None

    def start(self, session: Session) -> None:
        """Check the module and take its starting fingerprint on ``session``, once per process.

        :raises EmptyBenchmarkError: if the module has no instructions (nothing to optimize).
        """
        if self.fingerprint is None:
            if session.instruction_count() == 0:
                raise EmptyBenchmarkError(
                    f"{self.benchmark.uri} has no IR instructions (an empty module): there is nothing to optimize"
                )
            self.fingerprint = session.fingerprint()

    def ensure_baselines(self, session: Session) -> Baselines:
        """The baselines, computed on first use on ``session`` (in its worker, when isolated: the -O3/-Oz
        pipelines run there under the env's timeout and memory limit), once per process.

        :raises WorkerTimeoutError, WorkerCrashError: naming the benchmark, if the pipelines time out or crash.
        """
        if self.baselines is None:
            try:
                baselines = session.baselines()
            except (WorkerCrashError, WorkerTimeoutError) as error:
                raise type(error)(f"{self.benchmark.uri}: computing the -O3/-Oz baselines failed: {error}") from None
            self.baselines = CostBaselines(baselines, self.benchmark, self.bitcode)  # type: ignore[assignment]
        return self.baselines


_CACHE: dict[tuple[str, str], Prepared] = {}


def prepare(benchmark: Benchmark, variant: str) -> Prepared:
    """The bitcode of a benchmark, built once per process (baselines come with its first session)."""
    key = (benchmark.uri, variant)
    if key not in _CACHE:
        _CACHE[key] = Prepared(benchmark, benchmark.bitcode(variant))
    return _CACHE[key]


@dataclass
class Program:
    """The current module of an episode with per-state caches; the ObservationContext of observations."""

    session: Session
    prepared: Prepared
    runtime_repeats: int
    runtime_timeout: float
    fingerprint: int
    cache: dict[str, Any] = field(default_factory=dict)
    runtime_warmup: int = 1
    #: ``env.reward[name]``'s cost at its last query in this episode, by reward name.
    queried_costs: dict[str, float] = field(default_factory=dict)

    @property
    def baselines(self) -> Baselines:
        """The benchmark's baselines (computed on first use: an episode that needs none never runs -O3/-Oz)."""
        return self.prepared.ensure_baselines(self.session)

    @property
    def benchmark_object(self) -> Benchmark:
        return self.prepared.benchmark

    def with_session(self, session: Session) -> Program:
        """A copy of this program (caches included) on ``session``, a replica of this one's (``env.fork()``)."""
        return Program(
            session,
            self.prepared,
            self.runtime_repeats,
            self.runtime_timeout,
            self.fingerprint,
            dict(self.cache),
            self.runtime_warmup,
            dict(self.queried_costs),
        )

    def changed(self, fingerprint: int) -> bool:
        """Record the module's new fingerprint; drop the caches if it differs from the last one."""
        if fingerprint == self.fingerprint:
            return False
        self.fingerprint = fingerprint
        self.cache.clear()
        return True

    def cached(self, key: str, compute: Any) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def query(self, method: str) -> Any:
        """The result of a read-only Session method (``"autophase"``, ...) for the current state, memoized."""
        key = "query:" + method
        cache = self.cache
        if key not in cache:  # a hit (the common case: prefilled by the step) looks nothing else up
            cache[key] = getattr(self.session, method)()
        return cache[key]

    def prefill(self, results: dict[str, Any]) -> None:
        """Store query results computed for the current state (by ``Session.step``)."""
        for method, value in results.items():
            self.cache["query:" + method] = value

    def runtime_stats(self) -> RuntimeStats:
        """``runtime_warmup`` untimed and ``runtime_repeats`` timed runs of the current module (cached)."""

        def measure() -> RuntimeStats:
            return RuntimeStats.measure(
                self.benchmark_object,
                self.session.bitcode(),
                warmup=self.runtime_warmup,
                repeats=self.runtime_repeats,
                timeout=self.runtime_timeout,
            )

        return self.cached("runtimes", measure)

    def runtimes(self) -> list[float]:
        return list(self.runtime_stats().times)

    def initial_cost(self, spec: RewardSpec) -> float:
        """The cost at the episode's start (from the baselines; the unoptimised run time for Runtime)."""
        cost = spec.initial_cost(self.baselines)
        if cost is not None:
            return cost
        prepared = self.prepared
        if not prepared.benchmark.runnable:
            raise ValueError(
                f"{prepared.benchmark.uri} is not runnable: the {spec.name} reward needs a runnable benchmark"
            )
        if prepared.runtime_o0 is None:
            prepared.runtime_o0 = RuntimeStats.measure(
                prepared.benchmark,
                prepared.bitcode,
                warmup=self.runtime_warmup,
                repeats=self.runtime_repeats,
                timeout=self.runtime_timeout,
            )
        return prepared.runtime_o0.median

    def reward_since_query(self, spec: RewardSpec) -> float:
        """``env.reward[name]``: the reward of ``spec`` since its last query in this episode (or the start)."""
        previous = self.queried_costs.get(spec.name)
        previous = self.initial_cost(spec) if previous is None else previous
        cost = self.queried_costs[spec.name] = self.cost(spec.cost)
        return spec.reward(previous, cost, spec.scale(self.baselines))

    def cost(self, name: str) -> float:
        if name == "IrInstructionCount":
            return self.query("instruction_count")
        if name == "ObjectTextSizeBytes":
            return self.query("object_text_size")
        if name == "Runtime":
            return self.runtime_stats().median
        if name in ("DynamicInstructionCount", "EstimatedCycles"):  # one instrumented run gives both
            bitcode = self.session.bitcode
            benchmark, timeout = self.benchmark_object, self.runtime_timeout
            profile = self.cached("profile", lambda: profile_bitcode(benchmark, bitcode(), timeout=timeout))
            return profile.dynamic_instructions if name == "DynamicInstructionCount" else profile.estimated_cycles
        raise ValueError(f"unknown cost {name!r}")


def observation_choice(
    specs: dict[str, ObservationSpec], choice: str | Sequence[str] | None
) -> tuple[ObservationSpec | list[ObservationSpec] | None, spaces.Space]:
    """The spec(s) and the space of an env's ``observation_space=`` argument: one name, a list of names
    (a ``Dict`` space) or None (a placeholder ``Discrete(1)``).

    :raises ValueError: naming an unknown observation and the valid ones, or for an empty list.
    """

    def spec(name: str) -> ObservationSpec:
        if name not in specs:
            raise ValueError(f"unknown observation space {name!r}; valid names: {', '.join(specs)}")
        return specs[name]

    if choice is None:
        return None, spaces.Discrete(1)
    if isinstance(choice, str):
        return spec(choice), spec(choice).space
    chosen = [spec(name) for name in choice]
    if not chosen:
        raise ValueError("observation_space list is empty")
    return chosen, spaces.Dict({s.name: s.space for s in chosen})


def step_queries(
    reward: RewardSpec | None, observation: ObservationSpec | list[ObservationSpec] | None
) -> tuple[str, ...]:
    """The cheap read-only Session queries an env's reward and observation need after every step."""
    queries: list[str] = []
    if reward is not None and reward.cost == "IrInstructionCount":
        queries.append("instruction_count")
    for spec in observation if isinstance(observation, list) else [observation] if observation is not None else []:
        queries.extend(spec.prefetch)
    return tuple(dict.fromkeys(queries))


class ObservationView:
    """``env.observation["Name"]``: compute any observation of the current state on demand."""

    def __init__(self, env: PassOrderingEnv) -> None:
        self._env = env

    def __getitem__(self, name: str) -> Any:
        spec = self._env._observation_spec(name)
        return self._env._natural_observation(spec)

    def __contains__(self, name: str) -> bool:
        return name in self._env._observation_specs

    def keys(self) -> list[str]:
        return list(self._env._observation_specs)


class RewardView:
    """``env.reward["Name"]``: the reward of any reward space since its last query (or the episode start)."""

    def __init__(self, env: PassOrderingEnv) -> None:
        self._env = env

    def __getitem__(self, name: str) -> float:
        return self._env._require_program().reward_since_query(reward_spec(name))

    def keys(self) -> list[str]:
        return list(REWARD_NAMES)
