"""Which documents run: decided before anything is parsed, and charged to the caller.

A persisted-query hash is swapped for its trusted document. A text is measured without parsing
(its length, then its tokens, counted by one regular expression); a text whose tokens are a
trusted document's is swapped for that document, prepared at start. Without a token a caller
may send only a short registerAnnotator document: everything else needs a token anyway, and a
caller who can send nothing long cannot stall the server. A new document is prepared in the
worker thread (documents.py), its CPU time charged to the caller's minute; then the operation's
node cost (cost.py) is charged to the caller's cost budget, and what is left goes back in
`extensions.cost`. A mutation is counted against the rate limits of its address and caller
(ratelimit.py). Every refusal has its API.md code and costs the server a few microseconds
(a mutation's limits: one Redis round trip when Redis is configured).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast
from strawberry.types import ExecutionResult

from activecrowds.config import Settings
from activecrowds.domain.errors import RateLimited, Unauthenticated
from activecrowds.services.gate import KeyedLocks
from server.graphql.budget import Budget
from server.graphql.context import RequestContext
from server.graphql.cost import Shape
from server.graphql.documents import MAX_TOKENS, Admission, Documents, Prepared, digest, tokens
from server.graphql.errors import (
    PersistedQueryNotFound,
    QueryNotTrusted,
    QueryTooComplex,
    error_extensions,
)
from server.graphql.trusted import Manifest, requested_hash
from server.ratelimit import RateLimits, mutation_fields

ANONYMOUS_MAX_CHARS = 2048
ANONYMOUS_MAX_TOKENS = 64
ANONYMOUS_FIELDS = frozenset({"registerAnnotator", "__typename"})
MAX_CHARS = 32 * 1024
REFUSALS = (Unauthenticated, RateLimited, QueryTooComplex, PersistedQueryNotFound, QueryNotTrusted)
SIGN_IN = "sign in first: without a token only a short registerAnnotator mutation is accepted"


@dataclass(frozen=True)
class Who:
    """Whom a request is charged to: a caller, or an address when it sent no valid token."""

    key: str
    refusal: Unauthenticated | None  # why a caller without a valid token may do little
    address: str = "?"  # the client's, as the trusted proxies tell it (app.py)

    @classmethod
    def of(cls, context: RequestContext) -> Who:
        client = context.request.client
        address = client.host if client else "?"
        caller = context.caller if context.auth_error is None else None
        if caller is not None:
            return cls(f"{caller.role.value}:{caller.id}", None, address)
        return cls(f"address:{address}", context.auth_error or Unauthenticated(SIGN_IN), address)

    @property
    def anonymous(self) -> bool:
        return self.refusal is not None


class Gate:
    """Admits documents: limits without a token, trusted documents, CPU and cost budgets."""

    def __init__(
        self, documents: Documents, manifest: Manifest, settings: Settings, limits: RateLimits
    ) -> None:
        self.documents = documents
        self.limits = limits
        self.manifest = manifest
        self.only_trusted = settings.trusted_documents_only
        self.max_cost = settings.max_query_cost
        self.parse_time = Budget(settings.parse_ms_per_minute / 1000)
        self.cost = Budget(settings.query_cost_per_minute)
        self._turns = KeyedLocks()
        for text in manifest.documents.values():
            documents.pin(text)

    async def admit(
        self, who: Who, query: str | None, operation_name: str | None, extensions: Any
    ) -> Admission | None:
        """The request's document, prepared and paid for; None when it names none.

        Raises:
            one of REFUSALS, before anything was parsed unless the refusal needs the document.
        """
        named = requested_hash(extensions)
        if named is not None:
            text = self.manifest.get(named)
            if text is None:
                raise PersistedQueryNotFound(f"no trusted document has the hash {named}")
        elif query is None:
            return None
        else:
            text = self._known_text(who, query)
        prepared = self.documents.cached(text) or await self._prepare(who, text)
        if who.anonymous:
            _registers_only(who, prepared, operation_name)
        if not prepared.errors:  # one that cannot run counts against no limit
            fields = mutation_fields(prepared.document, operation_name)
            caller = None if who.anonymous else who.key
            await self.limits.check(who.address, caller, fields)
        cost = self._charge(who, prepared.shape(operation_name))
        return Admission(text, prepared, cost)

    def report(self, who: Who, requested: int = 0) -> dict[str, int]:
        """What `extensions.cost` says: this request's nodes and the caller's budget."""
        return {
            "requested": requested,
            "maxPerRequest": self.max_cost,
            "remaining": int(self.cost.remaining(who.key)),
            "perMinute": int(self.cost.per_minute),
            "resetInMs": int(self.cost.resets_in(who.key) * 1000),
        }

    def refused(self, who: Who, refusal: Exception) -> ExecutionResult:
        error = GraphQLError(str(refusal), extensions=error_extensions(refusal))
        return ExecutionResult(data=None, errors=[error], extensions={"cost": self.report(who)})

    def _known_text(self, who: Who, query: str) -> str:
        """`query` itself, or the trusted document with the same tokens."""
        if self.documents.cached(query) is not None:
            return query
        max_chars, max_tokens = (
            (ANONYMOUS_MAX_CHARS, ANONYMOUS_MAX_TOKENS)
            if who.anonymous
            else (MAX_CHARS, MAX_TOKENS)
        )
        if len(query) > max_chars:
            raise _too_long(who, f"{len(query)} characters; at most {max_chars}")
        words = tokens(query, max_tokens)
        if len(words) > max_tokens:
            raise _too_long(who, f"more than {max_tokens} tokens")
        trusted = self.manifest.get(digest(words))
        if trusted is not None:
            return trusted
        if self.only_trusted:
            raise QueryNotTrusted(
                "this server runs trusted documents only: the app's own operations, by hash"
            )
        return query

    async def _prepare(self, who: Who, text: str) -> Prepared:
        """Prepare a new document in the worker thread, on the caller's CPU budget.

        One at a time per caller, so each is charged before the caller's next one is weighed.
        """
        async with self._turns.hold(who.key):
            if self.parse_time.remaining(who.key) <= 0:
                wait = self.parse_time.resets_in(who.key)
                raise RateLimited(
                    f"this caller's new documents took their {self.parse_time.per_minute:g} s"
                    f" of parsing this minute; resend known ones, or new ones in {wait:.0f} s",
                    wait,
                )
            prepared, cpu = await self.documents.prepare(text)
            self.parse_time.spend(who.key, cpu)
            return prepared

    def _charge(self, who: Who, shape: Shape | None) -> dict[str, int]:
        """Take the operation's nodes from the caller's minute; raise when it may not run."""
        nodes = max(1, shape.nodes) if shape else 1
        if nodes > self.max_cost:
            raise QueryTooComplex(
                f"this operation may return {nodes} nodes (lists times their sizes);"
                f" one request may ask for {self.max_cost}"
            )
        left = self.cost.remaining(who.key)
        if nodes > left:
            wait = self.cost.resets_in(who.key)
            raise RateLimited(
                f"query cost budget spent: {left:g} of {self.cost.per_minute:g} nodes left"
                f" this minute, {nodes} asked; all back in {wait:.0f} s",
                wait,
            )
        self.cost.spend(who.key, nodes)
        return self.report(who, nodes)


def _too_long(who: Who, detail: str) -> Exception:
    if who.refusal is not None:
        return Unauthenticated(f"{who.refusal} ({detail})")
    return QueryTooComplex(f"document too long: {detail}")


def _registers_only(who: Who, prepared: Prepared, operation_name: str | None) -> None:
    """Without a token only registerAnnotator runs (its syntax errors are answered as such)."""
    if prepared.document is None:
        return
    op = get_operation_ast(prepared.document, operation_name)
    if (
        op is not None
        and op.operation is OperationType.MUTATION
        and all(
            isinstance(s, FieldNode) and s.name.value in ANONYMOUS_FIELDS
            for s in op.selection_set.selections
        )
    ):
        return
    assert who.refusal is not None
    raise who.refusal
