"""The standard evaluation suites (cBench, MiBench, PolyBench, CHStone, NPB) from a checkout the user has.

Third-party sources are never shipped nor downloaded: ``import_suite("cbench", "~/src/cBench_V1.1")`` reads the
suite's recipe (``benchmarks/suites/<suite>.yaml``: which files make each program, its flags, its inputs and
how to run it), checks the checkout against it, builds every program CompilerGym's way (each source compiled
on its own, then ``llvm-link``) and writes a manifest dataset with CompilerGym's name (``cbench-v1``,
``chstone-v0``, ...), found by name in every process afterwards: ``benchmark://cbench-v1/qsort``.

A program runs (and validates its output) when the checkout has its inputs; otherwise it is built only. Every
program is in the ``test`` split: these suites are for evaluation, never for training or tuning.

Recipe fields: ``dataset``, ``description``, ``layout`` (the expected checkout, for error messages),
``requires`` (files every program needs), ``cflags``/``ldflags`` (every program), ``generated_files`` (files
written beside the manifest and copied into every run, e.g. cBench's ``_finfo_dataset``), ``npb_class``, and
``programs``: ``name``, ``sources`` (globs under the checkout), ``dir``, ``cflags``, ``ldflags``, ``args``,
``files`` and ``stdin`` (run inputs under the checkout), ``runnable``. Strings may use ``{root}`` (the
checkout), ``{dir}``, ``{name}`` and, for NPB, ``{params}`` (the folder of the program's ``npbparams.h``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rl_compiler.data import data_path
from rl_compiler.datasets.build import build_bitcode
from rl_compiler.datasets.dataset import dataset_from_manifest
from rl_compiler.datasets.errors import BuildError, DatasetError, MissingFileError
from rl_compiler.datasets.importer import imported_manifest_path
from rl_compiler.datasets.registry import register_dataset
from rl_compiler.llvm import processes
from rl_compiler.llvm.cache import atomic_write_text
from rl_compiler.llvm.toolchain import get_toolchain

SUITES = ("cbench", "mibench", "polybench", "chstone", "npb")


@dataclass
class SuiteReport:
    """What :func:`import_suite` did: the manifest written, the programs built (and which of them run), and
    the programs that failed to build, with why."""

    manifest: Path
    dataset: str
    built: list[str] = field(default_factory=list)
    runnable: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def load_recipe(suite: str) -> dict[str, Any]:
    """The recipe of ``suite`` (one of :data:`SUITES`)."""
    if suite not in SUITES:
        raise DatasetError(f"unknown suite {suite!r}; expected one of {', '.join(SUITES)}")
    return yaml.safe_load(data_path("benchmarks", "suites", f"{suite}.yaml").read_text())


def _expand(text: str, values: dict[str, str]) -> str:
    return text.format(**values)


def _sources(root: Path, patterns: list[str], values: dict[str, str], missing: list[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        relative = _expand(pattern, values)
        matches = sorted(p for p in root.glob(relative) if p.is_file())
        if not matches:
            missing.append(relative)
        found.extend(matches)
    return found


def _npb_params(root: Path, program: dict[str, Any], npb_class: str, work: Path) -> Path:
    """Build ``sys/setparams.c`` once and write the program's ``npbparams.h`` for ``npb_class`` (what NPB's make
    does); return its folder."""
    setparams = work / "setparams"
    if not setparams.is_file():
        work.mkdir(parents=True, exist_ok=True)
        source = root / "sys" / "setparams.c"
        argv = [str(get_toolchain().clang), "-w", "-O1", str(source), "-o", str(setparams)]
        processes.run_checked(argv, f"{source} does not compile", BuildError, timeout=300)
    folder = work / program["name"]
    folder.mkdir(parents=True, exist_ok=True)
    result = processes.run([str(setparams), program["name"], npb_class], cwd=folder, timeout=60)
    if result.returncode != 0 or not (folder / "npbparams.h").is_file():
        raise BuildError(
            f"setparams {program['name']} {npb_class} wrote no npbparams.h: {(result.stdout + result.stderr)[:500]}"
        )
    return folder


def import_suite(
    suite: str,
    checkout: str | Path,
    *,
    output: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> SuiteReport:
    """Check ``checkout`` against the recipe of ``suite``, build every program and write its manifest dataset.

    :param output: the manifest to write (default: in the cache, where ``get_dataset(<dataset>)`` finds it).
    :raises MissingFileError: naming every file of the recipe the checkout lacks (nothing is written then).
    :raises DatasetError: if no program builds.
    """
    recipe = load_recipe(suite)
    root = Path(checkout).expanduser().resolve()
    if not root.is_dir():
        raise MissingFileError(f"{suite}: no checkout at {root} (expected {recipe['layout']})")
    dataset = recipe["dataset"]
    manifest = Path(output).expanduser().resolve() if output else imported_manifest_path(dataset)
    missing = [f for f in recipe.get("requires", []) if not (root / f).is_file()]
    planned = []
    for program in recipe["programs"]:
        values = {"root": str(root), "name": program["name"], "dir": program.get("dir", ""), "params": "{params}"}
        planned.append((program, values, _sources(root, program["sources"], values, missing)))
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise MissingFileError(f"{suite} checkout {root} lacks {shown} (expected {recipe['layout']})")
    generated = []
    for file_name, content in (recipe.get("generated_files") or {}).items():
        path = manifest.parent / file_name
        atomic_write_text(path, content)
        generated.append(str(path))
    report = SuiteReport(manifest=manifest, dataset=dataset)
    entries = []
    for program, values, sources in planned:
        name = program["name"]
        try:
            if "npb_class" in recipe:
                values["params"] = str(_npb_params(root, program, recipe["npb_class"], manifest.parent / "npb"))
            cflags = [_expand(f, values) for f in [*recipe.get("cflags", []), *program.get("cflags", [])]]
            build_bitcode(sources, cflags, "size", namespace=dataset, name=name)
        except (BuildError, DatasetError, subprocess.TimeoutExpired) as error:
            report.failed.append((name, " ".join(str(error).strip().splitlines()[:2])[:300]))
            _say(progress, f"failed  {name}: {report.failed[-1][1]}")
            continue
        inputs = [root / _expand(f, values) for f in program.get("files", [])]
        stdin = root / _expand(program["stdin"], values) if program.get("stdin") else None
        runnable = (
            program.get("runnable", True) and all(p.is_file() for p in inputs) and (stdin is None or stdin.is_file())
        )
        entry: dict[str, Any] = {
            "name": name,
            "sources": [str(s) for s in sources],
            "cflags": cflags,
            "ldflags": [*recipe.get("ldflags", []), *program.get("ldflags", [])],
            "runnable": bool(runnable),
            "split": "test",
        }
        if runnable:
            entry.update(
                args=[_expand(a, values) for a in program.get("args", [])], files=[*map(str, inputs), *generated]
            )
            if stdin is not None:
                entry["stdin"] = str(stdin)
        entries.append(entry)
        report.built.append(name)
        if runnable:
            report.runnable.append(name)
        _say(progress, f"ok      {name}" + ("" if runnable else " (built; not run: no inputs in the checkout)"))
    if not entries:
        raise DatasetError(f"{suite}: none of the {len(planned)} programs of {root} builds")
    text = yaml.safe_dump(
        {"dataset": dataset, "description": f"{recipe['description']}; from {root}", "programs": entries},
        sort_keys=False,
    )
    manifest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(manifest, text)
    # Load now (a written manifest that were not valid fails here, not at first use), and replace any
    # earlier import of the suite in this process.
    register_dataset(dataset_from_manifest(manifest), replace=True)
    return report


def _say(progress: Callable[[str], None] | None, line: str) -> None:
    if progress is not None:
        progress(line)
