"""Exceptions raised by the LLVM layer. Every message includes LLVM's own diagnostic where there is one."""

from __future__ import annotations


class LLVMError(RuntimeError):
    """Base class of every error the LLVM layer raises."""


class ModuleParseError(LLVMError, ValueError):
    """Bytes or text that are not valid LLVM bitcode or IR (malformed, truncated, wrong format)."""


class PassPipelineError(LLVMError, ValueError):
    """A pass pipeline string LLVM rejects: an unknown pass name or malformed syntax."""


class VerifierError(LLVMError):
    """The module fails LLVM's verifier."""


class CodegenError(LLVMError):
    """Emitting an object file for the module failed."""


class WorkerCrashError(LLVMError):
    """The worker process holding a module died (e.g. a pass segfaulted) and the state could not be recovered."""


class WorkerTimeoutError(LLVMError, TimeoutError):
    """A call to the worker process exceeded its timeout; the worker was killed."""
