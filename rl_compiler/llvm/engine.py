"""Build and load the native engine (``engine.c``) for the toolchain in use.

On first use ``engine.c`` is compiled with the system C compiler against the toolchain's LLVM-C
headers and ``libLLVM``, into ``cache_dir("engine", "<toolchain id>-<source hash>")``. The build is
atomic (compile to a temporary name, then rename) and serialized by a file lock, so concurrent processes
build it once. With the pip toolchain (a libLLVM on libc++, and its ``clang++``) ``passrun.cpp`` is linked in too:
passes then run without rebuilding LLVM's pass builder at every call; elsewhere ``LLVMRunPasses`` runs them,
with the same results. The library is loaded with ctypes; every function has its argument and result types
declared. Users never call this module directly: :class:`rl_compiler.llvm.Module` does.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import shutil
from pathlib import Path

from rl_compiler.llvm import processes
from rl_compiler.llvm.cache import build_once, cache_dir
from rl_compiler.llvm.toolchain import Toolchain, ToolchainError, get_toolchain

SOURCE = Path(__file__).with_name("engine.c")
#: Compiled into the same library: the worker's native request loop (see worker.py).
SOURCES = (SOURCE, Path(__file__).with_name("serve.c"))
#: C++, linked in where the toolchain allows (:func:`_passrun`): ``LLVMRunPasses`` with its set-up kept per module.
PASSRUN = Path(__file__).with_name("passrun.cpp")
AUTOPHASE_DIM = 56
INSTCOUNT_DIM = 70
#: LLVM-C API that exists only in some supported versions; ``-DRLC_HAVE_<name>`` when the headers have it.
OPTIONAL_API = (
    "LLVMUncondBr",
    "LLVMPtrToAddr",
    "LLVMGetICmpSameSign",
    "LLVMGetSwitchCaseValue",
    "LLVMGetRawDataValues",
)
COMPILERS_ENV = "CC"


class EngineBuildError(ToolchainError):
    """The native engine could not be compiled or loaded."""


class _Handle(ctypes.Structure):
    """Opaque ``rlc_module``."""


HANDLE = ctypes.POINTER(_Handle)
_ERR = ctypes.POINTER(ctypes.c_void_p)
_I64P = ctypes.POINTER(ctypes.c_int64)

# name: (restype, argtypes)
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "rlc_init": (ctypes.c_int, []),
    "rlc_llvm_version": (None, [ctypes.POINTER(ctypes.c_uint)] * 3),
    "rlc_free": (None, [ctypes.c_void_p]),
    "rlc_parse": (HANDLE, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, _ERR]),
    "rlc_clone": (HANDLE, [HANDLE, _ERR]),
    "rlc_dispose": (None, [HANDLE]),
    "rlc_bitcode": (ctypes.c_void_p, [HANDLE]),
    "rlc_buffer_start": (ctypes.c_void_p, [ctypes.c_void_p]),
    "rlc_buffer_size": (ctypes.c_size_t, [ctypes.c_void_p]),
    "rlc_buffer_dispose": (None, [ctypes.c_void_p]),
    "rlc_print_ir": (ctypes.c_void_p, [HANDLE]),
    "rlc_run_passes": (ctypes.c_int, [HANDLE, ctypes.c_char_p, _ERR]),
    "rlc_run_passes_bare": (ctypes.c_int, [HANDLE, ctypes.c_char_p]),
    "rlc_verify": (ctypes.c_int, [HANDLE, _ERR]),
    "rlc_set_size_attributes": (None, [HANDLE]),
    "rlc_clear_size_attributes": (None, [HANDLE]),
    "rlc_instruction_count": (ctypes.c_int64, [HANDLE]),
    "rlc_features": (ctypes.c_int, [HANDLE, _I64P, _I64P]),
    "rlc_fingerprint": (ctypes.c_uint64, [HANDLE]),
    "rlc_passrun_linked": (ctypes.c_int, []),
    "rlc_tm_pool": (ctypes.c_size_t, [ctypes.c_int]),
    "rlc_run_passes_reference": (ctypes.c_int, [HANDLE, ctypes.c_char_p]),
    "rlc_query": (ctypes.c_int64, [HANDLE, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p]),
    "rlc_step": (
        ctypes.c_int,
        [HANDLE, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p, _ERR],
    ),
    "rlc_object_text_size": (ctypes.c_int64, [HANDLE, _ERR]),
    "rlc_programl": (ctypes.c_void_p, [HANDLE, _I64P]),
    "rlc_graph_export": (None, [ctypes.c_void_p] * 6),
    "rlc_graph_dispose": (None, [ctypes.c_void_p]),
    "rlc_serve_register": (ctypes.c_int, [ctypes.c_uint64, HANDLE]),
    "rlc_serve_forget": (None, [ctypes.c_uint64]),
    "rlc_serve_stats": (None, [ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_double)]),
    "rlc_serve": (
        ctypes.c_int64,
        [ctypes.c_int, ctypes.c_int, ctypes.c_double, ctypes.c_double, ctypes.c_int, _ERR]
        # the spin cap, escape, first back-off, the caller's pid (serve.c)
        + [ctypes.c_double, ctypes.c_int, ctypes.c_double, ctypes.c_int],
    ),
}


def _compiler() -> str:
    for name in (os.environ.get(COMPILERS_ENV), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    raise EngineBuildError(
        "no C compiler found (tried $CC, cc, gcc, clang): rl-compiler compiles its native engine on first "
        "use; install one (e.g. apt-get install gcc)"
    )


def _optional_api_flags(toolchain: Toolchain) -> list[str]:
    headers = " ".join(p.read_text(errors="replace") for p in (toolchain.includedir / "llvm-c").rglob("*.h"))
    return [f"-DRLC_HAVE_{name}" for name in OPTIONAL_API if re.search(rf"\b{name}\b", headers)]


def library_path(toolchain: Toolchain | None = None) -> Path:
    """Where the compiled engine for ``toolchain`` lives (built or not)."""
    toolchain = toolchain or get_toolchain()
    # The library finds libLLVM through an rpath to this toolchain's directory, so one build serves one
    # installation: another venv (with the same LLVM version) gets its own, and deleting a venv breaks no other.
    sources = (*SOURCES, PASSRUN)
    key = b"\0".join([*(source.read_bytes() for source in sources), str(toolchain.libdir.resolve()).encode()])
    digest = hashlib.sha1(key).hexdigest()[:12]
    return cache_dir("engine", f"{toolchain.id}-{digest}") / "librlc_engine.so"


def build(toolchain: Toolchain | None = None) -> Path:
    """Compile the engine for ``toolchain`` unless already cached; return the library's path."""
    toolchain = toolchain or get_toolchain()

    def compile_to(tmp: str) -> None:
        passrun = Path(f"{tmp}.passrun.o")
        try:
            cmd = [
                _compiler(), "-O2", "-fPIC", "-shared", "-std=c11", "-Wall", "-Wno-deprecated-declarations",
                *_optional_api_flags(toolchain), *_passrun(toolchain, passrun), f"-I{toolchain.includedir}",
                *map(str, SOURCES), "-o", tmp, str(toolchain.libllvm), f"-Wl,-rpath,{toolchain.libdir}",
            ]  # fmt: skip
            processes.run_checked(cmd, "compiling the native engine failed", EngineBuildError, timeout=300)
        finally:
            passrun.unlink(missing_ok=True)

    return build_once(library_path(toolchain), compile_to)


