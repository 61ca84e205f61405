"""Documents parsed, validated and measured once, in a worker thread, and kept by their text.

Parsing and validating is pure Python: a unique 5,000-token document takes a quarter of a second,
and on the event loop that quarter of a second is everyone's. So the gate (gate.py) first counts
tokens with one regular expression (C speed, nothing parsed), and a document within the limits
is prepared here, in one worker thread: parsed, validated, measured (cost.py). The event loop
keeps answering meanwhile. A prepared document is kept by its text, so clients sending the same
few documents never wait for the thread; trusted documents are prepared at start and never
evicted. The extension at the bottom hands the prepared document to Strawberry, which then
neither parses nor validates it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import re
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    validate,
)
from graphql import OperationType as AstOperation
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType

from server.graphql.cost import Measure, Shape, list_sizes

MAX_TOKENS = 5000
MAX_DEPTH = 10  # nested object levels, as Strawberry's QueryDepthLimiter counts them
MAX_ALIASES = 30
CACHE_SIZE = 512  # documents kept besides the trusted ones
CACHED_CHARS = 8192  # longer ones are prepared each time: memory stays bounded (512 small ASTs)

# Ignored text (white space, commas, comments, byte order mark), then one GraphQL token if any.
# Every match starts where the last one ended, and the ignored text is possessive, so a comment
# is never read as tokens.
TOKEN = re.compile(
    r"(?:[\s,\ufeff]++|#[^\n\r]*+)*+"
    r'("""(?:[^"\\]++|\\(?:""")?|"(?!""))*+"""'  # block string
    r'|"(?:[^"\\\n\r]++|\\.)*+"'  # string
    r"|\.\.\.|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[_A-Za-z]\w*"
    r"|[^\s,\ufeff#])?"  # a punctuator, or a character the parser will refuse
)


def tokens(text: str, limit: int | None = None) -> list[str]:
    """The document's tokens, at most `limit` + 1 of them (enough to tell it is too long)."""
    found: Iterator[str] = (m[1] for m in TOKEN.finditer(text) if m[1] is not None)
    if limit is not None:
        found = itertools.islice(found, limit + 1)
    return list(found)


def digest(words: Sequence[str]) -> str:
    """A document's identity whatever its layout: sha256 of its tokens joined by one space."""
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


@dataclass(frozen=True)
class Prepared:
    """A document as Strawberry would find it: parsed (or its syntax error), validated, measured."""

    document: DocumentNode | None  # None: errors holds the syntax error
    errors: tuple[GraphQLError, ...]
    rules: tuple[type[ASTValidationRule], ...]
    shapes: Mapping[str | None, Shape] = field(default_factory=dict)

    def shape(self, operation_name: str | None) -> Shape | None:
        """The chosen operation's shape; None when the name picks no single operation."""
        if operation_name is not None:
            return self.shapes.get(operation_name)
        return next(iter(self.shapes.values())) if len(self.shapes) == 1 else None


