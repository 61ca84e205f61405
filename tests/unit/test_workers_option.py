"""`activecrowds serve --workers N`: what it refuses before starting anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main


@pytest.mark.parametrize(
    ("args", "redis", "says"),
    [
        (["--workers", "2"], None, "ACTIVECROWDS_REDIS_URL"),
        (["--workers", "0"], "redis://127.0.0.1:6379/9", "at least 1"),
        (["--workers", "2", "--demo"], "redis://127.0.0.1:6379/9", "--demo"),
    ],
)
def test_workers_it_cannot_serve_with_are_a_one_line_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    redis: str | None,
    says: str,
) -> None:
    monkeypatch.setenv("ACTIVECROWDS_DATA_DIR", str(tmp_path))
    if redis is None:
        monkeypatch.delenv("ACTIVECROWDS_REDIS_URL", raising=False)
    else:
        monkeypatch.setenv("ACTIVECROWDS_REDIS_URL", redis)
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err
    assert not (tmp_path / "datasets").exists()  # refused before writing the demo dataset
