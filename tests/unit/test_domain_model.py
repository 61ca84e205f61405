"""The domain objects' behaviour, called directly: the peer rule on a sample, a batch taking
answers, a round's lease, a task's transitions."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from activecrowds.domain import events as ev
from activecrowds.domain import model as m
from activecrowds.domain.errors import Conflict, NotCollecting, ValidationError
from activecrowds_ml.consensus import PeerRule
from activecrowds_ml.metrics import Metrics

pytestmark = pytest.mark.usefixtures("no_infrastructure")  # no database, no network

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
RULE = PeerRule(min_peers=3, min_agreement=0.75, max_peers=5)
SCORES = Metrics(0.9, 0.8, 0.7, 0.75, [[4, 1], [0, 5]], ["a", "b"], 10)


def sample(state: m.SampleState | None = m.SampleState.OPEN, **fields: Any) -> m.Sample:
    return dataclasses.replace(m.Sample(1, 1, "k", m.SampleKind.POOL, state=state), **fields)


def answered(*labels: str, rule: PeerRule = RULE) -> m.Sample:
    """A sample of an open batch after these answers, one per annotator."""
    s = sample()
    for who, label in enumerate(labels, start=1):
        s.count_answer(label, rule, who)
    return s


def decision(s: m.Sample) -> tuple[m.SampleState | None, str | None, int]:
    return s.state, s.resolved_label, s.answer_count


# --- Sample.count_answer: the peer rule -------------------------------------------------------


def test_below_min_peers_a_sample_stays_open_even_when_unanimous() -> None:
    s = answered("a", "a")
    assert decision(s) == (m.SampleState.OPEN, None, 2) and s.votes == {"a": 2}


def test_at_min_peers_with_enough_agreement_the_label_is_accepted() -> None:
    assert decision(answered("a", "a", "a")) == (m.SampleState.ACCEPTED, "a", 3)


def test_at_min_peers_without_enough_agreement_it_stays_open() -> None:
    assert decision(answered("a", "b", "a")) == (m.SampleState.OPEN, None, 3)  # 67 % < 75 %


def test_agreement_exactly_at_the_threshold_is_enough() -> None:
    assert decision(answered("b", "a", "a", "a")) == (m.SampleState.ACCEPTED, "a", 4)  # 75 %
    rule = PeerRule(min_peers=10, min_agreement=0.8, max_peers=20)
    eight_of_ten = answered(*["x"] * 8, "y", "z", rule=rule)  # 0.8 despite binary floats
    assert decision(eight_of_ten) == (m.SampleState.ACCEPTED, "x", 10)


def test_at_max_peers_without_agreement_it_is_disputed() -> None:
    s = answered("a", "b", "a", "b", "a")  # 60 % at the fifth answer
    assert decision(s) == (m.SampleState.DISPUTED, None, 5) and s.votes == {"a": 3, "b": 2}


def test_one_peer_suffices_when_the_rule_says_so() -> None:
    assert decision(answered("b", rule=PeerRule(1, 1.0, 1))) == (m.SampleState.ACCEPTED, "b", 1)


@pytest.mark.parametrize(
    ("first", "later", "expected"),
    [
        (["a", "a", "a"], ["b", "b", "b", "b"], (m.SampleState.ACCEPTED, "a", 7)),
        (["a", "b", "a", "b", "a"], ["a", "a", "a"], (m.SampleState.DISPUTED, None, 8)),
    ],
)
def test_a_decision_is_final_later_answers_are_only_counted(
    first: list[str], later: list[str], expected: tuple[object, ...]
) -> None:
    s = answered(*first)
    for who, label in enumerate(later, start=100):
        s.count_answer(label, RULE, who)
    assert decision(s) == expected


def test_a_sample_never_picked_into_a_batch_is_never_decided() -> None:
    s = sample(state=None)
    s.count_answer("a", PeerRule(1, 1.0, 1), 1)
    assert decision(s) == (None, None, 1)


def test_counting_does_not_change_the_votes_it_was_given() -> None:
    votes = {"a": 1}
    s = sample(votes=votes, answer_count=1)
    s.count_answer("a", RULE, 1)
    assert votes == {"a": 1} and s.votes == {"a": 2}


def test_the_training_label_is_the_crowds_for_pool_samples_and_the_datasets_otherwise() -> None:
    assert sample(m.SampleState.ACCEPTED, resolved_label="b", label=None).training_label() == "b"
    assert sample(None, kind=m.SampleKind.SEED, label="a").training_label() == "a"
    with pytest.raises(ValueError):
        sample(m.SampleState.DISPUTED).training_label()


# --- Batch.answer ------------------------------------------------------------------------------


def task(status: m.TaskStatus = m.TaskStatus.COLLECTING, **rule: object) -> m.Task:
    scenario = {"min_peers": 2, "min_agreement": 1.0, "max_peers": 2, **rule}
    return m.Task(3, "t", "", "TEXT", "BINARY_CLASSIFICATION", ["a", "b"], "/d", scenario, status)


def batch(n: int = 2, status: m.BatchStatus = m.BatchStatus.OPEN) -> m.Batch:
    open_ = m.SampleState.OPEN
    samples = [m.Sample(10 + i, 3, f"p{i}", m.SampleKind.POOL, state=open_) for i in range(n)]
    return m.Batch(5, 3, number=4, status=status, samples=samples)


def test_answers_are_counted_and_lock_the_annotator_out() -> None:
    b, t = batch(), task()
    events = b.answer(t, 7, [(10, "a")])
    assert events == [ev.AnswersSubmitted(3, 5, 7, 1), ev.TaskLocked(3, ev.LockReason.SUBMITTED, 7)]
    assert (b.samples[0].answer_count, b.samples[1].answer_count) == (1, 0)
    assert b.status is m.BatchStatus.OPEN and t.status is m.TaskStatus.COLLECTING


def test_the_last_decision_resolves_the_batch_and_makes_the_next_round_due() -> None:
    # Given sample 10 accepted and 11 one answer short
    b, t = batch(), task()
    b.answer(t, 1, [(10, "a"), (11, "a")])
    b.answer(t, 2, [(10, "a")])
    # When the second peer disagrees on 11 (disputed: max 2 peers)
    events = b.answer(t, 3, [(11, "b")])
    # Then every sample is decided, the batch resolves and round 5 is due
    assert b.samples[1].state is m.SampleState.DISPUTED
    assert b.status is m.BatchStatus.RESOLVED and t.status is m.TaskStatus.TRAINING
    assert events[2:] == [ev.TaskLocked(3, ev.LockReason.TRAINING), ev.RoundDue(3, 5)]


def test_a_late_submission_is_evidence_if_opened_before_the_batch_resolved() -> None:
    b, t = batch(status=m.BatchStatus.RESOLVED), task()
    b.resolved_at = NOW
    answers = [(10, "a")]
    late = [
        b.takes_late(t, answers, NOW + timedelta(seconds=s), NOW + timedelta(minutes=2))
        for s in (-30, 0, 5, 59)
    ]
    # opened before it resolved, or a phone's clock a little ahead: kept as evidence
    assert late == [True] * 4
    # opened a minute after, or none said, or too long ago: refused as a stale batch
    assert not b.takes_late(t, answers, NOW + timedelta(seconds=61), NOW + timedelta(minutes=2))
    assert not b.takes_late(t, answers, None, NOW + timedelta(minutes=2))
    assert not b.takes_late(t, answers, NOW - timedelta(minutes=11), NOW)


def test_the_tasks_current_peer_rule_decides() -> None:
    b = batch(1)
    b.answer(task(min_peers=1, max_peers=1), 1, [(10, "b")])
    assert decision(b.samples[0]) == (m.SampleState.ACCEPTED, "b", 1)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([], "answers"),
        ([(10, "a"), (99, "a")], "sampleId"),
        ([(10, "a"), (10, "b")], "sampleId"),
        ([(10, "a"), (11, "c")], "label"),
    ],
)
def test_an_invalid_submission_counts_nothing(answers: list[tuple[int, str]], field: str) -> None:
    b = batch()
    with pytest.raises(ValidationError) as refused:
        b.answer(task(), 1, answers)
    assert refused.value.field == field
    assert [s.answer_count for s in b.samples] == [0, 0]


def test_a_resolved_batch_is_a_conflict_while_collecting_and_not_collecting_otherwise() -> None:
    with pytest.raises(Conflict):
        batch(status=m.BatchStatus.RESOLVED).answer(task(), 1, [(10, "a")])
    for status in (m.TaskStatus.TRAINING, m.TaskStatus.FINISHED, m.TaskStatus.FAILED):
        with pytest.raises(NotCollecting):
            batch(status=m.BatchStatus.RESOLVED).answer(task(status), 1, [(10, "a")])


def test_only_an_exact_repeat_is_a_retry() -> None:
    b = batch()
    b.check_retry({10: "a", 11: "b"}, [(11, "b"), (10, "a")])
    for answers in ([(10, "a")], [(10, "a"), (11, "a")], [(10, "a"), (11, "b"), (12, "a")]):
        with pytest.raises(Conflict):
            b.check_retry({10: "a", 11: "b"}, answers)


# --- Round: claim, renew, hand back, finish, fail ----------------------------------------------


def round_(status: m.RoundStatus = m.RoundStatus.DUE, **fields: Any) -> m.Round:
    return dataclasses.replace(m.Round(8, 3, 2, status), **fields)


def test_a_due_round_is_claimed_for_one_leased_attempt() -> None:
    r = round_(attempts=1)
    assert r.claim(NOW, 60) is True
    assert (r.status, r.attempts, r.started_at) == (m.RoundStatus.RUNNING, 2, NOW)
    assert r.lease_until == NOW + timedelta(seconds=60) and r.held(NOW)


@pytest.mark.parametrize("status", [m.RoundStatus.DONE, m.RoundStatus.FAILED])
def test_a_final_round_is_never_claimed(status: m.RoundStatus) -> None:
    r = round_(status)
    assert r.final and r.claim(NOW, 60) is False and r == round_(status)


def test_a_running_round_is_claimed_only_once_its_lease_is_over() -> None:
    held = round_(m.RoundStatus.RUNNING, attempts=1, lease_until=NOW + timedelta(seconds=1))
    assert held.claim(NOW, 60) is False and held.attempts == 1
    over = round_(m.RoundStatus.RUNNING, attempts=1, lease_until=NOW)
    assert not over.held(NOW) and over.claim(NOW, 60) is True and over.attempts == 2
    released = round_(m.RoundStatus.RUNNING, attempts=1, lease_until=None)  # pending_rounds
    assert not released.held(NOW) and released.claim(NOW, 60) is True


def test_a_handed_back_round_is_claimed_at_once_by_the_retry() -> None:
    r = round_(m.RoundStatus.DUE, lease_until=NOW + timedelta(minutes=6))
    assert not r.held(NOW) and r.claim(NOW, 60) is True


def test_a_naive_lease_from_sqlite_reads_as_utc() -> None:
    naive = (NOW + timedelta(seconds=5)).replace(tzinfo=None)
    assert round_(m.RoundStatus.RUNNING, lease_until=naive).held(NOW)
    assert not round_(m.RoundStatus.RUNNING, lease_until=naive).held(NOW + timedelta(seconds=6))


def test_only_a_running_round_renews_its_lease() -> None:
    r = round_(m.RoundStatus.RUNNING, attempts=1, lease_until=NOW)
    assert r.renew(NOW + timedelta(seconds=10), 60, attempt=1) is True
    assert r.lease_until == NOW + timedelta(seconds=70)
    for status in (m.RoundStatus.DUE, m.RoundStatus.DONE, m.RoundStatus.FAILED):
        r = round_(status, attempts=1, lease_until=NOW)
        assert r.renew(NOW, 60, attempt=1) is False and r.lease_until == NOW


def test_a_runner_that_lost_the_round_neither_renews_nor_hands_it_back() -> None:
    # Another runner's claim made attempts 2: the runner of attempt 1 lost the round.
    r = round_(m.RoundStatus.RUNNING, attempts=2, lease_until=NOW)
    assert r.renew(NOW, 60, attempt=1) is False and r.lease_until == NOW
    assert r.hand_back(NOW, 360, attempt=1) is False and r.status is m.RoundStatus.RUNNING


def test_a_failed_attempt_hands_the_round_back_due_with_a_wait_for_the_retry() -> None:
    r = round_(m.RoundStatus.RUNNING, attempts=1, lease_until=NOW + timedelta(seconds=60))
    assert r.hand_back(NOW, 360, attempt=1) is True
    assert (r.status, r.sent_at, r.attempts) == (m.RoundStatus.DUE, NOW, 1)
    assert r.lease_until == NOW + timedelta(seconds=360)


@pytest.mark.parametrize("status", [m.RoundStatus.DUE, m.RoundStatus.DONE, m.RoundStatus.FAILED])
def test_only_a_running_round_is_handed_back(status: m.RoundStatus) -> None:
    r = round_(status, error="kept")
    assert r.hand_back(NOW, 360, attempt=0) is False and r == round_(status, error="kept")


def test_finishing_records_the_scores_and_drops_lease_and_error() -> None:
    r = round_(m.RoundStatus.RUNNING, lease_until=NOW, error="earlier attempt")
    other = dataclasses.replace(SCORES, accuracy=0.5)
    assert r.finish(12, SCORES, other, NOW) == [ev.RoundCompleted(3, 2)]
    assert (r.status, r.train_size, r.test, r.eval) == (m.RoundStatus.DONE, 12, SCORES, other)
    assert (r.lease_until, r.error, r.finished_at) == (None, None, NOW) and r.final


def test_failing_is_final_with_the_reason() -> None:
    r = round_(m.RoundStatus.RUNNING, lease_until=NOW)
    r.fail("ModelError: oom")
    assert (r.status, r.error, r.lease_until) == (m.RoundStatus.FAILED, "ModelError: oom", None)
    assert r.final and r.claim(NOW, 60) is False


# --- Task transitions --------------------------------------------------------------------------


def state(t: m.Task) -> tuple[m.TaskStatus, str | None]:
    return t.status, t.last_error


def test_a_task_moves_between_collecting_training_finished_and_failed() -> None:
    t = task(m.TaskStatus.FAILED)
    t.last_error = "old"
    assert t.start_training() == [ev.TaskLocked(3, ev.LockReason.TRAINING)]
    assert state(t) == (m.TaskStatus.TRAINING, None)  # a retry clears the old failure
    assert t.open_batch(batch()) == [ev.NewBatchAvailable(3, 5, 4)]
    assert state(t) == (m.TaskStatus.COLLECTING, None)
    assert t.fail("ModelError: x") == [ev.TaskFailed(3, "ModelError: x")]
    assert state(t) == (m.TaskStatus.FAILED, "ModelError: x")
    finished = [
        ev.TaskLocked(3, ev.LockReason.FINISHED),
        ev.TaskFinished(3, ev.FinishedReason.PLATEAU),
    ]
    assert t.finish(ev.FinishedReason.PLATEAU) == finished
    assert state(t)[0] is m.TaskStatus.FINISHED
    assert t.finished_reason is ev.FinishedReason.PLATEAU
    assert task().finish()[-1] == ev.TaskFinished(3, ev.FinishedReason.POOL_EXHAUSTED)
    assert task(min_peers=1, max_peers=3).peer_rule == PeerRule(1, 1.0, 3)
