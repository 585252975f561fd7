"""Private temporary directories that do not outlive a crashed owner.

Every directory is named ``rl-compiler-<kind>-<pid>-<random>``. A process that is killed (SIGKILL, OOM)
cannot remove its own; the next rl-compiler process to create one removes every such directory whose
owner pid is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_NAME = re.compile(r"^rl-compiler-[a-z0-9-]+?-(\d+)-[^-]+$")
_swept = False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale() -> int:
    """Remove this user's rl-compiler temporary directories whose owner process has died; return how many."""
    removed = 0
    root = Path(tempfile.gettempdir())
    try:
        entries = list(root.iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = _NAME.match(entry.name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        try:
            if entry.is_dir() and entry.stat().st_uid == os.getuid() and not _alive(int(match.group(1))):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def make_private_dir(kind: str) -> Path:
    """Create a private (0700) temporary directory for ``kind``; the caller removes it."""
    global _swept
    if not _swept:
        _swept = True
        sweep_stale()
    return Path(tempfile.mkdtemp(prefix=f"rl-compiler-{kind}-{os.getpid()}-"))


@contextlib.contextmanager
def private_dir(kind: str) -> Iterator[Path]:
    """A private temporary directory for the duration of the block (removed even on error)."""
    path = make_private_dir(kind)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
