"""Handing back what one was handed (sign-out on a shared phone), against the in-memory ports."""

from __future__ import annotations

import pytest
from fakes import Fakes
from standins import Given
from test_services_crowd import crowd_of

from activecrowds.domain.errors import Forbidden, Unauthenticated
from activecrowds.domain.model import ADMIN
from activecrowds.services import queries
from activecrowds.services.assignments import release_assignments


async def test_an_annotator_signing_out_hands_its_samples_to_the_next_at_once(
    fakes: Fakes, given: Given
) -> None:
    # Given a batch whose samples need 2 answers, handed to two annotators; a third gets none
    task = await given.open_task()
    a, b, c = await crowd_of(fakes, 3)
    for who in (a, b):
        await queries.hand_out(fakes.ctx, who.caller, task.batch.id)
    assert await queries.hand_out(fakes.ctx, c.caller, task.batch.id) == []
    # When one of them signs out
    assert await release_assignments(fakes.ctx, a.caller) is True
    # Then the third is handed every sample now, and the other keeps its own
    handed = await queries.hand_out(fakes.ctx, c.caller, task.batch.id)
    assert sorted(s.id for s in handed) == sorted(s.id for s in task.samples.values())
    holders = {lease.annotator_id for _, lease in fakes.db.committed.leases.values()}
    assert holders == {b.caller.id, c.caller.id}


async def test_only_an_annotator_hands_back(fakes: Fakes) -> None:
    with pytest.raises(Unauthenticated):
        await release_assignments(fakes.ctx, None)
    with pytest.raises(Forbidden):
        await release_assignments(fakes.ctx, ADMIN)
