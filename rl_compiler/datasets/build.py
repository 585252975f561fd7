"""Build a program's sources into one linked, unoptimised LLVM bitcode module, cached on disk.

Each C/C++ source is compiled on its own with the toolchain's clang (``-c -emit-llvm`` plus the variant's
flags and the program's cflags), then the modules are joined with ``llvm-link``. ``.ll``/``.bc`` sources
are taken as they are (CompilerGym-style ``-O0`` modules with ``noinline`` included).

Variants (the IR clang would hand its own optimizer at that level; no LLVM pass has run):

- ``size``: ``-Oz -Xclang -disable-llvm-passes``: ``minsize optsize`` on every function, no ``noinline``.
- ``runtime``: ``-O3 -Xclang -disable-llvm-passes``.
- ``O0``: ``-O0 -Xclang -disable-O0-optnone`` (CompilerGym's recipe; every function ``noinline``).

The cache key is the SHA-1 of the recipe version, the toolchain id, the variant, the flags, and the
contents of every source and of the headers next to them. Builds happen in a private temporary directory
under an exclusive lock per key, and the result is renamed into place, so concurrent processes are safe.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

from rl_compiler.datasets.errors import BuildError, DatasetError, MissingFileError
from rl_compiler.llvm import processes
from rl_compiler.llvm.cache import atomic_write_bytes, cache_dir, file_lock
from rl_compiler.llvm.tempdirs import private_dir
from rl_compiler.llvm.toolchain import get_toolchain

logger = logging.getLogger(__name__)

#: Bumped whenever the build recipe changes, so stale cache entries are never reused.
RECIPE_VERSION = "1"
VARIANT_FLAGS: dict[str, tuple[str, ...]] = {
    "size": ("-Oz", "-Xclang", "-disable-llvm-passes"),
    "runtime": ("-O3", "-Xclang", "-disable-llvm-passes"),
    "O0": ("-O0", "-Xclang", "-disable-O0-optnone"),
}
CXX_SUFFIXES = (".cc", ".cpp", ".cxx")
IR_SUFFIXES = (".ll", ".bc")
HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".inc", ".def")
BUILD_TIMEOUT = 600.0


def check_variant(variant: str) -> str:
    """Return ``variant`` if known, else raise DatasetError listing the known variants."""
    if variant not in VARIANT_FLAGS:
        raise DatasetError(f"unknown build variant {variant!r}; expected one of {', '.join(VARIANT_FLAGS)}")
    return variant


def is_cxx(sources: Sequence[Path]) -> bool:
    """True if any source is C++ (then clang++ compiles and links the program)."""
    return any(source.suffix in CXX_SUFFIXES for source in sources)


def build_key(sources: Sequence[Path], cflags: Sequence[str], variant: str) -> str:
    """The cache key of a build: SHA-1 of recipe, toolchain, variant, flags, sources and nearby headers."""
    digest = hashlib.sha1()
    for part in (RECIPE_VERSION, get_toolchain().id, variant, *VARIANT_FLAGS[variant], "--", *cflags, "--"):
        digest.update(part.encode() + b"\0")
    headers: set[Path] = set()
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
        headers.update(path for path in source.parent.iterdir() if path.suffix in HEADER_SUFFIXES)
    for header in sorted(headers):
        digest.update(header.name.encode() + b"\0" + header.read_bytes() + b"\0")
    return digest.hexdigest()


def run_tool(args: list[str], what: str) -> None:
    """Run a build tool (clang, llvm-link, the linker) to completion; a :class:`BuildError` saying ``what`` failed
    if it fails, times out or cannot start. It dies with this process (:func:`processes.run_checked`)."""
    processes.run_checked(args, what, BuildError, timeout=BUILD_TIMEOUT)


def compile_sources(sources: Sequence[Path], cflags: Sequence[str], variant: str, workdir: Path) -> bytes:
    """Compile and link ``sources`` in ``workdir`` (no cache); return the bitcode of the linked module."""
    toolchain = get_toolchain()
    compiler = str(toolchain.tool("clang++") if is_cxx(sources) else toolchain.clang)
    parts = []
    for index, source in enumerate(sources):
        if source.suffix in IR_SUFFIXES:
            parts.append(str(source))
            continue
        output = workdir / f"{index}-{source.stem}.bc"
        command = [
            compiler,
            "-c",
            "-emit-llvm",
            *VARIANT_FLAGS[variant],
            *cflags,
            str(source),
            "-o",
            str(output),
        ]
        run_tool(command, f"clang failed to compile {source}")
        parts.append(str(output))
    if len(parts) == 1 and parts[0].endswith(".bc"):
        return Path(parts[0]).read_bytes()
    linked = workdir / "linked.bc"
    run_tool(
        [str(toolchain.llvm_link), *parts, "-o", str(linked)],
        "llvm-link failed to link " + " ".join(str(source.name) for source in sources),
    )
    return linked.read_bytes()


def build_bitcode(
    sources: Sequence[Path],
    cflags: Sequence[str] = (),
    variant: str = "size",
    *,
    namespace: str = "files",
    name: str = "program",
) -> bytes:
    """Return the bitcode of ``sources`` built as ``variant``, from the cache or built now (and cached).

    :param namespace: the cache subfolder (the dataset name); :param name: a readable file-name prefix.
    """
    check_variant(variant)
    if not sources:
        raise BuildError(f"{name}: no sources to build")
    for source in sources:
        if not source.is_file():
            raise MissingFileError(f"{name}: source file {source} does not exist")
    key = build_key(sources, cflags, variant)
    path = cache_dir("benchmarks", namespace) / f"{name}.{variant}.{key[:20]}.bc"
    if path.is_file():
        return path.read_bytes()
    with file_lock(path.with_suffix(".lock")):
        if path.is_file():  # another process built it while we waited
            return path.read_bytes()
        logger.debug("building %s (%s, %d sources) into %s", name, variant, len(sources), path)
        with private_dir("build") as workdir:
            data = compile_sources(sources, cflags, variant, Path(workdir))
        atomic_write_bytes(path, data)
    return data
