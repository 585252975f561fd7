"""LLVM's MLGO interactive channel: drive ``llc``'s eviction advisor or ``opt``'s inliner over named pipes.

With ``-regalloc-evict-interactive-channel-base=BASE`` (llc) or ``-inliner-interactive-channel-base=BASE``
(opt) the compiler writes a JSON header, then ``{"context":...}`` lines and ``{"observation":N}`` lines each
followed by the raw tensor bytes, to ``BASE.out``; after every observation it blocks until it has read exactly
``advice.nbytes`` bytes from ``BASE.in``. See ``reference/mlgo-interactive.md`` for the protocol and pitfalls.

:class:`InteractiveCompilation` is one compiler process on one module, with the hygiene that protocol needs:

* a private temporary directory per process holds both FIFOs, the stderr file and the outputs; it is removed
  by :meth:`~InteractiveCompilation.close`, by garbage collection and at interpreter exit;
* the compiler is started by :func:`rl_compiler.llvm.processes.spawn`: its own process group, killed by
  the kernel if the host dies, so a dying host never leaves an ``llc`` spinning on a closed pipe
  (pitfall 7); every error path kills the whole group;
* the FIFOs are opened in an order that cannot deadlock whichever order the compiler uses (``.out`` for
  reading non-blockingly first, then ``.in`` for writing polled non-blockingly while the child is alive),
  so a compiler that never opens the channel is noticed (pitfalls 1, 2, 16);
* reads use ``poll`` with timeouts and byte counts from the header, never newline splitting (pitfall 10);
* advice is written as exactly ``advice.nbytes`` bytes of the advice dtype (pitfall 4);
* stderr goes to a file (pitfall 3), and the exit status is checked before any output is trusted (pitfall 9).

The package, by job: :mod:`~rl_compiler.llvm.mlgo.spec` (the header: tensor specs, advice encoding),
:mod:`~rl_compiler.llvm.mlgo.channel` (:class:`InteractiveCompilation`, :func:`run_compiler`),
:mod:`~rl_compiler.llvm.mlgo.remarks` (greedy's remarks and the RegAllocScore),
:mod:`~rl_compiler.llvm.mlgo.elf` (``.text`` size of an object) and :mod:`~rl_compiler.llvm.mlgo.probe`
(the header a toolchain sends); the errors are in :mod:`rl_compiler.llvm.errors`. It knows nothing of
Gymnasium; the environments live in ``rl_compiler.envs``.
"""

from __future__ import annotations

from rl_compiler.llvm.errors import (
    ChannelClosedError,
    ChannelNotOpenedError,
    ChannelProtocolError,
    ChannelTimeoutError,
    CompilerCrashError,
    MLGOError,
    NoDecisionsError,
)
from rl_compiler.llvm.mlgo.channel import InteractiveCompilation, run_compiler
from rl_compiler.llvm.mlgo.elf import text_size
from rl_compiler.llvm.mlgo.probe import INLINER_FLAGS, PROBE_SOURCE, REGALLOC_FLAGS, probe_spec
from rl_compiler.llvm.mlgo.remarks import RegallocStats, parse_regalloc_remarks
from rl_compiler.llvm.mlgo.spec import (
    INLINER_CHANNEL_OPTION,
    REGALLOC_CHANNEL_OPTION,
    ChannelSpec,
    Observation,
    TensorSpec,
)

__all__ = [
    "INLINER_CHANNEL_OPTION", "INLINER_FLAGS", "PROBE_SOURCE", "REGALLOC_CHANNEL_OPTION", "REGALLOC_FLAGS",
    "ChannelClosedError", "ChannelNotOpenedError", "ChannelProtocolError", "ChannelSpec", "ChannelTimeoutError",
    "CompilerCrashError", "InteractiveCompilation", "MLGOError", "NoDecisionsError", "Observation",
    "RegallocStats", "TensorSpec", "parse_regalloc_remarks", "probe_spec", "run_compiler", "text_size",
]  # fmt: skip
