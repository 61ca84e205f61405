"""Enrolment and the admin's hold on the crowd, against the in-memory ports: invites (checked,
counted, expiring, revoked, scoped to tasks), suspension and reinstatement, revoked, rotated
and expired tokens.

The tasks' rule (standins.SCENARIO): a label is accepted with at least 2 answers of which at
least 75 % agree; a sample still undecided at 4 answers is disputed. Batch 0 holds p1, p3, p4.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import Fakes
from standins import Given, OpenTask

from activecrowds.domain.crowd import MAX_INVITE_USES, AnnotatorStatus
from activecrowds.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationError
from activecrowds.domain.events import (
    AnnotatorReinstated,
    AnnotatorSuspended,
    RoundDue,
    TokenRevoked,
)
from activecrowds.domain.model import ADMIN, BatchStatus, Caller, SampleState
from activecrowds.services import auth, crowd, queries
from activecrowds.services.answers import Submitted, submit_answers

OPEN, ACCEPTED = SampleState.OPEN, SampleState.ACCEPTED


def tallies(fakes: Fakes, task: OpenTask) -> dict[str, tuple[Any, ...]]:
    """Per sample key, as stored: (state, resolved label, answer count)."""
    samples = fakes.db.committed.samples_of(task.batch.id)
    return {s.key: (s.state, s.resolved_label, s.answer_count) for s in samples}


def by_key(task: OpenTask, **labels: str) -> list[tuple[int, str]]:
    return [(task.samples[key].id, label) for key, label in labels.items()]


def every(task: OpenTask, label: str) -> list[tuple[int, str]]:
    return [(s.id, label) for s in task.samples.values()]


def counted(fakes: Fakes, who: Caller) -> dict[int, bool]:
    """The annotator's stored answers: sample id -> counted as a vote."""
    answers = fakes.db.committed.answers.values()
    return {a.sample_id: a.counted for a in answers if a.annotator_id == who.id}


async def submit(fakes: Fakes, who: Caller, task: OpenTask, answers: Any) -> Submitted:
    return await submit_answers(fakes.ctx, who, task.id, task.batch.id, answers)


def status_of(fakes: Fakes, who: Caller) -> AnnotatorStatus:
    return fakes.db.committed.annotators[who.id].status


def later(monkeypatch: pytest.MonkeyPatch, delay: timedelta) -> None:
    """The services' clock runs `delay` ahead from now on."""

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + delay

    for module in ("auth", "answers", "crowd"):
        monkeypatch.setattr(f"activecrowds.services.{module}.datetime", Later)


async def enrol(fakes: Fakes, invite: str, *names: str) -> list[auth.Registered]:
    return [await auth.register_annotator(fakes.ctx, name, invite) for name in names]


async def crowd_of(fakes: Fakes, n: int) -> list[auth.Registered]:
    """n annotators enrolled with one invite for every task, with their tokens."""
    made = await crowd.create_invite(fakes.ctx, ADMIN, max_uses=n)
    return await enrol(fakes, made.code, *(f"annotator {i}" for i in range(n)))


