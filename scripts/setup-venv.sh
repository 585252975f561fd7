#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment and install rl-compiler into it.
# Usage: scripts/setup-venv.sh VENV_DIR PIP_INSTALL_ARGS...
# Sourced by scripts/main.sh and scripts/test.sh; prints nothing but pip's errors.
set -euo pipefail
venv="$1"; shift
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "rl-compiler needs Python >= 3.10 (found: $("$python" --version 2>&1)); set PYTHON=/path/to/python3.x" >&2
    exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip >/dev/null
# scripts/constraints.txt pins torch to the CPU build (an unpinned torch pulls a multi-GB CUDA build).
"$venv/bin/python" -m pip install --quiet -c "$(dirname "$0")/constraints.txt" "$@"
# The karellen LLVM wheels finish installing the first time Python starts in the venv. Then the native engine is
# compiled once (passrun.cpp alone takes seconds), so that no command's time budget pays for it on first use.
"$venv/bin/python" -c 'import rl_compiler'
"$venv/bin/python" -c 'from rl_compiler.llvm import engine; engine.build(); engine.caller_lib()'
