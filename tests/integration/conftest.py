"""Fixtures of the integration tests beyond tests/conftest.py's: the clients' trusted documents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from trustedtest import Manifest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def trusted(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    """The mobile app's trusted documents, written by scripts/trusted_documents.py."""
    path = tmp_path_factory.mktemp("trusted") / "trusted-documents.json"
    script = [sys.executable, "scripts/trusted_documents.py", "mobile/app", "-o", str(path)]
    subprocess.run(script, cwd=ROOT, check=True, capture_output=True, timeout=120)
    return Manifest(path, json.loads(path.read_text()))
