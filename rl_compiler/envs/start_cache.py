"""Cached episode starts: a benchmark's module after a start pipeline (e.g. -Oz), copied instead of recomputed.

Training resets thousands of times on a few programs, and an episode that starts from -Oz would re-run the
-Oz pipeline each time (about 0.1 s on the built-in programs, 30-100 times a pass step). A
:class:`StartCache` keeps, per benchmark and pipeline, a session at the state after the pipeline (in the
env's worker, with the step's cheap query results); the next episode of that benchmark starts from a copy
of it (``Session.fork``: one clone request, a few milliseconds) and earns the same reward the pipeline
would. The episode's history, ``state`` and ``commandline()`` still name the pipeline.

A copy goes through bitcode written without use-list orders, so a later pass may act slightly differently
on it than on a fresh run of the pipeline (the IR is the same program; measured on the train split, 6 of
104 random 10-pass sequences from -Oz ended with another instruction count). Use it where that does not
matter (training episodes); evaluation, ``optimize`` and replay run the pipeline itself.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rl_compiler.envs.passes import PassOrderingEnv
    from rl_compiler.envs.program import Program
    from rl_compiler.llvm.session import Session

#: Starts kept per env (least recently used dropped first): each is one module in the worker.
DEFAULT_CAPACITY = 64


@dataclass
class _Start:
    session: Session
    fingerprint: int
    queries: dict[str, Any]


class StartCache:
    """Per ``(benchmark, bitcode variant, pipeline)``: the module after ``pipeline`` and its step queries."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"a start cache needs a capacity of at least 1, got {capacity}")
        self.capacity = capacity
        self._starts: OrderedDict[tuple[str, str, str], _Start] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._starts)

    def apply(self, env: PassOrderingEnv, pipeline: str) -> tuple[float, dict]:
        """Run ``pipeline`` on ``env``'s episode start (its history must be empty), from the cache when an earlier
        episode of the same benchmark ran it; returns ``(reward, info)`` as ``env.apply_pipeline`` does."""
        program = env._require_program()
        if program.session.history:
            raise ValueError("a cached start pipeline runs only at the start of an episode (no pass applied yet)")
        key = (program.prepared.benchmark.uri, env.bitcode_variant, pipeline)
        start = self._starts.get(key)
        if start is not None and not start.session.closed:
            self._starts.move_to_end(key)
            self.hits += 1
            return self._copy(env, program, start, pipeline)
        self.misses += 1
        reward, info, applied = env._run(program, pipeline)
        if applied and not info["recovered_crash"]:
            self._store(key, env._require_program())
        return reward, info

    def has(self, benchmark: str, variant: str, pipeline: str) -> bool:
        """Whether :meth:`apply` of ``pipeline`` on ``benchmark``'s episode start would be a copy."""
        start = self._starts.get((benchmark, variant, pipeline))
        return start is not None and not start.session.closed

    def close(self) -> None:
        """Free every cached module. Idempotent."""
        for start in self._starts.values():
            start.session.close()
        self._starts.clear()

    def _store(self, key: tuple[str, str, str], program: Program) -> None:
        queries = {k[len("query:") :]: v for k, v in program.cache.items() if k.startswith("query:")}
        self._starts[key] = _Start(program.session.fork(), program.fingerprint, queries)
        while len(self._starts) > self.capacity:
            _, oldest = self._starts.popitem(last=False)
            oldest.session.close()

    @staticmethod
    def _copy(env: PassOrderingEnv, program: Program, start: _Start, pipeline: str) -> tuple[float, dict]:
        """Make a copy of ``start`` the episode's program, as if ``pipeline`` had just run on it."""
        recoveries = start.session.recoveries
        session = start.session.fork()
        crash = None
        if start.session.recoveries != recoveries:
            crash = f"recovered: {start.session.last_failure}"
        return env._adopt(program.with_session(session), pipeline, start.fingerprint, start.queries, crash)
