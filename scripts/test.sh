#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: install rl-compiler[dev] in .venv, lint, check the formatting, then
# pytest.
# Extra arguments go to pytest (e.g. -m "not slow" for a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh .venv -e ".[dev]"
.venv/bin/ruff check --quiet . || { echo "lint failed (ruff check .)" >&2; exit 1; }
.venv/bin/ruff format --check --quiet . || { echo "not format-clean (ruff format --check .; fix: ruff format .)" >&2; exit 1; }
exec .venv/bin/python -m pytest -q "$@"
