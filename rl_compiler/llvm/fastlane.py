"""The worker's fast lane: a step request and its reply in a fixed binary layout, served by C in the worker.

An environment step (run one pipeline, then read the fingerprint, the instruction count and the feature
vectors) is the request a session sends most. The worker answers it in ``serve.c`` without entering
Python. On the caller's side, :class:`NativeCaller` sends the request and decodes the reply in one call into
``serve.c`` (``RL_COMPILER_NATIVE_CALLER=0``: :func:`encode_step` and :func:`decode_step` with ``struct``
and the session's Python pipe reader), in place of a pickle each way. The layout (documented in ``serve.c``):

- request: ``b"S"``, the number of queries (u8), the module handle (u64), one code per query
  (:data:`QUERY_CODES`), the pipeline as UTF-8;
- reply: ``b"S"``, a status (u8), then the queries' values in order, or an error message.

Every other request, and a step this lane cannot express (a query it has no code for, a pipeline that
:meth:`rl_compiler.llvm.module.Module.run_passes` checks in Python first), goes through the pickle protocol
of :mod:`rl_compiler.llvm.worker` and gets the same answer there.
"""

from __future__ import annotations

import ctypes
import os
import struct

import numpy as np

from rl_compiler.llvm.engine import AUTOPHASE_DIM as _AUTOPHASE
from rl_compiler.llvm.engine import INSTCOUNT_DIM as _INST_COUNT
from rl_compiler.llvm.engine import Caller, caller_lib
from rl_compiler.llvm.errors import LLVMError, run_passes_error

TAG = b"S"
_HEAD = struct.Struct("<cBQ")
_STATUS = struct.Struct("<cB")
#: Query codes of the engine's ``rlc_query`` (served by serve.c, and by :meth:`rl_compiler.llvm.module.Module.step`).
QUERY_CODES = {"fingerprint": 1, "instruction_count": 2, "autophase": 3, "inst_count": 4, "features": 5}
_FINGERPRINT, _COUNT, _FEATURES = QUERY_CODES["fingerprint"], QUERY_CODES["instruction_count"], QUERY_CODES["features"]
_WIDTHS = {1: 1, 2: 1, 3: _AUTOPHASE, 4: _INST_COUNT, 5: _AUTOPHASE + _INST_COUNT}
MAX_QUERIES = 16
ST_OK, ST_PIPELINE, ST_LLVM, ST_NO_MODULE = 0, 1, 2, 3
#: Set to ``0`` in the worker's environment to serve every request in Python (for comparisons).
FAST_LANE_ENV = "RL_COMPILER_FAST_LANE"
#: Query codes by query tuple (an env asks the same queries at every step).
_CODES: dict[tuple[str, ...], bytes] = {}


def enabled() -> bool:
    """Whether the worker serves steps natively (``RL_COMPILER_FAST_LANE``, default on)."""
    return os.environ.get(FAST_LANE_ENV, "1").strip() not in ("0", "")


def encode_step(handle: int, pipeline: str, queries: tuple[str, ...]) -> bytes | None:
    """The fast-lane request for ``step(pipeline, queries)`` on ``handle``, or None if it needs the pickle
    path (an unknown query, or a pipeline Python checks before LLVM sees it: empty, with ``<O``, or NUL)."""
    key = (pipeline, queries)
    tail = _TAILS.get(key, _UNKNOWN)
    if tail is _UNKNOWN:  # an env sends the same few pipelines and queries over and over: checked once
        tail = _tail(pipeline, queries)
        if len(_TAILS) >= _MAX_TAILS:
            _TAILS.clear()
        _TAILS[key] = tail
    if tail is None:
        return None
    return _HEAD.pack(TAG, len(queries), handle) + tail  # one code per query


def _tail(pipeline: str, queries: tuple[str, ...]) -> bytes | None:
    """A step request after its head: the query codes and the pipeline (None: the pickle path's)."""
    if not pipeline.strip() or "<O" in pipeline or "\0" in pipeline:
        return None
    codes = query_codes(queries)
    return None if codes is None else codes + pipeline.encode()


#: Requests after their head by (pipeline, queries), None for the pickle path's (bounded: a search may send
#: many distinct pipelines).
_TAILS: dict[tuple[str, tuple[str, ...]], bytes | None] = {}
_MAX_TAILS = 4096
_UNKNOWN = object()


