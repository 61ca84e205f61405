"""The events a `taskEvents` subscription pushes (API.md, Subscriptions)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from activecrowds.domain import events as domain
from activecrowds.services.queries import EventView
from server.graphql.context import RequestContext
from server.graphql.types.enums import LockReason
from server.graphql.types.task import Batch, Round, Task, for_admins


@strawberry.type
class NewBatchAvailable:
    """A round finished and opened a batch: annotators can answer again."""

    task: Task
    batch: Batch


@strawberry.type
class TaskLocked:
    """Nothing to answer for now: a round trains, you submitted, or the task finished."""

    task: Task
    reason: LockReason


@strawberry.type
class RoundCompleted:
    """A training round finished; its scores are in `round`."""

    task: Task
    round: Round


@strawberry.type(
    description="ADMIN (taskEvents with progress: true). Answers came into a batch: its"
    " figures as they stood; sent at most a few times a second per task, the latest always."
)
class BatchProgress:
    task: Task
    batch: Batch
    samples: int
    answers: int = strawberry.field(description="answers counted as votes so far")
    decided: int = strawberry.field(description="samples accepted or disputed")
    accepted: int
    disputed: int


HIDDEN_FAILURE = "training failed; the task's admin can see why"


def _error(root: TaskFailed, info: Info[RequestContext, None]) -> str:
    return for_admins(info, root._reason) or HIDDEN_FAILURE


@strawberry.type
class TaskFailed:
    """A round failed for good; `error` says why to admins (also `task.lastError`)."""

    task: Task
    error: str = strawberry.field(resolver=_error)
    _reason: strawberry.Private[str]


TaskEvent = Annotated[
    NewBatchAvailable | TaskLocked | RoundCompleted | TaskFailed | BatchProgress,
    strawberry.union("TaskEvent"),
]


def task_event(view: EventView) -> TaskEvent | None:
    """The GraphQL event for a domain event, or None when the API shows none for it."""
    event, task = view.event, view.task
    if task is None:
        return None
    gql_task = Task.from_domain(task)
    if isinstance(event, domain.NewBatchAvailable) and view.batch is not None:
        return NewBatchAvailable(task=gql_task, batch=Batch.from_domain(view.batch))
    if isinstance(event, domain.TaskLocked):
        return TaskLocked(task=gql_task, reason=event.reason)
    if isinstance(event, domain.RoundCompleted) and view.round is not None:
        return RoundCompleted(task=gql_task, round=Round.from_domain(view.round))
    if isinstance(event, domain.TaskFailed):
        return TaskFailed(task=gql_task, _reason=event.error)
    if isinstance(event, domain.BatchProgress) and view.batch is not None:
        return BatchProgress(
            task=gql_task,
            batch=Batch.from_domain(view.batch),
            samples=event.samples,
            answers=event.answers,
            decided=event.decided,
            accepted=event.accepted,
            disputed=event.disputed,
        )
    return None
