"""Pages of a long list (Relay-style connections): how many a page holds, and what it says.

Every connection pages by keyset: a page starts after the position of the previous page's
last item, never at an offset, so an item added or removed meanwhile neither repeats nor
skips one that stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from activecrowds.domain.errors import ValidationError

MAX_PAGE = 100  # items one page may hold (what `first` may ask for)
DEFAULT_PAGE = 50

T = TypeVar("T")


def page_size(first: int | None) -> int:
    """How many items a page holds. Raises ValidationError outside 1..MAX_PAGE."""
    size = DEFAULT_PAGE if first is None else first
    if not 1 <= size <= MAX_PAGE:
        raise ValidationError(f"first must be between 1 and {MAX_PAGE}; got {size}", "first")
    return size


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items, whether more follow, and how many match in all."""

    items: list[T]
    has_next: bool
    total: int

    @classmethod
    def of(cls, found: list[T], limit: int, total: int) -> Page[T]:
        """The page from `limit + 1` items read: the one past the page says more follow."""
        return cls(found[:limit], len(found) > limit, total)
