"""Import a corpus of C code as a manifest dataset: one program per translation unit, MLGO's way.

``import_dataset(source, name)`` takes either a directory (every ``.c`` file under it, recursively, or the
``compile_commands.json`` at its top if there is one) or a ``compile_commands.json`` file (the compilation
database CMake writes with ``-DCMAKE_EXPORT_COMPILE_COMMANDS=ON`` and ``bear`` records for make). Each
translation unit becomes one program built with the project's own clang (the ``size`` variant, like every
benchmark); from a compilation database it keeps the preprocessor and language flags of its command
(``-I -D -U -include -isystem -iquote -idirafter -std= -f(un)signed-char``; relative paths resolved against
the entry's ``directory``) and drops the rest (optimisation levels, warnings, output and dependency files).

Every program is built once at import (then cached); units that do not compile are left out and listed in
the report, as are units whose start module has fewer or more IR instructions than asked. A program is
runnable when its module defines ``main``. The manifest (sources by absolute path, never copied) is written
to ``output`` or else to ``<cache>/datasets/<name>/manifest.yaml``, where ``get_dataset(name)`` and every
``benchmark://<name>/...`` URI find it in any process.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rl_compiler.datasets.build import build_bitcode
from rl_compiler.datasets.errors import BuildError, DatasetError, MissingFileError
from rl_compiler.datasets.manifest import SPLITS, check_name, load_manifest
from rl_compiler.llvm.cache import atomic_write_text, cache_dir

COMPILE_COMMANDS = "compile_commands.json"
C_SUFFIXES = (".c",)
#: Flags of a compile command kept for the build, with whether they take a separate argument.
_KEPT_WITH_VALUE = ("-I", "-D", "-U", "-include", "-isystem", "-iquote", "-idirafter", "-imacros")
_KEPT_PREFIXES = ("-std=", "-funsigned-char", "-fsigned-char")
_PATH_FLAGS = ("-I", "-include", "-isystem", "-iquote", "-idirafter", "-imacros")
_MAIN = re.compile(r"^define [^@]*@main\(", re.MULTILINE)


def imported_manifest_path(name: str) -> Path:
    """Where ``import_dataset`` writes the manifest of dataset ``name`` by default."""
    return cache_dir("datasets") / check_name(name, "dataset name", "import") / "manifest.yaml"


@dataclass(frozen=True)
class TranslationUnit:
    """One C file to build, with the flags it needs."""

    source: Path
    cflags: tuple[str, ...]


@dataclass
class ImportReport:
    """What ``import_dataset`` did: the manifest written, and the units kept and left out (with why)."""

    manifest: Path
    dataset: str
    kept: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    filtered: list[tuple[str, str]] = field(default_factory=list)
    instructions: dict[str, int] = field(default_factory=dict)


def _kept_flags(arguments: Sequence[str], directory: Path) -> tuple[str, ...]:
    """The preprocessor and language flags of one compile command (paths made absolute)."""
    kept: list[str] = []
    index = 1  # argument 0 is the compiler
    while index < len(arguments):
        arg = arguments[index]
        index += 1
        flag = next((f for f in _KEPT_WITH_VALUE if arg == f or arg.startswith(f)), None)
        if flag is not None:
            value = arg[len(flag) :]
            if not value and index < len(arguments):
                value, index = arguments[index], index + 1
            if flag in _PATH_FLAGS and not Path(value).is_absolute():
                value = str((directory / value).resolve())
            kept += [flag, value]
        elif arg.startswith(_KEPT_PREFIXES):
            kept.append(arg)
    return tuple(kept)


def units_from_compile_commands(path: Path) -> list[TranslationUnit]:
    """The C translation units of a ``compile_commands.json`` (C++ and other entries are skipped)."""
    try:
        entries = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise DatasetError(f"{path}: not a readable compilation database: {error}") from error
    if not isinstance(entries, list):
        raise DatasetError(f"{path}: expected a JSON list of compile commands, got {type(entries).__name__}")
    units: dict[Path, TranslationUnit] = {}
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or "file" not in entry or "directory" not in entry:
            raise DatasetError(f"{path}: entry {number} lacks 'file' or 'directory': {entry!r}")
        directory = Path(entry["directory"])
        source = (directory / entry["file"]).resolve()
        if source.suffix not in C_SUFFIXES:
            continue
        if "arguments" in entry:
            arguments = [str(a) for a in entry["arguments"]]
        elif "command" in entry:
            arguments = shlex.split(entry["command"])
        else:
            raise DatasetError(f"{path}: entry {number} ({source}) has neither 'arguments' nor 'command'")
        units.setdefault(source, TranslationUnit(source, _kept_flags(arguments, directory)))
    return list(units.values())


def units_from_directory(root: Path, cflags: Sequence[str] = ()) -> list[TranslationUnit]:
    """Every ``.c`` file under ``root``, built with ``-I`` its own folder, then every folder under ``root``
    that holds headers or is called ``include`` (a library's sources include each other's headers without a
    build system to say where), then ``cflags``."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    sources = [p for p in files if p.suffix in C_SUFFIXES]
    folders = {p.parent for p in files if p.suffix == ".h"}
    # "#include <lib/x.h>" needs the folder above lib/: take every folder named include as well.
    header_dirs = sorted(folders | {f for d in folders for f in d.parents if f.name == "include"} | {root})

    def includes(source: Path) -> tuple[str, ...]:
        folders = [source.parent, *(d for d in header_dirs if d != source.parent)]
        return tuple(part for folder in folders for part in ("-I", str(folder)))

    return [TranslationUnit(source, (*includes(source), *cflags)) for source in sources]


