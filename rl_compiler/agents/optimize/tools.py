"""The LLVM command-line tools ``optimize`` runs on a result: ``opt`` to replay a pass list, ``llc`` for code.

``opt`` makes the module that is checked and written (its bitcode keeps use-list orders, which the engine's
writer cannot, so the user's replay reproduces it byte for byte); ``llc -O2 -relocation-model=pic`` is the
code generation the ``.text`` sizes were measured with.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from rl_compiler.agents.optimize.errors import OptimizeError
from rl_compiler.llvm import processes
from rl_compiler.llvm.module import ENGINE_OPT_FLAGS
from rl_compiler.llvm.tempdirs import private_dir
from rl_compiler.llvm.toolchain import get_toolchain

LLC_FLAGS = ("-O2", "-relocation-model=pic")
#: Seconds a tool may run when the caller gives no limit.
TOOL_TIMEOUT = 600.0


def run_tool(
    tool: str,
    args: list[str],
    bitcode: bytes,
    what: str,
    timeout: float | None = None,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> bytes:
    """Run an LLVM tool on ``bitcode`` in a private temp dir: ``tool ARGS input.bc -o output``; the output.

    :param started: called with the tool's process once started (so that another thread can kill it).
    :raises OptimizeError: the tool failed (or was killed), or ran longer than ``timeout`` seconds (it is then
        killed).
    """
    with private_dir(tool) as tmp:
        source, out = tmp / "input.bc", tmp / "output"
        source.write_bytes(bitcode)
        command = [str(get_toolchain().tool(tool)), *args, str(source), "-o", str(out)]
        processes.run_checked(
            command, f"{tool} failed to {what}", OptimizeError, timeout=timeout or TOOL_TIMEOUT, started=started
        )
        return out.read_bytes()


def llc(bitcode: bytes, filetype: str) -> bytes:
    """Code generation only (no IR optimization): ``llc -O2 -relocation-model=pic -filetype=obj|asm``."""
    return run_tool("llc", [*LLC_FLAGS, f"-filetype={filetype}"], bitcode, "generate code")


def replay(
    start_bitcode: bytes,
    pipeline: str,
    timeout: float | None = None,
    started: Callable[[subprocess.Popen], None] | None = None,
) -> bytes:
    """``opt`` run on ``start_bitcode`` with the pass list and the engine's target flags: the bitcode a user's
    replay gives, byte for byte (``opt`` keeps use-list orders in bitcode; the engine's writer cannot)."""
    args = [*ENGINE_OPT_FLAGS, f"-passes={pipeline}"]
    return run_tool("opt", args, start_bitcode, "replay the pass list", timeout, started)
