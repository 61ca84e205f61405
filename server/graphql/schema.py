"""The schema: query and mutation roots, error codes, and prepared documents."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule, specified_rules
from strawberry.schema.types.base_scalars import DateTimeDefinition

from server.graphql.documents import Documents, PreparedDocument
from server.graphql.errors import ErrorCodes
from server.graphql.mutations import Mutation
from server.graphql.queries import Query
from server.graphql.subscriptions import Subscription


def utc_isoformat(moment: datetime) -> str:
    """Every time stored is UTC, but SQLite hands them back without a zone, and JavaScript reads
    a time without one as local: always say +00:00."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


UTC_DATETIME = dataclasses.replace(DateTimeDefinition, serialize=utc_isoformat)


class Schema(strawberry.Schema):
    """Strawberry's schema running documents prepared by `documents` (the limits live there),
    without logging every expected error (ErrorCodes logs the rest)."""

    def __init__(self, *, introspection: bool = True, **kwargs: Any) -> None:
        # Validation rules go to Documents: it validates once per document, off the event loop.
        super().__init__(
            **kwargs,
            extensions=[lambda: PreparedDocument(self.documents), ErrorCodes],
            scalar_overrides={datetime: UTC_DATETIME},
        )
        closed = () if introspection else (NoSchemaIntrospectionCustomRule,)
        self.documents = Documents(self._schema, (*specified_rules, *closed))

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


def build_schema(introspection: bool = True) -> Schema:
    """A new schema (built by the app factory, not at import); without `introspection` no
    `__schema` or `__type` query is answered (`__typename` still is)."""
    return Schema(
        query=Query, mutation=Mutation, subscription=Subscription, introspection=introspection
    )


def schema_sdl() -> str:
    """The schema in SDL, as stored in schema.graphql."""
    return build_schema().as_str() + "\n"
