"""Application errors: the ML core's hierarchy plus what a service can refuse; server/ maps them."""

from __future__ import annotations

from activecrowds_ml.errors import ActiveCrowdsError, DatasetError, ModelError, ValidationError

__all__ = [
    "ActiveCrowdsError",
    "Conflict",
    "DatasetError",
    "Forbidden",
    "ModelError",
    "NotFound",
    "RateLimited",
    "TaskLocked",
    "Unauthenticated",
    "ValidationError",
]


class NotFound(ActiveCrowdsError):
    """The task, batch, sample or annotator does not exist (or is not visible to the caller)."""


class Conflict(ActiveCrowdsError):
    """The request clashes with the current state (a second, different submission; stale data)."""


class Forbidden(ActiveCrowdsError):
    """The caller is known but their role may not do this."""


class Unauthenticated(ActiveCrowdsError):
    """No token, or a token nobody holds."""


class TaskLocked(ActiveCrowdsError):
    """The task takes no answers now: a round is training, or it finished or failed."""


class RateLimited(ActiveCrowdsError):
    """Too many requests of this kind from this client; try again later."""
