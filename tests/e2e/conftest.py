"""Fixtures for end-to-end tests: a small real dataset (Fashion-MNIST via `activecrowds dataset
demo`), a throwaway PostgreSQL database and Redis database, and processes cleaned up after."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from livetest import PG_SERVER, ROOT, pg_admin


@pytest.fixture(scope="session")
def fashion_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 real Fashion-MNIST images (39 labelled, 161 in the pool), binary long-sleeved."""
    dest = tmp_path_factory.mktemp("fashion") / "fashion"
    command = [sys.executable, "-m", "cli", "dataset", "demo", str(dest)]
    subprocess.run([*command, "--size", "200"], cwd=ROOT, check=True, capture_output=True)
    return dest


@pytest.fixture(scope="module")
def live_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one module's processes (dropped at the end)."""
    name = f"ac_e2e_{secrets.token_hex(4)}"
    asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
