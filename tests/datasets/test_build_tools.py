"""Build tools (clang, llvm-link) run by ``datasets.build.run_tool`` die with the process that ran them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from process_checks import alive, children, wait_dead

from rl_compiler.datasets.build import run_tool
from rl_compiler.datasets.errors import BuildError
from rl_compiler.llvm.toolchain import get_toolchain

# A parent that runs a real clang that never finishes: its input is a FIFO nobody writes.
PARENT = """
import sys
from rl_compiler.datasets.build import run_tool
run_tool([sys.argv[1], "-c", "-x", "c", sys.argv[2], "-o", sys.argv[3]], "clang on a FIFO")
"""


def test_a_killed_parent_leaves_no_build_tool_behind(tmp_path: Path) -> None:
    fifo = tmp_path / "never-written.c"
    os.mkfifo(fifo)
    clang = str(get_toolchain().clang)
    parent = subprocess.Popen([sys.executable, "-c", PARENT, clang, str(fifo), str(tmp_path / "out.o")])
    tool = None
    try:
        deadline = time.monotonic() + 60
        while tool is None and time.monotonic() < deadline:
            assert parent.poll() is None, "the parent ended before its clang started"
            tool = next(iter(children(parent.pid)), None)
            time.sleep(0.05)
        assert tool is not None and "clang" in Path(f"/proc/{tool}/cmdline").read_text()
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert wait_dead(tool, 10), "clang outlived the process that ran it"
    finally:
        parent.kill()
        parent.wait()
        if tool is not None and alive(tool):
            os.kill(tool, signal.SIGKILL)


def test_a_failing_tool_is_a_build_error_naming_it(tmp_path: Path) -> None:
    source = tmp_path / "bad.c"
    source.write_text("int main(void) { return missing; }\n")
    with pytest.raises(BuildError, match=r"clang failed on bad.c \(exit status 1\):\n.*missing"):
        run_tool(
            [str(get_toolchain().clang), "-c", str(source), "-o", str(tmp_path / "bad.o")], "clang failed on bad.c"
        )
    with pytest.raises(BuildError, match="could not run /nonexistent/clang"):
        run_tool(["/nonexistent/clang"], "clang")
