"""The admin's use cases over the crowd: invites, and who may answer and whose answers count."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from activecrowds.domain.crowd import (
    INVITE_ALPHABET,
    INVITE_LENGTH,
    MAX_INVITE_USES,
    AnnotatorStatus,
    Invite,
    aware,
    normalize_code,
)
from activecrowds.domain.errors import NotFound, ValidationError
from activecrowds.domain.events import TokenRevoked
from activecrowds.domain.model import Annotator, Caller, Role, SampleKind
from activecrowds.domain.rules import MAX_ANSWERS, nul_problem
from activecrowds.services.auth import hash_token, require
from activecrowds.services.context import Context, commit_and_publish
from activecrowds.services.ports import AnnotatorFigures, NewInvite, UnitOfWork
from activecrowds.services.tallies import uncount_open_answers
from activecrowds_ml.consensus import WorkerModel

MAX_NOTE_LENGTH = 500


@dataclass(frozen=True)
class CreatedInvite:
    """A new invite, its code (shown once, never stored in clear) and the link the app opens."""

    invite: Invite
    code: str
    link: str


@dataclass(frozen=True)
class AnnotatorView:
    """An annotator with what the admin judges it by."""

    annotator: Annotator
    figures: AnnotatorFigures
    reliability: float | None = None  # Dawid-Skene's expected accuracy, over its tasks

    @property
    def gold_accuracy(self) -> float | None:
        a = self.annotator
        return a.gold_correct / a.gold_answers if a.gold_answers else None

    @property
    def agreement(self) -> float | None:
        """Share of its answers on accepted samples that agree with the accepted label."""
        f = self.figures
        return f.agreeing / f.on_accepted if f.on_accepted else None


@dataclass(frozen=True)
class Suspension:
    """What suspending did: answers on open samples taken back; decided ones left as decided."""

    annotator: Annotator
    uncounted_answers: int
    decided_answers: int  # its answers on samples already decided: those decisions stand


def _code() -> str:
    raw = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, INVITE_LENGTH, 4))


def _check_invite(
    task_ids: Sequence[int] | None, max_uses: int, expires_at: datetime | None, note: str
) -> None:
    if isinstance(max_uses, bool) or not 1 <= max_uses <= MAX_INVITE_USES:
        raise ValidationError(f"maxUses must be 1 to {MAX_INVITE_USES}", "maxUses")
    expires = aware(expires_at)
    if expires is not None and expires <= datetime.now(UTC):
        raise ValidationError("expiresAt must be in the future", "expiresAt")
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(f"note must be at most {MAX_NOTE_LENGTH} characters", "note")
    if problem := nul_problem({"note": note}):
        raise ValidationError(problem[1], problem[0])
    if task_ids is not None and not task_ids:
        raise ValidationError("taskIds must name a task; leave it out for every task", "taskIds")


async def create_invite(
    ctx: Context,
    caller: Caller | None,
    task_ids: Sequence[int] | None = None,
    max_uses: int = 1,
    expires_at: datetime | None = None,
    note: str = "",
) -> CreatedInvite:
    """An invite for `task_ids` (None: every task), good for `max_uses` registrations.

    Raises:
        ValidationError: uses outside 1..MAX_INVITE_USES, a past expiry, an overlong note, an
        empty task list. NotFound: a task that does not exist.
    """
    require(caller, Role.ADMIN)
    note = note.strip()
    _check_invite(task_ids, max_uses, expires_at, note)
    code = _code()
    ids = sorted(set(task_ids)) if task_ids is not None else None
    async with ctx.uow() as uow:
        if ids is not None:
            found = await uow.tasks.get_many(ids)
            if missing := [i for i in ids if i not in found]:
                raise NotFound(f"no task {missing[0]}")
        new = NewInvite(
            hash_token(normalize_code(code)), code[-4:], ids, max_uses, expires_at, note
        )
        invite = await uow.invites.add(new)
        await commit_and_publish(ctx, uow)
    return CreatedInvite(invite, code, f"{ctx.base_url}/app/?invite={quote(code)}")


async def list_invites(ctx: Context, caller: Caller | None) -> list[Invite]:
    """Every invite, newest first (their codes are not kept: only each one's last characters)."""
    require(caller, Role.ADMIN)
    async with ctx.uow(write=False) as uow:
        return await uow.invites.list()


async def revoke_invite(ctx: Context, caller: Caller | None, invite_id: int) -> Invite:
    """Nobody registers with it any more; those it enrolled keep their access.

    Raises:
        NotFound: no such invite.
    """
    require(caller, Role.ADMIN)
    async with ctx.uow() as uow:
        invite = await uow.invites.get(invite_id, lock=True)
        if invite is None:
            raise NotFound(f"no invite {invite_id}")
        invite.revoke(datetime.now(UTC))
        await uow.invites.save(invite)
        await commit_and_publish(ctx, uow)
    return invite


async def list_annotators(
    ctx: Context, caller: Caller | None, status: AnnotatorStatus | None = None
) -> list[AnnotatorView]:
    """Annotators with their figures, oldest first."""
    require(caller, Role.ADMIN)
    async with ctx.uow(write=False) as uow:
        return await views_of(uow, await uow.annotators.list(status))


async def views_of(uow: UnitOfWork, annotators: list[Annotator]) -> list[AnnotatorView]:
    """These annotators with their figures (a list or a page of them)."""
    figures = await uow.annotators.figures([a.id for a in annotators])
    crowds = await _crowds(uow)
    return [
        AnnotatorView(a, figures.get(a.id, AnnotatorFigures()), _reliability(crowds, a.id))
        for a in annotators
    ]


async def _crowds(uow: UnitOfWork) -> list[WorkerModel]:
    """Each task's estimated crowd (tasks that ran a round with answers)."""
    tasks = await uow.tasks.list(None, None, None)
    return [model for task in tasks if (model := task.worker_model()) is not None]


def _reliability(crowds: list[WorkerModel], annotator_id: int) -> float | None:
    """Its expected accuracy, averaged over the tasks whose crowd estimate knows it."""
    key = str(annotator_id)
    mine = [crowd.reliability(key) for crowd in crowds if key in crowd.confusion]
    return sum(mine) / len(mine) if mine else None


async def get_annotator(ctx: Context, caller: Caller | None, annotator_id: int) -> AnnotatorView:
    """One annotator with its figures.

    Raises:
        NotFound: no such annotator.
    """
    require(caller, Role.ADMIN)
    async with ctx.uow(write=False) as uow:
        annotator = await uow.annotators.get(annotator_id)
        if annotator is None or annotator.role is not Role.ANNOTATOR:
            raise NotFound(f"no annotator {annotator_id}")
        figures = await uow.annotators.figures([annotator_id])
        crowds = await _crowds(uow)
    found = figures.get(annotator_id, AnnotatorFigures())
    return AnnotatorView(annotator, found, _reliability(crowds, annotator_id))


async def _annotator(uow: UnitOfWork, caller: Caller, annotator_id: int) -> Annotator:
    if annotator_id == caller.id:
        raise ValidationError("an admin cannot suspend or revoke itself", "id")
    annotator = await uow.annotators.get(annotator_id, lock=True)
    if annotator is None or annotator.role is not Role.ANNOTATOR:
        raise NotFound(f"no annotator {annotator_id}")
    return annotator


async def suspend_annotator(
    ctx: Context, caller: Caller | None, annotator_id: int, reason: str = ""
) -> Suspension:
    """Its token stops working and its answers on open samples stop counting, in one
    transaction; samples it helped decide keep their decision (reported, not changed).

    Raises:
        ValidationError: the admin itself, an overlong reason. NotFound: no such annotator.
    """
    admin = require(caller, Role.ADMIN)
    reason = reason.strip() or "suspended by an admin"
    if len(reason) > MAX_NOTE_LENGTH or nul_problem({"reason": reason}):
        raise ValidationError(f"reason must be at most {MAX_NOTE_LENGTH} characters", "reason")
    async with ctx.uow() as uow:
        annotator = await _annotator(uow, admin, annotator_id)
        events = annotator.suspend(reason)
        uncounted = await uncount_open_answers(uow, annotator.id) if events else 0
        decided = await uow.answers.on_decided(annotator.id)
        await uow.annotators.save(annotator)
        uow.collect(*events)
        await commit_and_publish(ctx, uow)
    return Suspension(annotator, uncounted, decided)


async def reinstate_annotator(ctx: Context, caller: Caller | None, annotator_id: int) -> Annotator:
    """It may answer again; answers taken back at its suspension stay uncounted.

    Raises:
        NotFound: no such annotator.
    """
    admin = require(caller, Role.ADMIN)
    async with ctx.uow() as uow:
        annotator = await _annotator(uow, admin, annotator_id)
        uow.collect(*annotator.reinstate())
        await uow.annotators.save(annotator)
        await commit_and_publish(ctx, uow)
    return annotator


async def revoke_token(ctx: Context, caller: Caller | None, annotator_id: int) -> Annotator:
    """Its token stops working at once (a lost phone); its answers keep counting. It may
    register again with a new invite.

    Raises:
        NotFound: no such annotator.
    """
    admin = require(caller, Role.ADMIN)
    async with ctx.uow() as uow:
        annotator = await _annotator(uow, admin, annotator_id)
        revoked = TokenRevoked(annotator_id=annotator.id, token_hash=annotator.token_hash)
        annotator.token_hash = hash_token(secrets.token_urlsafe(32))  # nobody holds this one
        await uow.annotators.save(annotator)
        await uow.leases.release(annotator.id)  # a lost phone answers nothing it was handed
        uow.collect(revoked)
        await commit_and_publish(ctx, uow)
    return annotator


async def add_gold(
    ctx: Context, caller: Caller | None, task_id: int, samples: Sequence[tuple[int, str]]
) -> int:
    """Make unasked pool samples of a task control questions with the labels the admin gives
    (all or none); returns how many the task has that are not yet asked.

    Raises:
        NotFound: no such task, or a sample not in it. ValidationError: a sample already asked
        or not a pool sample, an unknown label, no samples, a sample twice.
    """
    require(caller, Role.ADMIN)
    ids = [sample_id for sample_id, _ in samples]
    if not ids or len(ids) > MAX_ANSWERS or len(set(ids)) != len(ids):
        raise ValidationError(f"give 1 to {MAX_ANSWERS} different samples", "samples")
    async with ctx.uow() as uow:
        task = await uow.tasks.get(task_id, lock=True)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        found = await uow.samples.get_many(ids)
        for sample_id, label in samples:
            sample = found.get(sample_id)
            if sample is None or sample.task_id != task_id:
                raise NotFound(f"task {task_id} has no sample {sample_id}")
            sample.make_gold(label, task.labels)
        await uow.samples.save_kinds(list(found.values()))
        gold = await uow.samples.of_kind(task_id, [SampleKind.GOLD])
        await commit_and_publish(ctx, uow)
    return sum(s.batch_id is None for s in gold)
