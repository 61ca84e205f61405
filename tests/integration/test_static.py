"""The web clients' builds, served by the API server: the console at /, the annotator app at /app/.

And the start banner's link to the console."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from apptest import ADMIN_TOKEN
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import server.static
from activecrowds.bootstrap import App
from server.static import static_routes

CONSOLE_INDEX = '<!doctype html><div id="root"></div><script src="/assets/index-abc1.js"></script>'
APP_INDEX = '<!doctype html><script src="/_expo/static/js/web/index-def456.js"></script>'


def console_build(root: Path) -> Path:
    """A console build as Vite writes it: index.html, hashed assets, files from public/."""
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(CONSOLE_INDEX)
    (root / "assets" / "index-abc1.js").write_text("console()")
    (root / "favicon.svg").write_text("<svg/>")
    return root


def app_build(root: Path) -> Path:
    """The annotator app's web export as Expo writes it."""
    (root / "_expo" / "static" / "js" / "web").mkdir(parents=True)
    (root / "index.html").write_text(APP_INDEX)
    (root / "_expo" / "static" / "js" / "web" / "index-def456.js").write_text("annotator()")
    return root


@pytest.fixture
def built(tmp_path: Path) -> TestClient:
    routes = static_routes(console_build(tmp_path / "console"), app_build(tmp_path / "app"))
    return TestClient(Starlette(routes=routes))


@pytest.fixture
def unbuilt(tmp_path: Path) -> TestClient:
    routes = static_routes(tmp_path / "no-console", tmp_path / "no-app")
    return TestClient(Starlette(routes=routes))


def test_the_console_is_at_the_root_and_every_page_path_gets_its_index(built: TestClient) -> None:
    for path in ("/", "/tasks/7", "/tasks/new"):
        page = built.get(path)
        assert page.status_code == 200, path
        assert page.text == CONSOLE_INDEX
        assert page.headers["content-type"].startswith("text/html")


def test_hashed_assets_are_cached_for_good_and_pages_are_revalidated(built: TestClient) -> None:
    asset = built.get("/assets/index-abc1.js")
    assert asset.text == "console()"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert built.get("/").headers["cache-control"] == "no-cache"
    assert built.get("/favicon.svg").headers["cache-control"] == "no-cache"  # not hashed


def test_a_missing_file_is_a_404_and_not_the_page(built: TestClient) -> None:
    for path in ("/assets/index-gone.js", "/missing.png", "/..%2F..%2Fetc%2Fpasswd.txt"):
        assert built.get(path).status_code == 404, path


def test_pages_may_load_code_from_this_server_only(built: TestClient) -> None:
    policy = built.get("/tasks/7").headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "content-security-policy" not in built.get("/assets/index-abc1.js").headers


def test_the_annotator_app_is_at_app(built: TestClient) -> None:
    # Given Expo's export, which names its bundle from the site's root
    for path in ("/app/", "/app/some/screen"):
        page = built.get(path)
        assert page.status_code == 200, path
        assert page.text == APP_INDEX
        assert "script-src 'self';" in page.headers["content-security-policy"]
    # Then /app goes to /app/, and the bundle is found where the page asks for it
    moved = built.get("/app", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (308, "/app/")
    bundle = built.get("/_expo/static/js/web/index-def456.js")
    assert bundle.text == "annotator()"
    assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert built.get("/app/_expo/static/js/web/index-def456.js").text == "annotator()"


def test_a_build_not_made_yet_says_how_to_make_it(unbuilt: TestClient) -> None:
    console = unbuilt.get("/")
    assert console.status_code == 404
    assert console.headers["content-type"].startswith("text/html")
    assert "npm run build" in console.text and "make run" in console.text
    app = unbuilt.get("/app/")
    assert app.status_code == 404
    assert "dashboard/scripts/build.sh --app" in app.text
    assert unbuilt.get("/_expo/static/js/web/index.js").status_code == 404


def test_a_websocket_to_a_page_path_is_refused(built: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect), built.websocket_connect("/tasks/7"):
        pass


async def test_the_api_keeps_its_routes_beside_the_console(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.app import create_app

    # Given a built console where the server looks for it
    monkeypatch.setattr(server.static, "CONSOLE_DIR", console_build(tmp_path / "console"))
    transport = httpx.ASGITransport(app=create_app(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        # Then / is the console, and GraphiQL, GraphQL and /healthz are where they were
        assert (await client.get("/")).text == CONSOLE_INDEX
        ide = await client.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" in ide.text.lower()
        answer = await client.post(
            "/graphql",
            json={"query": "{ me { role } }"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert answer.json()["data"] == {"me": {"role": "ADMIN"}}
        assert (await client.get("/healthz")).json() == {"status": "ok"}


def test_the_start_banner_links_to_the_console_signed_in(tmp_path: Path) -> None:
    from activecrowds.config import load_settings
    from cli.app import _console_link

    # A generated token is in the banner anyway: the link carries it, in the fragment
    generated = load_settings({"ACTIVECROWDS_DATA_DIR": str(tmp_path)})
    link = _console_link("http://127.0.0.1:8000", generated)
    assert link == f"http://127.0.0.1:8000/#token={generated.admin_token}"
    # One from the environment stays out of it: the log of every start would carry it
    env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path), "ACTIVECROWDS_ADMIN_TOKEN": "s3"}
    given = load_settings(env)
    assert "s3" not in _console_link("http://127.0.0.1:8000", given)
