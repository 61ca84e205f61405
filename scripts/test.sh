#!/usr/bin/env bash
# The whole test suite: static checks, then pytest (unit, ml, integration, e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
echo "==> ruff"; "$bin/ruff" check .
echo "==> import rules"; "$bin/lint-imports"
echo "==> mypy"; "$bin/mypy"
echo "==> pytest"; "$bin/python" -m pytest -q "$@"
