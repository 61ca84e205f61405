"""`activecrowds worker` settings and how a failed round is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from activecrowds.config import load_settings
from cli import main
from worker.actors import failure_reason


def test_worker_without_redis_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ACTIVECROWDS_REDIS_URL", raising=False)
    monkeypatch.setenv("ACTIVECROWDS_DATA_DIR", str(tmp_path))
    assert main(["worker"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "ACTIVECROWDS_REDIS_URL" in err


def test_live_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        "ACTIVECROWDS_DATA_DIR": str(tmp_path),
        "ACTIVECROWDS_REDIS_URL": "redis://127.0.0.1:6379/3",
        "ACTIVECROWDS_ROUND_RETRIES": "5",
        "ACTIVECROWDS_RESEND_AFTER_S": "2.5",
    }
    settings = load_settings(env)
    assert settings.live and settings.round_retries == 5 and settings.resend_after_s == 2.5
    assert not load_settings({"ACTIVECROWDS_DATA_DIR": str(tmp_path)}).live


def test_a_failed_round_is_reported_by_its_exception_without_the_module_path() -> None:
    traceback = (
        "Traceback (most recent call last):\n  File ...\n"
        "activecrowds_ml.errors.DatasetError: cannot read image /d/files/1.png: truncated\n"
    )
    message = {"args": [3, 1], "options": {"traceback": traceback}}
    assert failure_reason(message) == "DatasetError: cannot read image /d/files/1.png: truncated"
    assert failure_reason({"args": [3, 1], "options": {}}) == "the round failed"