def _passrun(toolchain: Toolchain, obj: Path) -> list[str]:
    """Compile ``passrun.cpp`` to ``obj`` and return the engine's extra build arguments, or ``[]`` (the engine then
    calls ``LLVMRunPasses``): only with the toolchain's own ``clang++`` and a libLLVM linked against the libc++
    beside it (the pip toolchain), since C++ objects cross the boundary and both sides must agree on their layout."""
    clangxx = toolchain.bindir / "clang++"
    libcxx = next(iter(sorted(toolchain.libdir.rglob("libc++.so.1"))), None)
    readelf = shutil.which("readelf")
    if not clangxx.exists() or libcxx is None or readelf is None:
        return []
    try:
        needed = processes.run_checked([readelf, "-d", toolchain.libllvm], "readelf", EngineBuildError, timeout=60)
        if "libc++.so" not in needed.stdout:
            return []
        cmd = [
            clangxx, "-O2", "-fPIC", "-std=c++17", "-stdlib=libc++", "-fno-rtti", "-fno-exceptions", "-w",
            f"-I{toolchain.includedir}", "-c", PASSRUN, "-o", obj,
        ]  # fmt: skip
        processes.run_checked(cmd, "compiling passrun.cpp failed", EngineBuildError, timeout=300)
    except EngineBuildError:
        return []  # the C engine alone is complete: only slower per pass
    return ["-DRLC_HAVE_PASSRUN", str(obj), f"-L{libcxx.parent}", "-lc++", f"-Wl,-rpath,{libcxx.parent}"]