class Documents:
    """Prepared documents by text: the trusted ones pinned, the rest in a small LRU cache."""

    def __init__(self, schema: GraphQLSchema, rules: Sequence[type[ASTValidationRule]]) -> None:
        self.schema = schema
        self.rules = tuple(rules)
        self.sizes = list_sizes(schema)
        self._pinned: dict[str, Prepared] = {}
        self._recent: OrderedDict[str, Prepared] = OrderedDict()
        self._worker: ThreadPoolExecutor | None = None

    def cached(self, text: str) -> Prepared | None:
        if text in self._recent:
            self._recent.move_to_end(text)
            return self._recent[text]
        return self._pinned.get(text)

    def pin(self, text: str) -> Prepared:
        """Prepare a trusted document now and keep it for good."""
        self._pinned[text] = prepared = self.prepare_now(text)
        return prepared

    async def prepare(self, text: str) -> tuple[Prepared, float]:
        """Prepare `text` in the worker thread; returns it and the CPU seconds it took."""
        if self._worker is None:  # created on first use: nothing starts at import or build
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="graphql-prepare")
        loop = asyncio.get_running_loop()
        prepared, cpu = await loop.run_in_executor(self._worker, self._timed, text)
        if len(text) <= CACHED_CHARS:
            self._recent[text] = prepared
            while len(self._recent) > CACHE_SIZE:
                self._recent.popitem(last=False)
        return prepared, cpu

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)
            self._worker = None

    def _timed(self, text: str) -> tuple[Prepared, float]:
        start = time.thread_time()
        prepared = self.prepare_now(text)
        return prepared, time.thread_time() - start

    def prepare_now(self, text: str) -> Prepared:
        """Parse, validate and measure on the calling thread."""
        try:
            document = parse(text, max_tokens=MAX_TOKENS)
        except GraphQLError as error:
            return Prepared(None, (error,), self.rules)
        errors = validate_document(self.schema, document, self.rules)
        if errors:
            return Prepared(document, tuple(errors), self.rules)
        shapes = Measure(self.schema, document, self.sizes).operations()
        too_big = tuple(e for name, shape in shapes.items() for e in _limit_errors(name, shape))
        return Prepared(document, too_big, self.rules, shapes)


def _limit_errors(name: str | None, shape: Shape) -> Iterator[GraphQLError]:
    label = f"'{name or 'anonymous'}'"
    if shape.depth > MAX_DEPTH:
        yield GraphQLError(f"{label} exceeds maximum operation depth of {MAX_DEPTH}")
    if shape.aliases > MAX_ALIASES:
        yield GraphQLError(f"{label} has {shape.aliases} aliases; at most {MAX_ALIASES} allowed")


@dataclass(frozen=True)
class Admission:
    """A document the gate let through, and what the caller's budget says about it."""

    text: str
    prepared: Prepared
    cost: dict[str, int]


# The admission of the operation this task runs (set by the gate around one execution).
ADMITTED: ContextVar[Admission | None] = ContextVar("admitted", default=None)


class PreparedDocument(SchemaExtension):
    """Gives Strawberry the prepared document and its validation; adds `extensions.cost`."""

    def __init__(self, documents: Documents) -> None:
        super().__init__()
        self.documents = documents
        self.prepared: Prepared | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query or ""
        admission = ADMITTED.get()
        if admission is not None and admission.text == text:
            self.prepared = admission.prepared
        else:  # not seen by the gate: prepared here, on the loop, within the same limits
            self.prepared = self.documents.cached(text) or self.documents.prepare_now(text)
        # Raised from this hook, a syntax error would escape the operation (no code over HTTP,
        # a bare `complete` and a logged traceback over WebSocket): a stand-in document takes
        # the operation to on_validate instead, which reports the error as the operation's.
        context.graphql_document = self.prepared.document or _stand_in(context.operation_name)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert self.prepared is not None
        errors = list(self.prepared.errors)
        added = [r for r in context.validation_rules if r not in self.prepared.rules]
        if added and not errors and self.prepared.document:  # rules added at run time
            errors = validate(context.schema._schema, self.prepared.document, added)
        context.pre_execution_errors = errors
        yield

    def get_results(self) -> dict[str, Any]:
        admission = ADMITTED.get()
        if admission is None or not self._answers_once():
            return {}
        return {"cost": admission.cost}

    def _answers_once(self) -> bool:
        try:
            return self.execution_context.operation_type is not OperationType.SUBSCRIPTION
        except RuntimeError:  # no document (a syntax error)
            return True


def _stand_in(operation_name: str | None) -> DocumentNode:
    """An empty query named like the request's operation, for a text that did not parse."""
    name = NameNode(value=operation_name) if operation_name else None
    empty = SelectionSetNode(selections=())
    query = OperationDefinitionNode(operation=AstOperation.QUERY, name=name, selection_set=empty)
    return DocumentNode(definitions=(query,))
