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
# The optimizer's 10 s budget counts from the command's own start (with exec too: rl_compiler.cli.command_start).
.venv/bin/rl-compiler optimize "$@" -o out/optimized
