"""The worker's fast lane (`serve.c`): steps answered natively, exactly as the Python path answers them,
and recovered like any other request when the worker dies during one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest
from llvm_programs import (
    FATAL_PIPELINE,
    SEGFAULT_PIPELINE,
    SEQUENCE,
    reference_state,
    session_state,
)
from process_checks import wait_dead

from rl_compiler.llvm import engine, fastlane
from rl_compiler.llvm.errors import LLVMError, PassPipelineError, WorkerCrashError, WorkerTimeoutError
from rl_compiler.llvm.session import Session

QUERIES = ("fingerprint", "instruction_count", "autophase", "inst_count", "features")


def _same(a: object, b: object) -> bool:
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and (a == b).all()
    return type(a) is type(b) and a == b


def test_native_steps_answer_as_the_module_does(program: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(program) as fast, Session(program, isolated=False) as local:
        monkeypatch.setenv(fastlane.FAST_LANE_ENV, "0")
        with Session(program) as slow:
            assert fast._slot.worker.fast_lane and not slow._slot.worker.fast_lane
            for k, pipeline in enumerate(SEQUENCE):
                queries = QUERIES[k % 5 :] + QUERIES[: k % 5] + ("ir_sha1",) * (k % 2)  # any order, a slow one
                expected = local.step(pipeline, queries)
                assert _same(fast.step(pipeline, queries), expected)
                assert _same(slow.step(pipeline, queries), expected)
            assert fast.history == slow.history == local.history
            assert session_state(fast) == session_state(local)
            assert fast.step("function(dce)", ()) == ()
            assert fast.step("globaldce", ("autophase",))[0].flags.writeable


def test_native_step_errors_keep_their_type_and_message(program: bytes) -> None:
    with Session(program) as fast, Session(program, isolated=False) as local:
        for pipeline in ("function(no-such-pass)", "function(sroa", "", "default<Oz>"):
            with pytest.raises(PassPipelineError) as isolated_error:
                fast.step(pipeline, ("fingerprint",))
            with pytest.raises(PassPipelineError) as local_error:
                local.step(pipeline, ("fingerprint",))
            assert str(isolated_error.value) == str(local_error.value)
        assert fast.history == [] and fast.recoveries == 0
        with pytest.raises(ValueError, match="read-only"):
            fast.step("function(dce)", ("run_passes",))


def test_encode_step_leaves_what_python_checks_to_the_pickle_path() -> None:
    assert fastlane.encode_step(3, "function(sroa)", ("fingerprint", "autophase")) is not None
    for pipeline, queries in [(" ", ()), ("default<O2>", ()), ("a\0b", ()), ("sroa", ("ir",))]:
        assert fastlane.encode_step(3, pipeline, queries) is None
    with pytest.raises(LLVMError, match="rejected"):
        fastlane.decode_step(b"S\x04bad", "sroa", ())


def test_segfault_in_a_native_step_is_recovered(crasher: bytes) -> None:
    with Session(crasher) as s:
        s.step("function(early-cse)", ("fingerprint",))
        before = session_state(s)
        with pytest.raises(WorkerCrashError) as info:
            s.step(SEGFAULT_PIPELINE, ("fingerprint", "autophase"))
        assert "SIGSEGV" in str(info.value) and SEGFAULT_PIPELINE in str(info.value)
        assert s.recoveries == 2 and s.history == ["function(early-cse)"] and session_state(s) == before
        (count,) = s.step("function(simplifycfg)", ("instruction_count",))
        assert count == reference_state(crasher, ["function(early-cse)", "function(simplifycfg)"])[2]


def test_llvm_fatal_error_in_a_native_step_is_recovered(fatal: bytes) -> None:
    with Session(fatal) as s:
        with pytest.raises(WorkerCrashError, match="LLVM ERROR"):
            s.step(FATAL_PIPELINE, ("instruction_count",))
        assert s.history == [] and session_state(s) == reference_state(fatal, [])


@pytest.mark.slow
def test_worker_killed_during_a_native_step_retries_it(program: bytes) -> None:
    # No "<O" in it: a default<O3> pipeline goes through the Python path.
    heavy = ",".join(["function(gvn,instcombine<no-verify-fixpoint>,simplifycfg),cgscc(inline)"] * 1000)
    with Session(program) as s:
        s.step("function(sroa)", ())
        victim = s.pid
        threading.Timer(0.02, os.kill, (victim, signal.SIGKILL)).start()
        (count,) = s.step(heavy, ("instruction_count",))
        assert wait_dead(victim)
        assert s.recoveries == 1
        assert count == reference_state(program, ["function(sroa)", heavy])[2]


def test_timeout_in_a_native_step_is_recovered(program: bytes) -> None:
    with Session(program) as s:
        s.step("function(sroa)", ())
        before = session_state(s)
        s.timeout = 0.2
        slow = ",".join(["function(gvn,instcombine<no-verify-fixpoint>,simplifycfg),cgscc(inline)"] * 20000)
        with pytest.raises(WorkerTimeoutError, match="0.2 s"):
            s.step(slow, ("instruction_count",))
        assert session_state(s) == before and s.history == ["function(sroa)"]
        (count,) = s.step("function(early-cse)", ("instruction_count",))
        assert count == reference_state(program, ["function(sroa)", "function(early-cse)"])[2]


@pytest.fixture(params=["native", "python"])
def caller(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Sessions started under this fixture send fast-lane steps from C (native) or from Python (struct)."""
    monkeypatch.setenv(fastlane.NATIVE_CALLER_ENV, "1" if request.param == "native" else "0")
    return request.param


