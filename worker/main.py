"""`activecrowds worker`: one process consuming the training queue with N threads."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from activecrowds.adapters.dramatiq_queue import TRAINING_QUEUE, make_broker
from activecrowds.config import Settings
from activecrowds.errors import ValidationError
from worker.actors import declare_actors
from worker.runtime import Runtime

log = logging.getLogger(__name__)


def device_name(settings: Settings) -> str:
    """Where rounds train: the setting, or CUDA when present."""
    if settings.device != "auto":
        return settings.device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def run_worker(settings: Settings, threads: int = 1) -> int:
    """Run until SIGTERM or SIGINT; a round in progress is left to the lease and the relay."""
    import dramatiq

    if settings.redis_url is None:
        raise ValidationError("the worker needs ACTIVECROWDS_REDIS_URL", "ACTIVECROWDS_REDIS_URL")
    broker = make_broker(settings.redis_url)
    runtime = Runtime(settings)
    declare_actors(broker, runtime, settings)
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=200)
    worker.start()
    print(
        f"worker: queue {TRAINING_QUEUE!r}, {threads} thread(s), device {device_name(settings)}",
        flush=True,
    )
    _wait_for_signal()
    worker.stop(timeout=5000)
    runtime.close()
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
