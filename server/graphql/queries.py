"""Query root: categories, tasks, task, me; the crowd for the admin."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from activecrowds.domain.errors import NotFound
from activecrowds.domain.model import Role
from activecrowds.domain.predictions import CrowdState, PredictionFilter, PredictionOrder
from activecrowds.services import auth, crowd, datasets, models, queries
from server.graphql.context import RequestContext
from server.graphql.ids import parse_id
from server.graphql.types.crowd import AnnotatorProfile, Invite
from server.graphql.types.datasets import Dataset
from server.graphql.types.enums import AnnotatorStatus, TaskCategory, TaskStatus, TaskSubcategory
from server.graphql.types.misc import Annotator, Category
from server.graphql.types.predictions import PredictionConnection, decode_cursor
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
        cursor = decode_cursor(after) if after is not None else None
        task = parse_id(task_id, "task")
        page = await models.predictions(info.context.services, caller, task, where, cursor, first)
        return PredictionConnection.from_page(page, after=cursor is not None)
