"""Exceptions raised by the LLVM layer. Every message includes LLVM's own diagnostic where there is one."""

from __future__ import annotations


class LLVMError(RuntimeError):
    """Base class of every error the LLVM layer raises."""


class ModuleParseError(LLVMError, ValueError):
    """Bytes or text that are not valid LLVM bitcode or IR (malformed, truncated, wrong format)."""


def unnamed(error: ModuleParseError) -> str:
    """The message of a parse error of bytes in memory without the ``<memory>`` placeholder name, for a
    caller to prefix with the real name (the benchmark or the file the bytes came from)."""
    return str(error).replace("<memory>: ", "").replace(" <memory>", "")


class PassPipelineError(LLVMError, ValueError):
    """A pass pipeline string LLVM rejects: an unknown pass name or malformed syntax."""


def run_passes_error(pipeline: str, status: int, message: str) -> LLVMError:
    """The error of a failed ``rlc_run_passes``: status 1 (LLVM rejected the pipeline) or 2 (LLVM reported
    an error diagnostic while running it). One definition for the in-process module and the worker's
    native step."""
    if status == 1:
        return PassPipelineError(f"invalid pass pipeline {pipeline!r}: {message}")
    return LLVMError(f"running {pipeline!r} reported an error: {message}")


class VerifierError(LLVMError):
    """The module fails LLVM's verifier."""


class CodegenError(LLVMError):
    """Emitting an object file for the module failed."""


class WorkerCrashError(LLVMError):
    """The worker process holding a module died (e.g. a pass segfaulted) and the state could not be recovered."""


class WorkerMemoryError(WorkerCrashError):
    """The worker process ran out of its memory limit (``Session(memory_limit=...)``) and could not recover."""


class WorkerTimeoutError(LLVMError, TimeoutError):
    """A call to the worker process exceeded its timeout; the worker was killed."""


class MLGOError(LLVMError):
    """Base class of errors of the MLGO interactive channel."""


class ChannelProtocolError(MLGOError):
    """The compiler sent something that does not follow the interactive protocol."""


class NoDecisionsError(MLGOError):
    """The compiler finished the module without asking a single decision (nothing for a policy to do)."""


class ChannelNotOpenedError(NoDecisionsError):
    """The compiler exited without ever opening the channel (e.g. -O0, optnone, no eligible function)."""


class ChannelTimeoutError(MLGOError, TimeoutError):
    """The compiler did not open the channel, send an observation, or exit within the timeout."""


class CompilerCrashError(MLGOError):
    """The compiler exited with a non-zero status or a signal; its output must not be trusted."""

    def __init__(self, message: str, returncode: int | None = None, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


class ChannelClosedError(MLGOError):
    """The compilation was closed (or already finished) and cannot be used any more."""
