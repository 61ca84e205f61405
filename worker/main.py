"""`activecrowds worker`: one process consuming the training queue with N threads."""

from __future__ import annotations

import signal
import threading
from typing import Any

import dramatiq
from dramatiq import Broker
from dramatiq.middleware import AsyncIO, Retries

from activecrowds.adapters.dramatiq_queue import TRAINING_QUEUE, make_broker
from activecrowds.config import Settings
from activecrowds.domain.errors import ValidationError
from worker.actors import declare_actors
from worker.middleware import AppLifecycle, RoundFailures


def device_name(settings: Settings) -> str:
    """Where rounds train: the setting, or CUDA when present."""
    if settings.device != "auto":
        return settings.device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def prepare(broker: Broker, settings: Settings) -> AppLifecycle:
    """Add our middleware to `broker`, in the order their hooks need, and declare the actors."""
    lifecycle = AppLifecycle(settings)
    broker.add_middleware(AsyncIO())
    broker.add_middleware(lifecycle)
    broker.add_middleware(RoundFailures(lifecycle.record_failure), before=Retries)
    declare_actors(broker, lambda: lifecycle.ctx, settings)
    return lifecycle


def run_worker(settings: Settings, threads: int = 1) -> int:
    """Run until SIGTERM or SIGINT; a round in progress is left to the lease and the relay."""
    if settings.redis_url is None:
        raise ValidationError("the worker needs ACTIVECROWDS_REDIS_URL", "ACTIVECROWDS_REDIS_URL")
    broker = make_broker(settings.redis_url)
    prepare(broker, settings)
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=200)
    try:
        worker.start()
        device = device_name(settings)
        print(f"worker: queue {TRAINING_QUEUE!r}, {threads} thread(s), device {device}", flush=True)
        _wait_for_signal()
    finally:
        # Also after a failed boot: the shutdown hooks stop the event-loop thread.
        worker.stop(timeout=5000)
        broker.close()
    return 0


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    while not stop.wait(1.0):
        pass
