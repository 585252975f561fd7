"""A real multi-node Ray cluster on this machine, for tests and benchmarks: ``ray start --head`` plus
worker nodes joined with ``ray start --address``, each its own raylet with its own CPUs.

Every node runs ``ray start --block`` in its own process group, started like every child of rl-compiler
(:func:`rl_compiler.llvm.processes.spawn`), so a node can be stopped (SIGTERM: Ray drains and exits) or killed
outright (SIGKILL to the group: a lost machine) without touching any other Ray on the machine (``ray stop``
would stop them all). A node dies with the process that started it, even one killed by SIGKILL: ``ray start``
by its parent-death signal, and the rest of its group (Ray's own fate sharing leaves the dashboard and
runtime-env agents running) by a watchdog in the group that kills it when the starter's end of a pipe closes.
Session files go to a private temporary directory that :meth:`LocalCluster.shutdown` removes; ports are chosen
free, so clusters never collide.

    with LocalCluster(head_cpus=1) as cluster:
        cluster.add_node(num_cpus=1)
        run(..., ray_address=cluster.address)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rl_compiler.distributed.cluster import require_ray
from rl_compiler.llvm.processes import kill_group, spawn
from rl_compiler.llvm.tempdirs import make_private_dir

#: What ``ray start`` prints once its node has joined the cluster.
READY = "Ray runtime started."


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ray_command() -> list[str]:
    # The ray CLI of this interpreter (so the nodes run the same Python and packages as the driver).
    return [sys.executable, "-c", "import sys; from ray.scripts.scripts import main; sys.exit(main())"]


# Runs as the node's process (argv: the pipe's read end, then the command): forks the watchdog, which waits for
# the starter's end of the pipe to close (its exit, however it ends) and then kills the node's group, and becomes
# the command (same pid: the group leader, its parent-death signal kept across exec; a fork's child has none).
_WITH_WATCHDOG = """
import os, signal, sys
fd = int(sys.argv[1])
if os.fork() == 0:
    while os.read(fd, 1):
        pass
    os.killpg(0, signal.SIGKILL)
os.close(fd)
os.execv(sys.argv[2], sys.argv[2:])
"""


@dataclass
class Node:
    """One ``ray start --block`` process (the process group leader of the node's Ray processes)."""

    process: subprocess.Popen
    log: Path
    head: bool
    #: The starter's end of the watchdog's pipe: closing it (or exiting) kills the node.
    lifeline: int

    @property
    def pid(self) -> int:
        return self.process.pid


class LocalCluster:
    """A head node (``head_cpus`` CPUs) started at construction; add worker nodes with :meth:`add_node`.

    :param head_cpus: CPUs the head node offers to tasks.
    :param timeout: seconds to wait for a node to join.
    """

    def __init__(self, head_cpus: int = 1, timeout: float = 90.0) -> None:
        require_ray("a local Ray cluster")
        self.timeout = timeout
        self.temp_dir = make_private_dir("ray")
        self.nodes: list[Node] = []
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        try:
            self._start(
                [
                    "--head",
                    "--port",
                    str(self.port),
                    "--include-dashboard",
                    "false",
                    "--dashboard-port",
                    str(free_port()),
                ],
                head_cpus,
                head=True,
            )
        except BaseException:
            self.shutdown()
            raise

    def add_node(self, num_cpus: int = 1) -> Node:
        """Join one more node (its own raylet) with ``num_cpus`` CPUs; return it once the cluster sees it."""
        return self._start(["--address", self.address], num_cpus, head=False)

    def _start(self, args: list[str], num_cpus: int, head: bool) -> Node:
        log = self.temp_dir / f"node-{len(self.nodes)}.log"
        # Ray turns token authentication on for a head node when ~/.ray/auth_token exists but not for a joining
        # node; one explicit mode keeps the nodes agreeing. The cluster listens for this machine's tests only.
        env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="disabled")
        env.pop("RAY_ADDRESS", None)
        command = _ray_command() + [
            "start", "--block", "--num-cpus", str(num_cpus), "--temp-dir", str(self.temp_dir),
            "--disable-usage-stats", "--dashboard-agent-listen-port", str(free_port()),
            "--dashboard-agent-grpc-port", str(free_port()), "--runtime-env-agent-port", str(free_port()),
            "--metrics-export-port", str(free_port()), "--ray-client-server-port", str(free_port()), *args,
        ]  # fmt: skip
        read_end, lifeline = os.pipe()
        try:
            with open(log, "wb") as out:
                watched = [sys.executable, "-c", _WITH_WATCHDOG, str(read_end), *command]
                process = spawn(watched, stdout=out, stderr=subprocess.STDOUT, env=env, pass_fds=(read_end,))
        except BaseException:
            os.close(lifeline)
            raise
        finally:
            os.close(read_end)
        node = Node(process, log, head, lifeline)
        self.nodes.append(node)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"ray start exited with {process.returncode}: {log.read_text()[-2000:]}")
            if READY in log.read_text(errors="replace"):  # printed once the node is registered with the GCS
                return node
            time.sleep(0.5)
        raise TimeoutError(f"a Ray node did not join within {self.timeout:.0f} s: {log.read_text()[-2000:]}")

    def kill_node(self, node: Node) -> None:
        """Kill a node and every process of it at once (SIGKILL to its group): the machine is lost."""
        kill_group(node.process, timeout=None)
        _close(node)

    def stop_node(self, node: Node, timeout: float = 30.0) -> None:
        """Stop a node the way ``ray stop`` would for it alone: SIGTERM, then SIGKILL what is left."""
        if node.process.poll() is None:
            node.process.send_signal(signal.SIGTERM)
            try:
                node.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        kill_group(node.process, timeout=None)
        _close(node)

    def shutdown(self) -> None:
        """Stop every node (workers first), then remove the session files."""
        for node in reversed(self.nodes):
            self.stop_node(node)
        self.nodes.clear()
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def __enter__(self) -> LocalCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def _close(node: Node) -> None:
    if node.lifeline >= 0:
        os.close(node.lifeline)
        node.lifeline = -1
