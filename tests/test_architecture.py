"""The import rules of STYLE.md hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def loaded_by(*modules: str) -> list[str]:
    """The modules a fresh interpreter loads to import `modules` (what really comes along)."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"import {', '.join(modules)}\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_ml_core_imports_nothing_of_the_service_stack() -> None:
    loaded = loaded_by("activecrowds_ml", "activecrowds_ml.strategies", "activecrowds_ml.consensus")
    bad = ("server", "worker", "cli", "starlette", "strawberry", "dramatiq", "sqlalchemy")
    assert [m for m in loaded if m.split(".")[0] in (*bad, "activecrowds")] == []


def test_the_domain_loads_only_the_standard_library_and_the_ml_vocabulary() -> None:
    # import-linter reads import statements; this sees what importing the domain really loads.
    vocabulary = {"consensus", "errors", "metrics", "scenario", "stopping"}
    for name in loaded_by("activecrowds.domain.model", "activecrowds.domain.events"):
        top, *rest = name.split(".")
        if top == "activecrowds_ml" and rest:
            assert rest[0] in vocabulary, name
        elif top not in ("activecrowds", "activecrowds_ml"):
            assert top in sys.stdlib_module_names or top.startswith("_"), name


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
