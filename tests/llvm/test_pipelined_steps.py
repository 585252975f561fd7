"""A step in two halves (`Session.step_send`, `Session.step_receive`): several workers run at once, with the
results, the recovery of a crash or timeout, and the leak guarantees of `Session.step`."""

from __future__ import annotations

import os
import signal

import pytest
from llvm_programs import SEGFAULT_PIPELINE, SEQUENCE, reference_state, session_state
from process_checks import children, wait_dead

from rl_compiler.llvm.errors import WorkerCrashError, WorkerTimeoutError
from rl_compiler.llvm.session import Session

QUERIES = ("fingerprint", "instruction_count", "autophase")
SLOW = ",".join(["function(gvn,instcombine<no-verify-fixpoint>,simplifycfg),cgscc(inline)"] * 20000)


def _equal(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all((x == y).all() if hasattr(x, "all") else x == y for x, y in zip(a, b, strict=True))


def test_sent_steps_of_several_workers_give_the_step_results(program: bytes) -> None:
    with Session(program) as a, Session(program) as b, Session(program, isolated=False) as local:
        assert a.pid != b.pid
        for pipeline in SEQUENCE:
            assert a.step_send(pipeline, QUERIES) and b.step_send(pipeline, QUERIES)
            expected = local.step(pipeline, QUERIES)
            assert _equal(a.step_receive(pipeline, QUERIES), expected)
            assert _equal(b.step_receive(pipeline, QUERIES), expected)
        assert a.history == b.history == local.history == SEQUENCE
        assert session_state(a) == session_state(b) == session_state(local)
        assert a.recoveries == b.recoveries == 0


def test_what_cannot_be_sent_is_stepped_whole_by_the_receive(program: bytes) -> None:
    with Session(program, isolated=False) as local, Session(program) as s:
        assert not local.step_send("function(sroa)", QUERIES)
        assert not s.step_send("function(sroa)", ("ir_sha1",))  # no fast-lane code: the pickle path
        assert not s.step_send("default<O2>", ())  # checked in Python first
        assert local.step_receive("function(sroa)", QUERIES)[1] == s.step_receive("function(sroa)", QUERIES)[1]
        assert s.history == local.history == ["function(sroa)"]


def test_a_call_between_send_and_receive_is_refused(program: bytes) -> None:
    with Session(program) as s:
        assert s.step_send("function(sroa)", QUERIES)
        with pytest.raises(ValueError, match="step_receive first"):
            s.instruction_count()
        with pytest.raises(ValueError, match="was sent"):
            s.step_send("function(early-cse)", QUERIES)
        with pytest.raises(ValueError, match="step_receive first"):
            s.step_receive("function(early-cse)", QUERIES)
        _, count, _ = s.step_receive("function(sroa)", QUERIES)
        assert count == s.instruction_count() == reference_state(program, ["function(sroa)"])[2]


def test_a_sibling_request_keeps_the_sent_reply(program: bytes) -> None:
    # Two sessions in one worker: the sibling's request reads the reply in flight first and keeps it.
    with Session(program) as s:
        twin = s.sibling(program)
        assert s.step_send("function(sroa)", QUERIES)
        assert twin.instruction_count() == reference_state(program, [])[2]
        assert s.step_receive("function(sroa)", QUERIES)[1] == reference_state(program, ["function(sroa)"])[2]
        twin.close()


def test_worker_killed_between_send_and_receive_is_recovered(program: bytes) -> None:
    with Session(program) as s, Session(program) as other:
        s.step("function(sroa)", ())
        victim = s.pid
        os.kill(victim, signal.SIGSTOP)  # it cannot answer before it dies
        assert s.step_send("function(early-cse)", QUERIES) and other.step_send("function(early-cse)", QUERIES)
        os.kill(victim, signal.SIGKILL)
        assert wait_dead(victim)
        results = s.step_receive("function(early-cse)", QUERIES)
        other.step_receive("function(early-cse)", QUERIES)
        assert s.recoveries == 1 and s.pid != victim and other.recoveries == 0
        expected = reference_state(program, ["function(sroa)", "function(early-cse)"])
        assert results[1] == expected[2] and session_state(s) == expected
        assert s.history == ["function(sroa)", "function(early-cse)"]
        workers = {s.pid, other.pid}
    for pid in workers:
        assert wait_dead(pid)
    assert not set(children()) & workers


def test_crash_and_timeout_of_a_sent_step_are_recovered(crasher: bytes) -> None:
    with Session(crasher) as s:
        s.step("function(early-cse)", ("fingerprint",))
        before = session_state(s)
        assert s.step_send(SEGFAULT_PIPELINE, QUERIES)
        with pytest.raises(WorkerCrashError, match="SIGSEGV"):
            s.step_receive(SEGFAULT_PIPELINE, QUERIES)
        assert s.recoveries == 2 and session_state(s) == before
        s.timeout = 0.2
        assert s.step_send(SLOW, ("instruction_count",))
        with pytest.raises(WorkerTimeoutError, match="0.2 s"):
            s.step_receive(SLOW, ("instruction_count",))
        assert session_state(s) == before and s.history == ["function(early-cse)"]
        pid = s.pid
    assert wait_dead(pid)


def test_closing_a_session_with_a_sent_step_leaves_nothing(program: bytes) -> None:
    s = Session(program)
    assert s.step_send("function(sroa)", QUERIES)
    pid = s.pid
    s.close()
    assert wait_dead(pid) and pid not in children()
