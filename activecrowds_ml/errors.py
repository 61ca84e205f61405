"""The ML core's errors: what it refuses on purpose (bad values, datasets, models)."""

from __future__ import annotations


class MLError(Exception):
    """Base of every error the ML core raises on purpose."""


class ValidationError(MLError, ValueError):
    """A value is out of range or malformed; `field` names it when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DatasetError(MLError):
    """A dataset is missing, malformed, or too small for what was asked of it."""


class ModelError(MLError):
    """A model cannot be built, loaded, or trained (unknown name, missing weights, ...)."""
