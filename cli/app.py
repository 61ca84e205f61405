"""`activecrowds serve`, `activecrowds worker` and `activecrowds db upgrade`."""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from activecrowds.config import DEFAULT_HOST, DEFAULT_PORT

if TYPE_CHECKING:
    from activecrowds.config import Settings


def register(subparsers: Any) -> None:
    """Add the server's sub-commands."""
    serve = subparsers.add_parser("serve", help="run the API server (GraphQL at /graphql)")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="start with a demo task on the reference dataset (written first if absent)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes on the port, one per core (default 1; more need Redis)",
    )
    serve.set_defaults(func=_serve)

    worker = subparsers.add_parser(
        "worker", help="run training rounds from Redis (needs ACTIVECROWDS_REDIS_URL)"
    )
    worker.add_argument("--threads", type=int, default=1, help="rounds at once (default 1)")
    worker.set_defaults(func=_worker)

    database = subparsers.add_parser("db", help="database maintenance")
    db_sub = database.add_subparsers(dest="db_command", required=True, parser_class=type(database))
    upgrade = db_sub.add_parser("upgrade", help="apply migrations (ACTIVECROWDS_DATABASE_URL)")
    upgrade.add_argument("--revision", default="head", help="target revision (default head)")
    upgrade.set_defaults(func=_db_upgrade)


def _serve(args: argparse.Namespace) -> int:
    import logging

    from activecrowds.config import load_settings, local_url
    from cli.workers import check_workers, serve_workers
    from server.app import create_app
    from server.serving import ServerConfig

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    check_workers(settings, args.workers, args.demo)
    if settings.public_url is None:  # the embedded default: where this server listens
        settings = replace(settings, public_url=local_url(args.host, args.port))
    url = f"{local_url(args.host, args.port)}/graphql"
    print(f"ActiveCrowds API: {url} (media URLs start {settings.base_url})", flush=True)
    print(f"database: {_redact(settings.database_url)}", flush=True)
    print(_admin_token_line(settings), flush=True)
    base = url.removesuffix("/graphql")
    print(f"console: {_console_link(base, settings)}", flush=True)
    print(f"annotator app: {base}/app/", flush=True)
    print(f"rounds: {_where_rounds_run(settings)}", flush=True)
    demo = None
    if args.demo:
        from activecrowds.services.demo import write_demo_dataset

        demo = write_demo_dataset(settings.datasets_dir)
        print(f"demo task on {demo} (created unless a task exists)", flush=True)
        if "ACTIVECROWDS_OPEN_REGISTRATION" not in os.environ:
            settings = replace(settings, open_registration=True)
    print(_registration_line(settings), flush=True)
    print(ANNOTATOR_HELP.format(url=url), flush=True)
    app = create_app(settings=settings, demo_dataset=demo)
    config = ServerConfig(app, settings, host=args.host, port=args.port, log_level="info")
    _sigterm_exits_0()
    return serve_workers(config, args.workers, settings)


def _registration_line(settings: Settings) -> str:
    if settings.open_registration:
        return (
            "registration: OPEN - anyone who reaches this server may register annotators"
            " (ACTIVECROWDS_OPEN_REGISTRATION=0 to require invites)"
        )
    return "registration: by invite (the console's Crowd page, or the createInvite mutation)"


def _admin_token_line(settings: Settings) -> str:
    """A generated token is shown (only the data dir holds it); one from the environment never
    is: the log of every start would carry it."""
    if settings.admin_token_generated:
        return f"admin token (generated, kept in {settings.data_dir}): {settings.admin_token}"
    return "admin token: from ACTIVECROWDS_ADMIN_TOKEN (not shown)"


def _console_link(base: str, settings: Settings) -> str:
    """The owner's console. For a generated token the link signs in (the token in the fragment,
    which no server or proxy sees); one from the environment stays out of the start's log."""
    if settings.admin_token_generated:
        return f"{base}/#token={settings.admin_token}"
    return f"{base}/ (sign in with the admin token)"


def _sigterm_exits_0() -> None:
    """Make a clean stop on SIGTERM exit 0.

    uvicorn shuts down gracefully, then raises the signal it caught again for the handler it
    found; SIGTERM's default action kills the process (exit -15), which supervisors read as a
    crash. With this do-nothing handler the shutdown stays uvicorn's, and `serve` returns 0.
    """
    import signal

    signal.signal(signal.SIGTERM, lambda _signum, _frame: None)


ANNOTATOR_HELP = "\n".join(
    (
        "connect an annotator: the mobile app (cd mobile && npm run web) with server {url}, or",
        '  any GraphQL client: mutation {{ registerAnnotator(name: "Ada", invite: "<code>")',
        '  {{ token }} }} needs no token; then send "Authorization: Bearer <token>". Live events:',
        "  subscription taskEvents(taskId) over a WebSocket to {url} (graphql-transport-ws, with",
        '  {{"authorization": "Bearer <token>"}} as the connection_init payload)',
    )
)


def _where_rounds_run(settings: Settings) -> str:
    if settings.redis_url:
        return f"sent to `activecrowds worker` processes via {_redact(settings.redis_url)}"
    return "in this process (embedded default; set ACTIVECROWDS_REDIS_URL for separate workers)"


def _worker(args: argparse.Namespace) -> int:
    import logging

    from activecrowds.config import load_settings
    from worker.main import run_worker

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    print(f"database: {_redact(settings.database_url)}", flush=True)
    return run_worker(settings, threads=max(1, args.threads))


def _db_upgrade(args: argparse.Namespace) -> int:
    from activecrowds.adapters.db import upgrade
    from activecrowds.config import load_settings

    settings = load_settings()
    upgrade(settings.database_url, args.revision)
    print(f"database at {_redact(settings.database_url)} is at {args.revision}")
    return 0


def _redact(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
