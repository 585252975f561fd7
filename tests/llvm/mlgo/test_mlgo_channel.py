"""The MLGO interactive channel against the real llc/opt: protocol and process hygiene."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from c_to_ir import compile_c
from mlgo_helpers import PRESSURE_C, first_legal, llc_argv
from process_checks import assert_clean

from rl_compiler.llvm import mlgo
from rl_compiler.llvm.toolchain import get_toolchain


def test_full_compilation_and_determinism(pressure_bc: Path, private_tmp: Path) -> None:
    digests, counts = [], []
    for _ in range(2):
        with mlgo.InteractiveCompilation() as c:
            spec = c.start(llc_argv(pressure_bc, c), mlgo.REGALLOC_CHANNEL_OPTION)
            assert spec is not None and spec.observation_nbytes == mlgo.probe_spec("regalloc").observation_nbytes
            contexts = set()
            while (obs := c.next_observation()) is not None:
                contexts.add(obs.context)
                c.send(first_legal(spec, obs.blob))
            assert c.finish() == 0
            counts.append(c.decisions)
            digests.append(c.path("out.o").read_bytes())
            assert contexts == {"probe"}
    assert counts[0] == counts[1] > 50
    assert digests[0] == digests[1]
    assert_clean(private_tmp)


def test_channel_never_opened(tmp_path: Path, private_tmp: Path) -> None:
    # -O0 uses the fast allocator: llc never opens the FIFOs (pitfall 2); a blocking open would hang.
    module = compile_c(PRESSURE_C, tmp_path / "p.bc", "-O2")
    with mlgo.InteractiveCompilation(startup_timeout=30) as c:
        argv = [
            str(get_toolchain().llc),
            "-O0",
            "-regalloc-enable-advisor=release",
            "-filetype=obj",
            "-o",
            str(c.path("out.o")),
            str(module),
        ]
        start = time.monotonic()
        assert c.start(argv, mlgo.REGALLOC_CHANNEL_OPTION) is None
        assert time.monotonic() - start < 10
        assert c.returncode == 0 and c.next_observation() is None
    assert_clean(private_tmp)


def test_crash_before_opening_is_reported(tmp_path: Path, private_tmp: Path) -> None:
    with mlgo.InteractiveCompilation(startup_timeout=30) as c:
        argv = [
            str(get_toolchain().llc),
            *mlgo.REGALLOC_FLAGS,
            "-o",
            "/dev/null",
            str(tmp_path / "missing.bc"),
        ]
        with pytest.raises(mlgo.CompilerCrashError, match="exit status 1") as error:
            c.start(argv, mlgo.REGALLOC_CHANNEL_OPTION)
        assert "missing.bc" in error.value.stderr
    assert_clean(private_tmp)


# A compiler that hangs before its first byte (here a shell standing in for it: an llc cannot be made to stall
# at that point on purpose) must time out within startup_timeout and be killed.
HANGS_BEFORE_OPENING = ["/bin/sh", "-c", "sleep 60", "sh"]  # the channel option lands in $1, unread
HANGS_AFTER_OPENING = ["/bin/sh", "-c", 'exec 3<"${1#*=}.in"; sleep 60', "sh"]  # opens .in, never writes .out


@pytest.mark.parametrize(
    ("argv", "message"),
    [(HANGS_BEFORE_OPENING, "did not open the MLGO channel within"), (HANGS_AFTER_OPENING, "never wrote to it")],
)
def test_a_compiler_that_hangs_at_startup_times_out_and_is_killed(argv, message, private_tmp: Path) -> None:
    with mlgo.InteractiveCompilation(startup_timeout=0.5) as c:
        start = time.monotonic()
        with pytest.raises(mlgo.ChannelTimeoutError, match=message):
            c.start(argv, mlgo.REGALLOC_CHANNEL_OPTION)
        assert 0.5 <= time.monotonic() - start < 5
        assert c.closed and c.pid is not None
    assert_clean(private_tmp, c.pid)


def test_sigsegv_mid_compilation(pressure_bc: Path, private_tmp: Path) -> None:
    c = mlgo.InteractiveCompilation()
    spec = c.start(llc_argv(pressure_bc, c), mlgo.REGALLOC_CHANNEL_OPTION)
    for _ in range(5):
        obs = c.next_observation()
        c.send(first_legal(spec, obs.blob))
    pid = c.pid
    os.kill(pid, signal.SIGSEGV)
    with pytest.raises(mlgo.CompilerCrashError, match="SIGSEGV") as error:
        while (obs := c.next_observation()) is not None:
            c.send(first_legal(spec, obs.blob))
        c.finish()
    assert error.value.returncode == -signal.SIGSEGV
    assert c.closed
    assert_clean(private_tmp, pid)


def test_stalled_compiler_times_out_and_is_killed(pressure_bc: Path, private_tmp: Path) -> None:
    c = mlgo.InteractiveCompilation(decision_timeout=0.5)
    spec = c.start(llc_argv(pressure_bc, c), mlgo.REGALLOC_CHANNEL_OPTION)
    obs = c.next_observation()
    pid = c.pid
    os.kill(pid, signal.SIGSTOP)
    c.send(first_legal(spec, obs.blob))
    with pytest.raises(mlgo.ChannelTimeoutError, match="sent nothing"):
        c.next_observation()
    assert_clean(private_tmp, pid)


def test_close_mid_compilation(pressure_bc: Path, private_tmp: Path) -> None:
    c = mlgo.InteractiveCompilation()
    spec = c.start(llc_argv(pressure_bc, c), mlgo.REGALLOC_CHANNEL_OPTION)
    obs = c.next_observation()
    c.send(first_legal(spec, obs.blob))
    c.next_observation()  # llc now blocks waiting for advice: closing the pipes alone would make it spin
    pid = c.pid
    c.close()
    c.close()  # idempotent
    assert_clean(private_tmp, pid)
    with pytest.raises(mlgo.ChannelClosedError):
        c.next_observation()


def test_garbage_collection_cleans_up(pressure_bc: Path, private_tmp: Path) -> None:
    c = mlgo.InteractiveCompilation()
    c.start(llc_argv(pressure_bc, c), mlgo.REGALLOC_CHANNEL_OPTION)
    c.next_observation()
    pid = c.pid
    del c
    import gc

    gc.collect()
    assert_clean(private_tmp, pid)


def test_spawned_from_a_short_lived_thread_survives_the_thread(pressure_bc: Path, private_tmp: Path) -> None:
    # PR_SET_PDEATHSIG fires when the forking *thread* exits: compilations fork from a long-lived thread.
    box = {}

    def start() -> None:
        c = mlgo.InteractiveCompilation()
        box["spec"] = c.start(llc_argv(pressure_bc, c), mlgo.REGALLOC_CHANNEL_OPTION)
        box["c"] = c

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    time.sleep(0.2)
    c, spec = box["c"], box["spec"]
    while (obs := c.next_observation()) is not None:
        c.send(first_legal(spec, obs.blob))
    assert c.finish() == 0
    c.close()
    assert_clean(private_tmp)


HOST_SCRIPT = """
import os, sys
from rl_compiler.llvm import mlgo
c = mlgo.InteractiveCompilation()
spec = c.start([sys.argv[1], *mlgo.REGALLOC_FLAGS, "-filetype=obj", "-o", "/dev/null", sys.argv[2]],
               mlgo.REGALLOC_CHANNEL_OPTION)
