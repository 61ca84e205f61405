"""The crowd as the admin manages it: invites, annotators and their figures, suspensions."""

from __future__ import annotations

from datetime import datetime

import strawberry

from activecrowds.domain import crowd as domain
from activecrowds.services.crowd import AnnotatorView, CreatedInvite, Suspension
from server.graphql.types.enums import AnnotatorStatus


def _ids(task_ids: list[int] | None) -> list[strawberry.ID] | None:
    return [strawberry.ID(str(i)) for i in task_ids] if task_ids is not None else None


@strawberry.type
class Invite:
    """A code that enrols annotators; its code itself is shown only when it is created."""

    id: strawberry.ID
    hint: str = strawberry.field(description="the code's last four characters")
    task_ids: list[strawberry.ID] | None = strawberry.field(
        description="the tasks its annotators see; null: every task"
    )
    max_uses: int
    uses: int
    expires_at: datetime | None
    note: str
    revoked_at: datetime | None
    created_at: datetime | None
    usable: bool = strawberry.field(description="someone may still register with it now")

    @classmethod
    def from_domain(cls, invite: domain.Invite, now: datetime) -> Invite:
        return cls(
            id=strawberry.ID(str(invite.id)),
            hint=invite.hint,
            task_ids=_ids(invite.task_ids),
            max_uses=invite.max_uses,
            uses=invite.uses,
            expires_at=domain.aware(invite.expires_at),
            note=invite.note,
            revoked_at=domain.aware(invite.revoked_at),
            created_at=domain.aware(invite.created_at),
            usable=invite.problem(now) is None,
        )


@strawberry.type
class InvitePayload:
    invite: Invite
    code: str = strawberry.field(description="shown once: registerAnnotator(invite: code)")
    link: str = strawberry.field(description="opens the app with the code filled in")

    @classmethod
    def from_domain(cls, made: CreatedInvite, now: datetime) -> InvitePayload:
        return cls(invite=Invite.from_domain(made.invite, now), code=made.code, link=made.link)


@strawberry.type
class AnnotatorProfile:
    """One annotator as the admin sees it: status and the figures it is judged by."""

    id: strawberry.ID
    name: str
    status: AnnotatorStatus
    status_reason: str | None
    created_at: datetime | None
    task_ids: list[strawberry.ID] | None = strawberry.field(
        description="the tasks its invite covers; null: every task"
    )
    answers: int
    tasks: int = strawberry.field(description="tasks it has answered in")
    gold_answers: int = strawberry.field(description="control questions answered")
    gold_accuracy: float | None = strawberry.field(description="share of control answers right")
    agreement: float | None = strawberry.field(
        description="share of its answers on accepted samples that match the accepted label"
    )
    reliability: float | None = strawberry.field(
        description="its expected accuracy as Dawid-Skene estimates it from the crowd's"
        " answers (and control questions), averaged over its tasks"
    )
    last_answer_at: datetime | None
    token_expires_at: datetime | None

    @classmethod
    def from_domain(cls, view: AnnotatorView) -> AnnotatorProfile:
        a, f = view.annotator, view.figures
        return cls(
            id=strawberry.ID(str(a.id)),
            name=a.name,
            status=a.status,
            status_reason=a.status_reason,
            created_at=domain.aware(a.created_at),
            task_ids=_ids(a.task_ids),
            answers=f.answers,
            tasks=f.tasks,
            gold_answers=a.gold_answers,
            gold_accuracy=view.gold_accuracy,
            agreement=view.agreement,
            reliability=view.reliability,
            last_answer_at=domain.aware(f.last_answer_at),
            token_expires_at=domain.aware(a.token_expires_at),
        )


@strawberry.type
class SuspendPayload:
    """What the suspension changed: answers on open samples no longer count; samples it
    helped decide before keep their decision (`decidedAnswers` says how many)."""

    annotator: AnnotatorProfile
    uncounted_answers: int
    decided_answers: int

    @classmethod
    def from_domain(cls, done: Suspension, view: AnnotatorView) -> SuspendPayload:
        return cls(
            annotator=AnnotatorProfile.from_domain(view),
            uncounted_answers=done.uncounted_answers,
            decided_answers=done.decided_answers,
        )
