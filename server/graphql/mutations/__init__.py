"""Mutation root."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from activecrowds.services import auth, tasks
from activecrowds.services.answers import submit_answers
from server.graphql.context import RequestContext
from server.graphql.ids import parse_id, parse_sample_id
from server.graphql.types.inputs import AnswerInput, CreateTaskInput, UpdateTaskInput
from server.graphql.types.misc import Annotator, AnnotatorToken, SubmitAnswersPayload
from server.graphql.types.task import Task


@strawberry.type
class Mutation:
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
    async def register_annotator(
        self, info: Info[RequestContext, None], name: str
    ) -> AnnotatorToken:
        """A new annotator token (no token needed to ask; rate-limited per client)."""
        done = await auth.register_annotator(info.context.services, name)
        return AnnotatorToken(token=done.token, annotator=Annotator.from_domain(done.caller))

    @strawberry.mutation
    async def submit_answers(
        self,
        info: Info[RequestContext, None],
        task_id: strawberry.ID,
        batch_id: strawberry.ID,
        answers: list[AnswerInput],
    ) -> SubmitAnswersPayload:
        """ANNOTATOR. All or nothing; an identical retry returns the same payload."""
        ctx = info.context
        caller = ctx.who()
        pairs = [(parse_sample_id(a.sample_id), a.label) for a in answers]
        result = await submit_answers(
            ctx.services, caller, parse_id(task_id, "task"), parse_id(batch_id, "batch"), pairs
        )
        return SubmitAnswersPayload.from_domain(result)
