"""GraphQL IDs are decimal strings of database ids."""

from __future__ import annotations

from activecrowds.domain.errors import NotFound, ValidationError


def parse_id(value: str, what: str) -> int:
    """The integer id, or NotFound: a malformed id names nothing that exists."""
    if not str(value).isdigit() or len(str(value)) > 18:
        raise NotFound(f"no {what} with id {value!r}")
    return int(value)


def parse_sample_id(value: str) -> int:
    """Like parse_id, but inside an answer list a bad id is bad input (all-or-nothing)."""
    if not str(value).isdigit() or len(str(value)) > 18:
        raise ValidationError(f"sample {value!r} is not in this batch", "sampleId")
    return int(value)
