"""Relay-style pagination, shared by every connection: a page's position (PageInfo), its edges,
and the opaque cursors they carry.

A cursor is the position a page ended at (activecrowds.domain.pages: keyset, never an offset),
tagged with the connection it came from: a cursor given by one connection, edited by hand or
made up is BAD_USER_INPUT in any other, never a query over someone else's rows.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from activecrowds.domain.errors import ValidationError
from activecrowds.domain.pages import Page
from activecrowds.domain.rules import MAX_ID

N = TypeVar("N")
T = TypeVar("T")
Position = tuple[int | float, ...]


@strawberry.type(description="Where a page of a connection lies (Relay cursor pagination).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = strawberry.field(
        description="true when the page was asked for `after` a cursor"
    )
    start_cursor: str | None
    end_cursor: str | None = strawberry.field(description="pass as `after` for the next page")


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    """One page of a list; `first` 1 to 100 (default 50), `after` a previous endCursor."""

    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="items matching the arguments in all")


def page_info(cursors: list[str], has_next: bool, after: bool) -> PageInfo:
    """The PageInfo of a page whose edges carry `cursors`."""
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=after,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def connection(
    page: Page[T],
    kind: str,
    position: Callable[[T], Position],
    node: Callable[[T], N],
    after: bool,
) -> Connection[N]:
    """A page as a connection of `kind`: each item's node, its cursor at `position(item)`."""
    edges = [
        Edge(cursor=encode_cursor(kind, position(item)), node=node(item)) for item in page.items
    ]
    info = page_info([e.cursor for e in edges], page.has_next, after)
    return Connection(edges=edges, page_info=info, total_count=page.total)


def encode_cursor(kind: str, position: Position) -> str:
    """Opaque to clients: the connection's kind and the position the next page starts after."""
    raw = json.dumps([kind, *position]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str | None, kind: str, shape: tuple[type, ...]) -> Position | None:
    """The position `encode_cursor(kind, ...)` wrote, its parts of the types in `shape`
    (ids within what an id column holds, numbers finite); None for no cursor.

    Raises:
        ValidationError: anything else (another connection's cursor, a made-up one).
    """
    if text is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        found, *parts = json.loads(raw)
        if found != kind or len(parts) != len(shape):
            raise ValueError("another connection's cursor")
        position = tuple(_part(value, want) for value, want in zip(parts, shape, strict=True))
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise ValidationError("after is not a cursor this query gave", "after") from None
    return position


def decode_id(text: str | None, kind: str) -> int | None:
    """The id (or number) a one-part cursor of `kind` holds; None for no cursor."""
    position = decode_cursor(text, kind, (int,))
    return None if position is None else int(position[0])


def _part(value: object, want: type) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("not a number")
    if want is int:
        if not isinstance(value, int) or not 0 <= value <= MAX_ID:
            raise ValueError("not an id")  # beyond an id column, the database would raise
        return value
    if not math.isfinite(value):
        raise ValueError("not a position")
    return float(value)
