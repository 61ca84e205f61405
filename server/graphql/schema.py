"""The schema: query and mutation roots, error codes, and limits on query size."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from server.graphql.errors import ErrorCodes
from server.graphql.mutations import Mutation
from server.graphql.queries import Query


class Schema(strawberry.Schema):
    """Strawberry's schema, without logging every expected error (ErrorCodes logs the rest)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


def build_schema() -> strawberry.Schema:
    """A new schema (built by the app factory, not at import)."""
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=10),
            lambda: MaxTokensLimiter(max_token_count=5000),
            lambda: MaxAliasesLimiter(max_alias_count=30),
            ErrorCodes,
        ],
    )


def schema_sdl() -> str:
    """The schema in SDL, as stored in schema.graphql."""
    return build_schema().as_str() + "\n"
