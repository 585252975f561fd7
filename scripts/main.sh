#!/usr/bin/env bash
# The main job on a fresh machine: install rl-compiler in .venv, then optimize a C program for size.
# Usage: scripts/main.sh [PROGRAM.c ... | MODULE.ll | MODULE.bc]  (default: a built-in benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh .venv ".[rl]"
if [ "$#" -eq 0 ]; then
    set -- benchmarks/builtin-v0/crc32/crc32.c
fi
mkdir -p out
exec .venv/bin/rl-compiler optimize "$@" -o out/optimized
