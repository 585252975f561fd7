"""The manifest format that describes a dataset of programs (the built-in suite and user datasets alike).

A manifest is a YAML file::

    dataset: my-suite-v0           # the dataset name: benchmark://my-suite-v0/<program>
    description: what the programs are
    programs:
      - name: crc32                # required; letters, digits, '.', '_', '-'
        sources: [crc32/crc32.c]   # required; .c/.cc/.cpp/.ll/.bc, relative to the manifest's folder
        description: ...           # optional
        tags: [checksum]           # optional
        cflags: [-DN=100]          # optional; added to every clang command line of this program
        ldflags: [-lm]             # optional; used when linking the executable
        stdin: crc32/input.txt     # optional; the run's standard input
        args: [data.txt]           # optional; the run's command-line arguments
        files: [crc32/data.txt]    # optional; copied into the run's private directory (by base name)
        expected_stdout: crc32/expected.txt  # optional; else the unoptimised build's output is the reference
        expected_returncode: 0     # optional (default 0)
        runnable: true             # optional (default true); false for programs that cannot be run
        split: test                # optional; train/validation/test, else assigned deterministically
        ir_instructions_O0: 1234   # optional; informational

Paths are checked when the manifest is loaded, so a typo fails early, naming the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rl_compiler.data import read_yaml_mapping
from rl_compiler.datasets.errors import ManifestError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".ll", ".bc")
SPLITS = ("train", "validation", "test")
_LIST_FIELDS = ("tags", "cflags", "ldflags", "args")
_KNOWN_FIELDS = {
    "name", "sources", "description", "tags", "cflags", "ldflags", "stdin", "args", "files",
    "expected_stdout", "expected_returncode", "runnable", "split", "ir_instructions_O0",
}  # fmt: skip


@dataclass(frozen=True)
class ProgramSpec:
    """One program of a dataset: how to build it and how to run it. Paths are absolute."""

    name: str
    sources: tuple[Path, ...]
    description: str = ""
    tags: tuple[str, ...] = ()
    cflags: tuple[str, ...] = ()
    ldflags: tuple[str, ...] = ()
    stdin: Path | None = None
    args: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    expected_stdout: Path | None = None
    expected_returncode: int = 0
    runnable: bool | None = True  # None: runnable if the module defines main()
    split: str | None = None
    ir_instructions_O0: int | None = None


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest: the dataset's name and description, and its programs in file order."""

    path: Path
    dataset: str
    description: str
    programs: tuple[ProgramSpec, ...]


def check_name(value: Any, what: str, where: str) -> str:
    """Return ``value`` if it is a valid dataset or program name, else raise ManifestError."""
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise ManifestError(
            f"{where}: invalid {what} {value!r}: expected letters, digits, '.', '_' or '-' (e.g. 'crc32')"
        )
    return value


def _string_list(entry: dict, field: str, where: str) -> tuple[str, ...]:
    value = entry.get(field, [])
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, (str, int, float)) for item in value):
        raise ManifestError(f"{where}: field '{field}' must be a list of strings, got {value!r}")
    return tuple(str(item) for item in value)


def _existing_path(root: Path, value: Any, field: str, where: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where}: field '{field}' must be a path string, got {value!r}")
    path = (root / value).resolve()
    if not path.is_file():
        raise ManifestError(f"{where}: field '{field}': file {value!r} does not exist (looked for {path})")
    return path


def parse_program(entry: Any, root: Path, where: str) -> ProgramSpec:
    """Validate one ``programs:`` entry of a manifest whose folder is ``root``."""
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: expected a mapping with at least 'name' and 'sources', got {entry!r}")
    if "name" not in entry:
        raise ManifestError(f"{where}: missing required field 'name'")
    name = check_name(entry["name"], "program name", where)
    where = f"{where} ({name})"
    unknown = set(entry) - _KNOWN_FIELDS
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; known: {sorted(_KNOWN_FIELDS)}")
    if "sources" not in entry:
        raise ManifestError(f"{where}: missing required field 'sources'")
    raw_sources = entry["sources"]
    if isinstance(raw_sources, str):
        raw_sources = [raw_sources]
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ManifestError(f"{where}: field 'sources' must be a non-empty list of paths, got {raw_sources!r}")
    sources = tuple(_existing_path(root, source, "sources", where) for source in raw_sources)
    for source in sources:
        if source.suffix not in SOURCE_SUFFIXES:
            raise ManifestError(f"{where}: field 'sources': {source.name} is not one of {', '.join(SOURCE_SUFFIXES)}")
    lists = {field: _string_list(entry, field, where) for field in _LIST_FIELDS}
    stdin = _existing_path(root, entry["stdin"], "stdin", where) if entry.get("stdin") else None
    expected = entry.get("expected_stdout")
    expected_path = _existing_path(root, expected, "expected_stdout", where) if expected else None
    files = tuple(_existing_path(root, item, "files", where) for item in _string_list(entry, "files", where))
    returncode = entry.get("expected_returncode", 0)
    if not isinstance(returncode, int) or isinstance(returncode, bool):
        raise ManifestError(f"{where}: field 'expected_returncode' must be an integer, got {returncode!r}")
    runnable = entry.get("runnable", True)
    if not isinstance(runnable, bool):
        raise ManifestError(f"{where}: field 'runnable' must be true or false, got {runnable!r}")
    split = entry.get("split")
    if split is not None and split not in SPLITS:
        raise ManifestError(f"{where}: field 'split' must be one of {', '.join(SPLITS)}, got {split!r}")
    count = entry.get("ir_instructions_O0")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
        raise ManifestError(f"{where}: field 'ir_instructions_O0' must be an integer, got {count!r}")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise ManifestError(f"{where}: field 'description' must be a string, got {description!r}")
    return ProgramSpec(
        name=name,
        sources=sources,
        description=description,
        stdin=stdin,
        files=files,
        expected_stdout=expected_path,
        expected_returncode=returncode,
        runnable=runnable,
        split=split,
        ir_instructions_O0=count,
        **lists,
    )


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest file (or a folder holding ``manifest.yaml``)."""
    path = Path(path)
    if path.is_dir():
        path = path / "manifest.yaml"
    path = path.resolve()
    if not path.is_file():
        raise ManifestError(f"{path}: manifest file does not exist")
    data = read_yaml_mapping(path, ManifestError, "a mapping with 'dataset' and 'programs'")
    for field in ("dataset", "programs"):
        if field not in data:
            raise ManifestError(f"{path}: missing required top-level field '{field}'")
    dataset = check_name(data["dataset"], "dataset name", str(path))
    description = data.get("description") or ""
    if not isinstance(data["programs"], list):
        raise ManifestError(f"{path}: field 'programs' must be a list of program entries")
    programs = []
    seen: set[str] = set()
    for index, entry in enumerate(data["programs"]):
        program = parse_program(entry, path.parent, f"{path}: programs[{index}]")
        if program.name in seen:
            raise ManifestError(f"{path}: programs[{index}]: duplicate program name {program.name!r}")
        seen.add(program.name)
        programs.append(program)
    return Manifest(path=path, dataset=dataset, description=str(description), programs=tuple(programs))
