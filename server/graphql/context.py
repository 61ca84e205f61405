"""Per-request context: the wired app, the caller, and DataLoaders (one SQL query per kind)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from activecrowds.bootstrap import App
from activecrowds.domain.errors import Unauthenticated
from activecrowds.domain.events import ACCESS_ENDED, Event, EventsMissed, TokenRevoked
from activecrowds.domain.history import MyAnswer
from activecrowds.domain.model import Batch, Caller, Round, Sample
from activecrowds.domain.predictions import ModelArtifact
from activecrowds.services import auth, history, models, queries
from activecrowds.services.agreement import Agreement, agreement_of
from activecrowds.services.context import Context
from activecrowds.services.ports import TaskProgress

K = TypeVar("K")
V = TypeVar("V")


def _loader(
    fetch: Callable[[Sequence[K]], Awaitable[dict[K, Any]]], default: Callable[[], V]
) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        found = await fetch(keys)
        return [found.get(k, default()) for k in keys]

    return DataLoader(load_fn=load)


def constant_loader(value: V) -> DataLoader[Any, V]:
    """A loader that answers `value` for every key (what one audience of an event shares)."""

    async def load(keys: list[Any]) -> list[V]:
        return [value] * len(keys)

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    """Batched lookups for nested fields; each kind is one query however many tasks are listed."""

    latest_batch: DataLoader[int, Batch | None]
    samples: DataLoader[int, list[Sample]]
    rounds: DataLoader[int, list[Round]]
    progress: DataLoader[int, TaskProgress]
    answered: DataLoader[int, bool]
    agreement: DataLoader[tuple[int, int | None], Agreement | None]
    models: DataLoader[int, list[ModelArtifact]]  # per task, oldest round first
    # (annotator id, batch id): that annotator's answers in the batch; the caller is the key
    my_answers: DataLoader[tuple[int, int], list[MyAnswer]]


def make_loaders(ctx: Context, caller: Caller | None) -> Loaders:
    async def answered(batch_ids: Sequence[int]) -> dict[int, bool]:
        if caller is None:
            return {}
        done = await queries.answered_batches(ctx, caller, batch_ids)
        return {b: True for b in done}

    return Loaders(
        latest_batch=_loader(lambda ids: queries.latest_batches(ctx, ids), lambda: None),
        samples=_loader(lambda ids: queries.batch_samples(ctx, ids), list),
        rounds=_loader(lambda ids: queries.task_rounds(ctx, ids), list),
        progress=_loader(
            lambda ids: queries.task_progress(ctx, ids), lambda: TaskProgress(0, 0, 0)
        ),
        answered=_loader(answered, lambda: False),
        # Admin only: the fields that load it check the caller (shared renderings have none).
        agreement=_loader(lambda keys: agreement_of(ctx, keys), lambda: None),
        models=_loader(lambda ids: models.round_models(ctx, ids), list),  # admin only, as above
        my_answers=_loader(lambda keys: history.answers_of(ctx, keys), list),
    )


@dataclass
class RequestContext:
    """What every resolver gets as `info.context`: one request's caller, loaders and the app."""

    request: Request | WebSocket
    app: App
    caller: Caller | None
    auth_error: Unauthenticated | None
    loaders: Loaders
    extra: dict[str, Any] = field(default_factory=dict)
    connection_params: dict[str, Any] | None = None  # WebSocket connection_init payload

    def who(self) -> Caller | None:
        """The caller; raises the token's problem when one was sent but is wrong."""
        if self.auth_error is not None:
            raise self.auth_error
        return self.caller

    @property
    def services(self) -> Context:
        """The services' ports (unit of work, bus, queue...): the first argument of a service."""
        return self.app.ctx

    @property
    def base_url(self) -> str:
        """Where clients reach the server, as configured: never the request's Host header."""
        return self.app.settings.base_url


CALLER_TTL_S = 300.0  # a token's annotator is read again after this long
CALLERS_KEPT = 100_000  # tokens remembered per process (the least recently used go first)