@functools.cache
def _load(path: str) -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(path)
    except OSError as error:
        raise EngineBuildError(f"cannot load the native engine {path}: {error}") from error
    for name, (restype, argtypes) in _SIGNATURES.items():
        func = getattr(lib, name)
        func.restype = restype
        func.argtypes = argtypes
    if lib.rlc_init() != 0:
        raise EngineBuildError("LLVM has no native target (LLVMInitializeNativeTarget failed)")
    return lib


@functools.cache
def _lib_for(toolchain: Toolchain) -> ctypes.CDLL:
    return _load(str(build(toolchain)))


_LOADED: ctypes.CDLL | None = None


def lib() -> ctypes.CDLL:
    """The engine library (built on first use) for the toolchain in use when first called.

    One process uses one libLLVM: the toolchain is resolved once, on the first call, and kept.
    """
    global _LOADED
    if _LOADED is None:
        _LOADED = _lib_for(get_toolchain())
    return _LOADED


def take_message(lib_: ctypes.CDLL, err: ctypes.c_void_p) -> str:
    """Decode and free a ``char **err`` message set by the engine."""
    if not err.value:
        return ""
    try:
        return ctypes.string_at(err.value).decode(errors="replace")
    finally:
        lib_.rlc_free(err.value)
        err.value = None


def llvm_version() -> str:
    """The version of the loaded libLLVM, e.g. ``"23.1.4"``."""
    major, minor, patch = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    lib().rlc_llvm_version(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
    return f"{major.value}.{minor.value}.{patch.value}"


@functools.cache
def llvm_major() -> int:
    """The major version of the loaded libLLVM."""
    return int(llvm_version().split(".")[0])


class Caller(ctypes.Structure):
    """``rlc_caller`` (serve.c): a caller's end of one worker's pipes, for ``rlc_call_step``."""

    _fields_ = [
        ("out_fd", ctypes.c_int),
        ("in_fd", ctypes.c_int),
        ("spin", ctypes.c_double),
        ("contended", ctypes.c_double),
        ("calm", ctypes.c_double),
        ("values", ctypes.c_void_p),
        ("cap", ctypes.c_size_t),
        ("count", ctypes.c_size_t),
        ("message", ctypes.c_void_p),
        ("mcap", ctypes.c_size_t),
        ("certain", ctypes.c_double),
        ("yields", ctypes.c_uint64),
        ("contested", ctypes.c_uint64),
        ("sleeps", ctypes.c_uint64),
        ("spin_cap", ctypes.c_double),
        ("escape", ctypes.c_int),
        ("moves", ctypes.c_uint64),
        ("replies", ctypes.c_float * 32),  # serve.c's history: HISTORY durations, then their count
        ("replies_count", ctypes.c_uint32),
        ("sent", ctypes.c_double),
        ("waited", ctypes.c_double),
        ("backoff", ctypes.c_double),
        ("backoff_min", ctypes.c_double),
        ("peer", ctypes.c_int),
    ]


@functools.cache
def caller_lib() -> ctypes.CDLL:
    """The caller's half of the fast lane (``serve.c`` built alone with ``-DRLC_CALLER_ONLY``): a small
    library without libLLVM, so a process whose modules all live in workers never loads LLVM."""
    source = SOURCES[1]
    digest = hashlib.sha1(source.read_bytes()).hexdigest()[:12]
    target = cache_dir("engine", f"caller-{digest}") / "librlc_caller.so"

    def compile_to(tmp: str) -> None:
        cmd = [_compiler(), "-O2", "-fPIC", "-shared", "-std=c11", "-Wall", "-DRLC_CALLER_ONLY", str(source), "-o", tmp]
        processes.run_checked(cmd, "compiling the fast lane's caller side failed", EngineBuildError, timeout=120)

    path = str(build_once(target, compile_to))
    try:
        lib_ = ctypes.CDLL(path)
    except OSError as error:
        raise EngineBuildError(f"cannot load {path}: {error}") from error
    lib_.rlc_call_step.restype = ctypes.c_int
    lib_.rlc_call_step.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_double]
    lib_.rlc_call_send.restype = lib_.rlc_call_receive.restype = ctypes.c_int
    lib_.rlc_call_send.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_double]
    lib_.rlc_call_receive.argtypes = [ctypes.c_void_p, ctypes.c_double, ctypes.c_int]
    lib_.rlc_peer_on_cpu.restype = ctypes.c_int
    lib_.rlc_peer_on_cpu.argtypes = [ctypes.c_int, ctypes.c_int]
    return lib_


def engine_info() -> str:
    """One line describing the engine in use: its library path and the LLVM it is linked against."""
    toolchain = get_toolchain()
    return f"rl_compiler engine {build(toolchain)} (LLVM {llvm_version()}, {toolchain.libllvm})"
