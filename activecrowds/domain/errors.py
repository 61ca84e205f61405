"""What the application refuses, and why; server/ maps each class to an `extensions.code`.

Bad values, datasets and models are the ML core's vocabulary (`activecrowds_ml.errors`): the
same classes are raised here, so one idea has one class.
"""

from __future__ import annotations

from activecrowds_ml.errors import DatasetError, MLError, ModelError, ValidationError

__all__ = [
    "ActiveCrowdsError",
    "Conflict",
    "DatasetError",
    "Forbidden",
    "MLError",
    "ModelError",
    "NotCollecting",
    "NotDecided",
    "NotFound",
    "RateLimited",
    "Refusal",
    "Unauthenticated",
    "ValidationError",
]


class ActiveCrowdsError(Exception):
    """Base of every error the application raises on purpose."""


# What a caller can be told as it is: the application's refusals and the ML core's.
Refusal = (ActiveCrowdsError, MLError)


class NotFound(ActiveCrowdsError):
    """The task, batch, sample or annotator does not exist (or is not visible to the caller)."""


class Conflict(ActiveCrowdsError):
    """The request clashes with the current state (a second, different submission; stale data).

    `reason` tells the kinds apart for clients (the code stays CONFLICT, as clients rely on).
    """

    reason: str | None = None


class BatchClosed(Conflict):
    """The batch answered is no longer open: fetch the current one."""

    reason = "BATCH_CLOSED"


class AlreadyAnswered(Conflict):
    """The caller answered this batch already, with other answers."""

    reason = "ALREADY_ANSWERED"


class NotDecided(Conflict):
    """The crowd has not decided this sample yet: it is reviewed once it has."""

    reason = "NOT_DECIDED"


class Forbidden(ActiveCrowdsError):
    """The caller is known but their role may not do this."""


class Unauthenticated(ActiveCrowdsError):
    """No token, or a token nobody holds."""


class NotCollecting(ActiveCrowdsError):
    """The task takes no answers now: a round is training, or it finished or failed."""


class RateLimited(ActiveCrowdsError):
    """Too many requests of this kind from this client; try again in `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
