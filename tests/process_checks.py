"""Checks that a test left no compiler process or temporary file behind (a /proc scan; no psutil)."""

from __future__ import annotations

import os
from pathlib import Path


def compiler_children() -> list[int]:
    """Pids of llc/opt processes whose parent is this process."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == os.getpid() and comm in ("llc", "opt"):
            found.append(int(entry))
    return found


def assert_clean(folder: Path, pid: int | None = None) -> None:
    """No llc/opt child, the given process gone, and no rl-compiler file left in ``folder``."""
    assert compiler_children() == []
    if pid is not None:
        assert not Path(f"/proc/{pid}").exists()
    left = [p.name for p in folder.iterdir() if p.name.startswith("rl-compiler")]  # torch/SB3 use tmp too
    assert left == [], f"left behind: {left}"
