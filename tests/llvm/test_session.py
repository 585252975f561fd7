"""Crash isolation: `Session` against real worker processes and real LLVM crashes, hangs and kills."""

from __future__ import annotations

import gc
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from llvm_programs import FATAL_PIPELINE, SEGFAULT_PIPELINE, SEQUENCE, reference_state, session_state
from process_checks import alive, wait_dead

from rl_compiler.llvm.errors import (
    ModuleParseError,
    PassPipelineError,
    VerifierError,
    WorkerCrashError,
    WorkerTimeoutError,
)
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.session import Session


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


# -- the API, in both modes --------------------------------------------------------------------------


@pytest.mark.parametrize("isolated", [True, False], ids=["isolated", "in-process"])
def test_session_matches_module(program: bytes, isolated: bool) -> None:
    with Session(program, isolated=isolated) as s:
        assert s.isolated is isolated
        assert (s.pid is not None) is isolated
        for pipeline in SEQUENCE[:4]:
            s.run_passes(pipeline)
        s.verify()
        assert s.history == SEQUENCE[:4]
        with Module.from_bitcode(program) as m:
            for pipeline in SEQUENCE[:4]:
                m.run_passes(pipeline)
            assert session_state(s) == (m.sha1(), m.ir_sha1(), m.instruction_count())
            assert s.bitcode() == m.bitcode()
            assert s.ir() == m.ir()
            assert s.fingerprint() == m.fingerprint()
            np.testing.assert_array_equal(s.autophase(), m.autophase())
            np.testing.assert_array_equal(s.inst_count(), m.inst_count())
            autophase, inst_count = s.features()
            np.testing.assert_array_equal(inst_count, m.inst_count())
            assert s.object_text_size() == m.object_text_size()
        assert s.recoveries == 0
    assert s.closed


@pytest.mark.parametrize("isolated", [True, False], ids=["isolated", "in-process"])
def test_fork_is_independent(program: bytes, isolated: bool) -> None:
    with Session(program, isolated=isolated) as s:
        s.run_passes("function(sroa)")
        before = session_state(s)
        with s.fork() as twin:
            assert twin.pid == s.pid  # same worker: no process start
            assert twin.history == s.history
            # The IR is identical; the bitcode's SHA-1 need not be (a clone's use-list order may differ).
            assert session_state(twin)[1:] == before[1:]
            twin.run_passes("function(instcombine<no-verify-fixpoint>),function(simplifycfg)")
            assert session_state(twin)[1:] != before[1:]
            assert twin.history == [
                "function(sroa)",
                "function(instcombine<no-verify-fixpoint>),function(simplifycfg)",
            ]
        assert session_state(s) == before
        assert s.history == ["function(sroa)"]


def test_module_input_and_from_file(program: bytes, tmp_path: Path) -> None:
    with Module.from_bitcode(program) as m:
        m.run_passes("function(mem2reg)")
        with Session(m) as s:
            assert s.sha1() == m.sha1()
            assert s.history == []  # the module's state is the session's starting point
    path = tmp_path / "p.bc"
    path.write_bytes(program)
    with Session.from_file(path) as s:
        assert s.sha1() == Module.from_bitcode(program).sha1()
    with pytest.raises(FileNotFoundError):
        Session.from_file(tmp_path / "missing.bc")


def test_set_size_attributes_is_replayed(program: bytes) -> None:
    with Session(program) as s:
        s.set_size_attributes()
        s.run_passes("default<O2>")
        expected = session_state(s)
        assert s.history == ["default<O2>"]  # history lists pipelines; the attribute change is replayed too
        os.kill(s.pid, signal.SIGKILL)
        assert session_state(s) == expected
        assert s.recoveries == 1


# -- errors keep their type and are not crashes -----------------------------------------------------