def find_units(source: str | Path, cflags: Sequence[str] = ()) -> tuple[Path, list[TranslationUnit]]:
    """(root, units) of a directory or a ``compile_commands.json``; raises for anything else."""
    path = Path(source).expanduser().resolve()
    if not path.exists():
        raise MissingFileError(f"no such file or directory: {path}")
    if path.is_dir() and (path / COMPILE_COMMANDS).is_file():
        path = path / COMPILE_COMMANDS
    if path.is_file():
        if path.name != COMPILE_COMMANDS and path.suffix != ".json":
            raise DatasetError(f"{path}: expected a directory of C files or a {COMPILE_COMMANDS}")
        units = units_from_compile_commands(path)
        units = [TranslationUnit(u.source, (*u.cflags, *cflags)) for u in units]
        # Programs are named by their path below the sources' common folder, wherever the build was.
        root = Path(os.path.commonpath([u.source.parent for u in units])) if units else path.parent
    else:
        units, root = units_from_directory(path, cflags), path
    if not units:
        raise DatasetError(f"{path}: no C translation units ({', '.join(C_SUFFIXES)}) found")
    return root, units


def program_name(source: Path, root: Path, taken: set[str]) -> str:
    """A manifest name for ``source``: its path under ``root`` with '/' as '.', made valid and unique."""
    try:
        relative = source.relative_to(root)
    except ValueError:
        relative = Path(source.name)
    base = re.sub(r"[^A-Za-z0-9._-]", "_", ".".join(relative.with_suffix("").parts)).lstrip("._-") or "unit"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    taken.add(name)
    return name


def import_dataset(
    source: str | Path,
    name: str,
    *,
    output: str | Path | None = None,
    description: str = "",
    cflags: Sequence[str] = (),
    split: str | None = None,
    min_instructions: int = 1,
    max_instructions: int | None = None,
    runnable: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Build every translation unit of ``source`` and write a manifest dataset called ``name``.

    :param source: a directory of C files (recursive) or with a ``compile_commands.json``, or that file.
    :param output: the manifest file to write (default: :func:`imported_manifest_path`).
    :param cflags: extra clang flags for every unit.
    :param split: put every program in this split (train, validation, test); default: the deterministic
        20/20/60 assignment of ``Dataset``.
    :param min_instructions: leave out units whose start module has fewer IR instructions.
    :param max_instructions: leave out units whose start module has more IR instructions.
    :param runnable: None: a unit is runnable if it defines ``main``; False: none is (a library's test
        drivers and tools need inputs the import cannot know).
    :param progress: called with one line per unit.
    """
    from rl_compiler.llvm.module import Module  # the engine loads on first use only

    check_name(name, "dataset name", "import")
    if split is not None and split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    root, units = find_units(source, cflags)
    manifest = Path(output).expanduser().resolve() if output else imported_manifest_path(name)
    report = ImportReport(manifest=manifest, dataset=name)
    taken: set[str] = set()
    programs = []
    for unit in units:
        program = program_name(unit.source, root, taken)
        flags = (*unit.cflags, "-w")
        try:
            bitcode = build_bitcode([unit.source], flags, "size", namespace=name, name=program)
            module = Module.from_bitcode(bitcode)
            count = module.instruction_count()
            has_main = runnable is not False and bool(_MAIN.search(module.ir()))
            module.close()
        except (BuildError, DatasetError) as error:
            lines = str(error).strip().splitlines()
            report.failed.append((program, " ".join(lines[:2])[:300]))
            _say(progress, f"failed  {program}: {report.failed[-1][1]}")
            continue
        if count < min_instructions or (max_instructions is not None and count > max_instructions):
            report.filtered.append((program, f"{count} IR instructions"))
            _say(progress, f"skipped {program}: {count} IR instructions")
            continue
        entry = {"name": program, "sources": [str(unit.source)], "cflags": list(flags), "runnable": has_main}
        if split:
            entry["split"] = split
        programs.append(entry)
        report.kept.append(program)
        report.instructions[program] = count
        _say(progress, f"ok      {program}: {count} IR instructions")
    if not programs:
        raise DatasetError(f"{source}: none of the {len(units)} translation units could be imported")
    text = yaml.safe_dump(
        {
            "dataset": name,
            "description": description or f"imported from {Path(source).expanduser().resolve()}",
            "programs": programs,
        },
        sort_keys=False,
    )
    manifest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(manifest, text)
    load_manifest(manifest)  # fail now, not at first use, if the written manifest were not valid
    return report


def _say(progress: Callable[[str], None] | None, line: str) -> None:
    if progress is not None:
        progress(line)
