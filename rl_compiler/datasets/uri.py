"""Benchmark URIs: ``benchmark://<dataset>/<name>``, ``generator://<generator>/<seed>``, ``file:///<path>``.

A string without a scheme is a filesystem path if it exists, else ``<dataset>/<name>`` (CompilerGym style).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from rl_compiler.datasets.errors import DatasetError

BENCHMARK = "benchmark"
GENERATOR = "generator"
FILE = "file"
SCHEMES = (BENCHMARK, GENERATOR, FILE)


@dataclass(frozen=True)
class BenchmarkUri:
    """A parsed benchmark reference: ``scheme`` plus ``dataset``/``name`` or ``path`` (for ``file``)."""

    scheme: str
    dataset: str = ""
    name: str = ""
    path: Path | None = None

    def __str__(self) -> str:
        if self.scheme == FILE:
            assert self.path is not None
            return self.path.as_uri()
        return f"{self.scheme}://{self.dataset}/{self.name}"


def benchmark_uri(dataset: str, name: str, scheme: str = BENCHMARK) -> str:
    """The URI string of benchmark ``name`` in ``dataset``."""
    return f"{scheme}://{dataset}/{name}"


def parse_uri(text: str) -> BenchmarkUri:
    """Parse a benchmark URI or path; raise DatasetError for an unknown scheme or a malformed URI."""
    if not isinstance(text, str) or not text:
        raise DatasetError(f"expected a benchmark URI or path, got {text!r}")
    if "://" not in text:
        path = Path(text).expanduser()
        if path.exists() or text.startswith(("/", ".", "~")) or path.suffix or text.count("/") != 1:
            return BenchmarkUri(FILE, path=path.resolve())
        dataset, name = text.split("/")
        return BenchmarkUri(BENCHMARK, dataset, name)
    scheme = text.split("://", 1)[0]
    if scheme not in SCHEMES:
        raise DatasetError(
            f"unknown URI scheme {scheme!r} in {text!r}; expected one of " + ", ".join(f"{s}://" for s in SCHEMES)
        )
    if scheme == FILE:
        parsed = urlparse(text)
        if parsed.netloc not in ("", "localhost"):
            raise DatasetError(f"{text!r}: file URIs must be absolute (file:///path), got host {parsed.netloc!r}")
        return BenchmarkUri(FILE, path=Path(unquote(parsed.path)).resolve())
    rest = text.split("://", 1)[1].strip("/")
    if "/" not in rest:
        raise DatasetError(f"{text!r}: expected {scheme}://<dataset>/<name>")
    dataset, name = rest.split("/", 1)
    if not dataset or not name:
        raise DatasetError(f"{text!r}: expected {scheme}://<dataset>/<name>")
    return BenchmarkUri(scheme, dataset, name)
