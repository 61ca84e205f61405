"""The schema: query and mutation roots, error codes, and limits on query size."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from server.graphql.errors import ErrorCodes
from server.graphql.mutations import Mutation
from server.graphql.queries import Query
from server.graphql.subscriptions import Subscription


class Schema(strawberry.Schema):
    """Strawberry's schema, without logging every expected error (ErrorCodes logs the rest)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        return None


def build_schema() -> strawberry.Schema:
    """A new schema (built by the app factory, not at import)."""
    # The limit rules are built once: the validation cache is keyed by the rule classes, so
    # per-request limiter instances (each with new classes) would never hit it.
    rules = [
        *QueryDepthLimiter(max_depth=10).validation_rules,
        *MaxAliasesLimiter(max_alias_count=30).validation_rules,
    ]
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            # Clients send the same few documents with new variables: parse and validate once.
            lambda: ParserCache(maxsize=512),
            lambda: AddValidationRules(rules),
            lambda: ValidationCache(maxsize=512),
            lambda: MaxTokensLimiter(max_token_count=5000),
            ErrorCodes,
        ],
    )


def schema_sdl() -> str:
    """The schema in SDL, as stored in schema.graphql."""
    return build_schema().as_str() + "\n"
