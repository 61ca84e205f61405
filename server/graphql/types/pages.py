"""Relay-style pagination: a page's position, shared by every connection."""

from __future__ import annotations

import strawberry


@strawberry.type(description="Where a page of a connection lies (Relay cursor pagination).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool = strawberry.field(
        description="true when the page was asked for `after` a cursor"
    )
    start_cursor: str | None
    end_cursor: str | None = strawberry.field(description="pass as `after` for the next page")
