"""Events: what happened, collected during a unit of work and published after it commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from activecrowds_ml.stopping import FinishedReason


class LockReason(StrEnum):
    TRAINING = "TRAINING"
    SUBMITTED = "SUBMITTED"
    FINISHED = "FINISHED"


@dataclass(frozen=True)
class Event:
    """Base of all events; every event concerns one task."""

    task_id: int


@dataclass(frozen=True)
class TaskCreated(Event):
    pass


@dataclass(frozen=True)
class TaskUpdated(Event):
    pass


@dataclass(frozen=True)
class TaskDeleted(Event):
    """Carries the task as it was (`task_snapshot`): once it is deleted, nothing can be read."""

    task: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class AnswersSubmitted(Event):
    batch_id: int
    annotator_id: int
    count: int


@dataclass(frozen=True)
class TaskLocked(Event):
    reason: LockReason
    annotator_id: int | None = None  # set for SUBMITTED: only that annotator is locked


@dataclass(frozen=True)
class RoundDue(Event):
    """A round must run; the task queue sends it after commit."""

    number: int


@dataclass(frozen=True)
class RoundCompleted(Event):
    number: int


@dataclass(frozen=True)
class NewBatchAvailable(Event):
    """A round opened a batch for the crowd."""

    batch_id: int
    number: int


@dataclass(frozen=True)
class TaskFailed(Event):
    error: str


@dataclass(frozen=True)
class TaskFinished(Event):
    """A stopping rule held: the task asks nothing more (after TaskLocked FINISHED)."""

    reason: FinishedReason


@dataclass(frozen=True)
class EventsMissed(Event):
    """The bus was cut off for a while (task_id 0: any task); listeners re-read the state."""

    task_id: int = 0


@dataclass(frozen=True)
class AnnotatorSuspended(Event):
    """An annotator's token stops working and its answers stop counting (task_id 0: any task)."""

    task_id: int = 0
    annotator_id: int = 0
    reason: str = ""
    automatic: bool = False  # by its control answers, not by an admin


@dataclass(frozen=True)
class AnnotatorReinstated(Event):
    task_id: int = 0
    annotator_id: int = 0


@dataclass(frozen=True)
class TokenRevoked(Event):
    """An annotator's token was revoked or rotated: sessions holding the old one end."""

    task_id: int = 0
    annotator_id: int = 0
    token_hash: str = ""  # the token that stopped working ("": every token of the annotator)


ACCESS_ENDED = (AnnotatorSuspended, TokenRevoked)  # after these, the annotator's token is refused


@dataclass(frozen=True)
class BatchProgress(Event):
    """Answers came into a batch: its figures as that transaction committed them (for the
    admin's dashboards; each server's feed coalesces them per task before sending)."""

    batch_id: int = 0
    number: int = 0
    samples: int = 0
    answers: int = 0  # answers counted as votes, over the batch's samples
    accepted: int = 0
    disputed: int = 0

    @property
    def decided(self) -> int:
        return self.accepted + self.disputed
