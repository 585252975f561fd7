"""Checks that a test left no process or temporary file behind (a /proc scan; no psutil)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_dead(pid: int, seconds: float = 5.0) -> bool:
    """Wait up to ``seconds`` for ``pid`` to end; whether it did."""
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def children(pid: int | None = None, names: tuple[str, ...] | None = None) -> list[int]:
    """Pids of the processes whose parent is ``pid`` (default: this process), only those named in ``names`` if given."""
    parent = os.getpid() if pid is None else pid
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent and (names is None or comm in names):
            found.append(int(entry))
    return found


def compiler_children() -> list[int]:
    """Pids of llc/opt processes whose parent is this process."""
    return children(names=("llc", "opt"))


def assert_clean(folder: Path, pid: int | None = None) -> None:
    """No llc/opt child, the given process gone, and no rl-compiler file left in ``folder``."""
    assert compiler_children() == []
    if pid is not None:
        assert not Path(f"/proc/{pid}").exists()
    left = [p.name for p in folder.iterdir() if p.name.startswith("rl-compiler")]  # torch/SB3 use tmp too
    assert left == [], f"left behind: {left}"
