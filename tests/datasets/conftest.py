"""Fixtures for the datasets tests: a private cache and temp dir per session, and leftover checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _processes_mentioning(text: str) -> list[int]:
    """PIDs of live processes whose command line or executable path contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            exe = os.readlink(entry / "exe") if (entry / "exe").exists() else ""
        except OSError:
            continue
        if text in cmdline or text in exe:
            found.append(int(entry.name))
    return found


@pytest.fixture
def processes_mentioning():
    """A function: PIDs of live processes whose command line or executable contains a string."""
    return _processes_mentioning
