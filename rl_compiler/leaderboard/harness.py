"""Run an agent on every test benchmark of a task, in parallel and resumably, recording replayable rows.

Each (benchmark, repetition) is one job in a worker process; the worker writes its row atomically as soon
as it finishes, so an interrupted run resumes where it stopped and loses at most the jobs in flight.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import multiprocessing
import os
import platform
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym

from rl_compiler import __version__
from rl_compiler.agents.registry import make_agent
from rl_compiler.datasets import get_benchmark, get_dataset
from rl_compiler.datasets.build import build_key
from rl_compiler.datasets.profile import dynamic_baselines
from rl_compiler.leaderboard import decisions
from rl_compiler.leaderboard.results import ResultsDir, Row
from rl_compiler.leaderboard.tasks import Task
from rl_compiler.llvm.baselines import compute_baselines
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.toolchain import get_toolchain

logger = logging.getLogger(__name__)

#: Manifest fields that identify a run: resuming into a directory whose manifest differs is refused.
IDENTITY = ("task", "agent", "agent_config", "dataset", "split", "dataset_hash", "seed", "llvm")


@dataclass(frozen=True)
class RunConfig:
    """One leaderboard run: which agent, with which configuration, under whose name."""

    agent: str
    agent_config: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    author: str = "anonymous"
    algorithm: str = ""
    jobs: int = 1


def cpu_model() -> str:
    """The CPU's model name, for the manifest."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def benchmark_uris(task: Task) -> list[str]:
    """The benchmarks a task is judged on."""
    return list(get_dataset(task.dataset).split(task.split))


def dataset_hash(uris: list[str]) -> str:
    """SHA-1 over the benchmarks' URIs and build keys (their sources' contents, flags and the toolchain id).

    Location-independent: the bitcode itself records the checkout's path (``source_filename``, ``__FILE__``),
    so hashing it would fail verification of the same results in another clone.
    """
    digest = hashlib.sha1()
    for uri in sorted(uris):
        spec = get_benchmark(uri).spec
        digest.update(uri.encode() + b"\0" + build_key(spec.sources, spec.cflags, "size").encode())
    return digest.hexdigest()


def manifest_for(task: Task, config: RunConfig, uris: list[str]) -> dict[str, Any]:
    """Everything needed to know what was run where, and to re-verify it."""
    toolchain = get_toolchain()
    return {
        "task": task.name,
        "task_kind": task.kind,
        "metric": task.metric,
        "env": task.env,
        "dataset": task.dataset,
        "split": task.split,
        "repetitions": task.repetitions,
        "benchmarks": uris,
        "dataset_hash": dataset_hash(uris),
        "agent": config.agent,
        "agent_config": config.agent_config,
        "algorithm": config.algorithm or config.agent,
        "author": config.author,
        "seed": config.seed,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "rl_compiler": __version__,
        "llvm": toolchain.id,
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "cores_used": config.jobs,
    }


def size_metric(task: Task, base: Any, ic_final: int, text_final: int) -> tuple[float, dict[str, Any]]:
    """The task's metric for a final IR instruction count and object size, given the benchmark's baselines,
    and the raw costs it came from."""
    details = {
        "ic_O0": int(base.ic_O0),
        "ic_Oz": int(base.ic_Oz),
        "ic_final": int(ic_final),
        "text_O0": int(base.text_O0),
        "text_Oz": int(base.text_Oz),
        "text_final": int(text_final),
    }
    if task.metric == "IrInstructionCountOz":
        reward = (base.ic_O0 - ic_final) / max(base.ic_O0 - base.ic_Oz, 1)
        details["size_ratio"] = base.ic_Oz / max(ic_final, 1)
    else:
        reward = (base.text_O0 - text_final) / max(base.text_O0 - base.text_Oz, 1)
        details["size_ratio"] = base.text_Oz / max(text_final, 1)
    return float(reward), details


def execution_metric(base: Any, dyn_final: int) -> tuple[float, dict[str, Any]]:
    """``DynamicInstructionCountO3``: (C_O0 - C_final) / max(C_O0 - C_O3, 1) over IR instructions executed
    (1.0 matches -O3), with the raw counts; ``size_ratio`` holds the plain ratio C_O3 / C_final."""
    details = {
        "dyn_O0": int(base.dyn_O0),
        "dyn_O3": int(base.dyn_O3),
        "dyn_final": int(dyn_final),
        "size_ratio": base.dyn_O3 / max(dyn_final, 1),
    }
    return float((base.dyn_O0 - dyn_final) / max(base.dyn_O0 - base.dyn_O3, 1)), details


def passes_metric(task: Task, env: gym.Env) -> tuple[float, dict[str, Any]]:
    """The task's metric for the env's current state, and the raw costs it came from."""
    unwrapped = env.unwrapped
    if task.metric == "DynamicInstructionCountO3":
        return execution_metric(unwrapped.baselines, int(unwrapped.observation["DynamicInstructionCount"]))
    return size_metric(
        task,
        unwrapped.baselines,
        int(unwrapped.observation["IrInstructionCount"]),
        int(unwrapped.observation["ObjectTextSizeBytes"]),
    )


