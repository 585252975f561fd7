"""``Module``: the Python face of one in-memory LLVM module, backed by the native engine.

Every ``Module`` owns its own ``LLVMContext``: modules are independent (a clone shares nothing with its
original) and each can be freed at any time. A ``Module`` is not thread-safe; use one per thread.

Example::

    from rl_compiler.llvm import Module

    with Module.from_file("crc32.bc") as m:
        m.run_passes("function(instcombine<no-verify-fixpoint>),globaldce")
        print(m.instruction_count(), m.autophase()[:5], m.object_text_size())
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
from pathlib import Path

import numpy as np

from rl_compiler.llvm import engine, fastlane
from rl_compiler.llvm.errors import (
    CodegenError,
    LLVMError,
    ModuleParseError,
    PassPipelineError,
    VerifierError,
    run_passes_error,
)

AUTOPHASE_DIM = engine.AUTOPHASE_DIM
#: The ``opt`` flags that give ``opt`` the target machine passes run with here (engine.c's ``get_tm``: the
#: module's triple, PIC, codegen -O2). Without them ``opt`` assumes a static relocation model and passes
#: that ask the target (e.g. the relative lookup table converter) act differently.
ENGINE_OPT_FLAGS = ("-relocation-model=pic",)
INSTCOUNT_DIM = engine.INSTCOUNT_DIM

# ctypes arrays for the native feature walk: cheaper per call than handing over NumPy arrays' pointers.
_AutophaseBuffer = ctypes.c_int64 * AUTOPHASE_DIM
_InstCountBuffer = ctypes.c_int64 * INSTCOUNT_DIM


class _StepOut:
    """Where ``rlc_step`` writes a step's values, their number and an error message (one per module, reused)."""

    __slots__ = ("values", "unsigned", "address", "count", "err", "count_ref", "err_ref")

    def __init__(self) -> None:
        self.values = np.zeros(fastlane.MAX_QUERIES * (AUTOPHASE_DIM + INSTCOUNT_DIM), np.int64)
        self.unsigned, self.address = self.values.view(np.uint64), self.values.ctypes.data
        self.count, self.err = ctypes.c_int64(), ctypes.c_void_p()
        self.count_ref, self.err_ref = ctypes.byref(self.count), ctypes.byref(self.err)


def _to_array(buffer: ctypes.Array) -> np.ndarray:
    return np.frombuffer(buffer, dtype=np.int64).copy()


def _split_strings(table: bytes) -> tuple[str, ...]:
    """NUL-terminated strings back to a tuple (an empty table is no strings)."""
    return tuple(s.decode(errors="replace") for s in table.split(b"\0")[:-1]) if table else ()


#: Raw bitcode, and the bitcode wrapper header (Darwin).
_BITCODE_MAGICS = (b"BC\xc0\xde", b"\xde\xc0\x17\x0b")
#: ``default<Oz>``, ``lto<Os>``, ...: LLVM 22+ reports these with a fatal error that exits the process.
_SIZE_LEVEL = re.compile(r"<\s*O([sz])\s*>")


def _check_pipeline(pipeline: str) -> None:
    """Reject what LLVM would not report as an error: an empty pipeline, and LLVM 22+'s removed ``<Oz>``."""
    if not isinstance(pipeline, str) or not pipeline.strip():
        raise PassPipelineError(f"expected a non-empty pass pipeline string, got {pipeline!r}")
    if "<O" in pipeline and engine.llvm_major() >= 22:
        match = _SIZE_LEVEL.search(pipeline)
        if match:
            attribute = "minsize" if match.group(1) == "z" else "optsize"
            raise PassPipelineError(
                f'invalid pass pipeline {pipeline!r}: the optimization level "O{match.group(1)}" is no '
                f"longer supported in LLVM {engine.llvm_major()} (it would abort the process); use "
                f"O2 with the {attribute} attribute instead (rl_compiler.llvm.baselines.optimize_oz)"
            )