def test_bad_input_keeps_its_type(program: bytes) -> None:
    with pytest.raises(ModuleParseError, match="cannot parse"):
        Session(b"this is not bitcode")
    with pytest.raises(TypeError):
        Session("program.bc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        Session(program, timeout=0)
    with Session(program) as s:
        pid = s.pid
        with pytest.raises(PassPipelineError, match="no-such-pass"):
            s.run_passes("function(no-such-pass)")
        with pytest.raises(PassPipelineError):
            s.run_passes("function(sroa")
        assert s.history == []
        assert s.recoveries == 0
        assert s.pid == pid  # the worker survived
        s.run_passes("function(sroa)")
        assert s.history == ["function(sroa)"]


@pytest.mark.parametrize("isolated", [True, False], ids=["isolated", "in-process"])
def test_verifier_error_keeps_its_type(isolated: bool) -> None:
    broken = "define i32 @f(i32 %x) {\n  %y = add i32 %x, %z\n  %z = add i32 %y, 1\n  ret i32 %y\n}\n"
    with pytest.raises(VerifierError, match="does not dominate"):
        Session(broken.encode(), isolated=isolated)


def test_closed_session_refuses_calls(program: bytes) -> None:
    s = Session(program)
    s.close()
    s.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        s.instruction_count()
    with pytest.raises(ValueError, match="closed"):
        s.fork()


# -- recovery --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kill_after", [0, 3, 7])
def test_killed_worker_is_replayed_to_the_same_state(program: bytes, kill_after: int) -> None:
    expected = reference_state(program, SEQUENCE)
    with Session(program) as s:
        observer = s.fork()  # a second session on the same worker: rebuilt lazily
        first_pid = s.pid
        for i, pipeline in enumerate(SEQUENCE):
            if i == kill_after:
                os.kill(s.pid, signal.SIGKILL)
            s.run_passes(pipeline)
        assert s.recoveries == 1
        assert s.pid != first_pid
        assert wait_dead(first_pid)
        assert s.history == SEQUENCE
        assert session_state(s) == expected
        assert s.last_failure is not None and "SIGKILL" in s.last_failure
        assert session_state(observer) == reference_state(program, [])
        assert observer.recoveries == 1
        observer.close()


@pytest.mark.slow
def test_worker_killed_during_a_call_retries_it(program: bytes) -> None:
    heavy = ",".join(["default<O3>"] * 30)
    expected = reference_state(program, ["function(sroa)", heavy])
    with Session(program) as s:
        s.run_passes("function(sroa)")
        victim = s.pid
        threading.Timer(0.02, os.kill, (victim, signal.SIGKILL)).start()
        s.run_passes(heavy)
        assert wait_dead(victim)
        assert s.recoveries == 1
        assert session_state(s) == expected


def test_segfault_raises_crash_error_and_keeps_state(crasher: bytes) -> None:
    with Session(crasher) as s:
        s.run_passes("function(early-cse)")
        before = session_state(s)
        with pytest.raises(WorkerCrashError) as info:
            s.run_passes(SEGFAULT_PIPELINE)
        message = str(info.value)
        assert SEGFAULT_PIPELINE in message
        assert "SIGSEGV" in message
        assert "Stack dump" in message and "unify-loop-exits" in info.value.stderr
        assert s.recoveries == 2  # tried, retried after a replay, replayed again
        assert s.history == ["function(early-cse)"]
        assert session_state(s) == before
        s.run_passes("function(simplifycfg)")
        assert session_state(s) == reference_state(crasher, ["function(early-cse)", "function(simplifycfg)"])


def test_llvm_fatal_error_raises_crash_error(fatal: bytes) -> None:
    with Session(fatal) as s:
        s.run_passes("globaldce")
        before = session_state(s)
        with pytest.raises(WorkerCrashError, match="LLVM ERROR: Instruction Combining") as info:
            s.run_passes(FATAL_PIPELINE)
        assert FATAL_PIPELINE in str(info.value) and "status 1" in str(info.value)
        assert session_state(s) == before
        assert s.history == ["globaldce"]
        s.run_passes("function(instcombine<no-verify-fixpoint>)")
        assert s.history == ["globaldce", "function(instcombine<no-verify-fixpoint>)"]


def test_crash_in_one_session_spares_its_siblings(program: bytes, crasher: bytes) -> None:
    with Session(crasher) as s, s.sibling(program) as other:
        assert other.pid == s.pid
        other.run_passes("function(sroa)")
        expected = session_state(other)
        with pytest.raises(WorkerCrashError):
            s.run_passes(SEGFAULT_PIPELINE)
        assert session_state(other) == expected
        assert other.recoveries == 1
        assert other.pid == s.pid


def test_timeout_interrupts_the_call_and_the_session_survives(program: bytes) -> None:
    with Session(program) as s:
        s.run_passes("function(sroa)")
        before = session_state(s)
        s.timeout = 0.2
        slow = ",".join(["default<O3>"] * 500)  # tens of seconds
        started = time.monotonic()
        with pytest.raises(WorkerTimeoutError) as info:
            s.run_passes(slow)
        assert time.monotonic() - started < 10
        assert isinstance(info.value, TimeoutError)
        assert "0.2 s" in str(info.value) and "default<O3>" in str(info.value)
        assert session_state(s) == before
        assert s.history == ["function(sroa)"]
        s.run_passes("function(instcombine<no-verify-fixpoint>)")
        assert s.history == ["function(sroa)", "function(instcombine<no-verify-fixpoint>)"]


def test_a_timeout_without_retry_cancels_the_call_once_and_rebuilds_the_session_lazily(program: bytes) -> None:
    with Session(program) as s:
        s.run_passes("function(sroa)")
        before = session_state(s)
        pid = s.pid
        s.timeout, s.retry_timeouts = 0.2, False
        slow = ",".join(["default<O3>"] * 500)  # tens of seconds
        with pytest.raises(WorkerTimeoutError) as info:
            s.run_passes(slow)
        assert "twice" not in str(info.value)  # one attempt, cancelled
        assert s.pid == pid  # the worker was killed and not restarted for the failed call
        s.retry_timeouts = True
        assert session_state(s) == before and s.pid != pid  # rebuilt on its next call, at its state before
        assert s.history == ["function(sroa)"]


def test_interrupted_call_leaves_no_stale_reply(program: bytes) -> None:
    class Interrupt(Exception):
        pass

    def interrupt(*_: object) -> None:
        raise Interrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with Session(program) as s:
            s.run_passes("function(sroa)")
            expected = session_state(s)
            victim = s.pid
            signal.setitimer(signal.ITIMER_REAL, 0.05)  # like Ctrl-C in the middle of a long pass
            with pytest.raises(Interrupt):
                s.run_passes(",".join(["default<O3>"] * 500))
            assert wait_dead(victim)  # its late reply can never be read as the answer to the next call
            assert session_state(s) == expected
            assert s.history == ["function(sroa)"]
            assert s.recoveries == 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- hygiene ---------------------------------------------------------------------------------------


def _stderr_is_anonymous(pid: int) -> bool:
    """The worker's stderr is a temp file with no name on disk: nothing to leave behind, ever."""
    target = os.readlink(f"/proc/{pid}/fd/2")
    return target.endswith("(deleted)") or not os.path.exists(target)


def test_close_leaves_no_process_fd_or_file(program: bytes, crasher: bytes) -> None:
    Session(program).close()  # warm up imports so that they do not count as fds
    fds = _open_fds()
    with pytest.raises(ModuleParseError):
        Session(b"not bitcode")
    s = Session(crasher)
    fork = s.fork()
    sibling = s.sibling(program)
    pids = {s.pid}
    assert _stderr_is_anonymous(s.pid)
    with pytest.raises(WorkerCrashError):
        s.run_passes(SEGFAULT_PIPELINE)
    pids.add(s.pid)
    s.close()
    fork.close()
    assert alive(sibling.pid)  # the last session keeps the worker
    sibling.close()
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists()  # gone and reaped: no zombie
    assert _open_fds() == fds


def test_garbage_collected_session_ends_its_worker(program: bytes) -> None:
    s = Session(program)
    pid = s.pid
    del s
    gc.collect()
    assert not Path(f"/proc/{pid}").exists()


_CHILD = textwrap.dedent(
    """
    import json, sys
    from rl_compiler.llvm.session import Session
    data = open(sys.argv[1], "rb").read()
    a = Session(data)
    b = a.fork()
    c = Session(data)
    a.run_passes("function(sroa)")
    print(json.dumps([a.pid, c.pid]), flush=True)
    {ending}
    """
)


@pytest.mark.parametrize("ending", ["pass", "raise SystemExit(3)", "import os; os._exit(0)", "sigkill"])
def test_nothing_survives_interpreter_exit(program: bytes, tmp_path: Path, ending: str) -> None:
    path = tmp_path / "p.bc"
    path.write_bytes(program)
    code = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)" if ending == "sigkill" else ending
    child = subprocess.run(
        [sys.executable, "-c", _CHILD.format(ending=code), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    for pid in json.loads(child.stdout):
        assert wait_dead(pid), f"worker {pid} survived its parent ({ending})"


# -- fork safety and pickling ----------------------------------------------------------------------


def test_forked_child_gets_its_own_worker(program: bytes) -> None:
    with Session(program) as s:
        s.run_passes("function(sroa)")
        parent_pid = s.pid
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            try:
                s.run_passes("function(instcombine<no-verify-fixpoint>)")
                result = {"pid": s.pid, "state": list(session_state(s)), "recoveries": s.recoveries}
                s.close()
            except BaseException as exc:
                result = {"error": repr(exc)}
            os.write(write_end, json.dumps(result).encode())
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as f:
            result = json.loads(f.read())
        os.waitpid(child, 0)
        assert "error" not in result, result
        assert result["pid"] != parent_pid
        assert tuple(result["state"]) == reference_state(
            program, ["function(sroa)", "function(instcombine<no-verify-fixpoint>)"]
        )
        assert wait_dead(result["pid"])
        # the parent's worker was left alone
        assert s.pid == parent_pid and alive(parent_pid)
        assert s.history == ["function(sroa)"]
        assert session_state(s) == reference_state(program, ["function(sroa)"])
        assert s.recoveries == 0


@pytest.mark.parametrize("isolated", [True, False], ids=["isolated", "in-process"])
def test_pickle_rebuilds_in_a_new_worker(program: bytes, isolated: bool) -> None:
    with Session(program, isolated=isolated) as s:
        s.run_passes("function(sroa)")
        s.run_passes("function(early-cse)")
        with pickle.loads(pickle.dumps(s)) as copy:
            assert copy.history == s.history
            assert session_state(copy) == session_state(s)
            if isolated:
                assert copy.pid != s.pid
            assert copy.recoveries == 0


@pytest.mark.parametrize("isolated", [True, False])
def test_step_runs_a_pipeline_and_answers_queries_in_one_call(program: bytes, isolated: bool) -> None:
    with Session(program, isolated=isolated) as batched, Session(program, isolated=isolated) as separate:
        queries = ("fingerprint", "instruction_count", "autophase")
        fingerprint, count, autophase = batched.step("function(sroa)", queries)
        separate.run_passes("function(sroa)")
        assert (fingerprint, count) == (separate.fingerprint(), separate.instruction_count())
        assert autophase.tolist() == separate.autophase().tolist()
        assert batched.history == ["function(sroa)"]  # recorded for replay like run_passes
        with pytest.raises(ValueError, match="read-only"):
            batched.step("function(dce)", ("run_passes",))
        with pytest.raises(PassPipelineError):
            batched.step("no-such-pass", ("fingerprint",))
        assert batched.history == ["function(sroa)"]


def test_step_survives_a_killed_worker(program: bytes) -> None:
    with Session(program) as session:
        session.run_passes("function(sroa)")
        os.kill(session.pid, signal.SIGKILL)
        wait_dead(session.pid)
        (count,) = session.step("function(early-cse)", ("instruction_count",))
        assert session.recoveries >= 1
        assert count == reference_state(program, ["function(sroa)", "function(early-cse)"])[2]


@pytest.mark.parametrize("isolated", [True, False])
def test_replica_is_rebuilt_from_the_history_in_the_same_worker(program: bytes, isolated: bool) -> None:
    with Session(program, isolated=isolated) as session:
        for pipeline in SEQUENCE[:4]:
            session.run_passes(pipeline)
        with session.replica() as twin:
            assert twin.pid == session.pid
            assert twin.history == session.history
            assert session_state(twin) == reference_state(program, SEQUENCE[:4])
            twin.run_passes(SEQUENCE[4])
            assert session.history == SEQUENCE[:4]  # independent
