"""Output shared by the benchmark scripts in this folder (run as scripts, so they import it by name)."""

from __future__ import annotations

from pathlib import Path


def emit(lines: list[str], out: Path | None) -> None:
    """Print the Markdown ``lines`` and, when ``out`` is given, also write them there."""
    table = "\n".join(lines)
    print(table)
    if out:
        out.write_text(table + "\n")
