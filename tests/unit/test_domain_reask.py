"""Review.REASK on the domain objects, called directly: a decided sample opens again with no
votes, and a batch never hands it to, nor takes it from, an annotator who answered it before."""

from __future__ import annotations

import pytest
from test_domain_model import NOW, answered, batch, decision, task

from activecrowds.domain import model as m
from activecrowds.domain.errors import NotDecided, ValidationError

pytestmark = pytest.mark.usefixtures("no_infrastructure")  # no database, no network


@pytest.mark.parametrize("labels", [("a", "a", "a"), ("a", "b", "a", "b", "b")])
def test_a_decided_sample_asked_again_is_open_with_no_votes_in_its_new_batch(
    labels: tuple[str, ...],
) -> None:
    s = answered(*labels)
    s.batch_id, s.answers = 4, [(1, "a")]
    assert s.decided
    s.review(m.Review.REASK, None, ["a", "b"], batch_id=9)
    assert decision(s) == (m.SampleState.OPEN, None, 0)
    assert (s.batch_id, s.votes, s.answers) == (9, None, [])


def test_reask_takes_no_label_and_waits_for_the_crowds_decision() -> None:
    s = answered("a", "a", "a")
    s.batch_id = 4
    with pytest.raises(ValidationError) as bad:
        s.review(m.Review.REASK, "a", ["a", "b"])
    assert bad.value.field == "label"
    still_open = answered("a")
    still_open.batch_id = 4
    with pytest.raises(NotDecided):
        still_open.review(m.Review.REASK, None, ["a", "b"])


def test_a_sample_answered_before_is_never_handed_out_nor_answered_again() -> None:
    b, t = batch(), task()
    handed = b.hand_out(t, 7, answered=False, leases=[], now=NOW, seen={10})
    assert [s.id for s in handed] == [11]
    with pytest.raises(ValidationError, match="sample 10") as bad:
        b.refuse_seen([(11, "a"), (10, "b")], {10})
    assert bad.value.field == "answers"
    b.refuse_seen([(11, "a")], {10})  # the other samples are its to answer
