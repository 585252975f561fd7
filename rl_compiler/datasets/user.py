"""Benchmarks from the user's own files: C/C++ sources, ``.ll``/``.bc`` modules, or a folder of them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rl_compiler.datasets.benchmark import Benchmark
from rl_compiler.datasets.errors import DatasetError, EmptyBenchmarkError, MissingFileError
from rl_compiler.datasets.manifest import SOURCE_SUFFIXES, ProgramSpec

#: The ``dataset`` of benchmarks made from files.
FILE_DATASET = "file"


def _sources_of(path: Path) -> list[Path]:
    if not path.exists():
        raise MissingFileError(f"no such file or directory: {path}")
    if path.is_dir():
        sources = sorted(child for child in path.iterdir() if child.is_file() and child.suffix in SOURCE_SUFFIXES)
        if not sources:
            raise DatasetError(f"{path}: no source files ({', '.join(SOURCE_SUFFIXES)}) in this directory")
        return sources
    if path.suffix not in SOURCE_SUFFIXES:
        raise DatasetError(
            f"{path}: unsupported file type {path.suffix!r}; expected one of {', '.join(SOURCE_SUFFIXES)}"
        )
    if path.stat().st_size == 0:
        raise EmptyBenchmarkError(f"{path}: the file is empty; there is no program to compile")
    return [path]


def _optional_file(value: str | Path | None, what: str) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_file():
        raise MissingFileError(f"{what} file {path} does not exist")
    return path


def benchmark_from_files(
    paths: str | Path | Sequence[str | Path],
    *,
    name: str | None = None,
    cflags: Sequence[str] = (),
    ldflags: Sequence[str] = (),
    stdin: str | Path | None = None,
    args: Sequence[str] = (),
    files: Sequence[str | Path] = (),
    expected_stdout: str | Path | None = None,
    runnable: bool | None = None,
) -> Benchmark:
    """A benchmark from source files or one directory of them (all its ``.c .cc .cpp .cxx .ll .bc`` files).

    C/C++ files are compiled with ``cflags`` and linked with ``llvm-link``; ``.ll``/``.bc`` files are taken
    as they are. The URI is the ``file://`` URI of the (first) path. ``runnable=None`` means runnable if the
    module defines ``main``; without ``expected_stdout`` the unoptimised build's output is the reference.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    resolved = [Path(path).expanduser().resolve() for path in paths]
    if not resolved:
        raise DatasetError("benchmark_from_files: no paths given")
    sources = [source for path in resolved for source in _sources_of(path)]
    first = resolved[0]
    spec = ProgramSpec(
        name=name or (first.name if first.is_dir() else first.stem),
        sources=tuple(sources),
        cflags=tuple(cflags),
        ldflags=tuple(ldflags),
        stdin=_optional_file(stdin, "stdin"),
        args=tuple(str(arg) for arg in args),
        files=tuple(p for p in (_optional_file(item, "input") for item in files) if p is not None),
        expected_stdout=_optional_file(expected_stdout, "expected_stdout"),
        runnable=runnable,
    )
    return Benchmark(first.as_uri(), spec, FILE_DATASET)
