"""Independent jobs (benchmark x repetition) as Ray tasks, one CPU each, results back to the driver.

The driver keeps the bookkeeping: it submits every job, takes results in the order they finish, and
writes them itself (into the same atomic result files as a local run), so a killed driver resumes from
what it wrote and a job that Ray runs twice (after a lost node) still yields one result per job. Ray
retries a task whose worker process or node died (``max_retries``); an exception raised by the job itself
is not retried and reaches the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rl_compiler.distributed.cluster import require_ray

#: Retries of a task whose worker or node died (a lost node costs one attempt per task it was running).
MAX_RETRIES = 5


@dataclass(frozen=True)
class TaskOutcome:
    """One finished job: its key, what the function returned, and where it ran."""

    key: Any
    result: Any
    node_id: str
    seconds: float


def _call(function: Callable[..., Any], *args: Any) -> tuple[Any, str, float]:
    import time

    import ray

    start = time.perf_counter()
    result = function(*args)
    return result, ray.get_runtime_context().get_node_id(), time.perf_counter() - start


def run_tasks(
    function: Callable[..., Any],
    jobs: Iterable[tuple[Any, tuple]],
    *,
    num_cpus: float = 1,
    max_retries: int = MAX_RETRIES,
) -> Iterator[TaskOutcome]:
    """Run ``function(*args)`` for every ``(key, args)`` of ``jobs`` as a Ray task; yield outcomes as they
    finish. Ray must be initialised (:func:`rl_compiler.distributed.ray_session`).

    ``function`` must be importable by name on the workers (a module-level function of an installed
    package), so that every node runs the same code. An ``ObjectRef`` among ``args`` (``ray.put`` of something
    large that every job shares) reaches ``function`` as its value. A job that raises ends the iteration with
    that error (pending tasks are cancelled).
    """
    ray = require_ray("running tasks on Ray")
    remote = ray.remote(num_cpus=num_cpus, max_retries=max_retries, retry_exceptions=False)(_call)
    function_ref = ray.put(function)
    pending = {remote.remote(function_ref, *args): key for key, args in jobs}
    try:
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                key = pending.pop(ref)
                result, node_id, seconds = ray.get(ref)
                yield TaskOutcome(key, result, node_id, seconds)
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
