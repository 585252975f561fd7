"""Find the LLVM toolchain: the pinned PyPI wheels by default, or a system LLVM >= 19 on request.

The default toolchain is the ``karellen-llvm-*`` wheels installed in the same environment as this
package: their ``llvm-config``, tools and ``libLLVM`` live under the environment's ``bin``/``lib``.
Set ``RL_COMPILER_LLVM_CONFIG`` to the path of another ``llvm-config`` (e.g. ``/usr/bin/llvm-config-19``)
to use that LLVM for everything instead: tools, the native engine, and every cache key.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from rl_compiler.llvm import processes

LLVM_CONFIG_ENV = "RL_COMPILER_LLVM_CONFIG"
MIN_LLVM_MAJOR = 19
#: The tools rl-compiler runs, by the name the rest of the package asks for.
TOOLS = ("clang", "opt", "llc", "llvm-link", "llvm-size", "llvm-dis", "llvm-as")


class ToolchainError(RuntimeError):
    """The LLVM toolchain is missing, too old, or does not run."""


@dataclass(frozen=True)
class Toolchain:
    """One LLVM installation: where its tools, library and headers are, and its version."""

    llvm_config: Path
    bindir: Path
    libdir: Path
    includedir: Path
    libllvm: Path
    version: str
    source: str  # "pypi" or "override"

    @property
    def major(self) -> int:
        """The LLVM major version, e.g. 23."""
        return int(self.version.split(".")[0])

    def tool(self, name: str) -> Path:
        """Path of an LLVM tool (``clang``, ``opt``, ``llc``, ...) of this toolchain."""
        path = self.bindir / name
        if not path.exists():
            raise ToolchainError(f"{name} not found in {self.bindir} (LLVM {self.version} from {self.llvm_config})")
        return path

    @property
    def clang(self) -> Path:
        return self.tool("clang")

    @property
    def opt(self) -> Path:
        return self.tool("opt")

    @property
    def llc(self) -> Path:
        return self.tool("llc")

    @property
    def llvm_link(self) -> Path:
        return self.tool("llvm-link")

    @property
    def llvm_size(self) -> Path:
        return self.tool("llvm-size")

    @property
    def llvm_dis(self) -> Path:
        return self.tool("llvm-dis")

    @property
    def id(self) -> str:
        """A short string identifying this LLVM build, used in every cache key."""
        return f"llvm-{self.version}-{self.source}"


def _finalize_wheels() -> None:
    """Finish the karellen wheels' installation if Python started without running their ``.pth`` hooks.

    The wheels create their ``libc++`` symlinks the first time Python starts in the environment (from
    a ``.pth`` file). Under ``python -S`` or an embedding host that hook never ran, so run it here.
    """
    try:
        import wheel_axle.runtime  # type: ignore[import-not-found]
    except ImportError:
        return
    for site_dir in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for pth in Path(site_dir).glob("karellen_llvm_*.pth"):
            wheel_axle.runtime.finalize(str(pth))


def _run(args: list[str]) -> str:
    what = f"{Path(args[0]).name} {' '.join(args[1:])} failed"
    return processes.run_checked(args, what, ToolchainError, timeout=60).stdout.strip()


def _default_llvm_config() -> Path:
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "llvm-config", Path(sys.prefix) / "bin" / "llvm-config"):
        if candidate.exists():
            return candidate
    raise ToolchainError(
        "no LLVM found in this Python environment: install rl-compiler with pip (it depends on the "
        f"karellen-llvm-* wheels), or set {LLVM_CONFIG_ENV} to a system llvm-config (LLVM >= {MIN_LLVM_MAJOR})"
    )


def _find_libllvm(libdir: Path, version: str) -> Path:
    major = version.split(".")[0]
    for name in (f"libLLVM-{major}.so", f"libLLVM.so.{major}.1", f"libLLVM.so.{major}", "libLLVM.so", "libLLVM.dylib"):
        if (libdir / name).exists():
            return libdir / name
    found = sorted(libdir.glob("libLLVM*.so*"))
    if found:
        return found[0]
    raise ToolchainError(f"no shared libLLVM in {libdir}: rl-compiler needs an LLVM built with a shared libLLVM")


@functools.cache
def _load(llvm_config: str, source: str) -> Toolchain:
    config = Path(llvm_config)
    if not config.exists():
        raise ToolchainError(f"{LLVM_CONFIG_ENV}={llvm_config}: no such file")
    if source == "pypi":
        _finalize_wheels()
    version = _run([llvm_config, "--version"])
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    if not match:
        raise ToolchainError(f"{llvm_config} --version printed {version!r}, not a version number")
    version = match.group(0)
    if int(match.group(1)) < MIN_LLVM_MAJOR:
        raise ToolchainError(
            f"LLVM {version} from {llvm_config} is too old: rl-compiler needs LLVM >= {MIN_LLVM_MAJOR}"
        )
    bindir = Path(_run([llvm_config, "--bindir"]))
    libdir = Path(_run([llvm_config, "--libdir"]))
    includedir = Path(_run([llvm_config, "--includedir"]))
    return Toolchain(
        llvm_config=config,
        bindir=bindir,
        libdir=libdir,
        includedir=includedir,
        libllvm=_find_libllvm(libdir, version),
        version=version,
        source=source,
    )


def get_toolchain() -> Toolchain:
    """Return the toolchain in use: ``$RL_COMPILER_LLVM_CONFIG`` if set, else the pinned PyPI LLVM."""
    override = os.environ.get(LLVM_CONFIG_ENV)
    if override:
        resolved = shutil.which(override) or override
        return _load(str(Path(resolved).absolute()), "override")
    return _load(str(_default_llvm_config()), "pypi")


def check_tools(toolchain: Toolchain) -> dict[str, str]:
    """Run ``--version`` of every tool; return name -> first line, or ``ERROR: ...`` for a tool that fails."""
    report = {}
    for name in TOOLS:
        try:
            out = _run([str(toolchain.tool(name)), "--version"])
            report[name] = next((line.strip() for line in out.splitlines() if "version" in line), out[:80])
        except ToolchainError as error:
            report[name] = f"ERROR: {error}"
    return report
