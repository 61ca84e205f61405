"""Mutation root."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from activecrowds.domain.model import Review
from activecrowds.domain.rules import LATE_ANSWERS_S
from activecrowds.services import assignments, auth, crowd, review, tasks
from activecrowds.services.answers import submit_answers
from server.graphql.context import RequestContext
from server.graphql.ids import parse_id, parse_sample_id
from server.graphql.mutations.classify import ClassifyMutation
from server.graphql.types.crowd import AnnotatorProfile, Invite, InvitePayload, SuspendPayload
from server.graphql.types.inputs import AnswerInput, CreateTaskInput, UpdateTaskInput
from server.graphql.types.misc import Annotator, AnnotatorToken, SubmitAnswersPayload
from server.graphql.types.task import Sample, Task


@strawberry.type
class Mutation(ClassifyMutation):
    @strawberry.mutation
    async def create_task(self, info: Info[RequestContext, None], input: CreateTaskInput) -> Task:
        """ADMIN. Validate, store the task with its dataset snapshot, and start round 0."""
        ctx = info.context
        task = await tasks.create_task(ctx.services, ctx.who(), input.to_command())
        return Task.from_domain(task)

    @strawberry.mutation
    async def update_task(
        self, info: Info[RequestContext, None], id: strawberry.ID, input: UpdateTaskInput
    ) -> Task:
        """ADMIN. Change texts, cover, peer rule, strategy or batch size."""
        ctx = info.context
        caller = ctx.who()
        task = await tasks.update_task(
            ctx.services, caller, parse_id(id, "task"), input.to_command()
        )
        return Task.from_domain(task)

    @strawberry.mutation
    async def delete_task(self, info: Info[RequestContext, None], id: strawberry.ID) -> bool:
        """ADMIN. Remove the task and its answers; pending rounds are dropped."""
        ctx = info.context
        caller = ctx.who()
        return await tasks.delete_task(ctx.services, caller, parse_id(id, "task"))

    @strawberry.mutation
    async def review_sample(
        self,
        info: Info[RequestContext, None],
        sample_id: strawberry.ID,
        action: Review,
        label: str | None = None,
    ) -> Sample:
        """ADMIN. The owner's decision on a sample the crowd has decided: DECIDE gives it
        `label` (a disputed sample gets one, an accepted one is corrected), DISCARD takes it
        out of training (state DISCARDED), REASK sends it back to the crowd (no label): its
        answers stay stored but stop counting, it is OPEN with no votes in the open batch (or
        the next batch opened), and only annotators who never answered it are handed it. It
        counts from the next round on. CONFLICT with `extensions.reason` NOT_DECIDED while
        the crowd has not decided it; REASK on a finished or failed task is refused."""
        ctx = info.context
        sample = await review.review_sample(
            ctx.services, ctx.who(), parse_id(sample_id, "sample"), action, label
        )
        return Sample.from_domain(sample)

    @strawberry.mutation
    async def release_assignments(self, info: Info[RequestContext, None]) -> bool:
        """ANNOTATOR. Hand back every sample handed to me (signing out of a shared phone,
        leaving a task): the next annotator is handed them at once, not when the lease ends.
        Answers already sent stay."""
        ctx = info.context
        return await assignments.release_assignments(ctx.services, ctx.who())

    @strawberry.mutation
    async def register_annotator(
        self, info: Info[RequestContext, None], name: str, invite: str | None = None
    ) -> AnnotatorToken:
        """A new annotator token (no token needed to ask; rate-limited per client). Needs an
        invite code unless the server has open registration; the annotator then sees the
        tasks the invite covers."""
        done = await auth.register_annotator(info.context.services, name, invite)
        return AnnotatorToken(token=done.token, annotator=Annotator.from_domain(done.caller))

    @strawberry.mutation
    async def rotate_token(self, info: Info[RequestContext, None]) -> AnnotatorToken:
        """ANNOTATOR. A new token for the caller; the one it sent stops working at once."""
        done = await auth.rotate_token(info.context.services, info.context.who())
        return AnnotatorToken(token=done.token, annotator=Annotator.from_domain(done.caller))

    @strawberry.mutation
    async def create_invite(
        self,
        info: Info[RequestContext, None],
        task_ids: list[strawberry.ID] | None = None,
        max_uses: int = 1,
        expires_at: datetime | None = None,
        note: str = "",
    ) -> InvitePayload:
        """ADMIN. An invite code for `taskIds` (null: every task), good for `maxUses`
        registrations until `expiresAt`; the code is shown only now."""
        ctx = info.context
        ids = [parse_id(i, "task") for i in task_ids] if task_ids is not None else None
        made = await crowd.create_invite(ctx.services, ctx.who(), ids, max_uses, expires_at, note)
        return InvitePayload.from_domain(made, datetime.now(UTC))

    @strawberry.mutation
    async def add_control_questions(
        self, info: Info[RequestContext, None], task_id: strawberry.ID, samples: list[AnswerInput]
    ) -> int:
        """ADMIN. Make unasked pool samples control questions with the labels given (all or
        none); returns how many control questions the task has left to ask. A share of each
        later batch (goldShare) is drawn from them."""
        ctx = info.context
        pairs = [(parse_sample_id(a.sample_id), a.label) for a in samples]
        tid = parse_id(task_id, "task")
        return await crowd.add_gold(ctx.services, ctx.who(), tid, pairs)

    @strawberry.mutation
    async def revoke_invite(self, info: Info[RequestContext, None], id: strawberry.ID) -> Invite:
        """ADMIN. Nobody registers with it any more; those it enrolled keep their access."""
        ctx = info.context
        invite = await crowd.revoke_invite(ctx.services, ctx.who(), parse_id(id, "invite"))
        return Invite.from_domain(invite, datetime.now(UTC))

    @strawberry.mutation
    async def suspend_annotator(
        self, info: Info[RequestContext, None], id: strawberry.ID, reason: str = ""
    ) -> SuspendPayload:
        """ADMIN. Its token stops working and its answers on open samples stop counting, at
        once; labels already decided stay as they are (the payload says how many it helped
        decide)."""
        ctx = info.context
        annotator_id = parse_id(id, "annotator")
        done = await crowd.suspend_annotator(ctx.services, ctx.who(), annotator_id, reason)
        view = await crowd.get_annotator(ctx.services, ctx.who(), annotator_id)
        return SuspendPayload.from_domain(done, view)

    @strawberry.mutation
    async def reinstate_annotator(
        self, info: Info[RequestContext, None], id: strawberry.ID
    ) -> AnnotatorProfile:
        """ADMIN. It may answer again; answers taken back at its suspension stay uncounted."""
        ctx = info.context
        annotator_id = parse_id(id, "annotator")
        await crowd.reinstate_annotator(ctx.services, ctx.who(), annotator_id)
        return AnnotatorProfile.from_domain(
            await crowd.get_annotator(ctx.services, ctx.who(), annotator_id)
        )

    @strawberry.mutation
    async def revoke_token(
        self, info: Info[RequestContext, None], annotator_id: strawberry.ID
    ) -> AnnotatorProfile:
        """ADMIN. The annotator's token stops working at once (a lost phone); its answers
        keep counting."""
        ctx = info.context
        who = parse_id(annotator_id, "annotator")
        await crowd.revoke_token(ctx.services, ctx.who(), who)
        return AnnotatorProfile.from_domain(await crowd.get_annotator(ctx.services, ctx.who(), who))

    @strawberry.mutation
    async def submit_answers(
        self,
        info: Info[RequestContext, None],
        task_id: strawberry.ID,
        batch_id: strawberry.ID,
        answers: list[AnswerInput],
        opened_at: Annotated[
            datetime | None,
            strawberry.argument(
                description="when the app showed this batch: if the crowd decided it after"
                " that, these answers are kept as evidence of the annotator's quality"
                f" (counted 0) instead of being refused, for {LATE_ANSWERS_S / 60:g} minutes"
                " after opening"
            ),
        ] = None,
    ) -> SubmitAnswersPayload:
        """ANNOTATOR. All or nothing; an identical retry returns the same payload."""
        ctx = info.context
        caller = ctx.who()
        pairs = [(parse_sample_id(a.sample_id), a.label) for a in answers]
        task, batch = parse_id(task_id, "task"), parse_id(batch_id, "batch")
        result = await submit_answers(ctx.services, caller, task, batch, pairs, opened_at)
        return SubmitAnswersPayload.from_domain(result)
