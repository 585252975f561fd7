"""Session limits against hostile modules: the worker's memory limit, baselines under the timeout, and
every recovery counted whichever call met the lost worker."""

from __future__ import annotations

import os
import signal
import time

import pytest

from rl_compiler.data import data_path
from rl_compiler.datasets import get_benchmark
from rl_compiler.llvm.errors import WorkerMemoryError, WorkerTimeoutError
from rl_compiler.llvm.session import Session

MiB = 1 << 20


def _hostile(name: str) -> bytes:
    return get_benchmark(str(data_path("benchmarks", "hostile", name))).bitcode("size")


@pytest.mark.slow
def test_inline_bomb_hits_the_memory_limit_and_the_session_survives() -> None:
    with Session(_hostile("inline_bomb.c"), memory_limit=512 * MiB, timeout=120) as session:
        before = session.sha1()
        with pytest.raises(WorkerMemoryError, match="memory limit of 512 MiB") as error:
            session.run_passes("always-inline")
        assert "out of memory" in error.value.stderr
        assert session.recoveries == 2 and session.history == [] and session.sha1() == before
        session.run_passes("function(sroa)")
        assert session.history == ["function(sroa)"]


def test_baselines_run_in_the_worker_within_the_timeout() -> None:
    with Session(_hostile("unroll.c"), timeout=2) as session:
        start = time.monotonic()
        with pytest.raises(WorkerTimeoutError, match=r"calling baselines\(\) \(no reply within 2 s\)"):
            session.baselines()
        assert time.monotonic() - start < 2 + 10  # one timeout (no retry), then the rebuild
        assert session.instruction_count() > 0  # usable
    with Session(get_benchmark("benchmark://builtin-v0/crc32").bitcode()) as session:
        baselines = session.baselines()
        assert baselines.ic_O0 == session.instruction_count() and 0 < baselines.ic_Oz < baselines.ic_O0


def test_memory_limit_is_checked() -> None:
    bitcode = get_benchmark("benchmark://builtin-v0/crc32").bitcode()
    with pytest.raises(ValueError, match="memory_limit must be at least 512 MiB"):
        Session(bitcode, memory_limit=100 * MiB)
    with Session(bitcode, memory_limit=None) as unlimited:
        assert unlimited.memory_limit is None and unlimited.sibling(bitcode).memory_limit is None


def test_a_new_session_meeting_a_lost_worker_counts_a_recovery() -> None:
    bitcode = get_benchmark("benchmark://builtin-v0/crc32").bitcode()
    with Session(bitcode) as session:
        os.kill(session.pid, signal.SIGKILL)
        time.sleep(0.1)
        sibling = session.sibling(bitcode)  # its first request meets the dead worker
        assert sibling.recoveries == 1 and "SIGKILL" in sibling.last_failure
        session.instruction_count()  # rebuilt because another call lost the worker: counted too
        assert session.recoveries == 1 and "worker was lost" in session.last_failure
        sibling.close()


def test_bounded_cancels_the_calls_inside_only_and_restores_the_timeout() -> None:
    slow = ",".join(["function(instcombine),function(gvn)"] * 10000)  # seconds on kmp, where -Oz takes 0.1 s
    with Session(get_benchmark("benchmark://builtin-v0/kmp").bitcode(), timeout=60) as session:
        with session.bounded(0.05):
            assert session.timeout == 0.05 and not session.retry_timeouts
            start = time.monotonic()
            with pytest.raises(WorkerTimeoutError):
                session.run_passes(slow)
            assert time.monotonic() - start < 5  # cancelled once, not retried
        assert session.timeout == 60 and session.retry_timeouts
        session.run_passes("function(sroa)")  # the session is usable again, without the deadline
        assert session.history == ["function(sroa)"]


def test_bounded_is_one_deadline_for_every_call_inside_a_rebuild_included() -> None:
    """Each request in the block gets what is left of the deadline, not the whole bound again: here a new worker
    starts and rebuilds the module (the last one was killed) 2 s into a 3 s bound, and the slow call is cancelled
    about 1 s later (before: 3 s after the rebuild)."""
    slow = ",".join(["function(instcombine),function(gvn)"] * 10000)  # seconds on kmp, where -Oz takes 0.1 s
    with Session(get_benchmark("benchmark://builtin-v0/kmp").bitcode(), timeout=60) as session:
        session.run_passes("function(sroa)")  # rebuilding replays this
        os.kill(session.pid, signal.SIGKILL)
        with session.bounded(3.0):
            time.sleep(2.0)
            start = time.monotonic()
            with pytest.raises(WorkerTimeoutError):
                session.run_passes(slow)
            assert time.monotonic() - start < 2.5  # a whole new 3 s bound would take at least 3 s
            pid = session.pid
            with pytest.raises(WorkerTimeoutError, match="the deadline of cancel_after passed"):
                session.instruction_count()  # past the deadline: not sent
            assert session.pid == pid  # and no worker was killed or started for it
        assert session.history == ["function(sroa)"] and session.instruction_count() > 0
