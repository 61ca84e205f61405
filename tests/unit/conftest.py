"""Fixtures of the service unit tests: in-memory ports, a scripted model, and a guard that
fails any test reaching for a database, Redis or the network."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest
from fakes import Fakes, fake_context
from standins import Given, Script


def _refuse(what: str) -> Callable[..., NoReturn]:
    def refused(*_: object, **__: object) -> NoReturn:
        raise AssertionError(f"a unit test must not {what}")

    return refused


@pytest.fixture
def no_infrastructure(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SQLAlchemy engine (PostgreSQL or SQLite), no sqlite3, no socket (Redis, asyncpg)."""
    from sqlalchemy.engine import Engine

    monkeypatch.setattr(Engine, "__init__", _refuse("create a database engine"))
    monkeypatch.setattr(sqlite3, "connect", _refuse("open an SQLite database"))
    monkeypatch.setattr(socket.socket, "connect", _refuse("open a network connection"))


@pytest.fixture
def script() -> Script:
    """What the stand-in model does in this test (injected as Context.build_model)."""
    return Script()


@pytest.fixture
def fakes(tmp_path: Path, script: Script, no_infrastructure: None) -> Fakes:
    return fake_context(tmp_path, build_model=script.build)


@pytest.fixture
def given(fakes: Fakes) -> Given:
    return Given(fakes)