c.next_observation()            # llc now waits for advice
print(c.pid, c.workdir, flush=True)
os.kill(os.getpid(), 9)         # the host dies without any cleanup
"""


def test_dying_host_never_leaves_a_spinning_compiler(pressure_bc: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", HOST_SCRIPT, str(get_toolchain().llc), str(pressure_bc)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    pid_text, workdir = result.stdout.split()
    pid = int(pid_text)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:  # the kernel's SIGKILL is async
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists(), "llc survived its host (PR_SET_PDEATHSIG missing)"
    # A SIGKILLed host cannot remove its temp dir; it is the only thing left, and it holds only FIFOs/outputs.
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)


def test_inliner_channel(tmp_path: Path, private_tmp: Path) -> None:
    module = compile_c(PRESSURE_C, tmp_path / "p.bc", "-O2", "-Xclang", "-disable-llvm-passes")
    with mlgo.InteractiveCompilation() as c:
        argv = [
            str(get_toolchain().opt),
            "-passes=default<O2>",
            *mlgo.INLINER_FLAGS,
            "-o",
            str(c.path("out.bc")),
            str(module),
        ]
        spec = c.start(argv, mlgo.INLINER_CHANNEL_OPTION)
        decisions = 0
        while (obs := c.next_observation()) is not None:
            assert obs.context == ""
            c.send(int(spec.tensors(obs.blob)["inlining_default"][0]))
            decisions += 1
        assert c.finish() == 0 and decisions >= 1
    assert_clean(private_tmp)


def test_run_compiler_reports_failures(tmp_path: Path) -> None:
    with pytest.raises(mlgo.CompilerCrashError, match="exit status 1"):
        mlgo.run_compiler([get_toolchain().llc, str(tmp_path / "nope.bc")])
