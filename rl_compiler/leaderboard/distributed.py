"""Leaderboard jobs as Ray tasks (``leaderboard run --ray``): the same rows as a local run, computed on a
cluster and written by the driver.

Every (benchmark, repetition) is one task with one CPU. The driver writes each row atomically as it
arrives, into the same results directory a local run uses, so a killed driver resumes where it stopped
(finished rows are skipped), and a task that Ray re-runs after losing its node still yields one row file.
Each row records the Ray node that computed it in ``details["ray_node"]`` (replay verification ignores it).
"""

from __future__ import annotations

from collections.abc import Callable

from rl_compiler.distributed import ray_session, run_tasks
from rl_compiler.leaderboard.results import ResultsDir
from rl_compiler.leaderboard.tasks import Task


def run_rows(
    run_one: Callable,
    task: Task,
    config: object,
    todo: list[tuple[str, int]],
    results: ResultsDir,
    address: str,
    on_row: Callable[[str], None] | None = None,
) -> None:
    """Run ``run_one(task, config, uri, repetition)`` for every ``(uri, repetition)`` of ``todo`` on Ray
    (``address``: a cluster, or ``local``) and write each row into ``results`` as it finishes.

    :param on_row: called with the benchmark URI after each row is written.
    """
    with ray_session(address, datasets=[task.dataset]):
        for outcome in run_tasks(run_one, [((uri, rep), (task, config, uri, rep)) for uri, rep in todo]):
            row = outcome.result
            row.details["ray_node"] = outcome.node_id
            results.write_row(row)
            if on_row:
                on_row(row.benchmark)