def query_codes(queries: tuple[str, ...]) -> bytes | None:
    """The engine's codes of ``queries`` (``rlc_query`` computes them in one walk), or None if one of them has
    no code (or there are more than :data:`MAX_QUERIES`)."""
    codes = _CODES.get(queries)
    if codes is None:
        if len(queries) > MAX_QUERIES or not set(queries) <= QUERY_CODES.keys():
            return None
        codes = _CODES[queries] = bytes(QUERY_CODES[query] for query in queries)
    return codes


def is_fast_reply(payload: bytes) -> bool:
    """Whether ``payload`` is a fast-lane reply (the worker's pickled replies never start with the tag)."""
    return payload[:1] == TAG


def decode_step(payload: bytes, pipeline: str, queries: tuple[str, ...]) -> tuple:
    """The results of a fast-lane step reply, as :func:`rl_compiler.llvm.worker.step` returns them.

    :raises PassPipelineError: LLVM rejected the pipeline (status 1); :raises LLVMError: otherwise.
    """
    _, status = _STATUS.unpack_from(payload)
    if status != ST_OK:
        raise _error(status, payload[_STATUS.size :].decode(errors="replace"), pipeline)
    plan = _PLANS.get(queries)
    if plan is None:
        plan = _PLANS[queries] = _plan(queries)
    scalars, arrays = plan
    values = list(scalars.unpack_from(payload, _STATUS.size)) if scalars.size else []
    for at, start, count, split in arrays:
        array = np.frombuffer(payload, np.int64, count, start).copy()
        values.insert(at, array if split is None else (array[:split], array[split:]))
    return tuple(values)


def _error(status: int, message: str, pipeline: str) -> Exception:
    """The exception of a reply with an error ``status``."""
    if status in (ST_PIPELINE, ST_LLVM):
        return run_passes_error(pipeline, status, message)
    if status == ST_NO_MODULE:
        return KeyError(message)
    return LLVMError(f"the worker rejected a step request: {message}")


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
        if code in (_FINGERPRINT, _COUNT):
            layout += "Q" if code == _FINGERPRINT else "q"
        else:
            layout += f"{8 * width}x"
            arrays.append((position, offset, width, _AUTOPHASE if code == _FEATURES else None))
        offset += 8 * width
    return struct.Struct(layout), arrays


#: Set to ``0`` to encode and decode fast-lane steps in Python (``struct``) instead of in ``serve.c``.
NATIVE_CALLER_ENV = "RL_COMPILER_NATIVE_CALLER"
#: Values a reply can hold: 16 queries of Autophase + InstCount each.
_MAX_VALUES = MAX_QUERIES * (_AUTOPHASE + _INST_COUNT)
_MESSAGE_BYTES = 1 << 14
#: :meth:`NativeCaller.step`'s outcomes other than a reply (``rlc_call_step``'s negative returns).
LOST, TIMED_OUT, MALFORMED, INTERRUPTED = -1, -2, -3, -4


def native_caller_enabled() -> bool:
    """Whether sessions send steps and decode their replies in C (``RL_COMPILER_NATIVE_CALLER``, default on)."""
    return os.environ.get(NATIVE_CALLER_ENV, "1").strip() not in ("0", "")