class Subscribable(Protocol):
    def subscribe(self) -> AsyncIterator[Event]: ...


class KnownCallers:
    """Who holds a token, read from the database once per process and CALLER_TTL_S.

    A suspension or a revoked token reaches every process over the event bus (`watch`), which
    forgets that annotator's tokens at once; after a gap in the bus (EventsMissed) every token
    is read again. A sign-in is never remembered past its token's expiry, nor when a forget
    came while it was being read (the read may predate the suspension that sent it). Wrong
    tokens are not remembered: each is refused after a lookup.
    """

    def __init__(self) -> None:
        self._known: OrderedDict[str, tuple[float, Caller | None]] = OrderedDict()
        self._forgets = 0  # how many forget() calls so far

    async def authenticate(self, ctx: Context, token: str | None) -> Caller | None:
        """auth.authenticate, from memory when this token was seen lately."""
        if token is None:
            return None
        key, now = auth.hash_token(token), time.monotonic()
        hit = self._known.get(key)
        if hit is not None and hit[0] > now:
            self._known.move_to_end(key)
            return hit[1]
        forgets = self._forgets
        caller = await auth.authenticate(ctx, token)
        if self._forgets != forgets:
            return caller  # maybe read before the change that made us forget: not kept
        ttl = CALLER_TTL_S
        if caller is not None and caller.expires_at is not None:
            ttl = min(ttl, (caller.expires_at - datetime.now(UTC)).total_seconds())
        if ttl > 0:
            self._known[key] = (now + ttl, caller)
        if len(self._known) > CALLERS_KEPT:
            self._known.popitem(last=False)
        return caller

    def forget(self, annotator_id: int | None = None, token_hash: str = "") -> None:
        """Read this annotator's tokens (None: everyone's; with `token_hash`, that one) from
        the database next time."""
        self._forgets += 1
        if annotator_id is None:
            self._known.clear()
            return
        for key in [k for k, (_, c) in self._known.items() if c and c.id == annotator_id]:
            if not token_hash or key == token_hash:
                del self._known[key]

    async def watch(self, bus: Subscribable) -> None:
        """Forget callers as the bus says their access ended (runs for the app's life)."""
        async for event in bus.subscribe():
            if isinstance(event, ACCESS_ENDED):
                revoked = event.token_hash if isinstance(event, TokenRevoked) else ""
                self.forget(event.annotator_id, revoked)
            elif isinstance(event, EventsMissed):
                self.forget()


def known_callers(request: Request | WebSocket) -> KnownCallers:
    """The process's KnownCallers (kept on the Starlette app's state)."""
    return callers_of(request.app.state)


def callers_of(state: Any) -> KnownCallers:
    """The KnownCallers kept on a Starlette app's state (made on first use)."""
    known: KnownCallers | None = getattr(state, "known_callers", None)
    if known is None:
        known = state.known_callers = KnownCallers()
    return known


async def authenticate_connection(context: RequestContext) -> bool:
    """Authenticate a WebSocket from its connection_init payload {"authorization": "Bearer ..."}.

    False (the connection is refused) without a valid token in the payload or the upgrade headers.
    """
    header = (context.connection_params or {}).get("authorization")
    if isinstance(header, str):
        try:
            known = known_callers(context.request)
            context.caller = await known.authenticate(context.services, auth.bearer_token(header))
            context.auth_error = None
        except Unauthenticated:
            return False
        context.loaders = make_loaders(context.services, context.caller)
    return context.caller is not None and context.auth_error is None


async def build_context(request: Request | WebSocket, token: str | None) -> RequestContext:
    """Authenticate once per request and create fresh DataLoaders."""
    app: App = request.app.state.activecrowds
    caller, error = None, None
    try:
        caller = await known_callers(request).authenticate(app.ctx, token)
    except Unauthenticated as exc:
        error = exc
    return RequestContext(request, app, caller, error, make_loaders(app.ctx, caller))
