"""What the gate measures before and after parsing: tokens, node cost, depth, aliases, budgets."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLList,
    GraphQLObjectType,
    Lexer,
    Source,
    TokenKind,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    graphql_sync,
    parse,
)

from activecrowds.config import Settings
from activecrowds.services.gate import KeyedLocks
from server.graphql.budget import Budget
from server.graphql.cost import LIST_SIZES, Measure, Shape, list_sizes
from server.graphql.documents import digest, tokens
from server.graphql.schema import build_schema

DOCUMENTS = [
    "{ me { id } }",
    'query Q($a: [AnswerInput!]! = [{sampleId: "1", label: "{ not } a, brace #"}]) { me { id } }',
    '# a comment { }\nmutation { registerAnnotator(name: "say \\"hi\\"") { token } }',
    '{ task(id: """a block "string" with \\""" and { braces }""") { id } }',
    "query { ...F } fragment F on Query { tasks(category: IMAGE) { id labels } }",
    "{ a: tasks { rounds { accuracy } } , b: me { id } } # trailing",
    "{ x(f: -1.5e3, i: 0, l: [1, 2,3], o: {k: null, b: true}) @skip(if: $v) }",
]


def lexer_tokens(text: str) -> list[str]:
    lexer, found = Lexer(Source(text)), []
    while (token := lexer.advance()).kind is not TokenKind.EOF:
        found.append(token.value if token.value is not None else token.kind.value)
    return found


@pytest.mark.parametrize("text", DOCUMENTS)
def test_tokens_are_counted_as_the_parser_counts_them(text: str) -> None:
    assert len(tokens(text)) == len(lexer_tokens(text))
    assert len(tokens(text, limit=3)) == min(4, len(lexer_tokens(text)))


def test_the_digest_ignores_layout_and_comments_but_not_meaning() -> None:
    written = "query Q {\n  tasks(category: IMAGE) { id } # mine\n}, "
    assert digest(tokens(written)) == digest(tokens("query Q{tasks(category:IMAGE){id}}"))
    assert digest(tokens('{ x(s: "a  b") }')) != digest(tokens('{ x(s: "a b") }'))


def test_every_list_of_objects_in_the_schema_has_an_assumed_size() -> None:
    schema = build_schema()._schema
    lists = {
        (t.name, name)
        for t in schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and not t.name.startswith("__")
        for name, f in t.fields.items()
        if isinstance(get_nullable_type(f.type), GraphQLList)
        and isinstance(get_named_type(f.type), GraphQLObjectType)
    }
    assert lists == set(LIST_SIZES)


def shape(query: str) -> Shape:
    schema = build_schema()._schema
    [found] = Measure(schema, parse(query), list_sizes(schema)).operations().values()
    return found


def test_nodes_are_lists_times_their_sizes_and_fragments_count_per_spread() -> None:
    tasks, rounds, samples = LIST_SIZES[("Query", "tasks")], LIST_SIZES[("Task", "rounds")], 100
    assert shape("{ me { id } }") == Shape(nodes=1, depth=1)
    assert shape("{ tasks { id rounds { f1 } } }").nodes == tasks + tasks * rounds
    nested = "{ tasks { currentBatch { samples { id } } } }"
    assert shape(nested) == Shape(tasks + tasks + tasks * samples, depth=3)
    spread = "query { ...F ...F x: me { id } } fragment F on Query { y: me { id } }"
    assert shape(spread) == Shape(nodes=3, depth=1, aliases=3)
    union = "subscription { taskEvents(taskId: 1) { ... on RoundCompleted { round { f1 } } } }"
    assert shape(union) == Shape(nodes=2, depth=2)
    # Introspection counts the schema's own sizes and adds no depth, as Strawberry's limiter
    assert shape("{ __schema { types { name } } }").depth == 0
    assert shape("{ __schema { types { name } } }").nodes > 1


def objects_in(value: Any) -> int:
    """How many objects a response holds below its root."""
    items = value if isinstance(value, list) else value.values() if isinstance(value, dict) else []
    return sum(isinstance(item, dict) + objects_in(item) for item in items)


def test_a_clients_schema_introspection_fits_in_one_request_and_is_not_undercounted() -> None:
    # Given the introspection query gql, GraphiQL and code generators send for the schema
    schema = build_schema()._schema
    limit = Settings(Path(), "sqlite+aiosqlite://", "admin").max_query_cost  # the default
    for query in (get_introspection_query(), get_introspection_query(descriptions=True)):
        # Then it fits in one request under the default limit, and is never counted below
        # what it really returns
        answer = graphql_sync(schema, query)
        assert not answer.errors and answer.data is not None
        assert objects_in(answer.data) <= shape(query).nodes <= limit
    # While introspection nested deeper counts the largest lists at every level below types
    deep = """{ __schema { types { fields { type { fields { type { name } } } }
      inputFields { type { inputFields { name } } } } } }"""
    answer = graphql_sync(schema, deep)
    assert answer.data is not None and shape(deep).nodes >= objects_in(answer.data)


def test_a_budget_is_spent_within_a_minute_and_comes_back_whole() -> None:
    now = [1000.0]
    budget = Budget(10, clock=lambda: now[0])
    budget.spend("a", 7)
    assert budget.remaining("a") == 3 and budget.remaining("b") == 10
    budget.spend("a", -2)  # a guess paid back
    now[0] += 59
    assert budget.remaining("a") == 5 and budget.resets_in("a") == pytest.approx(1)
    now[0] += 1
    assert budget.remaining("a") == 10


async def test_keyed_locks_come_one_at_a_time_per_key_and_are_forgotten() -> None:
    turns, order = KeyedLocks(), []

    async def take(key: str, name: str) -> None:
        async with turns.hold(key):
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")

    await asyncio.gather(take("a", "1"), take("a", "2"), take("b", "3"))
    assert order.index("1 out") < order.index("2 in")  # the same key waits its turn
    assert order.index("3 in") < order.index("1 out")  # another key does not
    assert not turns._locks
