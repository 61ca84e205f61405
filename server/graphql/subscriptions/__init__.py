"""Subscription root: taskEvents(taskId) and tasksChanged, fed by the event bus."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable

import strawberry
from strawberry.types import Info

from activecrowds.domain import events as domain
from activecrowds.domain.errors import NotFound
from activecrowds.domain.model import Caller
from activecrowds.services import auth, queries
from server.graphql.context import RequestContext, make_loaders
from server.graphql.ids import parse_id
from server.graphql.subscriptions.feed import EventFeed
from server.graphql.types.events import TaskEvent, task_event
from server.graphql.types.task import Task

TASK_EVENTS = (
    domain.NewBatchAvailable,
    domain.TaskLocked,
    domain.RoundCompleted,
    domain.TaskFailed,
)
# Events after which a task list shows something new (a status, a title...).
TASK_CHANGES = (
    domain.TaskCreated,
    domain.TaskUpdated,
    domain.TaskDeleted,
    domain.NewBatchAvailable,
    domain.TaskLocked,
    domain.TaskFailed,
)


def for_task(task_id: int, caller: Caller) -> Callable[[domain.Event], bool]:
    """The filter of one taskEvents subscription: SUBMITTED goes to its annotator only."""

    def wanted(event: domain.Event) -> bool:
        if isinstance(event, domain.EventsMissed):
            return True
        if event.task_id != task_id:
            return False
        if isinstance(event, domain.TaskDeleted):
            return True  # ends the subscription
        if not isinstance(event, TASK_EVENTS):
            return False
        if isinstance(event, domain.TaskLocked) and event.annotator_id is not None:
            return event.annotator_id == caller.id and not caller.is_admin
        return True

    return wanted


def changes_a_list(event: domain.Event) -> bool:
    if isinstance(event, domain.TaskLocked):
        return event.annotator_id is None  # one annotator's SUBMITTED changes no list
    return isinstance(event, TASK_CHANGES)


def _feed(info: Info[RequestContext, None]) -> EventFeed:
    feed: EventFeed = info.context.request.app.state.feed
    return feed


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def task_events(
        self, info: Info[RequestContext, None], task_id: strawberry.ID
    ) -> AsyncGenerator[TaskEvent, None]:
        """What happens to one task, in order: new batch, locked, round completed, failed."""
        caller = auth.require(info.context.who())
        tid = parse_id(task_id, "task")
        if await queries.get_task(info.context.services, caller, tid) is None:
            raise NotFound(f"task {task_id} does not exist")
        async for view in _feed(info).subscribe(for_task(tid, caller)):
            if isinstance(view.event, domain.EventsMissed):
                view = await queries.state_view(info.context.services, tid)  # catch up
            if view.task is None or view.deleted:
                return  # deleted: nothing more will happen to it
            event = task_event(view)
            if event is not None:
                # Fresh loaders: nested fields (lockedForMe, samples) read the state after it.
                info.context.loaders = make_loaders(info.context.services, caller)
                yield event

    @strawberry.subscription
    async def tasks_changed(self, info: Info[RequestContext, None]) -> AsyncGenerator[Task, None]:
        """Any task created, updated, deleted (`deleted: true`, as it was) or changing status."""
        caller = auth.require(info.context.who())
        async for view in _feed(info).subscribe(changes_a_list):
            if view.task is not None:
                info.context.loaders = make_loaders(info.context.services, caller)
                yield Task.from_domain(view.task, deleted=view.deleted)
