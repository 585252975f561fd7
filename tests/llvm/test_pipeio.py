"""`PipeWaiter` and `MessageReader` on real pipes (a bounded spin, then sleep), and `RL_COMPILER_SPIN_US`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from rl_compiler.llvm.pipeio import (
    BACKOFF_MIN_ENV,
    CONTENDED_BACKOFF,
    DEFAULT_BACKOFF_MIN_US,
    DEFAULT_SPIN_CAP_US,
    DEFAULT_SPIN_US,
    ESCAPE_CHECK_ENV,
    ESCAPE_ENV,
    SPIN_CAP_ENV,
    SPIN_ENV,
    WORKER_SPIN_ENV,
    MessageReader,
    PipeWaiter,
    backoff_min_seconds,
    escape_checked,
    escape_enabled,
    escape_level,
    frame,
    spin_cap_seconds,
    spin_seconds,
)


@pytest.fixture
def pipe():
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    for fd in (read_fd, write_fd):
        try:
            os.close(fd)
        except OSError:
            pass


def write_later(fd: int, delay: float, data: bytes = b"x") -> threading.Thread:
    def write() -> None:
        time.sleep(delay)
        os.write(fd, data)

    thread = threading.Thread(target=write)
    thread.start()
    return thread


@pytest.mark.parametrize("spin", [0.0, 250e-6, 0.05])
def test_wait_returns_when_a_message_arrives_before_during_or_after_the_spin(pipe, spin):
    read_fd, write_fd = pipe
    waiter = PipeWaiter(read_fd, spin=spin)
    os.write(write_fd, b"now")
    assert waiter.wait(1.0)
    assert os.read(read_fd, 16) == b"now"
    for delay in (0.0001, 0.02):  # within a long spin, and after a short one
        thread = write_later(write_fd, delay)
        assert waiter.wait(5.0)
        thread.join()
        assert os.read(read_fd, 16) == b"x"


@pytest.mark.parametrize("adaptive", [True, False])
def test_wait_times_out_without_a_message(pipe, adaptive):
    read_fd, _ = pipe
    waiter = PipeWaiter(read_fd, adaptive=adaptive, spin=0.001)
    start = time.monotonic()
    assert not waiter.wait(0.05)
    assert time.monotonic() - start >= 0.04
    assert not waiter.wait(0.0)
    # After a long wait an adaptive waiter sleeps at once; either way it still sees the next message.
    os.write(pipe[1], b"y")
    assert waiter.wait(1.0)


def test_wait_reports_a_closed_writer(pipe):
    read_fd, write_fd = pipe
    waiter = PipeWaiter(read_fd, spin=0.001)
    os.close(write_fd)
    assert waiter.wait(1.0)
    assert os.read(read_fd, 16) == b""


def test_spin_setting(monkeypatch):
    multi_cpu = len(os.sched_getaffinity(0)) > 1
    monkeypatch.delenv(SPIN_ENV, raising=False)
    assert spin_seconds() == (DEFAULT_SPIN_US * 1e-6 if multi_cpu else 0.0)
    monkeypatch.setenv(SPIN_ENV, "0")
    assert spin_seconds() == 0.0
    monkeypatch.setenv(SPIN_ENV, "40")
    assert spin_seconds() == pytest.approx(40e-6 if multi_cpu else 0.0)
    for bad in ("fast", "-5"):
        monkeypatch.setenv(SPIN_ENV, bad)
        with pytest.raises(ValueError, match=SPIN_ENV):
            spin_seconds()


def test_the_worker_spin_setting_applies_to_the_worker_only(monkeypatch):
    scale = 1e-6 if len(os.sched_getaffinity(0)) > 1 else 0.0
    monkeypatch.setenv(SPIN_ENV, "40")
    monkeypatch.delenv(WORKER_SPIN_ENV, raising=False)
    assert spin_seconds(worker=True) == pytest.approx(40 * scale)  # unset: the common window
    monkeypatch.setenv(WORKER_SPIN_ENV, "1000")
    assert spin_seconds(worker=True) == pytest.approx(1000 * scale)
    assert spin_seconds() == pytest.approx(40 * scale)
    monkeypatch.setenv(WORKER_SPIN_ENV, "slow")
    with pytest.raises(ValueError, match=WORKER_SPIN_ENV):
        spin_seconds(worker=True)


def test_spin_cap_and_escape_settings(monkeypatch):
    scale = 1e-6 if len(os.sched_getaffinity(0)) > 1 else 0.0
    monkeypatch.delenv(SPIN_ENV, raising=False)
    monkeypatch.delenv(SPIN_CAP_ENV, raising=False)
    assert spin_cap_seconds() == pytest.approx(DEFAULT_SPIN_CAP_US * scale)
    monkeypatch.setenv(SPIN_CAP_ENV, "3000")
    assert spin_cap_seconds() == pytest.approx(3000 * scale)
    monkeypatch.setenv(SPIN_ENV, "0")
    assert spin_cap_seconds() == 0.0  # spinning disabled: no adaptive window either
    monkeypatch.delenv(SPIN_ENV)
    for bad in ("long", "-1"):
        monkeypatch.setenv(SPIN_CAP_ENV, bad)
        with pytest.raises(ValueError, match=SPIN_CAP_ENV):
            spin_cap_seconds()
    monkeypatch.delenv(ESCAPE_ENV, raising=False)
    assert escape_enabled()  # the default
    for value, enabled, level in [("1", True, 1), ("0", False, 0), ("", False, 0), ("2", True, 2)]:
        monkeypatch.setenv(ESCAPE_ENV, value)
        assert escape_enabled() is enabled and escape_level() == level
    monkeypatch.delenv(ESCAPE_CHECK_ENV, raising=False)
    assert escape_checked()  # the default: move only off the peer's CPU
    for value, checked in [("1", True), ("0", False), ("", False)]:
        monkeypatch.setenv(ESCAPE_CHECK_ENV, value)
        assert escape_checked() is checked


def test_the_first_back_off_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(BACKOFF_MIN_ENV, raising=False)
    assert backoff_min_seconds() == pytest.approx(DEFAULT_BACKOFF_MIN_US * 1e-6)
    monkeypatch.setenv(BACKOFF_MIN_ENV, "5000")
    assert backoff_min_seconds() == pytest.approx(0.005)
    monkeypatch.setenv(BACKOFF_MIN_ENV, "5000000")
    assert backoff_min_seconds() == CONTENDED_BACKOFF  # never longer than the longest back-off
    monkeypatch.setenv(BACKOFF_MIN_ENV, "soon")
    with pytest.raises(ValueError, match=BACKOFF_MIN_ENV):
        backoff_min_seconds()


def test_a_single_cpu_process_never_spins():
    code = "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); " + (
        "from rl_compiler.llvm.pipeio import spin_seconds; print(spin_seconds())"
    )
    env = {**os.environ, SPIN_ENV: "500"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert float(result.stdout) == 0.0


def test_messages_split_or_joined_arrive_whole_and_in_order(pipe):
    read_fd, write_fd = pipe
    reader = MessageReader(read_fd, spin=0.0)
    big = bytes(range(256)) * 1024  # larger than one read
    os.write(write_fd, frame(b"one") + frame(b"") + frame(b"three")[:5])
    assert reader.read(1.0) == b"one"
    assert reader.read(1.0) == b""
    thread = threading.Thread(target=lambda: (time.sleep(0.02), os.write(write_fd, frame(b"three")[5:])))
    thread.start()
    assert reader.read(5.0) == b"three"
    thread.join()
    thread = threading.Thread(target=lambda: os.write(write_fd, frame(big)))
    thread.start()
    assert reader.read(5.0) == big
    thread.join()


def test_message_reader_reports_timeout_and_end_of_input(pipe):
    read_fd, write_fd = pipe
    reader = MessageReader(read_fd, spin=0.001)
    os.write(write_fd, frame(b"partial")[:6])
    with pytest.raises(TimeoutError):
        reader.read(0.05)
    os.close(write_fd)
    assert reader.read(1.0) is None


def test_a_contested_yield_stops_the_spin_for_a_while(pipe, monkeypatch):
    """Once a yield ran another task (here: every yield counts as contested), waits sleep at once."""
    import rl_compiler.llvm.pipeio as pipeio

    read_fd, _ = pipe
    yields = []
    real_yield = os.sched_yield
    monkeypatch.setattr(pipeio, "CONTENDED_YIELD", -1.0)
    monkeypatch.setattr(pipeio.os, "sched_yield", lambda: yields.append(1) or real_yield())
    waiter = PipeWaiter(read_fd, adaptive=False, spin=0.05, quiet=0.0)  # every long yield backs off
    assert not waiter.wait(0.01)
    assert len(yields) == 1  # the first yield was contested: no more spinning
    assert not waiter.wait(0.01)
    assert len(yields) == 1  # still backing off
    monkeypatch.setattr(pipeio, "CONTENDED_BACKOFF", 0.0)
    waiter._calm_after = 0.0
    monkeypatch.setattr(pipeio, "CONTENDED_YIELD", 1.0)
    assert not waiter.wait(0.01)
    assert len(yields) > 2  # calm again: it spins until the timeout


@pytest.mark.parametrize("busy", [False, True])
def test_a_long_yield_backs_off_only_on_a_busy_machine(pipe, monkeypatch, busy):
    """With a quiet-yield threshold, a yield over CONTENDED_YIELD but under it (the peer ran on this CPU)
    makes only that wait sleep, unless the machine is busy: then the spin stops for a while as before."""
    import rl_compiler.llvm.pipeio as pipeio

    read_fd, _ = pipe
    yields = []
    real_yield = os.sched_yield
    monkeypatch.setattr(pipeio, "CONTENDED_YIELD", -1.0)  # every yield ran another task
    monkeypatch.setattr(pipeio, "machine_busy", lambda: busy)
    monkeypatch.setattr(pipeio.os, "sched_yield", lambda: yields.append(1) or real_yield())
    waiter = PipeWaiter(read_fd, adaptive=False, spin=0.05, quiet=10.0)
    assert not waiter.wait(0.01)
    assert not waiter.wait(0.01)
    assert len(yields) == (1 if busy else 2)  # each wait spins until its first long yield, unless backing off


def test_machine_busy_reads_the_running_count(monkeypatch, tmp_path):
    import rl_compiler.llvm.pipeio as pipeio

    loadavg = tmp_path / "loadavg"
    monkeypatch.setattr(pipeio, "_LOADAVG", str(loadavg))
    monkeypatch.setattr(pipeio.os, "cpu_count", lambda: 2)
    for text, busy in [("0.50 0.40 0.30 2/300 1234\n", False), ("3.1 2.0 1.0 3/300 1234\n", True), ("", True)]:
        loadavg.write_text(text)
        monkeypatch.setattr(pipeio, "_busy", [-1.0, None])
        assert pipeio.machine_busy() is busy
    loadavg.write_text("0.5 0.4 0.3 1/300 1234\n")
    assert pipeio.machine_busy() is True  # looked up at most every 20 ms: still the last answer
