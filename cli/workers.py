"""`activecrowds serve --workers N`: N server processes on one listening socket.

One Python process serves on one core (one event loop); a replica on a machine with more cores
forks a process per core after binding the port, and the kernel spreads connections over them.
They share nothing in memory, so events and rounds must cross processes: more than one worker
needs Redis (the event bus and the round queue), as several replicas do. The parent only
supervises: SIGTERM or SIGINT stops every worker gracefully; a worker that dies on its own stops
the others too, and the command exits 1 for the process supervisor to restart the replica.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from typing import Any

import uvicorn

from activecrowds.adapters.db import upgrade
from activecrowds.config import Settings
from activecrowds.domain.errors import ValidationError

log = logging.getLogger(__name__)


def check_workers(settings: Settings, workers: int, demo: bool) -> None:
    """Refuse a worker count this configuration cannot serve with.

    Raises:
        ValidationError: fewer than one; several without Redis; several with --demo.
    """
    if workers < 1:
        raise ValidationError("--workers must be at least 1", "workers")
    if workers > 1 and settings.redis_url is None:
        raise ValidationError(
            "--workers above 1 needs ACTIVECROWDS_REDIS_URL (events and rounds must reach"
            " every process)",
            "workers",
        )
    if workers > 1 and demo:
        raise ValidationError("--demo runs one server process; drop --workers", "workers")


def serve_workers(config: uvicorn.Config, workers: int, settings: Settings) -> int:
    """Run the server in `workers` processes (in this one when 1); the exit code."""
    if workers == 1:
        uvicorn.Server(config).run()
        return 0
    upgrade(settings.database_url)  # once here: the workers' own upgrade then finds it done
    listener = config.bind_socket()
    children = [_fork(config, listener) for _ in range(workers)]
    listener.close()
    return _supervise(children)


def _fork(config: uvicorn.Config, listener: socket.socket) -> int:
    pid = os.fork()
    if pid:
        return pid
    os.setpgid(0, 0)  # a terminal's Ctrl-C goes to the parent, which stops each worker once
    code = 0
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except BaseException:
        log.exception("server worker %s failed", os.getpid())
        code = 1
    finally:
        sys.stdout.flush()
        os._exit(code)


def _supervise(children: list[int]) -> int:
    """Wait for every worker; stop them all on a signal, or when one exits by itself."""
    alive, status, stopping = set(children), 0, False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in alive:
            os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while alive:
        pid, _ = os.wait()
        alive.discard(pid)
        if not stopping:
            log.error("server worker %s exited; stopping the others", pid)
            status = 1
            stop()
    return status
