"""A small in-process rate limit for unauthenticated mutations (per client address)."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from starlette.requests import HTTPConnection

from activecrowds.domain.errors import RateLimited

LIMIT, WINDOW = 30, 60.0  # requests per client per minute
_seen: dict[tuple[str, str], deque[float]] = defaultdict(deque)


def check_rate(conn: HTTPConnection, action: str, limit: int = LIMIT) -> None:
    """Raise RateLimited when this client did `action` more than `limit` times in a minute."""
    client = conn.client.host if conn.client else "?"
    now = time.monotonic()
    stamps = _seen[(client, action)]
    while stamps and stamps[0] < now - WINDOW:
        stamps.popleft()
    if len(stamps) >= limit:
        raise RateLimited(f"too many {action} requests; try again in a minute")
    stamps.append(now)
