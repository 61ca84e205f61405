#!/usr/bin/env bash
# The whole test suite: static checks, pytest (unit, ml, integration, e2e), then the mobile app
# (type check, jest, and the browser end-to-end tests against the real server), then the owner's
# console (the same checks with Vitest, dashboard/).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
echo "==> ruff"; "$bin/ruff" check .
echo "==> import rules"; "$bin/lint-imports"
echo "==> mypy"; "$bin/mypy"
echo "==> pytest"; "$bin/python" -m pytest -q "$@"
echo "==> mobile app"; bash scripts/test-mobile.sh --e2e
echo "==> owner's console"; bash scripts/test-dashboard.sh --e2e
