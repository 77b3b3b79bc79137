#!/usr/bin/env bash
# Runs every check: lint, types, then the whole test suite (pytest starts and stops the local
# cloud itself for the tiers that need it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
echo "==> ruff"
.venv/bin/ruff check .
echo "==> mypy (strict, shared/)"
.venv/bin/mypy
echo "==> pytest"
.venv/bin/python -m pytest "$@"
