"""What the GraphQL endpoint says about itself: a code for a document that does not parse, and
GraphiQL and introspection, on in the embedded default and off with the production setting."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import httpx
import pytest
from apptest import ADMIN_TOKEN, Api
from edgetest import no_traceback

from activecrowds.bootstrap import App
from activecrowds.config import load_settings
from activecrowds.domain.errors import ValidationError

INTROSPECT = "{ __schema { queryType { name } } }"


async def test_a_document_that_does_not_parse_is_bad_user_input(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for document in ("{ me { role ", "query {", "}"):
        assert await api.error(document) == "BAD_USER_INPUT", document
    no_traceback(caplog)


async def test_introspection_is_on_by_default(api: Api) -> None:
    assert await api.call(INTROSPECT) == {"__schema": {"queryType": {"name": "Query"}}}


async def test_graphiql_and_introspection_can_be_turned_off(app: App) -> None:
    from server.app import create_app

    # Given the production setting
    settings = dataclasses.replace(app.settings, graphiql=False)
    production = create_app(dataclasses.replace(app, settings=settings))
    transport = httpx.ASGITransport(app=production)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        api = Api(client)
        # Then no GraphiQL page, no schema to read, and every ordinary operation still works
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        assert await api.error(INTROSPECT) == "BAD_USER_INPUT"
        assert await api.error('{ __type(name: "Task") { name } }') == "BAD_USER_INPUT"
        assert await api.call("{ __typename me { role } }") == {
            "__typename": "Query",
            "me": {"role": "ADMIN"},
        }
        got = await client.get(
            "/graphql",
            params={"query": "{ me { role } }"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert got.json()["data"] == {"me": {"role": "ADMIN"}}


def test_graphiql_and_introspection_are_on_unless_turned_off(tmp_path: Path) -> None:
    env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path), "ACTIVECROWDS_ADMIN_TOKEN": "t"}
    assert load_settings(env).graphiql is True
    for off in ("0", "false", "no"):
        assert load_settings({**env, "ACTIVECROWDS_GRAPHIQL": off}).graphiql is False
    with pytest.raises(ValidationError, match="ACTIVECROWDS_GRAPHIQL"):
        load_settings({**env, "ACTIVECROWDS_GRAPHIQL": "maybe"})
