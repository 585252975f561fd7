"""A local Ray cluster (rl_compiler.distributed.local_cluster) dies with the process that started it, even when
that process is killed outright: its nodes are started like every child of rl-compiler."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ray_checks import pids_mentioning, processes_in_group

pytestmark = pytest.mark.slow

# A driver that starts a one-node cluster, says where its session files are, and waits to be killed.
DRIVER = """
import sys
from rl_compiler.distributed.local_cluster import LocalCluster
cluster = LocalCluster(head_cpus=1)
print(cluster.temp_dir, cluster.nodes[0].pid, flush=True)
sys.stdin.read()
"""


def test_a_killed_driver_takes_its_ray_nodes_down() -> None:
    pytest.importorskip("ray")
    driver = subprocess.Popen([sys.executable, "-c", DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    temp_dir, group = "", 0
    try:
        temp_dir, node = driver.stdout.readline().split()
        group = int(node)  # the node's process group: ray start and every Ray process of the node
        assert pids_mentioning(temp_dir) and len(processes_in_group(group)) > 2, "the node runs"
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        deadline = time.monotonic() + 30
        while processes_in_group(group) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:80] for pid in processes_in_group(group)}
        assert left == {}, "Ray processes outlived the process that started them"
        assert pids_mentioning(temp_dir) == {}
    finally:
        driver.kill()
        driver.wait()
        driver.stdin.close()
        driver.stdout.close()
        if group:  # what a failure left: this test's cluster only
            for pid in [*processes_in_group(group), *pids_mentioning(temp_dir)]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            shutil.rmtree(temp_dir, ignore_errors=True)
