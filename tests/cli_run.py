"""Run the ``rl-compiler`` command in a child process, as a user's shell would."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``rl-compiler ARGS...`` with ``stdin`` as its input; text output captured."""
    return subprocess.run(
        [sys.executable, "-m", "rl_compiler.cli", *args], input=stdin, capture_output=True, text=True, timeout=timeout
    )
