"""The worker process's own set-up: the short scheduler slice it asks for (Linux >= 6.12), the package it imports."""

from __future__ import annotations

import ctypes
import os
import platform
import signal
import struct

import pytest

from rl_compiler.llvm.module import Module
from rl_compiler.llvm.session import Session
from rl_compiler.llvm.worker import WORKER_SLICE_NS

_SYS_SCHED_GETATTR = {"x86_64": 315, "aarch64": 275}


def _slice_ns(pid: int) -> int | None:
    """The task's custom slice from ``sched_getattr`` (None where the kernel has no such field)."""
    buf = ctypes.create_string_buffer(56)
    if ctypes.CDLL(None, use_errno=True).syscall(_SYS_SCHED_GETATTR[platform.machine()], pid, buf, 56, 0) != 0:
        return None
    return struct.unpack_from("<IIQiIQ", buf.raw)[5]


@pytest.mark.skipif(platform.machine() not in _SYS_SCHED_GETATTR, reason="Linux x86_64/aarch64 only")
def test_worker_asks_for_a_short_slice_and_keeps_its_nice_value() -> None:
    if os.uname().sysname != "Linux" or tuple(int(x) for x in platform.release().split(".")[:2]) < (6, 12):
        pytest.skip("custom slices need Linux >= 6.12")
    bitcode = Module.from_ir("define i32 @f() {\n  ret i32 0\n}\n").bitcode()
    with Session(bitcode) as session:
        assert session.instruction_count() == 1
        assert session.pid is not None
        assert _slice_ns(session.pid) == WORKER_SLICE_NS
        assert os.getpriority(os.PRIO_PROCESS, session.pid) == os.getpriority(os.PRIO_PROCESS, 0)


def test_worker_imports_the_callers_package_not_one_in_the_working_directory(tmp_path, monkeypatch) -> None:
    # Another copy of the package in the working directory (another checkout): `python -m` would import it first.
    decoy = tmp_path / "rl_compiler"
    decoy.mkdir()
    (decoy / "__init__.py").write_text('raise SystemExit("the worker imported the working directory\'s rl_compiler")\n')
    monkeypatch.chdir(tmp_path)
    bitcode = Module.from_ir("define i32 @f() {\n  ret i32 0\n}\n").bitcode()
    with Session(bitcode) as session:
        assert session.instruction_count() == 1
        assert session.recoveries == 0


@pytest.mark.parametrize("settings", [{"RL_COMPILER_WORKER_SESSION": "caller"}, {"RL_COMPILER_SPIN_ESCAPE": "2"}])
def test_opt_in_worker_settings_serve_and_lose_the_worker_as_the_default(settings, monkeypatch) -> None:
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    bitcode = Module.from_ir("define i32 @f() {\n  ret i32 0\n}\n").bitcode()
    with Session(bitcode) as session:
        assert session.step("function(instcombine)", ("instruction_count",)) == (1,)
        pid = session.pid
        assert pid is not None and os.getpgid(pid) == pid
        os.kill(pid, signal.SIGKILL)
        assert session.step("function(dce)", ("instruction_count",)) == (1,)
        assert session.recoveries == 1 and session.pid != pid
