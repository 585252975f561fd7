"""The worker's fast lane: a step request and its reply in a fixed binary layout, served by C in the worker.

An environment step (run one pipeline, then read the fingerprint, the instruction count and the feature
vectors) is the request a session sends most. The worker answers it in ``serve.c`` without entering
Python, and this module encodes the request and decodes the reply on the caller's side with ``struct``,
in place of a pickle each way. The layout (documented in ``serve.c``):

- request: ``b"S"``, the number of queries (u8), the module handle (u64), one code per query
  (:data:`QUERY_CODES`), the pipeline as UTF-8;
- reply: ``b"S"``, a status (u8), then the queries' values in order, or an error message.

Every other request, and a step this lane cannot express (a query it has no code for, a pipeline that
:meth:`rl_compiler.llvm.module.Module.run_passes` checks in Python first), goes through the pickle protocol
of :mod:`rl_compiler.llvm.worker` and gets the same answer there.
"""

from __future__ import annotations

import os
import struct

import numpy as np

from rl_compiler.llvm.engine import AUTOPHASE_DIM as _AUTOPHASE
from rl_compiler.llvm.engine import INSTCOUNT_DIM as _INST_COUNT
from rl_compiler.llvm.errors import LLVMError, run_passes_error

TAG = b"S"
_HEAD = struct.Struct("<cBQ")
_STATUS = struct.Struct("<cB")
#: Query codes known to serve.c, with the number of int64 values each reply holds.
QUERY_CODES = {"fingerprint": 1, "instruction_count": 2, "autophase": 3, "inst_count": 4, "features": 5}
_WIDTHS = {1: 1, 2: 1, 3: _AUTOPHASE, 4: _INST_COUNT, 5: _AUTOPHASE + _INST_COUNT}
MAX_QUERIES = 16
ST_OK, ST_PIPELINE, ST_LLVM, ST_NO_MODULE = 0, 1, 2, 3
#: Set to ``0`` in the worker's environment to serve every request in Python (for comparisons).
FAST_LANE_ENV = "RL_COMPILER_FAST_LANE"


def enabled() -> bool:
    """Whether the worker serves steps natively (``RL_COMPILER_FAST_LANE``, default on)."""
    return os.environ.get(FAST_LANE_ENV, "1").strip() not in ("0", "")


def encode_step(handle: int, pipeline: str, queries: tuple[str, ...]) -> bytes | None:
    """The fast-lane request for ``step(pipeline, queries)`` on ``handle``, or None if it needs the pickle
    path (an unknown query, or a pipeline Python checks before LLVM sees it: empty, with ``<O``, or NUL)."""
    if not pipeline.strip() or "<O" in pipeline or "\0" in pipeline:
        return None
    codes = _CODES.get(queries)
    if codes is None:
        if len(queries) > MAX_QUERIES or not set(queries) <= QUERY_CODES.keys():
            return None
        codes = _CODES[queries] = bytes(QUERY_CODES[query] for query in queries)
    return _HEAD.pack(TAG, len(codes), handle) + codes + pipeline.encode()


_CODES: dict[tuple[str, ...], bytes] = {}


def is_fast_reply(payload: bytes) -> bool:
    return payload[:1] == TAG


def decode_step(payload: bytes, pipeline: str, queries: tuple[str, ...]) -> tuple:
    """The results of a fast-lane step reply, as :func:`rl_compiler.llvm.worker.step` returns them.

    :raises PassPipelineError: LLVM rejected the pipeline (status 1); :raises LLVMError: otherwise.
    """
    _, status = _STATUS.unpack_from(payload)
    if status != ST_OK:
        message = payload[_STATUS.size :].decode(errors="replace")
        if status in (ST_PIPELINE, ST_LLVM):
            raise run_passes_error(pipeline, status, message)
        if status == ST_NO_MODULE:
            raise KeyError(message)
        raise LLVMError(f"the worker rejected a step request: {message}")
    plan = _PLANS.get(queries)
    if plan is None:
        plan = _PLANS[queries] = _plan(queries)
    scalars, arrays = plan
    values = list(scalars.unpack_from(payload, _STATUS.size)) if scalars.size else []
    for at, start, count, split in arrays:
        array = np.frombuffer(payload, np.int64, count, start).copy()
        values.insert(at, array if split is None else (array[:split], array[split:]))
    return tuple(values)


#: Decoding plans by query tuple (an env asks the same queries at every step).
_PLANS: dict[tuple[str, ...], tuple[struct.Struct, list[tuple[int, int, int, int | None]]]] = {}


def _plan(queries: tuple[str, ...]) -> tuple[struct.Struct, list[tuple[int, int, int, int | None]]]:
    """The scalars' layout (``Q`` for the fingerprint, ``q`` for a count; arrays skipped with padding),
    and per array: its position in the result, its offset in the payload, its length, and where
    ``features`` splits into Autophase and InstCount."""
    layout, arrays = "<", []
    offset = _STATUS.size
    for position, query in enumerate(queries):
        code = QUERY_CODES[query]
        width = _WIDTHS[code]
        if code in (1, 2):
            layout += "Q" if code == 1 else "q"
        else:
            layout += f"{8 * width}x"
            arrays.append((position, offset, width, _AUTOPHASE if code == 5 else None))
        offset += 8 * width
    return struct.Struct(layout), arrays
