#!/usr/bin/env bash
# The main job on a fresh machine: install rl-compiler in .venv, then optimize a C program for size.
# Usage: scripts/main.sh [PROGRAM.c ... | MODULE.ll | MODULE.bc]
#        (default: the five C files of the built-in bytecode interpreter, one program)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh .venv ".[rl]"
if [ "$#" -eq 0 ]; then
    set -- benchmarks/builtin-v0/bytecodevm/*.c
fi
mkdir -p out
# Not exec: the optimizer's 10 s budget counts from its process's start, which exec would move back to
# this script's start (the install above).
.venv/bin/rl-compiler optimize "$@" -o out/optimized
