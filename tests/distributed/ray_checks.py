"""What a Ray test may leave behind: nothing (a /proc scan, no psutil)."""

from __future__ import annotations

import os
from pathlib import Path


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention ``text`` (a Ray session's private directory)."""
    return list(pids_mentioning(text).values())


def pids_mentioning(text: str) -> dict[int, str]:
    """Pid -> command line of the live processes that mention ``text``."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                found[int(entry)] = cmdline
    return found


def processes_in_group(pgid: int) -> list[int]:
    """Pids of the live (not zombie) processes of process group ``pgid``."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found
