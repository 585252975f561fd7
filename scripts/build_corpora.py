#!/usr/bin/env python3
"""Rebuild the training corpus and the held-out sets of the pass-sequence coreset (never committed).

    nice -n 10 .venv/bin/python scripts/build_corpora.py [--root /work/corpora] [--train-seeds 1000]

Writes, under ROOT (default ``$RL_COMPILER_CORPORA`` or ``~/rl-compiler-corpora``):

- ``csmith-train/``: csmith programs of seeds 0.. (range A, below 1,000,000) in five shapes, cycling with
  the seed: the project's ``csmith-v0`` options; larger (15 functions, deeper blocks); no pointers; no
  structs/unions/arrays; no jumps, no 64-bit math. Imported as dataset ``csmith-train-v0``.
- ``csmith-heldout/``: seeds 1,000,000.. (range B, disjoint) with the ``csmith-v0`` options (terminating,
  runnable: their output is checked), split ``test``. Dataset ``csmith-heldout-v0``.
- ``src/pypi/``: source distributions from PyPI (``pip download --no-binary``) whose bundled C libraries are
  imported as ``realc-train-v0`` (lz4, xxHash, inflate64's deflate64, pyppmd's PPMd, cmark-gfm from
  cmarkgfm) and ``realc-heldout-v0`` (brotli, the ciphers and hashes of pycryptodome, zopfli; never used
  for training), split ``test``. Units for other CPUs fail to build and are left out; library code is
  never run (not runnable: the evaluation checks it with the verifier only). ``realc-extra-v0`` (``--only
  extra``): more training code like the built-in programs for the value model (Lua 5.4 from lupa, libdatrie
  from datrie, libyaml from ruamel.yaml.clib, hiredis), default 20/20/60 splits (all used for training).

Each set is imported with ``rl-compiler datasets import`` (one program per translation unit, units that do
not compile left out); the manifests land in the cache, so ``benchmark://<name>/<unit>`` and
``dataset://<name>/<split>`` resolve by name. Start modules below 100 IR instructions (empty units) or above
30,000 (minutes per search) are left out. Sources are fetched and generated deterministically: same csmith and same PyPI
versions give the same corpora.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from rl_compiler.datasets.csmith import CSMITH_OPTIONS, csmith_install
from rl_compiler.datasets.importer import import_dataset

HELDOUT_SEED0 = 1_000_000
MAX_INSTRUCTIONS = 30_000
MIN_INSTRUCTIONS = 100
_BASE = ("--no-argc", "--no-volatiles", "--no-volatile-pointers", "--no-packed-struct", "--no-bitfields")
SHAPES: tuple[tuple[str, ...], ...] = (
    CSMITH_OPTIONS,
    (*_BASE, "--max-funcs", "15", "--max-block-depth", "4", "--max-expr-complexity", "8", "--concise"),
    (*_BASE, "--no-pointers", "--max-funcs", "8", "--concise"),
    (*_BASE, "--no-structs", "--no-unions", "--no-arrays", "--max-funcs", "8", "--concise"),
    (*_BASE, "--no-jumps", "--no-math64", "--no-longlong", "--max-funcs", "8", "--concise"),
)
#: (PyPI package, folder of its sdist holding the bundled C library, dataset).
PACKAGES = (
    ("lz4", "lz4libs", "realc-train-v0"),
    ("xxhash", "deps/xxhash", "realc-train-v0"),
    ("inflate64", "src/lib", "realc-train-v0"),
    ("pyppmd", "src/lib", "realc-train-v0"),
    ("cmarkgfm", "third_party/cmark", "realc-train-v0"),
    ("cmarkgfm", "generated/unix", "realc-train-v0"),  # cmark's configured headers
    ("brotli", "c", "realc-heldout-v0"),
    ("pycryptodome", "src", "realc-heldout-v0"),
    ("zopfli", "zopfli/src/zopfli", "realc-heldout-v0"),
    # More training code like the built-in programs (interpreters, parsers, data structures): issue 13's
    # value model. Lua 5.4 of lupa, libdatrie (a double-array trie), libyaml, hiredis's parser and containers.
    ("lupa", "third-party/lua54", "realc-extra-v0"),
    ("datrie", "libdatrie/datrie", "realc-extra-v0"),
    ("ruamel_yaml_clib", ".", "realc-extra-v0"),
    ("hiredis", "vendor/hiredis", "realc-extra-v0"),
)


def csmith_programs(folder: Path, seeds: range, shapes: tuple[tuple[str, ...], ...]) -> None:
    """Write ``<seed>.c`` for every seed (kept if already there), shape ``shapes[seed % len(shapes)]``."""
    executable, _, _ = csmith_install()
    folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        path = folder / f"{seed}.c"
        if path.is_file():
            continue
        result = subprocess.run(
            [executable, "--seed", str(seed), *shapes[seed % len(shapes)]],
            capture_output=True, text=True, timeout=120, cwd=folder,
        )  # fmt: skip
        if result.returncode == 0 and "int main" in result.stdout:
            path.write_text(result.stdout)
    (folder / "platform.info").unlink(missing_ok=True)  # csmith writes it to its cwd


def fetch_sdist(package: str, folder: Path) -> Path:
    """Download and unpack ``package``'s source distribution; return the unpacked folder."""
    folder.mkdir(parents=True, exist_ok=True)
    archives = sorted(folder.glob(f"{package}-*.tar.gz"))
    if not archives:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", package,
             package, "-d", str(folder)],
            check=True,
        )  # fmt: skip
        archives = sorted(folder.glob(f"{package}-*.tar.gz"))
    archive = archives[-1]
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/", 1)[0]  # not always the archive's name (ruamel.yaml.clib)
        unpacked = folder / top
        if not unpacked.is_dir():
            tar.extractall(folder, filter="data")
    return unpacked


