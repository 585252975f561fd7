"""opt's background replays: the search's bests replayed as they come, used at the end without running opt again,
an earlier replayed result kept when the best's replay is not done in time, and nothing left running."""

from __future__ import annotations

import time

import pytest
from process_checks import assert_clean

from rl_compiler.agents.optimize.checks import PAST_DEADLINE, first_that_passes
from rl_compiler.agents.optimize.optimizer import optimize_program
from rl_compiler.agents.optimize.replays import Replays
from rl_compiler.agents.optimize.size_search import OZ, Candidate, Deadline, SizeSearch
from rl_compiler.datasets import get_benchmark
from rl_compiler.llvm import processes
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.session import Session

CRC32 = "benchmark://builtin-v0/crc32"
#: opt takes about 0.35 s for this on crc32 (2 cores at load 0.5) ...
A_THIRD_SECOND = ",".join(["function(instcombine),function(gvn)"] * 3000)
#: ... and about 13 s for this one (-Oz's pipeline 1,000 times; a command line argument may have only 128 KiB).
SLOW = ",".join([OZ] * 1000)


def wait_replayed(replays: Replays, candidate: Candidate, seconds: float = 60.0) -> bool:
    """Wait until ``candidate``'s replay (maybe waiting for another's first) has ended; whether it gave a module."""
    deadline = time.perf_counter() + seconds
    while (replays.get(candidate) is None or not replays.get(candidate).done()) and time.perf_counter() < deadline:
        time.sleep(0.01)
    return replays.replayed(candidate)


@pytest.fixture
def opt_runs(monkeypatch):
    """The pass list of every ``opt`` run by rl-compiler's tools (the real ``opt``, only counted)."""
    runs: list[str] = []
    real = processes.run_checked

    def counted(argv, *args, **kwargs):
        if str(argv[0]).endswith("/opt"):
            runs.extend(arg.removeprefix("-passes=") for arg in argv if str(arg).startswith("-passes="))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(processes, "run_checked", counted)
    return runs


@pytest.fixture(scope="module")
def crc32_found():
    """crc32's -Oz and the results no larger in .text (-Oz run twice is smaller), exactly evaluated by the search."""
    benchmark = get_benchmark(CRC32)
    search = SizeSearch(sequences=[(OZ, OZ), (OZ, OZ, OZ)], refine=False)
    root = Session(benchmark.bitcode(), isolated=True)
    try:
        found = search.run(root, Deadline.after(120.0))
    finally:
        search.close()
        root.close()
    oz = next(c for c in found if c.origin == "oz")
    better = [c for c in found if c.origin != "oz" and c.text <= oz.text]
    assert better, "crc32: -Oz repeated should be no larger than -Oz in .text"
    return benchmark, better, oz


def test_the_end_takes_an_already_replayed_best_without_running_opt_again(crc32_found, opt_runs):
    benchmark, better, oz = crc32_found
    best = better[0]
    replays = Replays(benchmark.bitcode(), OZ)
    try:
        replays.offer(best)  # waits for -Oz's replay, then starts
        assert wait_replayed(replays, best)
        assert opt_runs == [OZ, best.pipeline]
        final, bitcode, checks, replayed, rejected = first_that_passes(
            benchmark, [best, oz], True, 0.1, Deadline.after(60.0), replays, lambda candidate: 0.5
        )
    finally:
        replays.close()
    assert final is best and rejected == ""
    assert opt_runs == [OZ, best.pipeline], "the end phase ran opt again for a best already replayed"
    assert bitcode is replays.get(best).result()
    assert "run: output matches the unoptimised build" in checks and replayed.startswith("ok")
    assert replays.started == 2 and replays.cancelled == 0


def test_optimize_replays_each_best_once_in_the_background(opt_runs):
    result = optimize_program(get_benchmark(CRC32), time_limit=60.0, sequences=[(OZ, OZ), (OZ, OZ, OZ)], refine=False)
    assert not result.fell_back and result.reason == ""
    assert result.final.pipeline in opt_runs and opt_runs[0] == OZ
    assert len(opt_runs) == len(set(opt_runs)), f"a pass list was replayed twice: {opt_runs}"
    assert result.replays == {"started": len(opt_runs), "cancelled": 0}
    assert result.replay_check.startswith("ok")


