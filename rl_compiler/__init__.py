"""rl-compiler: Gymnasium environments for real LLVM compiler decisions.

Importing the package registers every environment id under the ``rl_compiler/`` namespace: at once when
Gymnasium is loaded, else as soon as it is (``rl-compiler optimize`` never loads it); not in the engine's worker
processes, which need no Gymnasium and start faster without it.
"""

from __future__ import annotations

import os
import time

#: ``time.perf_counter()`` when this package began importing: in the ``rl-compiler`` command, the moment its
#: interpreter began running rl-compiler (:func:`rl_compiler.cli.command_start` counts its budget from it).
IMPORT_STARTED = time.perf_counter()

__version__ = "0.1.0"

#: Set in the environment of rl-compiler's own worker processes (see rl_compiler.llvm.session).
WORKER_ENV = "RL_COMPILER_WORKER_PARENT"

if WORKER_ENV not in os.environ:
    from rl_compiler.envs.registration import register_when_gymnasium_loads

    register_when_gymnasium_loads()
