#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: install rl-compiler[dev] in .venv, then pytest.
# Extra arguments go to pytest (e.g. -m "not slow" for a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh .venv -e ".[dev]"
.venv/bin/ruff check --quiet . || { echo "lint failed (ruff check .)" >&2; exit 1; }
exec .venv/bin/python -m pytest -q "$@"
