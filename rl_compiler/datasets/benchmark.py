"""``Benchmark``: one program, its URI, its bitcode (built on first use and cached), and how to run it."""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import re
from typing import TYPE_CHECKING

from rl_compiler.datasets.build import build_bitcode, check_variant, is_cxx
from rl_compiler.datasets.errors import BenchmarkRunError, BuildError, OutputMismatchError
from rl_compiler.datasets.manifest import ProgramSpec
from rl_compiler.datasets.runner import Limits, RunResult, RunSpec, run_bitcode
from rl_compiler.llvm import processes
from rl_compiler.llvm.cache import atomic_write_text, cache_dir
from rl_compiler.llvm.toolchain import get_toolchain

if TYPE_CHECKING:
    from rl_compiler.llvm.module import Module

#: The variant whose unoptimised build gives the reference output when a benchmark ships none.
REFERENCE_VARIANT = "size"
_MAIN_DEFINITION = re.compile(r"^define\b[^@\n]*@main\(", re.MULTILINE)


class Benchmark:
    """One program: ``uri`` (``benchmark://dataset/name``, ``file:///...``, ``generator://...``), its build
    recipe and its run specification.

    >>> b = get_benchmark("benchmark://builtin-v0/crc32")
    >>> data = b.bitcode()                    # clang -Oz -Xclang -disable-llvm-passes, llvm-link; cached
    >>> b.check_output(data)                  # raises OutputMismatchError if stdout differs
    >>> b.run(data, repeats=5).runtime        # median wall time of 5 runs
    """

    def __init__(self, uri: str, spec: ProgramSpec, dataset: str) -> None:
        """``spec.runnable`` None means "if the linked module defines ``main``" (decided on first use)."""
        self.uri = uri
        self.spec = spec
        self.dataset = dataset
        self._runnable = spec.runnable
        self._bitcode: dict[str, bytes] = {}
        self._reference: RunResult | None = None

    @property
    def name(self) -> str:
        """The program's name within its dataset (the last part of the URI)."""
        return self.spec.name

    @property
    def description(self) -> str:
        """One line saying what the program does."""
        return self.spec.description

    @property
    def tags(self) -> tuple[str, ...]:
        """Keywords (``checksum``, ``graph``, ...) from the manifest."""
        return self.spec.tags

    @property
    def cflags(self) -> tuple[str, ...]:
        """Extra clang flags every source is compiled with."""
        return self.spec.cflags

    @property
    def ldflags(self) -> tuple[str, ...]:
        """Extra flags the executable is linked with (e.g. ``-lm``)."""
        return self.spec.ldflags

    @property
    def runnable(self) -> bool:
        """True if the benchmark can be linked and run (it has a run specification and a ``main``)."""
        if self._runnable is None:
            self._runnable = self._defines_main()
        return self._runnable

    def __repr__(self) -> str:
        return f"Benchmark({self.uri!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Benchmark) and other.uri == self.uri and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.uri)

    def bitcode(self, variant: str = "size") -> bytes:
        """The linked, unoptimised module as bitcode: ``size`` (-Oz recipe), ``runtime`` (-O3) or ``O0``."""
        check_variant(variant)
        if variant not in self._bitcode:
            self._bitcode[variant] = build_bitcode(
                self.spec.sources, self.spec.cflags, variant, namespace=self.dataset, name=self.name
            )
        return self._bitcode[variant]

    def module(self, variant: str = "size") -> Module:
        """A fresh ``rl_compiler.llvm.Module`` parsed from :meth:`bitcode`."""
        from rl_compiler.llvm.module import Module

        return Module.from_bitcode(self.bitcode(variant))

    def run_spec(self) -> RunSpec:
        """How this benchmark runs: stdin, args, files and link flags."""
        return RunSpec(
            stdin=self.spec.stdin,
            args=self.spec.args,
            files=self.spec.files,
            ldflags=self.spec.ldflags,
            cxx=is_cxx(self.spec.sources),
        )

    def run(
        self, bitcode: bytes, *, repeats: int = 1, timeout: float = 10.0, limits: Limits | None = None
    ) -> RunResult:
        """Link ``bitcode`` (any state of this benchmark's module) into an executable and run it under limits.

        ``RunResult.times`` holds every run's wall time; ``RunResult.runtime`` is their median.
        """
        if not self.runnable:
            raise BenchmarkRunError(
                f"{self.uri} is not runnable (no run specification or no main())", kind="not-runnable"
            )
        return run_bitcode(bitcode, self.run_spec(), repeats=repeats, timeout=timeout, limits=limits)

    def expected_output(self, timeout: float = 60.0) -> tuple[bytes, int]:
        """The expected (stdout, exit code): shipped with the benchmark, else the unoptimised build's."""
        if self.spec.expected_stdout is not None:
            return self.spec.expected_stdout.read_bytes(), self.spec.expected_returncode
        reference = self.reference_output(timeout)
        return reference.stdout, reference.returncode

    def reference_output(self, timeout: float = 60.0) -> RunResult:
        """The output of the unoptimised ``size`` build (cached in memory and on disk)."""
        if self._reference is None:
            bitcode = self.bitcode(REFERENCE_VARIANT)
            path = cache_dir("benchmarks", self.dataset, "outputs") / f"{self.name}.{self._run_key(bitcode)}.json"
            if path.is_file():
                saved = json.loads(path.read_text())
                self._reference = RunResult(base64.b64decode(saved["stdout"]), saved["returncode"], saved["times"])
            else:
                self._reference = self.run(bitcode, timeout=timeout)
                atomic_write_text(
                    path,
                    json.dumps(
                        {
                            "stdout": base64.b64encode(self._reference.stdout).decode(),
                            "returncode": self._reference.returncode,
                            "times": self._reference.times,
                        }
                    ),
                )
        return self._reference

    def check_output(self, bitcode: bytes, *, timeout: float = 10.0) -> None:
        """Run ``bitcode``; raise OutputMismatchError (with a diff) unless its output is the expected one."""
        expected, expected_code = self.expected_output()
        result = self.run(bitcode, timeout=timeout)
        if result.stdout == expected and result.returncode == expected_code:
            return
        problems = []
        if result.returncode != expected_code:
            problems.append(f"exit code {result.returncode}, expected {expected_code}")
        if result.stdout != expected:
            diff = list(
                difflib.unified_diff(
                    expected.decode(errors="replace").splitlines(),
                    result.stdout.decode(errors="replace").splitlines(),
                    "expected",
                    "actual",
                    lineterm="",
                    n=1,
                )
            )
            excerpt = "\n".join(diff[:24]) + ("\n..." if len(diff) > 24 else "")
            problems.append(f"stdout differs ({len(result.stdout)} bytes, expected {len(expected)}):\n{excerpt}")
        raise OutputMismatchError(f"{self.uri}: output mismatch: " + "; ".join(problems))

    def _run_key(self, bitcode: bytes) -> str:
        digest = hashlib.sha1(get_toolchain().id.encode() + b"\0" + bitcode)
        for part in self.spec.args:
            digest.update(part.encode() + b"\0")
        for path in (self.spec.stdin, *self.spec.files):
            if path is not None:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:20]

    def _defines_main(self) -> bool:
        argv = [str(get_toolchain().llvm_dis), "-", "-o", "-"]
        result = processes.run_checked(
            argv, f"{self.uri}: llvm-dis failed", BuildError, input=self.bitcode(), timeout=120, text=False
        )
        return bool(_MAIN_DEFINITION.search(result.stdout.decode(errors="replace")))
