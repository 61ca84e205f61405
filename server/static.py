"""The web clients' built files: the owner's console at /, the annotator app's web build at /app/.

Both are single-page apps built by npm and never committed: `make run` (dashboard/scripts/build.sh)
builds what is missing or stale into `dashboard/dist/` (the console, Vite) and
`dashboard/dist-app/` (the annotator app's `expo export --platform web`). A path naming one of
their files gets that file; any other path without a file extension gets the app's index.html,
since the app routes in the browser (/tasks/7 is a console page); a missing file with an
extension is a plain 404. A build that is not there yet answers a 404 page saying how to build it.

Hashed assets (Vite's assets/, Expo's _expo/static/) are cached for a year: a new build has new
names. Each index.html is revalidated on every load, so a new build is picked up at once. Expo's
export points at /_expo/... from the site's root, so that folder is served there too.

In the production shape every `activecrowds serve` replica serves the same files from its own
copy of the build (they are plain files: build once, ship them with the code), or a CDN or the
load balancer serves the two folders and forwards /graphql, /media and /healthz.

The pages' Content-Security-Policy lets them load scripts and styles from this server only and
talk to it (HTTP and WebSocket: CSP Level 3's 'self' covers ws: and wss: on the same host).
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

ROOT = Path(__file__).resolve().parents[1]
CONSOLE_DIR = ROOT / "dashboard" / "dist"
ANNOTATOR_APP_DIR = ROOT / "dashboard" / "dist-app"

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

CONSOLE_MISSING = (
    "The owner's console is not built here yet.",
    "make run builds it before it starts the server; or build it yourself:"
    " cd dashboard && npm ci && npm run build",
)
APP_MISSING = (
    "The annotator app's web build is not here yet.",
    "make run builds it before it starts the server; or build it yourself:"
    " bash dashboard/scripts/build.sh --app",
)


# Scripts, styles and connections: this server only. Images from anywhere on the web: a task's
# cover is any http(s) URL its owner gave, and media URLs carry the server's public address,
# which need not be the one in the address bar. React sets style attributes: 'unsafe-inline'
# for styles (a style cannot run code).
CLIENT_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
    " img-src 'self' data: blob: https: http:; font-src 'self' data:; connect-src 'self';"
    " object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class BuiltFiles(StaticFiles):
    """A build folder that may not exist yet; files under `hashed` are cached for good."""

    def __init__(self, directory: Path, hashed: tuple[str, ...]) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.hashed = hashed

    async def check_config(self) -> None:
        """Nothing to check: the build may appear while the server runs (index() says if not)."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        relative = os.path.relpath(full_path, os.path.realpath(self.directory or "."))
        hashed = Path(relative).as_posix().startswith(self.hashed)
        response.headers["cache-control"] = IMMUTABLE if hashed else REVALIDATE
        return response


class SinglePageApp(BuiltFiles):
    """A built single-page app: its files, else its index.html for any page path."""

    def __init__(self, directory: Path, hashed: tuple[str, ...], missing: tuple[str, str]) -> None:
        super().__init__(directory, hashed)
        self.missing = missing

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or Path(path).suffix:
                raise
            response = self.index(scope)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["content-security-policy"] = CLIENT_PAGE_POLICY
        return response

    def index(self, scope: Scope) -> Response:
        full_path, stat_result = self.lookup_path("index.html")
        if stat_result is not None:
            return self.file_response(full_path, stat_result, scope)
        return missing_page(*self.missing)


async def _to_app(request: Request) -> Response:
    return RedirectResponse("/app/", status_code=308)


def missing_page(title: str, how: str) -> Response:
    """A plain page for a build that is not there, saying how to make it."""
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Not built yet</title>"
        "<body style='font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;"
        f"padding:0 1rem;line-height:1.5'><h1>{title}</h1><p>{how}</p>"
        "<p>GraphiQL is at <a href=/graphql>/graphql</a>.</p></body></html>"
    )
    return HTMLResponse(body, status_code=404, headers={"cache-control": REVALIDATE})


def static_routes(
    console: Path | None = None, annotator_app: Path | None = None
) -> list[BaseRoute]:
    """Routes for the console at / and the annotator app at /app/: put them after the API's."""
    console = console or CONSOLE_DIR
    annotator_app = annotator_app or ANNOTATOR_APP_DIR
    return [
        Route("/app", _to_app),
        Mount(
            "/app",
            app=SinglePageApp(annotator_app, ("_expo/static/",), APP_MISSING),
        ),
        Mount("/_expo", app=BuiltFiles(annotator_app / "_expo", ("static/",))),
        Mount("/", app=SinglePageApp(console, ("assets/",), CONSOLE_MISSING)),
    ]