class Module:
    """One LLVM module in memory. Build it with :meth:`from_file`, :meth:`from_bitcode` or :meth:`from_ir`."""

    __slots__ = ("_handle", "_lib", "_step_out", "__weakref__")

    def __init__(self, handle: ctypes.c_void_p, lib: ctypes.CDLL) -> None:
        """Internal: wrap an engine handle. Use the ``from_*`` constructors."""
        self._handle = handle
        self._lib = lib
        self._step_out: _StepOut | None = None  # made by the first step()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_bitcode(cls, data: bytes, *, verify: bool = True) -> Module:
        """Parse a module from LLVM bitcode (textual IR bytes are accepted too).

        :param data: the bitcode.
        :param verify: run LLVM's verifier on the result (as ``opt`` does on its input) and raise
            :class:`VerifierError` if it fails. Passes and codegen may crash on unverified IR.
        :raises ModuleParseError: the bytes are not valid bitcode or IR; the message has LLVM's diagnostic.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"from_bitcode expects bytes, got {type(data).__name__}")
        return cls._parse(bytes(data), "<memory>", verify)

    @classmethod
    def from_ir(cls, text: str, *, verify: bool = True) -> Module:
        """Parse a module from textual LLVM IR (see :meth:`from_bitcode` for ``verify`` and errors)."""
        if not isinstance(text, str):
            raise TypeError(f"from_ir expects str, got {type(text).__name__}")
        return cls._parse(text.encode(), "<memory>", verify)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, verify: bool = True) -> Module:
        """Read a bitcode (``.bc``) or textual IR (``.ll``) file.

        :raises FileNotFoundError: no such file.
        :raises ModuleParseError: the file is not valid bitcode or IR (LLVM's diagnostic names the file).
        :raises VerifierError: ``verify`` and the module is broken.
        """
        path = Path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"no such LLVM module file: {path}") from None
        except IsADirectoryError:
            raise IsADirectoryError(f"expected an LLVM module file, got a directory: {path}") from None
        return cls._parse(data, str(path), verify)

    @classmethod
    def _parse(cls, data: bytes, name: str, verify: bool) -> Module:
        if not data.strip():
            raise ModuleParseError(f"cannot parse module {name}: the input is empty")
        if not data.startswith(_BITCODE_MAGICS) and b"\0" in data:
            # LLVM's IR lexer stops at a NUL byte and would accept e.g. zeros as an empty module.
            raise ModuleParseError(f"cannot parse module {name}: neither bitcode nor textual IR (binary data)")
        lib = engine.lib()
        err = ctypes.c_void_p()
        handle = lib.rlc_parse(data, len(data), name.encode(errors="replace"), ctypes.byref(err))
        if not handle:
            raise ModuleParseError(f"cannot parse module {name}: {engine.take_message(lib, err).strip()}")
        module = cls(handle, lib)
        if verify:
            try:
                module.verify()
            except VerifierError as error:
                module.close()
                raise VerifierError(f"{name}: {error}") from None
        return module

    def clone(self) -> Module:
        """An independent copy of this module in a new context."""
        err = ctypes.c_void_p()
        handle = self._lib.rlc_clone(self._ptr, ctypes.byref(err))
        if not handle:
            raise LLVMError(f"cannot clone module: {engine.take_message(self._lib, err)}")
        return Module(handle, self._lib)

    # -- transformation -----------------------------------------------------------------------

    def run_passes(self, pipeline: str) -> None:
        """Run a new-pass-manager pipeline on the module in place, e.g. ``"function(sroa),globaldce"``.

        The passes run with a TargetMachine for the module's triple (the host's if it has none), so
        ``opt -passes=<pipeline>`` gives the same result.

        :raises PassPipelineError: LLVM rejected the pipeline (unknown pass, malformed string).
        """
        _check_pipeline(pipeline)
        err = ctypes.c_void_p()
        status = self._lib.rlc_run_passes(self._ptr, pipeline.encode(), ctypes.byref(err))
        if status:
            raise run_passes_error(pipeline, status, engine.take_message(self._lib, err))

    def step(self, pipeline: str, queries: tuple[str, ...]) -> tuple:
        """Run ``pipeline`` (as :meth:`run_passes`), then return the results of ``queries``, names of
        :data:`~rl_compiler.llvm.fastlane.QUERY_CODES` (``"fingerprint"``, ``"instruction_count"``,
        ``"autophase"``, ``"inst_count"``, ``"features"``), each as its method returns it. One native call: the
        queries come from one walk over the module.

        :raises PassPipelineError: as :meth:`run_passes`. :raises ValueError: for a query without a code.
        """
        _check_pipeline(pipeline)
        codes = fastlane.query_codes(queries)
        if codes is None:
            raise ValueError(f"no native step for queries {queries!r}; valid: {sorted(fastlane.QUERY_CODES)}")
        out = self._step_out or _StepOut()
        self._step_out = out
        status = self._lib.rlc_step(
            self._ptr, pipeline.encode(), codes, len(codes), out.address, out.count_ref, out.err_ref
        )
        if status:
            if status < 0:
                raise MemoryError("out of memory computing a step's queries")
            raise run_passes_error(pipeline, status, engine.take_message(self._lib, out.err))
        return fastlane.results(out.values, out.unsigned, queries)

    def set_size_attributes(self) -> None:
        """Add ``minsize`` and ``optsize`` to every defined non-``optnone`` function (as clang -Oz does)."""
        self._lib.rlc_set_size_attributes(self._ptr)

    # -- queries ------------------------------------------------------------------------------

    def clear_size_attributes(self) -> None:
        """Remove ``minsize`` and ``optsize`` from every function (the -O3 baseline of a size-prepared module)."""
        self._lib.rlc_clear_size_attributes(self._ptr)

    def verify(self) -> None:
        """Run LLVM's verifier. :raises VerifierError: with the verifier's report."""
        err = ctypes.c_void_p()
        if self._lib.rlc_verify(self._ptr, ctypes.byref(err)):
            raise VerifierError(f"module fails verification: {engine.take_message(self._lib, err).strip()}")

    def instruction_count(self) -> int:
        """Number of IR instructions in the module (CompilerGym's ``IrInstructionCount``)."""
        return self._lib.rlc_instruction_count(self._ptr)

    def features(self) -> tuple[np.ndarray, np.ndarray]:
        """``(autophase(), inst_count())`` computed in one pass over the module."""
        autophase, inst_count = _AutophaseBuffer(), _InstCountBuffer()
        self._features(autophase, inst_count)
        return _to_array(autophase), _to_array(inst_count)

    def autophase(self) -> np.ndarray:
        """The 56 Autophase features (int64), in CompilerGym's order."""
        out = _AutophaseBuffer()
        self._features(out, None)
        return _to_array(out)

    def inst_count(self) -> np.ndarray:
        """The 70 InstCount features (int64): TotalInsts, TotalBlocks, TotalFuncs, then LLVM 10's opcodes."""
        out = _InstCountBuffer()
        self._features(None, out)
        return _to_array(out)

    def _features(self, autophase: object, inst_count: object) -> None:
        if self._lib.rlc_features(self._ptr, autophase, inst_count) != 0:
            raise MemoryError("out of memory computing features")

    def programl(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
        """The module as a ProGraML-style program graph, built natively in one walk.

        Returns ``(nodes, edges, edge_links, texts, functions)``: ``nodes`` int32 ``(n, 4)`` rows of (type: 0
        instruction, 1 variable, 2 constant; index into ``texts``; function index or -1; block index or -1),
        ``edges`` int32 ``(m, 2)`` rows of (flow: 0 control, 1 data, 2 call; position), ``edge_links`` int32
        ``(m, 2)`` rows of (source node, target node), ``texts`` the distinct node texts (opcode names and
        types), ``functions`` the function names. :mod:`rl_compiler.graph` turns it into a Gymnasium
        ``GraphInstance`` (the schema is documented there).
        """
        sizes = (ctypes.c_int64 * 4)()
        graph = self._lib.rlc_programl(self._ptr, sizes)
        if not graph:
            raise MemoryError("out of memory building the program graph")
        try:
            nodes = np.empty((sizes[0], 4), dtype=np.int32)
            edges = np.empty((sizes[1], 2), dtype=np.int32)
            links = np.empty((sizes[1], 2), dtype=np.int32)
            texts = ctypes.create_string_buffer(sizes[2] or 1)
            functions = ctypes.create_string_buffer(sizes[3] or 1)
        except BaseException:
            self._lib.rlc_graph_dispose(graph)
            raise
        self._lib.rlc_graph_export(graph, nodes.ctypes.data, edges.ctypes.data, links.ctypes.data, texts, functions)
        texts_, functions_ = _split_strings(texts.raw[: sizes[2]]), _split_strings(functions.raw[: sizes[3]])
        return nodes, edges, links, texts_, functions_

    def bitcode(self) -> bytes:
        """The module as LLVM bitcode."""
        buffer = self._lib.rlc_bitcode(self._ptr)
        if not buffer:
            raise LLVMError("cannot write bitcode")
        try:
            return ctypes.string_at(self._lib.rlc_buffer_start(buffer), self._lib.rlc_buffer_size(buffer))
        finally:
            self._lib.rlc_buffer_dispose(buffer)

    def ir(self) -> str:
        """The module as textual LLVM IR."""
        text = self._lib.rlc_print_ir(self._ptr)
        try:
            return ctypes.string_at(text).decode(errors="replace")
        finally:
            self._lib.rlc_free(text)

    def sha1(self) -> str:
        """Hex SHA-1 of the bitcode: the module's content hash and cache key."""
        return hashlib.sha1(self.bitcode()).hexdigest()

    def ir_sha1(self) -> str:
        """Hex SHA-1 of the textual IR (CompilerGym's ``IrSha1``)."""
        return hashlib.sha1(self.ir().encode()).hexdigest()

    def fingerprint(self) -> int:
        """A cheap structural 64-bit hash: equal before and after a pass that changed nothing.

        Covers globals and functions (names, linkage, attribute counts) and every instruction's opcode,
        type, flags and operands; not value names or metadata. Equal for a module and its clones.
        """
        return self._lib.rlc_fingerprint(self._ptr)

    def object_text_size(self) -> int:
        """Bytes of ``.text`` (``.text`` and ``.text.*`` sections) in an object file emitted in memory for
        the module's target, codegen ``-O2``, PIC: what ``llc -filetype=obj -relocation-model=pic`` and
        ``llvm-size`` report. The module itself is not changed.

        :raises VerifierError: the module is broken (codegen would abort).
        :raises CodegenError: LLVM could not emit the object.
        """
        err = ctypes.c_void_p()
        size = self._lib.rlc_object_text_size(self._ptr, ctypes.byref(err))
        if size < 0:
            message = engine.take_message(self._lib, err).strip()
            if self._lib.rlc_verify(self._ptr, None):
                raise VerifierError(f"module fails verification: {message}")
            raise CodegenError(f"cannot emit an object file: {message}")
        return size

    # -- timing hook --------------------------------------------------------------------------

    def run_passes_bare(self, pipeline: bytes) -> int:
        """``LLVMRunPasses`` alone, with the same TargetMachine and options as :meth:`run_passes`: the floor
        that benchmarks compare a step against. Takes the pipeline as bytes; returns 0 on success.
        No error message, no checks."""
        return self._lib.rlc_run_passes_bare(self._handle, pipeline)

    # -- lifetime -----------------------------------------------------------------------------

    @property
    def _ptr(self) -> ctypes.c_void_p:
        if not self._handle:
            raise ValueError("operation on a closed Module")
        return self._handle

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return not self._handle

    def close(self) -> None:
        """Free the module and its context now (idempotent; also done on garbage collection)."""
        handle, self._handle = self._handle, None
        if handle:
            self._lib.rlc_dispose(handle)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: ctypes may be gone already
            pass

    def __enter__(self) -> Module:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<Module closed>"
        return f"<Module {self.instruction_count()} instructions>"
