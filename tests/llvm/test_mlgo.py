"""The MLGO interactive channel against the real llc/opt: protocol, results parsing and process hygiene."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from process_checks import assert_clean

from rl_compiler.llvm import mlgo
from rl_compiler.llvm.toolchain import get_toolchain

PRESSURE_C = mlgo.PROBE_SOURCE


def compile_c(source: str, path: Path, *flags: str) -> Path:
    c_file = path.with_suffix(".c")
    c_file.write_text(source)
    subprocess.run([get_toolchain().clang, *flags, "-c", "-emit-llvm", c_file, "-o", path], check=True)
    return path


@pytest.fixture(scope="module")
def pressure_bc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_c(PRESSURE_C, tmp_path_factory.mktemp("src") / "pressure.bc", "-O2")


def llc_argv(module: Path, compilation: mlgo.InteractiveCompilation, *extra: str) -> list[str]:
    return [
        str(get_toolchain().llc),
        *mlgo.REGALLOC_FLAGS,
        "-filetype=obj",
        *extra,
        "-o",
        str(compilation.path("out.o")),
        str(module),
    ]


def first_legal(spec: mlgo.ChannelSpec, blob: bytes) -> int:
    return int(np.flatnonzero(spec.tensors(blob)["mask"])[0])


# ---- pure parsing


def test_header_parsing_and_byte_counts() -> None:
    header = {
        "features": [
            {"name": "mask", "type": "int64_t", "port": 0, "shape": [1, 33]},
            {"name": "w", "type": "float", "port": 0, "shape": [1, 33]},
            {"name": "progress", "type": "float", "port": 0, "shape": [1]},
        ],
        "advice": {"name": "index_to_evict", "type": "int64_t", "port": 0, "shape": [1]},
    }
    spec = mlgo.ChannelSpec.from_header(json.dumps(header, separators=(",", ":")).encode())
    assert spec.observation_nbytes == 33 * 8 + 33 * 4 + 4
    assert spec.offsets == (0, 264, 396)
    assert spec.advice_bytes(9) == np.int64(9).tobytes()
    blob = (
        np.arange(33, dtype=np.int64).tobytes()
        + np.ones(33, np.float32).tobytes()
        + np.float32(0.5).tobytes()
    )
    tensors = spec.tensors(blob)
    assert tensors["mask"][32] == 32 and tensors["progress"][0] == 0.5
    with pytest.raises(mlgo.ChannelProtocolError, match="unknown type 'bfloat'"):
        mlgo.ChannelSpec.from_header(
            {"features": [{"name": "x", "type": "bfloat", "shape": [1]}], "advice": {}}
        )
    with pytest.raises(mlgo.ChannelProtocolError, match="malformed"):
        mlgo.ChannelSpec.from_header(b"not json")


def test_remarks_parser() -> None:
    text = textwrap.dedent(
        """\
        --- !Missed
        Pass:            regalloc
        Name:            LoopSpillReloadCopies
        Function:        hot
        Args:
          - NumSpills:       '10'
          - TotalSpillsCost: '2.000000e+02'
        ...
        --- !Missed
        Pass:            regalloc
        Name:            SpillReloadCopies
        Function:        'weird name'
        Args:
          - NumSpills:       '2'
          - String:          ' spills '
          - TotalSpillsCost: '3.0'
          - NumFoldedReloads: '1'
          - TotalFoldedReloadsCost: '2.5'
          - NumVRCopies:     '4'
          - TotalCopiesCost: '10'
        ...
        """
    )
    stats = mlgo.parse_regalloc_remarks(text)
    assert list(stats) == ["weird name"]  # the per-loop remark is not counted twice
    record = stats["weird name"]
    assert (record.spills, record.folded_reloads, record.copies) == (2, 1, 4)
    assert record.score == pytest.approx(3.0 + 4 * 2.5 + 0.2 * 10)


def test_text_size_matches_llvm_size(pressure_bc: Path, tmp_path: Path) -> None:
    obj = tmp_path / "x.o"
    subprocess.run([get_toolchain().llc, "-O2", "-filetype=obj", "-o", obj, pressure_bc], check=True)
    out = subprocess.run(
        [get_toolchain().llvm_size, "-A", obj], capture_output=True, text=True, check=True
    ).stdout
    text = sum(int(line.split()[1]) for line in out.splitlines() if line.startswith(".text"))
    assert mlgo.text_size(obj.read_bytes()) == text > 0


# ---- against the real compiler


def test_probe_specs_come_from_the_header() -> None:
    regalloc = mlgo.probe_spec("regalloc")
    assert regalloc.feature_names[0] == "mask" and regalloc.feature("mask").shape[-1] == 33
    assert regalloc.advice.name == "index_to_evict" and regalloc.advice.nbytes == 8
    inliner = mlgo.probe_spec("inliner")
    assert inliner.feature_names[-1] == "inlining_default" and inliner.advice.name == "inlining_decision"
    with pytest.raises(ValueError, match="unknown MLGO channel kind"):
        mlgo.probe_spec("scheduler")


def test_full_compilation_and_determinism(pressure_bc: Path, private_tmp: Path) -> None:
    digests, counts = [], []
    for _ in range(2):
        with mlgo.InteractiveCompilation() as c:
            spec = c.start(llc_argv(pressure_bc, c), mlgo.REGALLOC_CHANNEL_OPTION)
            assert (
                spec is not None and spec.observation_nbytes == mlgo.probe_spec("regalloc").observation_nbytes
            )
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
