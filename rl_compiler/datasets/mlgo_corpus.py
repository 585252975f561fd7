"""MLGO corpora for the register-allocation and inlining environments.

An MLGO corpus (what google/ml-compiler-opt's ``extract_ir.py`` writes and its training reads) is a folder with
``corpus_description.json`` (``{"has_thinlto": false, "modules": ["dir/a", ...]}``) and, per module, its bitcode
``dir/a.bc`` and its compile command ``dir/a.cmd`` (arguments separated by NUL bytes).

- :func:`read_corpus` makes a corpus a manifest dataset: ``benchmark://<name>/<module>`` (``/`` in a module path
  becomes ``.``), each module's bitcode taken as it is, found by name in every process afterwards.
- :func:`extract_corpus` writes a corpus from a ``compile_commands.json`` (or a folder of C files): each
  translation unit built with the project's clang (the flags of its command kept as
  :mod:`rl_compiler.datasets.importer` does, no LLVM pass run), ready for either MLGO env or for LLVM's own tools.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rl_compiler.datasets.build import build_bitcode
from rl_compiler.datasets.dataset import dataset_from_manifest
from rl_compiler.datasets.errors import BuildError, DatasetError, MissingFileError
from rl_compiler.datasets.importer import find_units, imported_manifest_path, program_name
from rl_compiler.datasets.manifest import SPLITS, check_name
from rl_compiler.datasets.registry import register_dataset
from rl_compiler.llvm.cache import atomic_write_bytes, atomic_write_text

CORPUS_DESCRIPTION = "corpus_description.json"


@dataclass
class CorpusReport:
    """What :func:`read_corpus` or :func:`extract_corpus` did."""

    path: Path
    modules: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def read_corpus(
    corpus: str | Path, name: str, *, output: str | Path | None = None, split: str | None = None
) -> CorpusReport:
    """Make the MLGO corpus at ``corpus`` the manifest dataset ``name``; returns the manifest written.

    :param split: put every module in this split (default: the deterministic 20/20/60 assignment).
    :raises MissingFileError: naming the description or the module bitcode files that are missing.
    """
    check_name(name, "dataset name", "MLGO corpus")
    if split is not None and split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    root = Path(corpus).expanduser().resolve()
    description = root / CORPUS_DESCRIPTION
    if not description.is_file():
        raise MissingFileError(f"{root} is not an MLGO corpus: it has no {CORPUS_DESCRIPTION}")
    try:
        modules = json.loads(description.read_text())["modules"]
    except (ValueError, KeyError, TypeError) as error:
        raise DatasetError(f"{description}: expected a JSON object with a 'modules' list ({error})") from None
    if not isinstance(modules, list) or not modules:
        raise DatasetError(f"{description}: 'modules' must be a non-empty list of module paths")
    missing = [f"{m}.bc" for m in modules if not (root / f"{m}.bc").is_file()]
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise MissingFileError(f"MLGO corpus {root} lacks the bitcode of {len(missing)} modules: {shown}")
    taken: set[str] = set()
    programs = []
    for module in modules:
        program = program_name(root / f"{module}.bc", root, taken)
        entry = {"name": program, "sources": [str(root / f"{module}.bc")], "runnable": False}
        if split:
            entry["split"] = split
        programs.append(entry)
    manifest = Path(output).expanduser().resolve() if output else imported_manifest_path(name)
    text = yaml.safe_dump(
        {"dataset": name, "description": f"MLGO corpus {root}", "programs": programs}, sort_keys=False
    )
    manifest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(manifest, text)
    register_dataset(dataset_from_manifest(manifest), replace=True)
    return CorpusReport(manifest, [p["name"] for p in programs])


def extract_corpus(source: str | Path, output: str | Path) -> CorpusReport:
    """Build every C translation unit of ``source`` (a ``compile_commands.json`` or a folder of C files) and write
    an MLGO corpus to ``output``. Units that do not compile are reported and left out.

    :raises DatasetError: if no unit builds.
    """
    root, units = find_units(source)
    out = Path(output).expanduser().resolve()
    report = CorpusReport(out)
    taken: set[str] = set()
    for unit in units:
        try:
            relative = unit.source.relative_to(root).with_suffix("")
        except ValueError:
            relative = Path(unit.source.stem)
        module = "/".join(re.sub(r"[^A-Za-z0-9._-]", "_", part) for part in relative.parts)
        if module in taken:
            module = f"{module}-{len(taken)}"
        taken.add(module)
        flags = (*unit.cflags, "-w")
        try:
            bitcode = build_bitcode([unit.source], flags, "size", namespace="mlgo-corpus", name=relative.name)
        except (BuildError, DatasetError) as error:
            report.failed.append((module, " ".join(str(error).strip().splitlines()[:2])[:300]))
            continue
        (out / module).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out / f"{module}.bc", bitcode)
        command = ["-c", *flags, str(unit.source)]
        atomic_write_bytes(out / f"{module}.cmd", "\0".join(command).encode())
        report.modules.append(module)
    if not report.modules:
        raise DatasetError(f"{source}: none of the {len(units)} translation units builds")
    atomic_write_text(
        out / CORPUS_DESCRIPTION, json.dumps({"has_thinlto": False, "modules": report.modules}, indent=2) + "\n"
    )
    return report
