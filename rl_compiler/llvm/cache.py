"""The on-disk cache: where it lives, and writing into it safely from several processes at once.

Location: ``$RL_COMPILER_CACHE`` if set, else ``$XDG_CACHE_HOME/rl-compiler``, else ``~/.cache/rl-compiler``.
Every entry is written to a temporary file in the same directory and renamed into place, so readers see
either nothing or a complete file, and concurrent writers of the same key simply race to an identical result.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

CACHE_ENV = "RL_COMPILER_CACHE"


def cache_dir(*parts: str) -> Path:
    """Return (and create) the cache directory, or a subdirectory of it."""
    root = os.environ.get(CACHE_ENV)
    if root:
        base = Path(root)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "rl-compiler"
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The process's umask, read once (reading it means setting it): files are written as ``open()`` would.
UMASK = _umask()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same directory, fsync, rename), with the mode
    ``open()`` gives a new file (0666 less the umask; the temp file alone would be 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), 0o666 & ~UMASK)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode())


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if needed) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def build_once(target: Path, build: Callable[[str], None]) -> Path:
    """Return ``target``, creating it first if missing: ``build(tmp)`` writes a temporary file beside it,
    which is renamed into place. A lock beside ``target`` makes concurrent processes build it once."""
    if target.exists():
        return target
    with file_lock(target.parent / ".lock"):
        if target.exists():
            return target
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix)
        os.close(fd)
        try:
            build(tmp)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return target
