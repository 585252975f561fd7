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


def test_steps_queued_in_one_worker_give_each_sessions_results(program: bytes) -> None:
    # Sessions sharing a worker: every step sent before any reply is read, answered in order, each session's
    # reply its own (received in order, or out of order: the earlier replies are then kept for their receive).
    with Session(program) as first, Session(program, isolated=False) as local:
        others = [first.sibling(program) for _ in range(3)]
        sessions = [first, *others]
        try:
            assert {s.pid for s in sessions} == {first.pid}
            for k, pipeline in enumerate(SEQUENCE):
                assert all(s.step_send(pipeline, QUERIES) for s in sessions)
                assert len(first._slot.worker._in_flight) == len(sessions)
                expected = local.step(pipeline, QUERIES)
                order = sessions if k % 2 == 0 else sessions[::-1]
                for s in order:
                    assert _equal(s.step_receive(pipeline, QUERIES), expected)
            assert all(s.history == SEQUENCE and s.recoveries == 0 for s in sessions)
            assert {session_state(s) for s in sessions} == {session_state(local)}
        finally:
            for s in others:
                s.close()


def test_a_worker_killed_with_queued_steps_recovers_every_session(program: bytes) -> None:
    with Session(program) as first:
        others = [first.sibling(program) for _ in range(2)]
        sessions = [first, *others]
        try:
            for s in sessions:
                s.step("function(sroa)", ())
            victim = first.pid
            os.kill(victim, signal.SIGSTOP)  # it cannot answer before it dies
            assert all(s.step_send("function(early-cse)", QUERIES) for s in sessions)
            os.kill(victim, signal.SIGKILL)
            assert wait_dead(victim)
            expected = reference_state(program, ["function(sroa)", "function(early-cse)"])
            for s in sessions[::-1]:  # the last first: it meets the loss before the earlier ones' replies
                assert s.step_receive("function(early-cse)", QUERIES)[1] == expected[2]
            assert all(s.recoveries == 1 and s.pid != victim for s in sessions)
            assert {session_state(s) for s in sessions} == {expected}
            assert all(s.history == ["function(sroa)", "function(early-cse)"] for s in sessions)
        finally:
            for s in others:
                s.close()
        pid = first.pid
    assert wait_dead(pid) and pid not in children()


def test_a_discarded_step_in_a_shared_worker_leaves_the_others(program: bytes) -> None:
    with Session(program) as a:
        b, c = a.sibling(program), a.sibling(program)
        try:
            pid = a.pid
            for s in (a, b, c):
                assert s.step_send("function(sroa)", QUERIES)
            b.step_discard()  # its caller raised: its reply is dropped, its module rebuilt without the step
            assert a.step_receive("function(sroa)", QUERIES)[1] == c.step_receive("function(sroa)", QUERIES)[1]
            assert b.history == [] and session_state(b) == reference_state(program, [])
            assert b.recoveries == 1 and a.recoveries == c.recoveries == 0 and a.pid == b.pid == pid
            assert session_state(a) == session_state(c) == reference_state(program, ["function(sroa)"])
        finally:
            b.close()
            c.close()