def test_falls_back_to_the_best_replayed_result_when_the_best_is_not_replayed_in_time(crc32_found, private_tmp):
    """The best's replay takes 13 s: the end waits only as long as leaves time to check and write the result
    already replayed (not -Oz), takes that one, and cancels the running opt (no process or temp file left)."""
    benchmark, better, oz = crc32_found
    earlier = better[-1]
    # A best whose replay is slow (its sizes are made up: the end phase never measures them, it replays them).
    best = Candidate(tuple(SLOW.split(",")), earlier.ic - 1, earlier.text - 1, "refine", seconds=0.1)
    replays = Replays(benchmark.bitcode(), OZ)
    try:
        replays.offer(earlier)
        assert wait_replayed(replays, earlier)
        replays.offer(best)  # starts at once: nothing else runs
        deadline, keep = Deadline.after(2.0), 0.8
        started = time.perf_counter()
        final, bitcode, checks, replayed, rejected = first_that_passes(
            benchmark, [best, earlier, oz], True, 0.1, deadline, replays, lambda candidate: keep
        )
        elapsed = time.perf_counter() - started
        assert not replays.get(best).done()  # still running: the end did not wait for it
    finally:
        replays.close()
    assert final is earlier and bitcode is replays.get(earlier).result()
    assert "replay of the refine result was not done in time" in rejected
    assert "run: output matches the unoptimised build" in checks and replayed.startswith("ok")
    # It stopped waiting `keep` seconds before the deadline, then ran the program once (0.5 s kept: loaded CI).
    assert elapsed < 2.0 - keep + 0.5, elapsed
    assert replays.cancelled == 1 and replays.get(best).cancelled
    assert_clean(private_tmp)


def test_one_replay_at_a_time_and_the_newest_waiting_best_goes_next(crc32_found, opt_runs, private_tmp):
    benchmark, better, oz = crc32_found
    first = Candidate(tuple(A_THIRD_SECOND.split(",")), 1, 1, "sequence")
    replays = Replays(benchmark.bitcode(), first.pipeline)
    try:
        for candidate in better:  # offered while the first runs: only the newest is kept waiting
            replays.offer(candidate)
        assert replays.get(better[0]) is None or len(better) == 1
        newest = better[-1]
        assert wait_replayed(replays, newest)
        assert opt_runs == [first.pipeline, newest.pipeline]  # never two at once, the superseded one skipped
        replays.offer(newest)  # already replayed: nothing new
        assert replays.started == 2
    finally:
        replays.close()
    assert_clean(private_tmp)


def test_closing_cancels_a_running_replay_and_leaves_nothing(private_tmp):
    replays = Replays(get_benchmark(CRC32).bitcode(), SLOW)
    job = replays.get(Candidate(tuple(SLOW.split(",")), 0, 0, "sequence"))
    time.sleep(0.3)  # opt is running
    assert not job.done()
    started = time.perf_counter()
    replays.close()
    assert time.perf_counter() - started < 2.0 and job.done() and job.cancelled
    assert replays.cancelled == 1 and replays.started == 1
    with pytest.raises(Exception, match="cancelled"):
        job.result()
    replays.offer(Candidate((OZ, OZ), 0, 0, "sequence"))  # closed: nothing starts
    assert replays.started == 1
    assert_clean(private_tmp)


def test_a_best_hardly_smaller_than_the_last_replayed_is_replayed_only_if_still_best_at_the_end(crc32_found):
    benchmark, better, oz = crc32_found
    last = better[0]
    # Made-up sizes (the policy reads them; the replays are real): 1 byte smaller, then 2% smaller.
    hardly = Candidate((OZ, OZ, OZ, OZ), last.ic, last.text - 1, "refine")
    much = Candidate((OZ, OZ, OZ, OZ, OZ), last.ic, int(last.text * 0.98), "refine")
    replays = Replays(benchmark.bitcode(), OZ)
    try:
        replays.offer(last)
        assert wait_replayed(replays, last)
        replays.offer(hardly)
        assert replays.get(hardly) is None  # not worth a replay while the search runs
        replays.offer(much)
        assert wait_replayed(replays, much)
        final, bitcode, *_ = first_that_passes(
            benchmark, [hardly, much, oz], True, 0.1, Deadline.after(60.0), replays, lambda candidate: 0.5
        )
    finally:
        replays.close()
    assert final is hardly and bitcode is replays.get(hardly).result()  # replayed at the end, where it was best
    assert replays.started == 4


def test_past_the_deadline_only_oz_is_checked_from_its_early_replay(crc32_found, opt_runs):
    benchmark, better, oz = crc32_found
    replays = Replays(benchmark.bitcode(), OZ)  # -Oz's replay, run alongside the search
    try:
        final, bitcode, checks, replayed, rejected = first_that_passes(
            benchmark, [*better, oz], True, 0.1, Deadline.after(-1.0), replays, lambda candidate: 0.1
        )
    finally:
        replays.close()
    early = replays.get(oz)
    assert final is oz and PAST_DEADLINE in rejected
    assert opt_runs == [OZ] and replays.started == 1  # no replay of the better ones started past the deadline
    assert bitcode is early.result() and early.seconds > 0  # not replayed again at the end
    assert "run: output matches the unoptimised build" in checks and replayed.startswith("ok")
    with Module.from_bitcode(bitcode) as module:
        assert module.instruction_count() == oz.ic
