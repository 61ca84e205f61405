"""`activecrowds worker`: settings, the middleware that wires it, and how a failed round is
reported (the same reason wherever rounds run)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import dramatiq
import pytest
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, Retries

from activecrowds.adapters.dramatiq_queue import ROUND_ACTOR, TRAINING_QUEUE
from activecrowds.config import Settings, load_settings
from activecrowds.domain.errors import DatasetError
from activecrowds.services.failures import failure_reason
from cli import main
from worker.actors import declare_actors
from worker.main import prepare
from worker.middleware import BootFailed, RoundFailures


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
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.round_retries == 5 and settings.resend_after_s == 2.5
    assert load_settings({"ACTIVECROWDS_DATA_DIR": str(tmp_path)}).redis_url is None


def test_a_failure_is_reported_by_its_exception_without_the_module_path() -> None:
    error = DatasetError("cannot read image /d/files/1.png: truncated")
    assert failure_reason(error) == "DatasetError: cannot read image /d/files/1.png: truncated"
    assert failure_reason(TimeoutError()) == "TimeoutError"


def worker_for(broker: StubBroker) -> dramatiq.Worker:
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    return worker


def test_a_round_failing_every_retry_is_recorded_once_with_the_real_exception(
    tmp_path: Path,
) -> None:
    # Given the worker's actors and middleware on a broker, and rounds that cannot read an image
    attempts: list[int] = []

    def uow(*_: Any, **__: Any) -> Any:
        attempts.append(1)
        raise DatasetError("cannot read image x.png")

    recorded: list[tuple[int, int, str]] = []

    async def record(task_id: int, number: int, error: str) -> None:
        recorded.append((task_id, number, error))

    settings = Settings(tmp_path, "sqlite+aiosqlite://", "t", round_retries=2, retry_backoff_ms=1)
    broker = StubBroker()
    broker.add_middleware(AsyncIO())
    broker.add_middleware(RoundFailures(record), before=Retries)
    declare_actors(broker, lambda: SimpleNamespace(uow=uow), settings)  # type: ignore[arg-type, return-value]
    worker = worker_for(broker)
    try:
        # When round 1 of task 3 is sent
        broker.get_actor(ROUND_ACTOR).send(3, 1)
        broker.join(TRAINING_QUEUE, fail_fast=False)
        worker.join()
    finally:
        worker.stop()
    # Then it was tried 1 + 2 retries times, and the failure recorded once, from the exception
    assert len(attempts) == 3
    assert recorded == [(3, 1, "DatasetError: cannot read image x.png")]


def test_the_worker_wires_the_app_at_boot_and_closes_it_at_shutdown(tmp_path: Path) -> None:
    settings = Settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", "t")
    broker = StubBroker()
    lifecycle = prepare(broker, settings)
    worker = worker_for(broker)
    try:
        assert lifecycle.ctx.resend_after_s == settings.resend_after_s
    finally:
        worker.stop()
    with pytest.raises(RuntimeError, match="not booted"):
        lifecycle.ctx  # noqa: B018
    assert get_event_loop_thread() is None  # AsyncIO stopped its loop after our shutdown hook


def test_a_worker_that_cannot_reach_its_database_does_not_start(tmp_path: Path) -> None:
    settings = Settings(tmp_path, "postgresql+asyncpg://nobody@127.0.0.1:1/none", "t")
    broker = StubBroker()
    prepare(broker, settings)
    worker = dramatiq.Worker(broker, worker_timeout=50)
    with pytest.raises(BootFailed, match="could not start"):
        worker.start()
    worker.stop()
    assert get_event_loop_thread() is None