def test_native_and_python_callers_give_identical_steps(program: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(program) as native:
        monkeypatch.setenv(fastlane.NATIVE_CALLER_ENV, "0")
        with Session(program) as python:
            assert native._slot.worker._native is not None and python._slot.worker._native is None
            for k, pipeline in enumerate(SEQUENCE * 2):
                queries = QUERIES[k % 5 :] + QUERIES[: k % 5]
                assert _same(native.step(pipeline, queries), python.step(pipeline, queries))
            assert native.history == python.history and session_state(native) == session_state(python)
            for pipeline in ("function(no-such-pass)", "function(sroa"):
                with pytest.raises(PassPipelineError) as native_error:
                    native.step(pipeline, ("fingerprint",))
                with pytest.raises(PassPipelineError) as python_error:
                    python.step(pipeline, ("fingerprint",))
                assert str(native_error.value) == str(python_error.value)


#: Wait policies of the fast lane (``serve.c``): a fixed spin window, windows that adapt to the recent waits,
#: and those with moves off a CPU shared with the peer.
WAIT_POLICIES = {
    "fixed": {"RL_COMPILER_SPIN_CAP_US": "0", "RL_COMPILER_QUIET_YIELD_US": "0", "RL_COMPILER_SPIN_ESCAPE": "0"},
    "adaptive": {"RL_COMPILER_SPIN_CAP_US": "5000", "RL_COMPILER_QUIET_YIELD_US": "0", "RL_COMPILER_SPIN_ESCAPE": "0"},
    "escape": {"RL_COMPILER_SPIN_CAP_US": "5000", "RL_COMPILER_QUIET_YIELD_US": "1000", "RL_COMPILER_SPIN_ESCAPE": "1"},
    "unchecked escape": {
        "RL_COMPILER_SPIN_CAP_US": "5000",
        "RL_COMPILER_QUIET_YIELD_US": "1000",
        "RL_COMPILER_SPIN_ESCAPE": "1",
        "RL_COMPILER_ESCAPE_CHECK": "0",
    },
}


@pytest.fixture(params=sorted(WAIT_POLICIES))
def wait_policy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Sessions (and their workers) started under this fixture wait with this policy."""
    for name, value in WAIT_POLICIES[request.param].items():
        monkeypatch.setenv(name, value)
    return request.param


def test_every_wait_policy_gives_the_same_steps_and_recovers(wait_policy: str, crasher: bytes) -> None:
    with Session(crasher) as s, Session(crasher, isolated=False) as local:
        for session in (s, local):
            session.step("function(early-cse)", ("fingerprint",))
        with pytest.raises(WorkerCrashError, match="SIGSEGV"):
            s.step(SEGFAULT_PIPELINE, ("fingerprint",))
        assert session_state(s) == session_state(local)
        for k, pipeline in enumerate(SEQUENCE * 4):  # more steps than the windows' history (32)
            queries = QUERIES[k % 5 :] + QUERIES[: k % 5]
            assert _same(s.step(pipeline, queries), local.step(pipeline, queries))
        assert s._slot.worker._native._state.replies_count == 4 * len(SEQUENCE)  # each reply's time was kept
        before = session_state(s)
        s.timeout = 0.2
        slow = ",".join(["function(gvn,instcombine<no-verify-fixpoint>,simplifycfg),cgscc(inline)"] * 20000)
        with pytest.raises(WorkerTimeoutError, match="0.2 s"):
            s.step(slow, ("instruction_count",))
        assert session_state(s) == before and s.history == local.history


def test_caller_segfault_and_timeout_are_recovered(caller: str, crasher: bytes) -> None:
    with Session(crasher) as s:
        s.step("function(early-cse)", ("fingerprint",))
        assert (s._slot.worker._native is not None) == (caller == "native")
        before = session_state(s)
        with pytest.raises(WorkerCrashError, match="SIGSEGV"):
            s.step(SEGFAULT_PIPELINE, ("fingerprint", "autophase"))
        assert s.recoveries == 2 and session_state(s) == before
        s.timeout = 0.2
        slow = ",".join(["function(gvn,instcombine<no-verify-fixpoint>,simplifycfg),cgscc(inline)"] * 20000)
        with pytest.raises(WorkerTimeoutError, match="0.2 s"):
            s.step(slow, ("instruction_count",))
        assert session_state(s) == before and s.history == ["function(early-cse)"]


@pytest.mark.slow
def test_worker_killed_during_a_python_caller_step_retries_it(program: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    # The test above kills the worker under a native caller (the default); here the same under the Python one.
    monkeypatch.setenv(fastlane.NATIVE_CALLER_ENV, "0")
    test_worker_killed_during_a_native_step_retries_it(program)


def test_a_signal_during_a_native_step_does_not_lose_its_reply(program: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    # The C caller returns to Python when a signal interrupts its wait; Python runs the handler and reads the
    # reply itself. A handler that does not raise must leave the step, and the worker, untouched.
    monkeypatch.setenv(fastlane.NATIVE_CALLER_ENV, "1")
    monkeypatch.setenv("RL_COMPILER_SPIN_US", "0")  # wait in poll(), where the signal lands
    seen: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda number, frame: seen.append(number))
    heavy = ",".join(["function(gvn,instcombine<no-verify-fixpoint>,simplifycfg),cgscc(inline)"] * 3000)  # > 0.02 s
    try:
        with Session(program) as s:
            s.step("function(sroa)", ())
            pid, worker = s.pid, s._slot.worker
            receive = worker._receive
            read_in_python = []
            monkeypatch.setattr(worker, "_receive", lambda *a: read_in_python.append(1) or receive(*a))
            timer = threading.Timer(0.02, signal.pthread_kill, (threading.main_thread().ident, signal.SIGUSR1))
            timer.start()
            (count,) = s.step(heavy, ("instruction_count",))
            timer.join()
            assert seen == [signal.SIGUSR1] and read_in_python == [1]
            assert s.pid == pid and s.recoveries == 0
            assert count == reference_state(program, ["function(sroa)", heavy])[2]
            assert s.step("function(early-cse)", ("instruction_count",))[0] == session_state(s)[2]
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_the_worker_reports_what_its_waits_did(program: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(program) as fast:
        worker = fast._slot.worker
        before = worker.request(0, "wait_stats", (), 30.0)
        for pipeline in SEQUENCE[:5]:
            fast.step(pipeline, ("instruction_count",))
        after = worker.request(0, "wait_stats", (), 30.0)
        assert after["served"] - before["served"] == 5
        assert after["serving"] > before["serving"] >= 0
        sleeps = ("sleeps idle", "sleeps calm", "sleeps window", "sleeps yield")
        assert all(after[key] >= before[key] for key in ("yields", "contested", "moves", *sleeps))
    monkeypatch.setenv(fastlane.FAST_LANE_ENV, "0")
    with Session(program) as slow:
        assert slow._slot.worker.request(0, "wait_stats", (), 30.0) is None


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_a_waiter_moves_only_off_the_cpu_its_peer_is_on() -> None:
    # serve.c's check before a move off a CPU (RL_COMPILER_ESCAPE_CHECK): is a thread of the peer process on it?
    here, there = sorted(os.sched_getaffinity(0))[:2]
    code = f"import os, time; os.sched_setaffinity(0, {{{there}}}); print('pinned', flush=True); time.sleep(60)"
    peer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert peer.stdout is not None and peer.stdout.readline() == "pinned\n"
        on_cpu = engine.caller_lib().rlc_peer_on_cpu
        assert on_cpu(peer.pid, there) == 1
        assert on_cpu(peer.pid, here) == 0
        assert on_cpu(0, here) == 1  # no peer given: move as before the check
    finally:
        peer.kill()
        peer.wait()
        assert peer.stdout is not None
        peer.stdout.close()
    assert on_cpu(peer.pid, here) == 1  # a peer that cannot be looked up: move as before the check
