"""``rl-compiler info``: the toolchain in use, its versions, the cache, and a check that every tool runs."""

from __future__ import annotations

import argparse
import platform
import sys

from rl_compiler import __version__
from rl_compiler.datasets.sandbox import sandbox_level
from rl_compiler.llvm.cache import cache_dir
from rl_compiler.llvm.toolchain import LLVM_CONFIG_ENV, ToolchainError, check_tools, get_toolchain
from rl_compiler.llvm.worker_client import DEFAULT_MEMORY_LIMIT


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="show the LLVM toolchain, versions and cache, and check the tools run")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(f"rl-compiler {__version__} on Python {platform.python_version()} ({sys.executable})")
    try:
        toolchain = get_toolchain()
    except ToolchainError as error:
        print(f"toolchain: ERROR: {error}")
        return 1
    print(f"LLVM {toolchain.version} ({toolchain.source}; override with {LLVM_CONFIG_ENV})")
    print(f"  llvm-config  {toolchain.llvm_config}")
    print(f"  libLLVM      {toolchain.libllvm}")
    print(f"  headers      {toolchain.includedir}")
    print(f"cache          {cache_dir()}")
    print(f"isolation      steps in a worker process (memory limit {DEFAULT_MEMORY_LIMIT >> 20} MiB by default);")
    print(f"               program runs in the {sandbox_level()} sandbox (docs/datasets.md says what it covers)")
    failures = 0
    for name, line in check_tools(toolchain).items():
        ok = not line.startswith("ERROR")
        failures += not ok
        print(f"  {'ok ' if ok else 'BAD'} {name:<10} {line}")
    try:
        from rl_compiler.llvm.engine import engine_info

        print(f"engine         {engine_info()}")
    except Exception as error:  # the engine is compiled on first use; report why it is unavailable
        failures += 1
        print(f"engine         ERROR: {error}")
    return 1 if failures else 0
