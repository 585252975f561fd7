"""Files written atomically get the mode a plain ``open()`` would give them, not the temp file's 0600."""

from __future__ import annotations

import os
import stat

from rl_compiler.llvm.cache import UMASK, atomic_write_bytes, atomic_write_text


def test_atomic_writes_have_the_usual_mode(tmp_path):
    atomic_write_bytes(tmp_path / "a.bc", b"BC")
    atomic_write_text(tmp_path / "a.json", "{}\n")
    with open(tmp_path / "plain", "w") as handle:
        handle.write("x")
    plain = stat.S_IMODE(os.stat(tmp_path / "plain").st_mode)
    assert plain == 0o666 & ~UMASK
    for name in ("a.bc", "a.json"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == plain, name
    assert (tmp_path / "a.bc").read_bytes() == b"BC" and sorted(p.name for p in tmp_path.iterdir()) == [
        "a.bc",
        "a.json",
        "plain",
    ]
