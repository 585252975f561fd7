"""Temporary directories of a killed process are swept by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from rl_compiler.llvm import tempdirs


def test_private_dir_is_removed_after_the_block_even_on_error():
    try:
        with tempdirs.private_dir("unit") as path:
            assert path.is_dir() and f"-{os.getpid()}-" in path.name
            (path / "file").write_text("x")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert not path.exists()


def test_directories_of_a_killed_owner_are_swept():
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from rl_compiler.llvm import tempdirs; import time; "
            "print(tempdirs.make_private_dir('unit'), flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    path = Path(child.stdout.readline().strip())
    assert path.is_dir()
    tempdirs.sweep_stale()
    assert path.exists()  # a live owner's directory is kept
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert path.exists()  # SIGKILL gave it no chance to clean up
    tempdirs.sweep_stale()
    assert not path.exists()
    # Unrelated directories are never touched.
    other = Path(tempfile.mkdtemp(prefix="not-rl-compiler-"))
    tempdirs.sweep_stale()
    assert other.exists()
    other.rmdir()
