"""``eval``/``search --ray``: one Ray task per benchmark (one CPU each), results gathered by the driver.

Each task runs a copy of the policy (shipped once through Ray's object store) on one benchmark in its Ray
worker's env (built once per worker process and env id) and validates the result, exactly as
:func:`rl_compiler.agents.evaluation.evaluate` does for that benchmark; every benchmark therefore starts
from the policy as constructed, whatever ran before.

With an output file, the driver also keeps a journal beside it (``<output>.parts/``: one atomically written
file per finished benchmark, plus the run's identity). A killed driver, run again with the same arguments,
takes the finished benchmarks from the journal instead of recomputing them; the journal is removed once the
output file is written. A task Ray re-runs after losing its node still counts once: results are keyed by
benchmark.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rl_compiler.agents.base import EpisodeResult, Policy
from rl_compiler.agents.evaluation import evaluate
from rl_compiler.llvm.cache import atomic_write_text

_FIELDS = {f.name for f in dataclasses.fields(EpisodeResult)}


class JournalError(ValueError):
    """A journal left by another run (different agent, benchmarks or settings) is in the way."""


class Journal:
    """Finished benchmarks of one run, one atomic JSON file each, in ``<output>.parts/``.

    :param identity: what makes two runs the same run (agent, budget, env, benchmarks, ...).
    """

    def __init__(self, output: str | Path, identity: dict[str, Any]) -> None:
        output = Path(output)
        self.path = output.with_name(output.name + ".parts")
        self.identity = json.loads(json.dumps(identity, sort_keys=True, default=str))

    def open(self) -> dict[str, EpisodeResult]:
        """Create the journal, or check that an existing one is this run's; return its finished results."""
        meta = self.path / "run.json"
        if meta.is_file():
            existing = json.loads(meta.read_text())
            if existing != self.identity:
                differing = sorted(
                    k for k in set(existing) | set(self.identity) if existing.get(k) != self.identity.get(k)
                )
                raise JournalError(
                    f"{self.path} holds the unfinished results of a different run ({', '.join(differing)} "
                    "differ); remove it or write to another output file"
                )
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            atomic_write_text(meta, json.dumps(self.identity, indent=2, sort_keys=True) + "\n")
        done = {}
        for path in self.path.glob("result-*.json"):
            data = json.loads(path.read_text())
            done[data["benchmark"]] = EpisodeResult(**{k: v for k, v in data.items() if k in _FIELDS})
        return done

    def add(self, result: EpisodeResult) -> None:
        """Record one finished benchmark (atomically)."""
        key = hashlib.sha1(result.benchmark.encode()).hexdigest()[:16]
        atomic_write_text(self.path / f"result-{key}.json", json.dumps(dataclasses.asdict(result), default=str))

    def remove(self) -> None:
        """Delete the journal (once the output file is written)."""
        shutil.rmtree(self.path, ignore_errors=True)


#: This worker process's envs, by id and make kwargs: a Ray worker runs many tasks, and building an env (its
#: LLVM worker process) costs more than a short search; the single-process loop also keeps one env.
_ENVS: dict[str, Any] = {}


def _close_envs() -> None:
    for env in _ENVS.values():
        env.close()
    _ENVS.clear()


def _env(env_id: str, env_kwargs: dict) -> Any:
    import gymnasium as gym

    import rl_compiler  # noqa: F401  (registers the environments in a fresh worker process)

    key = json.dumps([env_id, env_kwargs], sort_keys=True, default=str)
    if key not in _ENVS:
        if not _ENVS:
            atexit.register(_close_envs)
        _ENVS[key] = gym.make(env_id, **env_kwargs)
    return _ENVS[key]


def evaluate_one(policy: Policy, env_id: str, benchmark: str, run_programs: bool, env_kwargs: dict) -> EpisodeResult:
    """One benchmark (the body of a Ray task), in this worker's env for ``env_id``."""
    return evaluate(policy, _env(env_id, env_kwargs), [benchmark], run_programs=run_programs, progress=False)[0]


def evaluate_on_ray(
    policy: Policy,
    env_id: str,
    benchmarks: list[str],
    *,
    address: str,
    run_programs: bool = True,
    journal: Journal | None = None,
    env_kwargs: dict | None = None,
    datasets: list[str] | tuple[str, ...] = (),
    on_result: Callable[[EpisodeResult, str], None] | None = None,
) -> list[EpisodeResult]:
    """Run ``policy`` on every benchmark as Ray tasks on the cluster at ``address`` (``local``: a Ray of
    our own); return the results in the order of ``benchmarks``.

    :param datasets: dataset names or manifest paths the benchmarks come from (user datasets are made known
        to the workers).
    :param journal: resume from and record into this journal (the caller removes it when done).
    :param on_result: called with each new result and the id of the Ray node that computed it.
    """
    from rl_compiler.distributed import ray_session, run_tasks

    done = journal.open() if journal else {}
    todo = [uri for uri in dict.fromkeys(benchmarks) if uri not in done]
    if todo:
        with ray_session(address, datasets=datasets) as ray:
            shared = ray.put(policy)
            jobs = [(uri, (shared, env_id, uri, run_programs, dict(env_kwargs or {}))) for uri in todo]
            for outcome in run_tasks(evaluate_one, jobs):
                result = outcome.result
                result.extra["ray_node"] = outcome.node_id
                done[outcome.key] = result
                if journal:
                    journal.add(result)
                if on_result:
                    on_result(result, outcome.node_id)
    return [done[uri] for uri in benchmarks]
