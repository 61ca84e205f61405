"""Hostile load on the API (in process, both databases): costly documents without a token, on a
token, fanned-out fragments, the cost budget, chunked bodies, and the security headers.

Each refusal is checked by what only a refusal before parsing can answer (a syntax error at the
end of the document goes unreported), never by timing: timing goals live in bench/hostile.py.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from apptest import ADMIN_TOKEN, Api
from edgetest import INVITE, REGISTER
from graphql import parse
from trustedtest import Manifest

from activecrowds.bootstrap import App
from activecrowds.domain.model import ADMIN
from activecrowds.services import crowd
from server.app import create_app
from server.graphql import documents
from server.graphql.documents import digest, tokens

MakeApi = Callable[..., AbstractAsyncContextManager[Api]]


def costly(fields: int, tail: str = "") -> str:
    """A unique document selecting `me { id }` `fields` times (4 tokens each), then `tail`."""
    return f"query Q{secrets.token_hex(6)} {{{' me { id }' * fields} }}{tail}"


def only_me(data: dict[str, Any]) -> bool:
    return list(data) == ["me"]


@pytest.fixture
def api_with(app: App) -> MakeApi:
    """An API client on an app with some settings changed (same database and ports)."""

    @asynccontextmanager
    async def make(**settings: Any) -> AsyncIterator[Api]:
        changed = dataclasses.replace(app, settings=dataclasses.replace(app.settings, **settings))
        transport = httpx.ASGITransport(app=create_app(changed))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client)

    return make


async def test_without_a_token_a_costly_document_is_refused_before_it_is_parsed(
    api: Api,
) -> None:
    # Given a unique 5,000-token document that ends in a syntax error, sent without a token
    document = costly(1250, tail=" }")
    # Then it is refused as unauthenticated: the syntax error at its end was never reached
    result = await api.post(document, token=None)
    [error] = result["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED", error
    assert "registerAnnotator" in error["message"] and "Syntax" not in error["message"]
    # And so is a short document asking for anything but registerAnnotator (introspection too)
    for query in ("{ __schema { types { name } } }", "{ __typename }", costly(10)):
        assert await api.error(query, token=None) == "UNAUTHENTICATED", query
    # While registering with an invite still works without a token
    code = (await api.call(INVITE))["createInvite"]["code"]
    done = await api.call(REGISTER, {"name": "Eve", "invite": code}, token=None)
    assert len(done["registerAnnotator"]["token"]) > 30


async def test_a_new_document_is_parsed_and_validated_off_the_event_loop(
    api: Api, annotators: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    [(_, token)] = await annotators(1)
    threads: list[int] = []
    real_parse = documents.parse

    def parse(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(documents, "parse", parse)
    assert only_me(await api.call(costly(200), token=token))
    assert threads and threading.get_ident() not in threads  # not the event loop's thread


async def test_a_callers_parsing_time_is_capped_per_minute(
    api_with: MakeApi, annotators: Any
) -> None:
    [(_, token), (_, other)] = await annotators(2)
    async with api_with(parse_ms_per_minute=1) as api:
        # Given a caller whose first new document took its millisecond of parsing
        first = costly(50)
        assert only_me(await api.call(first, token=token))
        # Then its next new document is refused before parsing (its syntax error unseen)
        result = await api.post(costly(50, tail=" }"), token=token)
        assert result["errors"][0]["extensions"]["code"] == "RATE_LIMITED", result
        # While a document already prepared still runs, and other callers are not affected
        assert only_me(await api.call(first, token=token))
        assert only_me(await api.call(costly(50), token=other))


async def test_fragments_that_fan_out_are_measured_once_each(api: Api, annotators: Any) -> None:
    # Given 40 fragments, each spreading the next twice (2^40 spreads once expanded)
    [(_, token)] = await annotators(1)
    chain = " ".join(
        f"fragment F{i} on Query {{ a: __typename ...F{i + 1} ...F{i + 1} }}" for i in range(40)
    )
    document = f"query {{ ...F0 }} {chain} fragment F40 on Query {{ __typename }}"
    # Then it is refused at once for its aliases (the limiters Strawberry ships never finish)
    result = await api.post(document, token=token)
    [error] = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "aliases" in error["message"]


LIST = "{ tasks { id rounds { number } } }"  # 100 tasks + 100 x 50 rounds assumed: 5,100 nodes


async def test_each_response_carries_the_cost_budget_and_costly_queries_are_refused(
    api: Api, api_with: MakeApi, annotators: Any
) -> None:
    [(_, token)] = await annotators(1)
    # The cost and what is left of the caller's minute come back in `extensions.cost`
    first = (await api.post("{ me { id } }", token=token))["extensions"]["cost"]
    second = (await api.post(LIST, token=token))["extensions"]["cost"]
    assert first["requested"] == 1 and second["requested"] == 5100
    assert second["remaining"] == first["remaining"] - 5100
    assert second["perMinute"] == 1_000_000 and second["maxPerRequest"] == 50_000
    # A request asking for more than one request may is refused before it runs
    aliased = "{ " + " ".join(f"t{i}: tasks {{ rounds {{ number }} }}" for i in range(10)) + " }"
    result = await api.post(aliased, token=token)
    assert result["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", result
    assert result["data"] is None
    # And once a caller's minute is spent, its requests are refused until the minute is up
    async with api_with(query_cost_per_minute=12_000) as limited:
        for _ in range(2):
            assert (await limited.post(LIST, token=token))["extensions"]["cost"]["requested"]
        spent = await limited.post(LIST, token=token)
        assert spent["errors"][0]["extensions"]["code"] == "RATE_LIMITED", spent
        assert spent["extensions"]["cost"]["remaining"] == 12_000 - 2 * 5100
        assert 0 < spent["extensions"]["cost"]["resetInMs"] <= 60_000
        assert (await limited.post("{ me { id } }", token=token))["data"]  # 1 node still fits


async def test_a_chunked_body_over_the_limit_gets_413_and_never_runs(
    api: Api, make_task: Any
) -> None:
    # Given an 8 MiB body sent chunked (no Content-Length) whose document renames a task
    task = await make_task()
    mutation = f'mutation {{ updateTask(id: "{task.id}", input: {{title: "chunked"}}) {{ id }} }}'

    async def body() -> AsyncIterator[bytes]:
        yield b'{"query": ' + json.dumps(mutation).encode()
        for _ in range(128):
            yield b" " * 65536
        yield b"}"

    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = await api.client.post("/graphql", content=body(), headers=headers)
    # Then it is refused, and the mutation never ran
    assert response.status_code == 413
    found = await api.call("query($id: ID!) { task(id: $id) { title } }", {"id": str(task.id)})
    assert found["task"]["title"] == task.task.title


MEDIA = "query($id: ID!) { task(id: $id) { currentBatch { samples { mediaUrl } } } }"


async def test_api_media_and_graphiql_responses_carry_security_headers(
    api: Api, make_task: Any
) -> None:
    task = await make_task()
    data = await api.call(MEDIA, {"id": str(task.id)})
    url = urlsplit(data["task"]["currentBatch"]["samples"][0]["mediaUrl"])
    media = await api.client.get(f"{url.path}?{url.query}")
    graphql = await api.client.post("/graphql", json={"query": "{ me { id } }"})
    page = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert media.status_code == graphql.status_code == page.status_code == 200
    for response in (media, graphql, page, await api.client.get("/healthz")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    # Data is never a page; GraphiQL may run its own inline script (by hash) and the CDN's
    assert media.headers["Content-Security-Policy"].startswith("default-src 'none';")
    policy = page.headers["Content-Security-Policy"]
    [inline] = re.findall(r"<script>(.*?)</script>", page.text, flags=re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}' https://unpkg.com;" in policy
    assert "'unsafe-inline'" not in policy.split("style-src")[0]


OPERATIONS = {
    "RegisterAnnotator",
    "Me",
    "Categories",
    "Tasks",
    "Task",
    "SubmitAnswers",
    "ReleaseAssignments",
    "TaskEvents",
}


def persisted(sha: str, **variables: Any) -> dict[str, Any]:
    return {"variables": variables, "extensions": {"persistedQuery": {"sha256Hash": sha}}}


async def test_the_app_runs_on_trusted_documents_alone(
    app: App, api_with: MakeApi, trusted: Manifest, annotators: Any, make_task: Any
) -> None:
    # Given the manifest the build writes from the mobile app: each operation, as written and
    # as urql's cache sends it (with __typename), under the hash of its tokens
    names = {parse(text).definitions[0].name.value for text in trusted.documents.values()}
    assert names == OPERATIONS | {"TasksChanged"}
    assert all(key == digest(tokens(text)) for key, text in trusted.documents.items())
    task = await make_task()
    [(_, token)] = await annotators(1)
    settings = {"trusted_documents": trusted.path, "trusted_documents_only": True}
    async with api_with(**settings) as api:
        # When clients send hashes, or texts that are trusted documents laid out otherwise
        post = api.client.post
        code = (await crowd.create_invite(app.ctx, ADMIN)).code
        body = persisted(trusted.hash_of("mutation RegisterAnnotator"), name="Ida", invite=code)
        registered = (await post("/graphql", json=body)).json()
        assert registered["data"]["registerAnnotator"]["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        body = persisted(trusted.hash_of("query Task("), id=str(task.id))
        found = (await post("/graphql", json=body, headers=bearer)).json()
        assert found["data"]["task"]["id"] == str(task.id) and found["extensions"]["cost"]
        relaid = "# the app's own\n" + " ".join(
            trusted.documents[trusted.hash_of("query Tasks")].split()
        )
        assert (await api.call(relaid, token=token))["tasks"]
        # Then anything else is refused, with its own code for an unknown hash
        assert await api.error("{ me { id } }", token=token) == "QUERY_NOT_TRUSTED"
        unknown = (await post("/graphql", json=persisted("0" * 64), headers=bearer)).json()
        assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    # While without the setting any document runs, the trusted ones by hash too
    async with api_with(trusted_documents=trusted.path) as api:
        assert (await api.call("{ me { id } }", token=token))["me"]
