"""GraphQL IDs are decimal strings of database ids."""

from __future__ import annotations

from activecrowds.domain.errors import NotFound, ValidationError
from activecrowds.domain.rules import MAX_ID

MAX_DIGITS = len(str(MAX_ID))


def whole_number(text: str | None, max_digits: int) -> int | None:
    """`text` as a whole number of at most `max_digits` ASCII digits; None for anything else.

    `str.isdigit` alone lets through digits `int` refuses ("²") or reads as another number
    ("٣" is 3), and `int` refuses more than 4300 digits: each would be an INTERNAL error.
    """
    if text is None or not (text.isascii() and text.isdigit() and len(text) <= max_digits):
        return None
    return int(text)


def as_id(value: str) -> int | None:
    """The database id `value` spells, or None when no row can have it.

    Checked before any query: an id beyond the id columns' range makes PostgreSQL (int4) and
    SQLite (int64) raise instead of finding nothing.
    """
    number = whole_number(str(value), MAX_DIGITS)
    return number if number is not None and number <= MAX_ID else None


def parse_id(value: str, what: str) -> int:
    """The integer id, or NotFound: a malformed id names nothing that exists."""
    number = as_id(value)
    if number is None:
        raise NotFound(f"no {what} with id {value!r}")
    return number


def parse_sample_id(value: str) -> int:
    """Like parse_id, but inside an answer list a bad id is bad input (all-or-nothing)."""
    number = as_id(value)
    if number is None:
        raise ValidationError(f"sample {value!r} is not in this batch", "sampleId")
    return number