# Invites


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_uses": 0}, "maxUses"),
        ({"max_uses": MAX_INVITE_USES + 1}, "maxUses"),
        ({"max_uses": True}, "maxUses"),
        ({"expires_at": datetime.now(UTC) - timedelta(seconds=1)}, "expiresAt"),
        ({"note": "x" * 501}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"task_ids": []}, "taskIds"),
    ],
)
async def test_a_bad_invite_is_refused_by_its_field_and_stores_nothing(
    fakes: Fakes, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        await crowd.create_invite(fakes.ctx, ADMIN, **changes)
    assert refused.value.field == field
    assert fakes.db.commits == 0 and not fakes.db.committed.invites


async def test_only_the_admin_makes_invites_and_only_for_tasks_that_exist(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    [annotator] = await given.annotators(1)
    before = dict(fakes.db.committed.invites)
    with pytest.raises(Unauthenticated):
        await crowd.create_invite(fakes.ctx, None)
    with pytest.raises(Forbidden):
        await crowd.create_invite(fakes.ctx, annotator)
    with pytest.raises(NotFound):
        await crowd.create_invite(fakes.ctx, ADMIN, task_ids=[task.id, task.id + 99])
    with pytest.raises(Forbidden):
        await crowd.list_invites(fakes.ctx, annotator)
    assert fakes.db.committed.invites == before


async def test_an_invite_enrols_as_many_annotators_as_its_uses_and_no_more(
    fakes: Fakes,
) -> None:
    # Given an invite good for two registrations
    made = await crowd.create_invite(fakes.ctx, ADMIN, max_uses=2, note="  first cohort ")
    assert made.link.endswith("/app/?invite=" + made.code) and len(made.code) == 19
    # When three people register with it, one typing the code in lower case without dashes
    typed = made.code.replace("-", "").lower()
    first, second = await enrol(fakes, made.code, "Ada", "Grace")
    assert first.caller.name == "Ada"
    with pytest.raises(ValidationError) as refused:
        await auth.register_annotator(fakes.ctx, "Edsger", typed)
    # Then the third is refused by the invite, and two annotators exist, each with its token
    assert refused.value.field == "invite" and "used 2 of 2" in str(refused.value)
    names = [a.name for a in fakes.db.committed.annotators.values()]
    assert names == ["Ada", "Grace"]
    [invite] = await crowd.list_invites(fakes.ctx, ADMIN)
    assert (invite.uses, invite.max_uses, invite.note, invite.hint) == (
        2,
        2,
        "first cohort",
        made.code[-4:],
    )
    assert made.code not in str(fakes.db.committed.invites)  # only its hash is kept
    assert await auth.authenticate(fakes.ctx, second.token) == second.caller


async def test_a_lower_case_code_without_dashes_is_the_same_invite(fakes: Fakes) -> None:
    made = await crowd.create_invite(fakes.ctx, ADMIN)
    typed = " " + made.code.replace("-", " ").lower() + " "
    [done] = await enrol(fakes, typed, "Ada")
    assert done.caller.name == "Ada"


async def test_without_an_invite_nobody_is_enrolled_unless_registration_is_open(
    fakes: Fakes,
) -> None:
    for invite in (None, "", " - "):
        with pytest.raises(Forbidden):
            await auth.register_annotator(fakes.ctx, "Mallory", invite)
    with pytest.raises(ValidationError) as unknown:
        await auth.register_annotator(fakes.ctx, "Mallory", "ABCD-EFGH-JKLM-NPQR")
    assert unknown.value.field == "invite"
    assert fakes.db.commits == 0 and not fakes.db.committed.annotators
    # While a server with open registration enrols anyone, for every task
    done = await auth.register_annotator(fakes.replace(open_registration=True), "Ada")
    assert done.caller.tasks is None


async def test_an_expired_invite_enrols_nobody(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    expires = datetime.now(UTC) + timedelta(hours=1)
    made = await crowd.create_invite(fakes.ctx, ADMIN, max_uses=5, expires_at=expires)
    await enrol(fakes, made.code, "Ada")
    later(monkeypatch, timedelta(hours=1, seconds=1))
    with pytest.raises(ValidationError) as refused:
        await auth.register_annotator(fakes.ctx, "Grace", made.code)
    assert refused.value.field == "invite" and "expired" in str(refused.value)
    [invite] = await crowd.list_invites(fakes.ctx, ADMIN)
    assert invite.uses == 1 and len(fakes.db.committed.annotators) == 1


async def test_a_revoked_invite_enrols_nobody_and_those_it_enrolled_keep_access(
    fakes: Fakes,
) -> None:
    made = await crowd.create_invite(fakes.ctx, ADMIN, max_uses=5)
    [ada] = await enrol(fakes, made.code, "Ada")
    revoked = await crowd.revoke_invite(fakes.ctx, ADMIN, made.invite.id)
    assert revoked.revoked_at is not None
    with pytest.raises(ValidationError) as refused:
        await auth.register_annotator(fakes.ctx, "Grace", made.code)
    assert refused.value.field == "invite" and "revoked" in str(refused.value)
    assert await auth.authenticate(fakes.ctx, ada.token) == ada.caller
    # Revoking again keeps the first moment; an invite that does not exist is not found
    again = await crowd.revoke_invite(fakes.ctx, ADMIN, made.invite.id)
    assert again.revoked_at == revoked.revoked_at
    with pytest.raises(NotFound):
        await crowd.revoke_invite(fakes.ctx, ADMIN, made.invite.id + 1)


async def test_an_annotator_sees_and_answers_only_the_tasks_its_invite_covers(
    fakes: Fakes, given: Given
) -> None:
    # Given tasks A and B, and an annotator enrolled for A only
    a, b = await given.open_task(), await given.open_task()
    made = await crowd.create_invite(fakes.ctx, ADMIN, task_ids=[a.id])
    [done] = await enrol(fakes, made.code, "Ada")
    who = await auth.authenticate(fakes.ctx, done.token)
    assert who is not None and who.tasks == frozenset({a.id})
    # Then it lists, reads and counts only A; B does not exist for it
    assert [t.id for t in await queries.list_tasks(fakes.ctx, who)] == [a.id]
    assert await queries.get_task(fakes.ctx, who, b.id) is None
    assert (await queries.get_task(fakes.ctx, who, a.id)) is not None
    counts = [n for _, subs in await queries.categories(fakes.ctx, who) for _, n in subs]
    assert sum(counts) == 1
    assert not await queries.hand_out(fakes.ctx, who, b.batch.id)
    # And its answers to B are refused as to a task that does not exist, storing nothing
    before = tallies(fakes, b)
    with pytest.raises(NotFound):
        await submit(fakes, who, b, every(b, "pos"))
    assert tallies(fakes, b) == before and not counted(fakes, who)
    # While its answers to A count, and the admin still sees both tasks
    assert (await submit(fakes, who, a, every(a, "pos"))).votes == len(a.samples)
    assert len(await queries.list_tasks(fakes.ctx, ADMIN)) == 2


# Suspension


@pytest.mark.parametrize("ending", ["suspend", "revoke"])
async def test_the_samples_handed_to_an_annotator_go_back_when_its_access_ends(
    fakes: Fakes, given: Given, ending: str
) -> None:
    # Given a batch whose samples need 2 answers, handed to two annotators
    task = await given.open_task()
    a, b, c = await crowd_of(fakes, 3)
    for who in (a, b):
        assert len(await queries.hand_out(fakes.ctx, who.caller, task.batch.id)) == len(
            task.samples
        )
    assert await queries.hand_out(fakes.ctx, c.caller, task.batch.id) == []
    # When an admin suspends one of them, or revokes its token (a lost phone)
    if ending == "suspend":
        await crowd.suspend_annotator(fakes.ctx, ADMIN, a.caller.id)
    else:
        await crowd.revoke_token(fakes.ctx, ADMIN, a.caller.id)
    # Then its samples are handed to the next annotator at once, not in 5 minutes
    handed = await queries.hand_out(fakes.ctx, c.caller, task.batch.id)
    assert sorted(s.id for s in handed) == sorted(s.id for s in task.samples.values())


async def test_a_resolved_batch_leaves_no_leases_behind(fakes: Fakes, given: Given) -> None:
    # Given a batch handed out to three annotators
    task = await given.open_task()
    crowd_ = await crowd_of(fakes, 3)
    for who in crowd_:
        await queries.hand_out(fakes.ctx, who.caller, task.batch.id)
    assert fakes.db.committed.leases
    # When two of them decide it
    for who in crowd_[:2]:
        await submit(fakes, who.caller, task, every(task, "pos"))
    # Then it resolved, and nobody holds anything of it any more
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.RESOLVED
    assert not fakes.db.committed.leases


async def test_a_poll_with_nothing_to_hand_out_never_waits_for_the_batchs_lock(
    fakes: Fakes, given: Given
) -> None:
    # Given a batch taken up by two annotators (2 answers needed), and a third waiting
    task = await given.open_task()
    a, b, c = await crowd_of(fakes, 3)
    for who in (a, b):
        await queries.hand_out(fakes.ctx, who.caller, task.batch.id)
    # When it polls while a submission holds the batch (the writer's lock)
    async with fakes.ctx.uow():
        polled = await asyncio.wait_for(queries.hand_out(fakes.ctx, c.caller, task.batch.id), 1)
    # Then it is told at once there is nothing for it
    assert polled == []


async def test_suspending_takes_back_its_answers_on_open_samples_and_leaves_decided_ones(
    fakes: Fakes, given: Given
) -> None:
    # Given a spammer whose "pos" helped accept p1, blocks p3 (2:1 is 67 % < 75 %), and is
    # p4's only answer
    task = await given.open_task()
    registered, *honest = await crowd_of(fakes, 3)
    spammer, a, b = registered.caller, honest[0].caller, honest[1].caller
    await submit(fakes, spammer, task, every(task, "pos"))
    await submit(fakes, a, task, by_key(task, p1="pos", p3="neg"))
    await submit(fakes, b, task, by_key(task, p3="neg"))
    assert tallies(fakes, task) == {
        "p1": (ACCEPTED, "pos", 2),
        "p3": (OPEN, None, 3),
        "p4": (OPEN, None, 1),
    }
    # When the admin suspends it
    done = await crowd.suspend_annotator(fakes.ctx, ADMIN, spammer.id, " always pos ")
    # Then its answers on p3 and p4 stop counting, at once: p3 is decided again, now "neg";
    # p1's decision stands and is reported as one it helped make
    assert (done.uncounted_answers, done.decided_answers) == (2, 1)
    assert tallies(fakes, task) == {
        "p1": (ACCEPTED, "pos", 2),
        "p3": (ACCEPTED, "neg", 2),
        "p4": (OPEN, None, 0),
    }
    mine = counted(fakes, spammer)  # every answer is kept, as evidence
    assert [mine[task.samples[k].id] for k in ("p1", "p3", "p4")] == [True, False, False]
    assert done.annotator.status is AnnotatorStatus.SUSPENDED
    assert status_of(fakes, spammer) is AnnotatorStatus.SUSPENDED
    [event] = fakes.bus.of(AnnotatorSuspended)
    assert (event.annotator_id, event.reason, event.automatic) == (spammer.id, "always pos", False)
    # And its token and its submissions are refused, saying why
    with pytest.raises(Unauthenticated, match="suspended: always pos"):
        await auth.authenticate(fakes.ctx, registered.token)
    with pytest.raises(Unauthenticated, match="suspended"):
        await submit(fakes, spammer, task, by_key(task, p4="pos"))
    # And the batch is still open, for p4
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.OPEN


async def test_a_suspension_that_leaves_every_sample_decided_resolves_the_batch_once(
    fakes: Fakes, given: Given
) -> None:
    # Given a batch that only a spammer's dissent keeps open (2:1 on every sample)
    task = await given.open_task()
    spammer, a, b = await given.annotators(3)
    await submit(fakes, spammer, task, every(task, "neg"))
    for honest in (a, b):
        await submit(fakes, honest, task, every(task, "pos"))
    assert {state for state, *_ in tallies(fakes, task).values()} == {OPEN}
    assert fakes.queue.sent == [(task.id, 0)]
    # When the admin suspends it, twice
    first = await crowd.suspend_annotator(fakes.ctx, ADMIN, spammer.id)
    again = await crowd.suspend_annotator(fakes.ctx, ADMIN, spammer.id)
    # Then every sample is accepted as the honest crowd said and the batch resolves: its
    # next round is due, and sent, exactly once
    assert set(tallies(fakes, task).values()) == {(ACCEPTED, "pos", 2)}
    assert fakes.db.committed.batches[task.batch.id].status is BatchStatus.RESOLVED
    assert [e.number for e in fakes.bus.of(RoundDue)] == [0, 1]
    assert fakes.queue.sent == [(task.id, 0), (task.id, 1)]
    # And the second suspension changed nothing and said nothing
    assert (first.uncounted_answers, first.decided_answers) == (3, 0)
    assert (again.uncounted_answers, again.decided_answers) == (0, 0)
    assert len(fakes.bus.of(AnnotatorSuspended)) == 1
    assert first.annotator.status_reason == "suspended by an admin"


async def test_bad_suspensions_are_refused_and_change_nothing(fakes: Fakes, given: Given) -> None:
    task = await given.open_task()
    [who, other] = await given.annotators(2)
    await submit(fakes, who, task, every(task, "pos"))
    commits = fakes.db.commits
    with pytest.raises(ValidationError) as itself:
        await crowd.suspend_annotator(fakes.ctx, ADMIN, ADMIN.id)
    assert itself.value.field == "id"
    with pytest.raises(ValidationError) as overlong:
        await crowd.suspend_annotator(fakes.ctx, ADMIN, who.id, "x" * 501)
    assert overlong.value.field == "reason"
    with pytest.raises(NotFound):
        await crowd.suspend_annotator(fakes.ctx, ADMIN, who.id + 99)
    with pytest.raises(Forbidden):
        await crowd.suspend_annotator(fakes.ctx, other, who.id)
    for change in (crowd.reinstate_annotator, crowd.revoke_token):
        with pytest.raises(ValidationError):
            await change(fakes.ctx, ADMIN, ADMIN.id)
        with pytest.raises(NotFound):
            await change(fakes.ctx, ADMIN, who.id + 99)
    assert fakes.db.commits == commits and status_of(fakes, who) is AnnotatorStatus.ACTIVE
    assert counted(fakes, who) == {s.id: True for s in task.samples.values()}


async def test_a_reinstated_annotator_answers_again_and_what_was_taken_back_stays_so(
    fakes: Fakes, given: Given
) -> None:
    # Given an annotator suspended with one open answer taken back
    task, other_task = await given.open_task(), await given.open_task()
    registered, other = await crowd_of(fakes, 2)
    who = registered.caller
    await submit(fakes, who, task, by_key(task, p1="pos"))
    await crowd.suspend_annotator(fakes.ctx, ADMIN, who.id)
    # When the admin reinstates it
    back = await crowd.reinstate_annotator(fakes.ctx, ADMIN, who.id)
    # Then its token works again, and the admin sees it active
    assert back.status is AnnotatorStatus.ACTIVE and back.status_reason is None
    assert await auth.authenticate(fakes.ctx, registered.token) == who
    [event] = fakes.bus.of(AnnotatorReinstated)
    assert event.annotator_id == who.id
    view = await crowd.get_annotator(fakes.ctx, ADMIN, who.id)
    assert view.annotator.status is AnnotatorStatus.ACTIVE and view.figures.answers == 1
    # And its old answer still does not count, not even when it sends it again
    await submit(fakes, who, task, by_key(task, p1="pos"))
    assert tallies(fakes, task)["p1"] == (OPEN, None, 0)
    await submit(fakes, other.caller, task, by_key(task, p1="pos"))
    assert tallies(fakes, task)["p1"] == (OPEN, None, 1)
    # While its answers to another batch count
    assert (await submit(fakes, who, other_task, by_key(other_task, p3="neg"))).votes == 1
    assert tallies(fakes, other_task)["p3"] == (OPEN, None, 1)
    # Reinstating an active annotator says nothing
    await crowd.reinstate_annotator(fakes.ctx, ADMIN, who.id)
    assert len(fakes.bus.of(AnnotatorReinstated)) == 1


async def test_the_admin_lists_annotators_by_status(fakes: Fakes, given: Given) -> None:
    a, b = await given.annotators(2)
    await crowd.suspend_annotator(fakes.ctx, ADMIN, b.id, "spam")
    listed = await crowd.list_annotators(fakes.ctx, ADMIN)
    assert [(v.annotator.name, v.annotator.status) for v in listed] == [
        ("annotator 0", AnnotatorStatus.ACTIVE),
        ("annotator 1", AnnotatorStatus.SUSPENDED),
    ]
    suspended = await crowd.list_annotators(fakes.ctx, ADMIN, AnnotatorStatus.SUSPENDED)
    assert [v.annotator.id for v in suspended] == [b.id]
    with pytest.raises(Forbidden):
        await crowd.list_annotators(fakes.ctx, a)
    with pytest.raises(NotFound):  # the admin is no annotator
        await crowd.get_annotator(fakes.ctx, ADMIN, ADMIN.id)


# Tokens


async def test_a_revoked_token_is_refused_and_its_answers_keep_counting(
    fakes: Fakes, given: Given
) -> None:
    task = await given.open_task()
    [registered] = await crowd_of(fakes, 1)
    who, token = registered.caller, registered.token
    await submit(fakes, who, task, by_key(task, p1="pos"))
    profile = await crowd.revoke_token(fakes.ctx, ADMIN, who.id)
    assert profile.status is AnnotatorStatus.ACTIVE
    with pytest.raises(Unauthenticated):
        await auth.authenticate(fakes.ctx, token)
    [event] = fakes.bus.of(TokenRevoked)
    assert event.annotator_id == who.id
    assert tallies(fakes, task)["p1"] == (OPEN, None, 1)
    assert counted(fakes, who) == {task.samples["p1"].id: True}


async def test_a_rotated_token_replaces_the_old_one_at_once(fakes: Fakes, given: Given) -> None:
    [registered] = await crowd_of(fakes, 1)
    who, old = registered.caller, registered.token
    rotated = await auth.rotate_token(fakes.ctx, who)
    assert rotated.caller == who and rotated.token != old
    assert await auth.authenticate(fakes.ctx, rotated.token) == who
    with pytest.raises(Unauthenticated):
        await auth.authenticate(fakes.ctx, old)
    [event] = fakes.bus.of(TokenRevoked)  # sessions on the old token end
    assert event.annotator_id == who.id
    with pytest.raises(Forbidden):  # the admin's token comes from the settings
        await auth.rotate_token(fakes.ctx, ADMIN)
    with pytest.raises(Unauthenticated):
        await auth.rotate_token(fakes.ctx, None)


async def test_an_expired_token_is_refused_until_it_is_rotated(
    fakes: Fakes, given: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given tokens that live a day
    ctx = fakes.replace(token_ttl_s=86_400.0)
    task = await given.open_task()
    made = await crowd.create_invite(ctx, ADMIN)
    done = await auth.register_annotator(ctx, "Ada", made.code)
    stored = fakes.db.committed.annotators[done.caller.id].token_expires_at
    assert stored is not None and stored > datetime.now(UTC) + timedelta(hours=23)
    rotated = await auth.rotate_token(ctx, done.caller)  # a fresh day from now
    # When a day and a second have passed
    later(monkeypatch, timedelta(days=1, seconds=1))
    # Then its token is refused, saying it expired, and so are its answers
    with pytest.raises(Unauthenticated, match="expired"):
        await auth.authenticate(ctx, rotated.token)
    with pytest.raises(Unauthenticated, match="expired"):
        await submit_answers(ctx, done.caller, task.id, task.batch.id, every(task, "pos"))
    assert not counted(fakes, done.caller)
    # While tokens of a server without a token life never expire
    [forever] = await crowd_of(fakes, 1)
    assert await auth.authenticate(fakes.ctx, forever.token) == forever.caller


async def test_a_token_whose_access_ended_cannot_rotate_itself_a_new_one(
    fakes: Fakes, given: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a suspended annotator and one whose token expired, each signed in a moment ago
    # (a server remembers who holds a token for a few minutes)
    ctx = fakes.replace(token_ttl_s=60.0)
    made = await crowd.create_invite(ctx, ADMIN, max_uses=2)
    suspended, expired = [await auth.register_annotator(ctx, n, made.code) for n in "ab"]
    await crowd.suspend_annotator(ctx, ADMIN, suspended.caller.id)
    later(monkeypatch, timedelta(seconds=61))
    # When each asks for a new token
    # Then it is refused, and its token stays refused
    for done, why in ((suspended, "suspended"), (expired, "expired")):
        with pytest.raises(Unauthenticated, match=why):
            await auth.rotate_token(ctx, done.caller)
        with pytest.raises(Unauthenticated, match=why):
            await auth.authenticate(ctx, done.token)
