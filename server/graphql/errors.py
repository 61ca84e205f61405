"""Errors become GraphQL errors with a stable `extensions.code`; nothing else leaks."""

from __future__ import annotations

import logging
import math

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from activecrowds.domain.errors import (
    Conflict,
    DatasetError,
    Forbidden,
    ModelError,
    NotCollecting,
    NotFound,
    RateLimited,
    Unauthenticated,
    ValidationError,
)
from server.uploads import UploadRefused

log = logging.getLogger(__name__)


class QueryTooComplex(Exception):
    """The document is longer, or asks for more nodes, than one request may."""


class PersistedQueryNotFound(Exception):
    """The persisted-query hash names no trusted document."""


class QueryNotTrusted(Exception):
    """Only trusted documents run here, and this is not one."""


CODES: tuple[tuple[type[Exception], str], ...] = (
    (Unauthenticated, "UNAUTHENTICATED"),
    (Forbidden, "FORBIDDEN"),
    (NotFound, "NOT_FOUND"),
    (ValidationError, "BAD_USER_INPUT"),
    (DatasetError, "BAD_USER_INPUT"),
    (ModelError, "BAD_USER_INPUT"),  # createTask with an unknown or unusable model
    (Conflict, "CONFLICT"),
    (NotCollecting, "TASK_LOCKED"),
    (RateLimited, "RATE_LIMITED"),
    (QueryTooComplex, "QUERY_TOO_COMPLEX"),
    (PersistedQueryNotFound, "PERSISTED_QUERY_NOT_FOUND"),
    (QueryNotTrusted, "QUERY_NOT_TRUSTED"),
)


def code_of(error: BaseException | None) -> str:
    """The API.md code for an exception raised while resolving a field."""
    if isinstance(error, UploadRefused):
        return error.code
    for cls, code in CODES:
        if isinstance(error, cls):
            return code
    return "INTERNAL"


def error_extensions(error: BaseException) -> dict[str, object]:
    """`extensions` of the error: its code; for RATE_LIMITED `retryAfter` (whole seconds, at
    least 1) when the limit says when it has room again; for CONFLICT which one (`reason`:
    BATCH_CLOSED, ALREADY_ANSWERED); for bad classify inputs `bad`: [{file, reason}]."""
    out: dict[str, object] = {"code": code_of(error)}
    retry_after = getattr(error, "retry_after", None) if isinstance(error, RateLimited) else None
    if retry_after is not None:
        out["retryAfter"] = max(1, math.ceil(retry_after))
    if isinstance(error, Conflict) and error.reason:
        out["reason"] = error.reason
    bad = getattr(error, "bad", None)  # classify's bad inputs (activecrowds_ml.classify)
    if bad:
        out["bad"] = [{"file": b.name, "reason": b.reason} for b in bad]
    return out


class ErrorCodes(MaskErrors):
    """Adds `extensions.code` to every error and hides the message of unexpected ones."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True, error_message="internal error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            # Parse, validation and variable-coercion errors: the query itself is wrong.
            code, message, extra = "BAD_USER_INPUT", error.message, {}
        else:
            code, extra = code_of(original), error_extensions(original)
            message = str(original) if code != "INTERNAL" else self.error_message
            field = getattr(original, "field", None)
            if field:
                extra["field"] = field
            if code == "INTERNAL":
                log.error("unexpected error in %s", error.path, exc_info=original)
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={**(error.extensions or {}), **extra, "code": code},
        )
