"""CORS: a console or app build hosted on another origin reaches the API only when the
server's allow-list names that origin (ACTIVECROWDS_CORS_ORIGINS; empty by default)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from activecrowds.bootstrap import App
from activecrowds.config import load_settings
from activecrowds.domain.errors import ValidationError
from server.app import create_app

CONSOLE = "https://console.example.org"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


def client(app: App, origins: tuple[str, ...]) -> httpx.AsyncClient:
    settings = dataclasses.replace(app.settings, cors_origins=origins)
    star = create_app(dataclasses.replace(app, settings=settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=star), base_url="http://testserver")


async def test_an_allowed_origin_may_call_the_api_from_a_browser(app: App) -> None:
    async with client(app, (CONSOLE,)) as http:
        preflight = await http.options("/graphql", headers={"Origin": CONSOLE, **PREFLIGHT})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == CONSOLE
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in preflight.headers  # tokens, no cookies
        query = {"query": "{ categories { category } }"}
        answer = await http.post("/graphql", json=query, headers={"Origin": CONSOLE})
        assert answer.headers["access-control-allow-origin"] == CONSOLE


@pytest.mark.parametrize("origins", [(), (CONSOLE,)])
async def test_any_other_origin_gets_no_cors_headers(app: App, origins: tuple[str, ...]) -> None:
    other = "https://evil.example.com"
    async with client(app, origins) as http:
        preflight = await http.options("/graphql", headers={"Origin": other, **PREFLIGHT})
        assert "access-control-allow-origin" not in preflight.headers
        answer = await http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": other}
        )
        assert "access-control-allow-origin" not in answer.headers


def test_the_allow_list_setting_refuses_what_never_matches_an_origin(tmp_path: Path) -> None:
    env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path), "ACTIVECROWDS_ADMIN_TOKEN": "x" * 20}
    both = f"{CONSOLE}, http://10.0.0.5:8081"
    assert load_settings({**env, "ACTIVECROWDS_CORS_ORIGINS": both}).cors_origins == (
        CONSOLE,
        "http://10.0.0.5:8081",
    )
    assert load_settings(env).cors_origins == ()
    for bad in ("*", "console.example.org", f"{CONSOLE}/", "ftp://x.org", "https://*.example.org"):
        with pytest.raises(ValidationError, match="ACTIVECROWDS_CORS_ORIGINS"):
            load_settings({**env, "ACTIVECROWDS_CORS_ORIGINS": bad})
