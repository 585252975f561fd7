"""The sandbox of program runs, against hostile programs: nothing written outside, nothing left running."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from rl_compiler.datasets import BenchmarkRunError, BenchmarkTimeoutError, Limits, benchmark_from_files, sandbox
from rl_compiler.datasets.sandbox import LEVELS, SANDBOX_ENV, sandbox_level

#: Writes outside its directory, forks 100 children, and leaves a setsid() daemon that writes a file a
#: second after the run: a sandbox must stop the first and leave nothing of the other two.
ESCAPE = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
  const char *outside = argv[1], *late = argv[2];
  FILE *f = fopen(outside, "w");
  printf("outside:%s\n", f ? "written" : "refused");
  if (f) fclose(f);
  int children = 0;
  for (int i = 0; i < 100; i++) {
    pid_t pid = fork();
    if (pid == 0) { sleep(30); _exit(0); }
    if (pid > 0) children++;
  }
  printf("children:%d\n", children);
  if (fork() == 0) {
    setsid();
    if (fork() == 0) {
      sleep(1);
      FILE *g = fopen(late, "w");
      if (g) { fputs("the daemon outlived the run", g); fclose(g); }
      sleep(30);
      _exit(0);
    }
    _exit(0);
  }
  fflush(stdout);
  return 0;
}
"""
LOOP = "int main(void) { volatile unsigned long n = 0; for (;;) n++; }\n"
HUGE = '#include <stdio.h>\nint main(void) { for (;;) fputs("all work and no play\\n", stdout); }\n'
SEGV = "int main(void) { volatile int *p = 0; return *p; }\n"


def _program(tmp_path: Path, name: str, source: str, args=()):
    (tmp_path / f"{name}.c").write_text(source)
    return benchmark_from_files(tmp_path / f"{name}.c", args=list(args), runnable=True)


@pytest.fixture
def level(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Force one sandbox level for the test (skipped where this machine cannot provide it)."""
    wanted = request.param
    sandbox.sandbox_level.cache_clear()
    strongest = sandbox_level()
    if LEVELS.index(wanted) < LEVELS.index(strongest):
        pytest.skip(f"{wanted} is not available here (strongest: {strongest})")
    monkeypatch.setenv(SANDBOX_ENV, wanted)
    sandbox.sandbox_level.cache_clear()
    yield wanted
    monkeypatch.delenv(SANDBOX_ENV)
    sandbox.sandbox_level.cache_clear()


def test_the_strongest_level_is_in_force() -> None:
    sandbox.sandbox_level.cache_clear()
    assert sandbox_level() in LEVELS
    if os.path.exists("/usr/bin/bwrap"):
        assert sandbox_level() == "bubblewrap"


@pytest.mark.parametrize("level", LEVELS, indirect=True)
def test_crash_signal_and_runtime_survive_every_level(level: str, tmp_path: Path) -> None:
    crash = _program(tmp_path, "segv", SEGV)
    with pytest.raises(BenchmarkRunError, match="SIGSEGV") as error:
        crash.run(crash.bitcode())
    assert error.value.kind == "crash"
    fine = _program(tmp_path, "ok", "int main(void) { return 7; }\n")
    result = fine.run(fine.bitcode(), repeats=3)
    assert result.returncode == 7 and result.sandbox == level
    assert all(0 < t < 0.5 for t in result.times)  # the program's own time, not the sandbox's set-up


def test_escape_attempts_leave_nothing(tmp_path: Path, processes_mentioning) -> None:
    if sandbox_level() != "bubblewrap":
        pytest.skip("needs bubblewrap: the weaker levels do not cover the file system (see the sandbox docs)")
    outside, late = tmp_path / "outside.txt", tmp_path / "late.txt"
    token = f"escape-{uuid.uuid4().hex}"
    program = _program(tmp_path, "escape", ESCAPE, [str(outside), str(late), token])
    result = program.run(program.bitcode(), timeout=20)
    assert b"outside:refused" in result.stdout
    assert int(result.stdout.split(b"children:")[1].split()[0]) > 0  # 100 unless RLIMIT_NPROC stopped some
    assert not outside.exists()
    # The 100 children and the daemon die with the run's PID namespace (the kernel's SIGKILL of the
    # namespace is asynchronous: allow it a moment), and the daemon never writes its late file.
    deadline = time.monotonic() + 2
    while processes_mentioning(token) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert processes_mentioning(token) == []
    time.sleep(1.5)
    assert not late.exists() and processes_mentioning(token) == []


def test_infinite_loop_times_out(tmp_path: Path) -> None:
    loop = _program(tmp_path, "loop", LOOP)
    start = time.monotonic()
    with pytest.raises(BenchmarkTimeoutError, match="timed out after 1 s"):
        loop.run(loop.bitcode(), timeout=1.0)
    assert time.monotonic() - start < 10


def test_huge_output_is_bounded(tmp_path: Path) -> None:
    chatty = _program(tmp_path, "huge", HUGE)
    with pytest.raises(BenchmarkRunError, match="file-size limit of 1 MiB") as error:
        chatty.run(chatty.bitcode(), limits=Limits(file_size_bytes=1 << 20), timeout=20)
    assert error.value.kind == "file-size-limit"
