"""A server replica that dies between commit and send: `python dying_server.py serve --port N`.

Test-only: it wires the real application with `bootstrap`, the real Redis bus and database, but
a task queue that ends the process (exit code 17) instead of sending, so a resolving answer is
committed and its round message never leaves. The outbox relay must still get the round run.
"""

from __future__ import annotations

import argparse
import asyncio
import os

import uvicorn

from activecrowds.bootstrap import bootstrap
from activecrowds.config import load_settings
from server.app import create_app

EXIT_CODE = 17


class DiesBeforeSending:
    """The task queue port, but the process exits where a message would be sent."""

    async def enqueue_round(self, task_id: int, number: int) -> None:
        os._exit(EXIT_CODE)  # no cleanup: as abrupt as a crash

    async def join(self) -> None:
        """Nothing is ever queued."""

    async def close(self) -> None:
        """Nothing to release."""


async def serve(port: int) -> None:
    # One event loop for bootstrap and uvicorn: the engine's pool belongs to the loop it ran on.
    app = await bootstrap(load_settings(), queue=DiesBeforeSending())
    config = uvicorn.Config(create_app(app), host="127.0.0.1", port=port, log_level="info")
    try:
        await uvicorn.Server(config).serve()
    finally:
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
