"""Which rate limits a mutation counts against, checked by the gate before it runs.

Every mutation field counts against the client address's minute, and, with a token, against
the caller's (its id: raw tokens never reach a key); registerAnnotator also against the
address's registrations, submitAnswers against the caller's submissions. A document with three
aliased submitAnswers counts three. Queries and subscriptions are held by the cost budget
(budget.py) instead. A limit of 0 is no limit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)

from activecrowds.adapters.rate_limits import Hit, RateLimiter
from activecrowds.config import Settings
from activecrowds.domain.errors import RateLimited

REGISTER, SUBMIT = "registerAnnotator", "submitAnswers"


class RateLimits:
    """The settings' limits per minute, counted by a limiter (in memory or in Redis)."""

    def __init__(self, limiter: RateLimiter, settings: Settings) -> None:
        self.limiter = limiter
        self.registrations = settings.registrations_per_minute
        self.per_caller = settings.mutations_per_minute
        self.per_address = settings.address_mutations_per_minute
        self.submissions = settings.submissions_per_minute

    async def check(self, address: str, caller: str | None, fields: Counter[str]) -> None:
        """Count the mutation `fields` for `address` and `caller` (None: no token).

        Raises:
            RateLimited: a limit is reached; nothing was counted, `retry_after` says when.
        """
        hits = [h for h in self._hits(address, caller, fields) if h.limit > 0 and h.cost > 0]
        wait = await self.limiter.hit(hits) if hits else None
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(f"too many mutations; try again in {seconds} s", seconds)

    def _hits(self, address: str, caller: str | None, fields: Counter[str]) -> Iterator[Hit]:
        yield Hit(f"mutations:address:{address}", self.per_address, fields.total())
        yield Hit(f"registrations:address:{address}", self.registrations, fields[REGISTER])
        if caller is not None:
            yield Hit(f"mutations:{caller}", self.per_caller, fields.total())
            yield Hit(f"submissions:{caller}", self.submissions, fields[SUBMIT])


def mutation_fields(document: DocumentNode | None, operation_name: str | None) -> Counter[str]:
    """How often each mutation field is asked for (through fragments too); empty for anything
    but one mutation operation."""
    if document is None:
        return Counter()
    op = get_operation_ast(document, operation_name)
    if op is None or op.operation is not OperationType.MUTATION:
        return Counter()
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return Counter(_root_fields(op.selection_set, fragments))


def _root_fields(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[str]:
    """The names of the fields at this level; validated documents have no fragment cycles."""
    for node in selections.selections:
        if isinstance(node, FieldNode):
            if not node.name.value.startswith("__"):
                yield node.name.value
        elif isinstance(node, InlineFragmentNode):
            yield from _root_fields(node.selection_set, fragments)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
            yield from _root_fields(fragments[node.name.value].selection_set, fragments)
