"""Subscription root: taskEvents(taskId) and tasksChanged, fed by the event bus."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Annotated

import strawberry
from strawberry.types import Info

from activecrowds.domain import events as domain
from activecrowds.domain.errors import NotFound, Unauthenticated
from activecrowds.domain.model import Caller, Role
from activecrowds.services import auth, queries
from activecrowds.services.queries import EventView
from server.graphql.context import RequestContext, make_loaders
from server.graphql.ids import parse_id
from server.graphql.subscriptions.feed import EventFeed
from server.graphql.subscriptions.shared import renderer
from server.graphql.subscriptions.transport import ROUTE, Route
from server.graphql.types.events import TaskEvent, task_event
from server.graphql.types.task import Task

PROGRESS = (
    "ADMIN. Also send BatchProgress as answers come in (answers, samples decided, per batch),"
    " at most a few a second per task, the latest always; an annotator asking is FORBIDDEN."
)
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


def ends_access(event: domain.Event, caller: Caller) -> bool:
    """True when the event ends this caller's access (its subscriptions end with it): a
    suspension ends all of the annotator's sessions, a revoked token only those holding it."""
    if not isinstance(event, domain.ACCESS_ENDED) or caller.is_admin:
        return False
    if isinstance(event, domain.TokenRevoked) and event.token_hash not in ("", caller.token_hash):
        return False
    return event.annotator_id == caller.id


def _refuse(event: domain.Event) -> Unauthenticated:
    if isinstance(event, domain.AnnotatorSuspended):
        return Unauthenticated(f"this annotator is suspended: {event.reason}")
    return Unauthenticated("this token was revoked; register again to get a new one")


def for_task(
    task_id: int, caller: Caller, progress: bool = False
) -> Callable[[domain.Event], bool]:
    """The filter of one taskEvents subscription: SUBMITTED goes to its annotator only, answer
    progress to an admin who asked for it (to an annotator it would tell how others answer)."""

    def wanted(event: domain.Event) -> bool:
        if ends_access(event, caller):
            return True
        if isinstance(event, domain.EventsMissed):
            return True
        if event.task_id != task_id:
            return False
        if isinstance(event, domain.TaskDeleted):
            return True  # ends the subscription
        if isinstance(event, domain.BatchProgress):
            return progress and caller.is_admin
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


async def _caught_up(info: Info[RequestContext, None], view: EventView, task_id: int) -> EventView:
    """After missed events: the event that describes the task as it stands (read once)."""
    ctx = info.context.services
    return await _feed(info).once(view.event, task_id, lambda: queries.state_view(ctx, task_id))


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def task_events(
        self,
        info: Info[RequestContext, None],
        task_id: strawberry.ID,
        progress: Annotated[bool, strawberry.argument(description=PROGRESS)] = False,
    ) -> AsyncGenerator[TaskEvent, None]:
        """What happens to one task, in order: new batch, locked, round completed, failed."""
        caller = auth.require(info.context.who(), Role.ADMIN if progress else None)
        tid = parse_id(task_id, "task")
        if await queries.get_task(info.context.services, caller, tid) is None:
            raise NotFound(f"task {task_id} does not exist")
        route = ROUTE.get()
        render = renderer(info, route, _event_root) if route else None
        wanted = for_task(tid, caller, progress)
        async for view, rendered in _feed(info).subscribe(wanted, render):
            if ends_access(view.event, caller):
                raise _refuse(view.event)
            if isinstance(view.event, domain.EventsMissed):
                view = await _caught_up(info, view, tid)
                rendered = await render(view, {}) if render else None
            if view.task is None or view.deleted:
                return  # deleted: nothing more will happen to it
            if not await _sent(info, route, rendered):
                event = _event_root(view)
                if event is not None:
                    yield event

    @strawberry.subscription
    async def tasks_changed(self, info: Info[RequestContext, None]) -> AsyncGenerator[Task, None]:
        """Any task created, updated, deleted (`deleted: true`, as it was) or changing status."""
        caller = auth.require(info.context.who())
        route = ROUTE.get()
        render = renderer(info, route, _task_root) if route else None

        def wanted(event: domain.Event) -> bool:
            if ends_access(event, caller):
                return True
            return changes_a_list(event) and caller.may_see(event.task_id)

        async for view, rendered in _feed(info).subscribe(wanted, render):
            if ends_access(view.event, caller):
                raise _refuse(view.event)
            if not await _sent(info, route, rendered):
                task = _task_root(view)
                if task is not None:
                    yield task


def _event_root(view: EventView) -> TaskEvent | None:
    return task_event(view) if view.task is not None and not view.deleted else None


def _task_root(view: EventView) -> Task | None:
    return Task.from_domain(view.task, deleted=view.deleted) if view.task is not None else None


async def _sent(
    info: Info[RequestContext, None], route: Route | None, rendered: str | Exception | None
) -> bool:
    """Send the event as rendered for this subscriber's audience (our transport): True. False:
    the GraphQL executor resolves it for this subscriber alone, on fresh loaders (nested
    fields such as lockedForMe read the state after the event)."""
    if isinstance(rendered, Exception):
        raise rendered
    if route is None:
        info.context.loaders = make_loaders(info.context.services, info.context.caller)
        return False
    if rendered is not None:
        await route.send_next(rendered)
    return True
