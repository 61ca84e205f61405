"""The import rules of STYLE.md hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ml_core_imports_nothing_of_the_service_stack() -> None:
    code = (
        "import sys, activecrowds_ml, activecrowds_ml.strategies, activecrowds_ml.consensus\n"
        "bad = ('server', 'worker', 'starlette', 'strawberry', 'dramatiq', 'sqlalchemy', "
        "'activecrowds')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