class NativeCaller:
    """The caller's side of the fast lane in one C call (``rlc_call_step`` in ``serve.c``): it writes the
    request, waits for the reply (the spin policy of :class:`rl_compiler.llvm.pipeio.PipeWaiter`, then a
    blocking ``poll``) and copies the values into one preallocated array, so that no Python runs between
    the request and its values; ctypes releases the GIL meanwhile. Results equal :func:`decode_step`'s.

    :param request_fd: the worker's input (non-blocking); :param reply_fd: its output (non-blocking).
    :param spin: the spin window; :param contended: a longer yield counts as contested; :param quiet: a
        yield shorter than this counts only when the machine is busy; :param spin_cap: above ``spin``, the
        window adapts to the recent replies' times, up to this (all in seconds); :param escape: after a
        yield that ran the worker on this CPU, move to another CPU and spin on (``serve.c``); :param backoff_min: the
        first back-off (seconds) after a contested yield, doubling while contests follow (``serve.c``'s ``back_off``);
        :param peer: the worker's process id, to move only when it is on this CPU (0: after every long yield).
    """

    def __init__(
        self,
        request_fd: int,
        reply_fd: int,
        spin: float,
        contended: float,
        quiet: float,
        spin_cap: float = 0.0,
        escape: bool = False,
        backoff_min: float = 1.0,
        peer: int = 0,
    ) -> None:
        lib = caller_lib()
        self._call, self._send, self._receive = lib.rlc_call_step, lib.rlc_call_send, lib.rlc_call_receive
        self._values = np.zeros(_MAX_VALUES, np.int64)
        self._unsigned = self._values.view(np.uint64)
        self._message = ctypes.create_string_buffer(_MESSAGE_BYTES)
        self._state = Caller(
            request_fd, reply_fd, spin, contended, 0.0, self._values.ctypes.data, _MAX_VALUES, 0,
            ctypes.addressof(self._message), _MESSAGE_BYTES, quiet, 0, 0, 0, spin_cap, int(escape),
        )  # fmt: skip
        self._state.backoff_min = backoff_min
        self._state.peer = peer
        self._address = ctypes.addressof(self._state)

    def step(self, request: bytes, pipeline: str, queries: tuple[str, ...], timeout: float) -> tuple | int:
        """Send ``request`` (from :func:`encode_step`) and return the step's results, or one of
        :data:`LOST`, :data:`TIMED_OUT`, :data:`MALFORMED`, :data:`INTERRUPTED` (the request is sent and
        its reply still to be read).

        :raises PassPipelineError, LLVMError, KeyError: as :func:`decode_step`.
        """
        return self.outcome(self._call(self._address, request, len(request), timeout), pipeline, queries)

    def send(self, request: bytes, timeout: float) -> int:
        """The first half of :meth:`step`: send ``request`` and return :data:`ST_OK` without waiting for
        the reply (read it with :meth:`wait` and :meth:`outcome`; meanwhile the worker runs), or :data:`LOST` or
        :data:`TIMED_OUT` (the pipe stayed full for ``timeout`` seconds)."""
        return self._send(self._address, request, len(request), timeout)

    def wait(self, timeout: float, more: bool = False) -> int:
        """The second half of :meth:`step`, without decoding: the status of the oldest request whose reply is unread,
        waiting at most ``timeout`` seconds (its values are kept for :meth:`outcome`). ``more``: requests sent after
        it are unanswered too (their replies may follow in the pipe: this one is read exactly, never into theirs)."""
        return self._receive(self._address, timeout, int(more))

    def outcome(self, status: int, pipeline: str, queries: tuple[str, ...]) -> tuple | int:
        """The results (or the raised error) of the reply whose :meth:`wait` gave ``status``, as :meth:`step`."""
        if status != ST_OK:
            if status < 0:
                return status
            raise _error(status, self._message.value.decode(errors="replace"), pipeline)
        spans, count = layout_of(queries)
        if self._state.count != count:
            return MALFORMED
        return _results(self._values, self._unsigned, spans)


def results(values: np.ndarray, unsigned: np.ndarray, queries: tuple[str, ...]) -> tuple:
    """The results of ``queries`` from the int64 ``values`` the engine wrote for them (``unsigned``: the same
    buffer as uint64), as :func:`rl_compiler.llvm.worker.step` returns them; arrays are copies."""
    return _results(values, unsigned, layout_of(queries)[0])


def _results(values: np.ndarray, unsigned: np.ndarray, spans: tuple) -> tuple:
    out = []
    for kind, start, stop in spans:
        if kind == _FINGERPRINT:
            out.append(unsigned.item(start))
        elif kind == _COUNT:
            out.append(values.item(start))
        elif kind == _FEATURES:
            out.append((values[start : start + _AUTOPHASE].copy(), values[start + _AUTOPHASE : stop].copy()))
        else:
            out.append(values[start:stop].copy())
    return tuple(out)


def layout_of(queries: tuple[str, ...]) -> tuple[tuple[tuple[int, int, int], ...], int]:
    """Per query (query code, first value, end), and the number of values (cached per query tuple)."""
    layout = _LAYOUTS.get(queries)
    if layout is None:
        layout = _LAYOUTS[queries] = _layout(queries)
    return layout


#: Per query tuple: (query code, first value, end) for each query, and the number of values.
_LAYOUTS: dict[tuple[str, ...], tuple[tuple[tuple[int, int, int], ...], int]] = {}


def _layout(queries: tuple[str, ...]) -> tuple[tuple[tuple[int, int, int], ...], int]:
    spans: list = []
    at = 0
    for query in queries:
        code = QUERY_CODES[query]
        spans.append((code, at, at + _WIDTHS[code]))
        at += _WIDTHS[code]
    return tuple(spans), at