def library_folder(root: Path, package: str, subfolder: str, out: Path) -> None:
    """Copy the C library of one sdist (``.c``/``.h`` files only) into ``out/<package>``."""
    source = fetch_sdist(package, root / "src" / "pypi") / subfolder
    if not source.is_dir():
        raise SystemExit(f"{package}: no folder {subfolder} in its source distribution")
    target = out / package
    for path in source.rglob("*"):
        if path.suffix in (".c", ".h") and path.is_file():
            destination = target / path.relative_to(source)
            if not destination.is_file():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_root = os.environ.get("RL_COMPILER_CORPORA", str(Path.home() / "rl-compiler-corpora"))
    parser.add_argument("--root", type=Path, default=Path(default_root))
    parser.add_argument("--train-seeds", type=int, default=1000, help="csmith training programs (range A)")
    parser.add_argument("--heldout-seeds", type=int, default=250, help="csmith held-out programs (range B)")
    parser.add_argument("--only", choices=("csmith", "realc", "extra"), help="build only these sets")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.train_seeds > HELDOUT_SEED0:
        raise SystemExit(f"--train-seeds must stay below {HELDOUT_SEED0} (the held-out range)")
    jobs = []
    if args.only in (None, "csmith"):
        csmith_programs(root / "csmith-train", range(args.train_seeds), SHAPES)
        csmith_programs(root / "csmith-heldout", range(HELDOUT_SEED0, HELDOUT_SEED0 + args.heldout_seeds),
                        (CSMITH_OPTIONS,))  # fmt: skip
        _, include, _ = csmith_install()
        jobs += [
            ("csmith-train-v0", root / "csmith-train", None, ("-I", str(include)), None),
            ("csmith-heldout-v0", root / "csmith-heldout", "test", ("-I", str(include)), None),
        ]
    if args.only in (None, "realc"):
        for package, subfolder, dataset in PACKAGES:
            if dataset != "realc-extra-v0":
                library_folder(root, package, subfolder, root / dataset)
        jobs += [
            ("realc-train-v0", root / "realc-train-v0", None, (), False),
            # What pycryptodome's setup.py defines on Linux.
            (
                "realc-heldout-v0",
                root / "realc-heldout-v0",
                "test",
                ("-DHAVE_STDINT_H", "-DHAVE_POSIX_MEMALIGN"),
                False,
            ),
        ]
    if args.only in (None, "extra"):
        for package, subfolder, dataset in PACKAGES:
            if dataset == "realc-extra-v0":
                library_folder(root, package, subfolder, root / dataset)
        jobs.append(("realc-extra-v0", root / "realc-extra-v0", None, (), False))
    for name, folder, split, cflags, runnable in jobs:
        report = import_dataset(
            folder, name, split=split, cflags=cflags, min_instructions=MIN_INSTRUCTIONS,
            max_instructions=MAX_INSTRUCTIONS, runnable=runnable,
            description=f"built by scripts/build_corpora.py from {folder}",
        )  # fmt: skip
        sizes = sorted(report.instructions.values())
        print(
            f"{name}: {len(report.kept)} programs, {len(report.failed)} failed, "
            f"{len(report.filtered)} left out by size; start IR {sizes[0]}..{sizes[-1]} "
            f"(median {sizes[len(sizes) // 2]}); manifest {report.manifest}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
