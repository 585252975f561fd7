"""rl-compiler: Gymnasium environments for real LLVM compiler decisions.

Importing the package registers every environment id under the ``rl_compiler/`` namespace.
"""

from __future__ import annotations

__version__ = "0.1.0"

try:
    from rl_compiler.envs.registration import register_all as _register_all
except ImportError:  # environments not built yet
    _register_all = None

if _register_all is not None:
    _register_all()