#: Reference entries that are not agents: the -O3 baseline cannot be written as a pass list on the episode's
#: starting IR (clang's -Oz front end marks every function ``minsize``, and ``default<O3>`` honours that), so
#: the row is the baseline itself: size attributes removed, then ``default<O3>`` (rl_compiler.llvm.baselines).
BASELINE_AGENTS = ("o3-baseline",)


def baseline_metric(task: Task, uri: str, use_cache: bool = True) -> tuple[float, dict[str, Any]]:
    """The task's metric for the -O3 baseline of ``uri`` (recomputed from scratch with ``use_cache=False``)."""
    benchmark = get_benchmark(uri)
    if task.metric == "DynamicInstructionCountO3":
        dynamic = dynamic_baselines(benchmark, benchmark.bitcode("runtime"), use_cache=use_cache)
        return execution_metric(dynamic, dynamic.dyn_O3)
    with Module.from_bitcode(benchmark.bitcode()) as module:
        base = compute_baselines(module, use_cache=use_cache)
    return size_metric(task, base, base.ic_O3, base.text_O3)


def _seed_for(config: RunConfig, repetition: int) -> int:
    return config.seed * 1000 + repetition


def run_one(task: Task, config: RunConfig, uri: str, repetition: int) -> Row:
    """Run the agent once on one benchmark and return the row (the caller stores it)."""
    import rl_compiler  # noqa: F401  (registers the environments in a fresh worker process)

    seed = _seed_for(config, repetition)
    if task.kind == "mlgo":
        return decisions.run(task, config.agent, config.agent_config, uri, repetition, seed)
    if config.agent in BASELINE_AGENTS:
        start = time.perf_counter()
        reward, details = baseline_metric(task, uri)
        return Row(
            benchmark=uri,
            repetition=repetition,
            reward=reward,
            walltime=time.perf_counter() - start,
            actions=["<baseline: -O3>"],
            details=details,
        )
    agent = make_agent(config.agent, family="passes", strict=False, seed=seed, **config.agent_config)
    # Every agent sees the Autophase observation (learned policies need one; the task's env has none).
    env = gym.make(task.env, benchmark=uri, observation_space="Autophase")
    try:
        start = time.perf_counter()
        result = agent.run(env, benchmark=uri, object_size=False)
        walltime = time.perf_counter() - start
        reward, details = passes_metric(task, env)
    finally:
        env.close()
    return Row(
        benchmark=uri,
        repetition=repetition,
        reward=reward,
        walltime=walltime,
        actions=list(result.passes),
        details=details,
    )


def _job(task: Task, config: RunConfig, uri: str, repetition: int, output: str) -> tuple[str, int, float]:
    get_dataset(task.dataset)  # a user dataset (manifest path) resolves in this fresh worker process too
    row = run_one(task, config, uri, repetition)
    ResultsDir(output).write_row(row)
    return uri, repetition, row.reward


def run(
    task: Task,
    config: RunConfig,
    output: str | Path,
    progress: Callable[[int, int, str], None] | None = None,
    ray_address: str | None = None,
) -> ResultsDir:
    """Run ``config.agent`` on every benchmark of ``task`` for its repetitions; skip rows already written.

    :param progress: called as ``progress(done, total, message)`` after each finished job.
    :param ray_address: run the jobs as Ray tasks on this cluster (``local``: a Ray started for this run)
        instead of local worker processes (:mod:`rl_compiler.leaderboard.distributed`).
    """
    results = ResultsDir(output)
    uris = benchmark_uris(task)
    if not uris:
        raise ValueError(f"task {task.name}: split {task.split!r} of dataset {task.dataset!r} has no benchmarks")
    results.start(manifest_for(task, config, uris), IDENTITY)
    todo = [(uri, rep) for uri in uris for rep in range(task.repetitions) if not results.has_row(uri, rep)]
    total, done = len(uris) * task.repetitions, len(uris) * task.repetitions - len(todo)
    logger.debug("task %s, agent %s: %d of %d rows to run in %s", task.name, config.agent, len(todo), total, output)
    if progress:
        progress(done, total, "resumed" if done else "started")
    if ray_address is not None:
        from rl_compiler.leaderboard.distributed import run_rows

        def on_row(uri: str) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, total, uri)

        run_rows(run_one, task, config, todo, results, ray_address, on_row)
    elif config.jobs <= 1:
        for uri, rep in todo:
            _job(task, config, uri, rep, str(results.path))
            done += 1
            if progress:
                progress(done, total, uri)
    else:
        # Fresh interpreters (not fork): the parent may hold LLVM state and threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=config.jobs, mp_context=context) as pool:
            futures = [pool.submit(_job, task, config, uri, rep, str(results.path)) for uri, rep in todo]
            for future in as_completed(futures):
                uri, _, _ = future.result()
                done += 1
                if progress:
                    progress(done, total, uri)
    results.write_csv()
    logger.debug("task %s, agent %s: %d rows in %s", task.name, config.agent, total, results.path)
    return results


def default_jobs() -> int:
    """One job per core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
