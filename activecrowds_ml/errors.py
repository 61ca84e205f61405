"""The one error hierarchy; the server maps it to GraphQL `extensions.code` values."""

from __future__ import annotations


class ActiveCrowdsError(Exception):
    """Base of every error ActiveCrowds raises on purpose."""


class ValidationError(ActiveCrowdsError, ValueError):
    """A value is out of range or malformed; `field` names it when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DatasetError(ActiveCrowdsError):
    """A dataset is missing, malformed, or too small for what was asked of it."""


class ModelError(ActiveCrowdsError):
    """A model cannot be built, loaded, or trained (unknown name, missing weights, ...)."""
