"""Child processes (rl_compiler.llvm.processes): limits, process groups, the parent-death signal, exit words."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from process_checks import wait_dead

from rl_compiler.llvm import processes


def test_spawn_applies_limits_in_a_new_group() -> None:
    code = "import os, resource; print(resource.getrlimit(resource.RLIMIT_AS)[0], os.getpgid(0), os.getpid())"
    process = processes.spawn(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, rlimits={resource.RLIMIT_AS: 3 << 30}
    )
    out, _ = process.communicate(timeout=30)
    limit, group, pid = map(int, out.split())
    assert limit == 3 << 30 and group == pid == process.pid


def test_spawn_can_keep_the_child_in_this_session_in_a_group_of_its_own() -> None:
    code = "import os; print(os.getpgid(0), os.getsid(0), os.getpid())"
    process = processes.spawn([sys.executable, "-c", code], stdout=subprocess.PIPE, new_session=False)
    out, _ = process.communicate(timeout=30)
    group, session, pid = map(int, out.split())
    assert group == pid == process.pid and session == os.getsid(0)


def test_kill_group_kills_what_the_child_left_in_its_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild"
    code = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen(['sleep', '60']); open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)\n"
    )
    process = processes.spawn([sys.executable, "-c", code])
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    grandchild = int(pidfile.read_text())
    assert processes.kill_group(process) == -signal.SIGKILL
    assert wait_dead(grandchild)


HOST = """
import sys, threading
from rl_compiler.llvm import processes
box = {}
thread = threading.Thread(target=lambda: box.update(p=processes.spawn(["sleep", "60"])))
thread.start(); thread.join()   # spawned on behalf of a thread that is gone now
print(box["p"].pid, flush=True)
sys.stdin.read()                # wait until the test kills us
"""


def test_children_die_with_their_parent_not_with_the_thread_that_asked() -> None:
    host = subprocess.Popen([sys.executable, "-c", HOST], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        child = int(host.stdout.readline())
        time.sleep(0.2)
        assert not wait_dead(child, 0.1), "the child died with the short-lived thread that asked for it"
        host.kill()
        host.wait()
        assert wait_dead(child), "the child outlived its parent (no parent-death signal)"
    finally:
        host.kill()
        host.wait()
        host.stdin.close()
        host.stdout.close()


@pytest.mark.parametrize(
    ("returncode", "words"),
    [(0, "exit status 0"), (1, "exit status 1"), (-11, "killed by signal SIGSEGV"), (None, "still running")],
)
def test_describe_returncode(returncode: int | None, words: str) -> None:
    assert processes.describe_returncode(returncode) == words


def test_read_tail(tmp_path: Path) -> None:
    path = tmp_path / "stderr"
    path.write_bytes(b"x" * 10000 + b"LLVM ERROR: boom\n")
    assert processes.read_tail(path, 20).endswith("LLVM ERROR: boom")
    assert processes.read_tail(tmp_path / "missing") == ""


def test_missing_program_raises() -> None:
    with pytest.raises(FileNotFoundError):
        processes.spawn(["/nonexistent/program"])


def test_run_captures_output_and_feeds_input() -> None:
    code = "import sys; data = sys.stdin.buffer.read(); print(len(data)); print('é', file=sys.stderr); sys.exit(3)"
    result = processes.run([sys.executable, "-c", code], input=b"x" * 100_000, timeout=30)
    assert (result.returncode, result.stdout, result.stderr) == (3, "100000\n", "é\n")
    raw = processes.run([sys.executable, "-c", "print(end='ab')"], timeout=30, text=False)
    assert raw.stdout == b"ab" and raw.stderr == b""
    with pytest.raises(FileNotFoundError):
        processes.run(["/nonexistent/program"], timeout=30)


def test_run_kills_the_group_on_a_timeout(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild"
    code = f"import subprocess, time; open({str(pidfile)!r}, 'w').write(str(subprocess.Popen(['sleep', '60']).pid))"
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        processes.run([sys.executable, "-c", code + "; time.sleep(60)"], timeout=2)
    assert time.monotonic() - start < 10
    assert wait_dead(int(pidfile.read_text()))


@pytest.mark.parametrize(
    ("argv", "timeout", "message"),
    [
        (["sh", "-c", "echo broken >&2; exit 3"], 30, r"^probe failed \(exit status 3\):\nbroken\n  command: sh -c"),
        (["sh", "-c", "kill -9 $$"], 30, r"^probe failed \(killed by signal SIGKILL\)\n  command:"),
        (["sleep", "5"], 0.2, r"^probe failed: timed out after 0.2 s\n  command: sleep 5"),
        (["/nonexistent/tool"], 30, r"^probe failed: could not run /nonexistent/tool: .*No such file"),
    ],
)
def test_run_checked_names_the_command_and_how_it_failed(argv: list[str], timeout: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        processes.run_checked(argv, "probe failed", ValueError, timeout=timeout)
    assert processes.run_checked(["sh", "-c", "echo ok"], "probe", ValueError, timeout=30).stdout == "ok\n"
