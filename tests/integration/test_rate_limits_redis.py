"""Rate limits across replicas (two apps counting in the real Redis), per token and per client
address, with X-Forwarded-For believed only from the proxies the settings name.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from apptest import ADMIN_TOKEN, Api, OpenTask

from activecrowds.adapters.rate_limits import KEY_PREFIX, RateLimiter, RedisRateLimiter
from activecrowds.bootstrap import App
from activecrowds.domain.model import ADMIN
from activecrowds.services import crowd
from server.app import create_app

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from livetest import free_port, serve  # noqa: E402  (real processes, as the e2e tests)
from test_answers import SUBMIT, answer_count, variables  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"
REGISTER = """mutation($name: String!, $invite: String) {
  registerAnnotator(name: $name, invite: $invite) { token } }"""
INVITES = "{ invites { id uses } }"
CLIENT = ("203.0.113.7", 40000)  # the address requests come from, unless a test says

Replica = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """Keys of this test alone, deleted at its end (they would expire within a minute)."""
    import redis.asyncio as redis

    prefix = f"{KEY_PREFIX}test-{secrets.token_hex(6)}:"
    yield prefix
    client = redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
def replica(app: App) -> Replica:
    """A server replica on the shared database, with settings changed and `limiter` counting."""

    @asynccontextmanager
    async def make(
        limiter: RateLimiter, client: tuple[str, int] = CLIENT, **settings: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        changed = dataclasses.replace(app, settings=dataclasses.replace(app.settings, **settings))
        star = create_app(changed, limiter=limiter)
        transport = httpx.ASGITransport(app=star, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
        await limiter.close()

    return make


async def register(
    http: httpx.AsyncClient, invite: str | None, forwarded_for: str | None = None
) -> dict[str, Any]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    variables = {"name": f"annotator {secrets.token_hex(3)}", "invite": invite}
    body = {"query": REGISTER, "variables": variables}
    response = await http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def refused_for(result: dict[str, Any]) -> int:
    """The retryAfter of a RATE_LIMITED answer (which must be one)."""
    assert result.get("data") is None, result
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED", error
    retry_after = error["extensions"]["retryAfter"]
    assert isinstance(retry_after, int) and 1 <= retry_after <= 60, error
    return retry_after


def registered(result: dict[str, Any]) -> bool:
    assert not result.get("errors"), result["errors"]
    return len(result["data"]["registerAnnotator"]["token"]) > 30


async def invite_uses(app: App, invite_id: str) -> int:
    transport = httpx.ASGITransport(app=create_app(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        invites = (await Api(http).call(INVITES, token=ADMIN_TOKEN))["invites"]
    return int(next(i["uses"] for i in invites if i["id"] == invite_id))


async def test_two_replicas_sharing_redis_share_one_registration_budget(
    app: App, replica: Replica, redis_prefix: str
) -> None:
    # Given two replicas counting in one Redis, three registrations a minute per address
    invite = await crowd.create_invite(app.ctx, ADMIN, max_uses=10)
    one = replica(RedisRateLimiter(REDIS_URL, redis_prefix), registrations_per_minute=3)
    two = replica(RedisRateLimiter(REDIS_URL, redis_prefix), registrations_per_minute=3)
    async with one as a, two as b:
        # When one address registers twice on each
        assert registered(await register(a, invite.code))
        assert registered(await register(a, invite.code))
        assert registered(await register(b, invite.code))
        fourth = await register(b, invite.code)
        # Then the fourth is refused with when to try again, and used no invite
        refused_for(fourth)
        assert refused_for(await register(a, invite.code)) >= 1
    assert await invite_uses(app, str(invite.invite.id)) == 3


async def test_a_tokens_submissions_are_counted_across_replicas(
    app: App,
    replica: Replica,
    redis_prefix: str,
    make_task: Callable[..., Any],
    annotators: Callable[[int], Any],
) -> None:
    # Given one submission a minute per token, and an annotator on two replicas
    task: OpenTask = await make_task()
    ((_, token),) = await annotators(1)
    first, rest = variables(task, "dark"), variables(task, "dark")
    first["a"], rest["a"] = first["a"][:1], rest["a"][1:]
    one = replica(RedisRateLimiter(REDIS_URL, redis_prefix), submissions_per_minute=1)
    two = replica(RedisRateLimiter(REDIS_URL, redis_prefix), submissions_per_minute=1)
    async with one as a, two as b:
        # When it submits one answer on one replica, then the others on the other
        done = await Api(a).call(SUBMIT, first, token)
        assert done["submitAnswers"]["accepted"] == 1
        refused = await Api(b).post(SUBMIT, rest, token)
        # Then the second submission is refused and nothing of it is stored
        refused_for(refused)
        assert await answer_count(app, task) == 1
        # And another annotator behind the same address is not held back
        ((_, other),) = await annotators(1)
        assert (await Api(b).call(SUBMIT, rest, other))["submitAnswers"]["accepted"] == 3


async def test_x_forwarded_for_is_believed_from_trusted_proxies_only(
    app: App, replica: Replica, redis_prefix: str
) -> None:
    invite = await crowd.create_invite(app.ctx, ADMIN, max_uses=10)
    settings = {"registrations_per_minute": 1, "trusted_proxies": ("10.0.0.0/8",)}
    proxy = replica(RedisRateLimiter(REDIS_URL, redis_prefix), ("10.2.3.4", 443), **settings)
    direct = replica(RedisRateLimiter(REDIS_URL, redis_prefix), ("192.0.2.7", 5555), **settings)
    async with proxy as through_proxy, direct as stranger:
        # Through the trusted proxy each client has its own minute
        assert registered(await register(through_proxy, invite.code, "198.51.100.1"))
        refused_for(await register(through_proxy, invite.code, "198.51.100.1"))
        assert registered(await register(through_proxy, invite.code, "198.51.100.2"))
        # and a client naming someone else before the proxy's entry is still itself
        spoofed = "198.51.100.3, 198.51.100.1"
        refused_for(await register(through_proxy, invite.code, spoofed))
        # From an untrusted peer the header is ignored: every request is the peer's
        assert registered(await register(stranger, invite.code, "198.51.100.4"))
        refused_for(await register(stranger, invite.code, "198.51.100.5"))


async def test_while_redis_is_down_each_process_counts_on_its_own(
    app: App, replica: Replica, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a replica whose Redis does not answer
    invite = await crowd.create_invite(app.ctx, ADMIN, max_uses=10)
    down = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="activecrowds.adapters.rate_limits"):
        async with replica(down, registrations_per_minute=2) as http:
            # Then annotators still register, within this process's count of the limit
            assert registered(await register(http, invite.code))
            assert registered(await register(http, invite.code))
            refused_for(await register(http, invite.code))
    assert "Redis unavailable" in caplog.text


def test_the_real_server_ignores_x_forwarded_for_unless_its_peer_is_a_trusted_proxy(
    tmp_path: Path,
) -> None:
    import asyncio

    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default; `serve` must not
    env = {
        "ACTIVECROWDS_DATA_DIR": str(tmp_path / "plain"),
        "ACTIVECROWDS_OPEN_REGISTRATION": "1",
        "ACTIVECROWDS_REGISTRATIONS_PER_MINUTE": "1",
    }
    behind = {**env, "ACTIVECROWDS_DATA_DIR": str(tmp_path / "behind")}
    behind["ACTIVECROWDS_TRUSTED_PROXIES"] = "127.0.0.1"
    plain_port, behind_port = free_port(), free_port()
    plain, proxied = serve("plain", env, plain_port), serve("behind", behind, behind_port)

    async def attempts(port: int) -> list[bool]:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            results = [await register(http, None, ip) for ip in ("198.51.100.1", "198.51.100.2")]
        return [not r.get("errors") for r in results]

    try:
        assert asyncio.run(attempts(plain_port)) == [True, False]  # both are 127.0.0.1's
        assert asyncio.run(attempts(behind_port)) == [True, True]  # each client its own
    finally:
        plain.stop()
        proxied.stop()
