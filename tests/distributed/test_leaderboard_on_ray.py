"""`leaderboard run --ray` on a real two-node Ray cluster: tasks on both nodes, a killed driver resumed, a
lost worker node; every time exactly one row per (benchmark, repetition), equal to a local run's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rl_compiler.datasets import get_dataset
from rl_compiler.leaderboard.results import ResultsDir
from rl_compiler.leaderboard.verify import verify

pytestmark = pytest.mark.slow

ROWS = 6  # three programs x two repetitions
# A step budget (no time limit) makes the seeded random search deterministic, so runs can be compared.
AGENT = ["--agent", "random", "--budget", "40", "--seed", "3"]


def _command(task: Path, output: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "rl_compiler.cli", "leaderboard", "run", "--task", str(task), *AGENT,
            "-o", str(output), *extra]  # fmt: skip


def _start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=dict(os.environ)
    )


def _finish(process: subprocess.Popen) -> None:
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr.decode()[-3000:]


def _comparable(output: Path) -> dict[tuple[str, int], tuple]:
    """Rows without what legitimately differs between runs (wall time, the Ray node)."""
    rows = {}
    for row in ResultsDir(output).rows():
        details = {k: v for k, v in row.details.items() if k != "ray_node"}
        rows[(row.benchmark, row.repetition)] = (row.reward, tuple(row.actions), json.dumps(details, sort_keys=True))
    return rows


def _wait_for_rows(output: Path, count: int, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list((output / "rows").glob("*.json"))) >= count:
            return
        assert process.poll() is None, process.communicate()[1].decode()[-3000:]
        time.sleep(0.2)
    raise TimeoutError(f"no {count} rows in {output} after {timeout} s")


def _assert_one_row_each(output: Path) -> None:
    files = sorted((output / "rows").glob("*.json"))
    assert len(files) == ROWS and not list((output / "rows").glob(".*.tmp"))
    keys = [(row.benchmark, row.repetition) for row in ResultsDir(output).rows()]
    assert len(set(keys)) == ROWS
    assert (output / "results.csv").read_text().count("\n") == ROWS + 1


@pytest.fixture(scope="module")
def local_reference(tiny_task: Path, tiny_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same run without Ray, one process: what every Ray run must reproduce."""
    get_dataset(str(tiny_dataset))  # its URIs resolve in this process too (for verify)
    output = tmp_path_factory.mktemp("reference") / "local"
    _finish(_start(_command(tiny_task, output, "-j", "1")))
    return _comparable(output)


def test_tasks_run_on_both_nodes(ray_cluster, tiny_task, local_reference, tmp_path):
    output = tmp_path / "both"
    _finish(_start(_command(tiny_task, output, "--ray", ray_cluster.address)))
    _assert_one_row_each(output)
    nodes = {row.details["ray_node"] for row in ResultsDir(output).rows()}
    assert len(nodes) == 2, f"rows came from {len(nodes)} node(s)"
    assert _comparable(output) == local_reference
    assert verify(output).ok


def test_killed_driver_resumes_without_recomputing(ray_cluster, tiny_task, local_reference, tmp_path):
    output = tmp_path / "resumed"
    driver = _start(_command(tiny_task, output, "--ray", ray_cluster.address))
    _wait_for_rows(output, 2, driver)
    os.killpg(driver.pid, signal.SIGKILL)
    driver.wait()
    before = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in (output / "rows").glob("*.json")}
    assert 2 <= len(before) < ROWS, "the driver was not killed mid-run"
    _finish(_start(_command(tiny_task, output, "--ray", ray_cluster.address)))
    for path, (stamp, data) in before.items():  # finished rows were not recomputed
        assert path.stat().st_mtime_ns == stamp and path.read_bytes() == data
    _assert_one_row_each(output)
    assert _comparable(output) == local_reference


def test_lost_worker_node_loses_and_duplicates_no_row(ray_cluster, tiny_task, local_reference, tmp_path):
    output = tmp_path / "lost-node"
    worker = next(node for node in ray_cluster.nodes if not node.head)
    driver = _start(_command(tiny_task, output, "--ray", ray_cluster.address))
    _wait_for_rows(output, 1, driver)
    ray_cluster.kill_node(worker)  # SIGKILL to the node's raylet and workers: the machine is gone
    _finish(driver)
    _assert_one_row_each(output)
    assert _comparable(output) == local_reference
    assert verify(output).ok
    ray_cluster.add_node(num_cpus=1)  # leave the cluster as the fixture made it


def _search(dataset: Path, output: Path, *extra: str) -> list[str]:
    # Greedy with a step budget is deterministic, so a local and a Ray search can be compared.
    return [sys.executable, "-m", "rl_compiler.cli", "search", "--agent", "greedy", "--budget", "25", "--dataset",
            str(dataset), "--split", "test", "--no-run", "--no-progress", "-o", str(output), *extra]  # fmt: skip


def _by_benchmark(output: Path) -> dict[str, tuple]:
    results = json.loads(output.read_text())["results"]
    return {r["benchmark"]: (r["pipeline"], r["ic_final"], r["text_final"]) for r in results}


def test_search_killed_and_resumed_on_the_cluster_matches_a_local_search(ray_cluster, tiny_dataset, tmp_path):
    local, distributed = tmp_path / "local.json", tmp_path / "ray.json"
    _finish(_start(_search(tiny_dataset, local)))
    journal = tmp_path / "ray.json.parts"
    driver = _start(_search(tiny_dataset, distributed, "--ray", ray_cluster.address))
    deadline = time.monotonic() + 300
    while not list(journal.glob("result-*.json")) and time.monotonic() < deadline:
        assert driver.poll() is None, driver.communicate()[1].decode()[-3000:]
        time.sleep(0.1)
    os.killpg(driver.pid, signal.SIGKILL)
    driver.wait()
    journaled = [json.loads(path.read_text()) for path in journal.glob("result-*.json")]
    assert journaled and not distributed.exists(), "the driver was not killed mid-run"
    _finish(_start(_search(tiny_dataset, distributed, "--ray", ray_cluster.address)))
    final = {r["benchmark"]: r for r in json.loads(distributed.read_text())["results"]}
    for done in journaled:  # taken from the journal, not recomputed: the very same measured wall time
        assert final[done["benchmark"]]["wall_time"] == done["wall_time"]
    assert _by_benchmark(distributed) == _by_benchmark(local) and len(_by_benchmark(local)) == 3
    assert not journal.exists()  # removed once the output is written
