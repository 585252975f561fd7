"""Block-count instrumentation: what the deterministic dynamic costs are computed from.

:func:`instrument` numbers the basic blocks of every defined function in module order, records each
block's instruction count and static cycle estimate (:func:`block_costs`), and returns the bitcode of a
copy with one counter increment at the top of each block (``__rlc_block_counts[k] += 1``, a plain load,
add and store on one global array: single-threaded programs only). Linked with :func:`runtime_object`,
the program writes its counters to :data:`COUNTS_FILE` in its working directory when it exits;
:func:`read_counts` decodes them. Counts are exact: every block has its own counter (no spanning-tree
inference as in LLVM's PGO instrumentation), and an entry into block k increments counter k exactly once.

The instrumented copy is only linked and run; the module itself is left unchanged.
"""

from __future__ import annotations

import ctypes
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rl_compiler.llvm import engine, processes
from rl_compiler.llvm.cache import build_once, cache_dir
from rl_compiler.llvm.errors import LLVMError
from rl_compiler.llvm.module import Module
from rl_compiler.llvm.toolchain import get_toolchain

#: The file an instrumented program writes at exit, in its working directory.
COUNTS_FILE = "rl_compiler.blockcounts"
RUNTIME_SOURCE = Path(__file__).with_name("profile_runtime.c")

_I64P = ctypes.POINTER(ctypes.c_int64)
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "rlc_block_costs": (ctypes.c_int64, [engine.HANDLE, _I64P, _I64P, ctypes.c_int64]),
    "rlc_instrument_blocks": (ctypes.c_int64, [engine.HANDLE, ctypes.POINTER(ctypes.c_void_p)]),
}


@dataclass(frozen=True)
class BlockCosts:
    """Per-block static costs of a module, blocks numbered in module order.

    :param instructions: IR instructions in each block (they sum to ``Module.instruction_count()``).
    :param cycles: the static cycle estimate of each block (engine.c ``static_cycles``: rough x86-64
        latencies per opcode; see docs/runtime.md).
    """

    instructions: np.ndarray
    cycles: np.ndarray

    def __len__(self) -> int:
        return len(self.instructions)


def _lib() -> ctypes.CDLL:
    lib = engine.lib()
    for name, (restype, argtypes) in _SIGNATURES.items():
        func = getattr(lib, name)
        if func.argtypes is None:
            func.restype, func.argtypes = restype, argtypes
    return lib


def block_costs(module: Module) -> BlockCosts:
    """The instruction count and static cycle estimate of every block of ``module``, in module order."""
    lib = _lib()
    capacity = 1024
    while True:
        sizes = np.zeros(capacity, dtype=np.int64)
        cycles = np.zeros(capacity, dtype=np.int64)
        n = lib.rlc_block_costs(module._ptr, sizes.ctypes.data_as(_I64P), cycles.ctypes.data_as(_I64P), capacity)
        if n <= capacity:
            return BlockCosts(sizes[:n].copy(), cycles[:n].copy())
        capacity = int(n)


def instrument(module: Module) -> tuple[bytes, BlockCosts]:
    """Bitcode of an instrumented copy of ``module`` and the block costs its counters refer to."""
    costs = block_costs(module)
    lib = _lib()
    with module.clone() as copy:
        err = ctypes.c_void_p()
        n = lib.rlc_instrument_blocks(copy._ptr, ctypes.byref(err))
        if n < 0:
            raise LLVMError(f"block instrumentation failed: {engine.take_message(lib, err)}")
        if n != len(costs):
            raise LLVMError(f"block instrumentation numbered {n} blocks, the cost walk {len(costs)}")
        return copy.bitcode(), costs


def read_counts(data: bytes, blocks: int) -> np.ndarray:
    """Decode a counts file written by an instrumented program with ``blocks`` blocks."""
    header = np.frombuffer(data[:8], dtype="<u8")
    if len(header) != 1 or int(header[0]) != blocks or len(data) != 8 * (blocks + 1):
        raise LLVMError(
            f"malformed block counts: {len(data)} bytes, expected a header of {blocks} and {blocks} counters"
        )
    return np.frombuffer(data[8:], dtype="<u8").astype(np.int64)


def runtime_object() -> Path:
    """The compiled :data:`RUNTIME_SOURCE` (``clang -O2 -c -fPIC``), cached per toolchain and source."""
    toolchain = get_toolchain()
    digest = hashlib.sha1(RUNTIME_SOURCE.read_bytes()).hexdigest()[:12]

    def compile_to(tmp: str) -> None:
        cmd = [str(toolchain.clang), "-O2", "-fPIC", "-c", str(RUNTIME_SOURCE), "-o", tmp]
        processes.run_checked(cmd, "compiling the block-count runtime failed", LLVMError, timeout=120)

    return build_once(cache_dir("profile-runtime", f"{toolchain.id}-{digest}") / "profile_runtime.o", compile_to)
