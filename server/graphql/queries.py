"""Query root: categories, tasks, task, me; the crowd for the admin; pages of history."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from activecrowds.domain.errors import NotFound
from activecrowds.domain.model import Role
from activecrowds.domain.predictions import CrowdState, PredictionFilter, PredictionOrder
from activecrowds.services import auth, crowd, datasets, history, models, queries
from activecrowds.services.ports import TaskQuery
from server.graphql.context import RequestContext
from server.graphql.ids import parse_id
from server.graphql.types.crowd import AnnotatorProfile, Invite
from server.graphql.types.datasets import Dataset
from server.graphql.types.enums import AnnotatorStatus, TaskCategory, TaskStatus, TaskSubcategory
from server.graphql.types.history import ANNOTATORS, ANSWERS, TASKS, MyAnswer
from server.graphql.types.misc import Annotator, Category
from server.graphql.types.pages import Connection, connection, decode_id
from server.graphql.types.predictions import PredictionConnection, prediction_cursor
from server.graphql.types.task import Task


@strawberry.type
class Query:
    @strawberry.field
    async def categories(self, info: Info[RequestContext, None]) -> list[Category]:
        """Every category with its subcategories and their task counts."""
        found = await queries.categories(info.context.services, info.context.who())
        return [Category.from_domain(cat, subs) for cat, subs in found]

    @strawberry.field
    async def tasks(
        self,
        info: Info[RequestContext, None],
        category: TaskCategory | None = None,
        subcategory: TaskSubcategory | None = None,
        status: TaskStatus | None = None,
    ) -> list[Task]:
        """Tasks matching the filters, newest first."""
        found = await queries.list_tasks(
            info.context.services,
            info.context.who(),
            category.value if category else None,
            subcategory.value if subcategory else None,
            status,
        )
        return [Task.from_domain(t) for t in found]

    @strawberry.field
    async def task(self, info: Info[RequestContext, None], id: strawberry.ID) -> Task | None:
        """One task; null when it does not exist."""
        caller = auth.require(info.context.who())
        try:
            task_id = parse_id(id, "task")
        except NotFound:
            return None
        found = await queries.get_task(info.context.services, caller, task_id)
        return Task.from_domain(found) if found else None

    @strawberry.field
    async def me(self, info: Info[RequestContext, None]) -> Annotator | None:
        """The caller (the admin or an annotator)."""
        return Annotator.from_domain(auth.require(info.context.who()))

    @strawberry.field
    async def invites(self, info: Info[RequestContext, None]) -> list[Invite]:
        """ADMIN. Every invite, newest first."""
        found = await crowd.list_invites(info.context.services, info.context.who())
        now = datetime.now(UTC)
        return [Invite.from_domain(i, now) for i in found]

    @strawberry.field
    async def annotators(
        self, info: Info[RequestContext, None], status: AnnotatorStatus | None = None
    ) -> list[AnnotatorProfile]:
        """ADMIN. Annotators with their figures, oldest first."""
        found = await crowd.list_annotators(info.context.services, info.context.who(), status)
        return [AnnotatorProfile.from_domain(v) for v in found]

    @strawberry.field(
        description="ADMIN. The datasets on this server, by name (createTask's `dataset`)."
    )
    async def datasets(self, info: Info[RequestContext, None]) -> list[Dataset]:
        found = await datasets.list_datasets(info.context.services, info.context.who())
        return [Dataset.from_domain(d) for d in found]

    @strawberry.field(description="ADMIN. The dataset of that name; null when there is none.")
    async def dataset(self, info: Info[RequestContext, None], name: str) -> Dataset | None:
        found = await datasets.get_dataset(info.context.services, info.context.who(), name)
        return Dataset.from_domain(found) if found else None

    @strawberry.field(
        description="ADMIN. The latest round's prediction for each of a task's pool samples,"
        " with the crowd's label where it has one; most certain first unless `order` says"
        " otherwise. `first`: 1 to 100 (default 50); `after`: a previous page's endCursor."
        " `disagreements`: only samples whose accepted label differs from the prediction."
    )
    async def predictions(
        self,
        info: Info[RequestContext, None],
        task_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        label: str | None = None,
        min_confidence: float | None = None,
        max_confidence: float | None = None,
        state: CrowdState | None = None,
        disagreements: bool = False,
        order: PredictionOrder = PredictionOrder.CONFIDENCE_DESC,
    ) -> PredictionConnection:
        caller = auth.require(info.context.who(), Role.ADMIN)
        where = PredictionFilter(label, min_confidence, max_confidence, state, disagreements, order)
        cursor = prediction_cursor(after)
        task = parse_id(task_id, "task")
        page = await models.predictions(info.context.services, caller, task, where, cursor, first)
        return PredictionConnection.from_page(page, after=cursor is not None)

    @strawberry.field(
        description="Tasks matching the filters, newest first, a page at a time (for an"
        " annotator: those its invite covers). `first`: 1 to 100 (default 50); `after`: a"
        " previous page's endCursor."
    )
    async def task_connection(
        self,
        info: Info[RequestContext, None],
        first: int | None = None,
        after: str | None = None,
        category: TaskCategory | None = None,
        subcategory: TaskSubcategory | None = None,
        status: TaskStatus | None = None,
    ) -> Connection[Task]:
        ctx, position = info.context, decode_id(after, TASKS)
        where = TaskQuery(
            category.value if category else None, subcategory.value if subcategory else None, status
        )
        page = await history.task_page(ctx.services, ctx.who(), where, position, first)
        return connection(page, TASKS, lambda t: (t.id,), Task.from_domain, after is not None)

    @strawberry.field(
        description="ADMIN. Annotators with their figures, oldest first, a page at a time."
    )
    async def annotator_connection(
        self,
        info: Info[RequestContext, None],
        first: int | None = None,
        after: str | None = None,
        status: AnnotatorStatus | None = None,
    ) -> Connection[AnnotatorProfile]:
        ctx, position = info.context, decode_id(after, ANNOTATORS)
        page = await history.annotator_page(ctx.services, ctx.who(), status, position, first)
        return connection(
            page,
            ANNOTATORS,
            lambda v: (v.annotator.id,),
            AnnotatorProfile.from_domain,
            after is not None,
        )

    @strawberry.field(
        description="The caller's own answers to a task, newest first (the admin answers"
        " nothing). Nobody reads another annotator's answers: there is no argument to name one."
    )
    async def my_answers(
        self,
        info: Info[RequestContext, None],
        task_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[MyAnswer]:
        ctx, position = info.context, decode_id(after, ANSWERS)
        task = parse_id(task_id, "task")
        page = await history.my_answers(ctx.services, ctx.who(), task, position, first)
        return connection(page, ANSWERS, lambda a: (a.id,), MyAnswer.from_domain, after is not None)
