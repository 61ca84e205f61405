"""The uvicorn configuration `activecrowds serve` runs with: the settings' limits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from starlette.applications import Starlette

from activecrowds.config import Settings
from server.serving import GIL_SWITCH_S, HeaderDeadline, ServerConfig


def test_the_server_runs_with_the_settings_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(tmp_path, "sqlite+aiosqlite://", "t", read_timeout_s=3, max_connections=7)
    config = ServerConfig(Starlette(), settings, host="127.0.0.1", port=0)
    monkeypatch.setattr(sys, "setswitchinterval", lambda s: switched.append(s))
    switched: list[float] = []
    config.load()
    assert config.http_protocol_class is HeaderDeadline and config.header_timeout_s == 3
    assert config.limit_concurrency == 7
    assert switched == [GIL_SWITCH_S]  # the loop gets the GIL back quickly from the parse thread
