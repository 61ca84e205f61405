"""Helpers of the edge tests: the operations they send, a check that nothing was logged as an
error, row counts, and a createTask input."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from apptest import LABELS, SCENARIO
from sqlalchemy import func, select

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App

TABLES = (t.annotators, t.invites, t.tasks, t.batches, t.samples, t.answers, t.rounds)

TASK = "query($id: ID!) { task(id: $id) { id } }"
UPDATE = """mutation($id: ID!, $input: UpdateTaskInput!) {
  updateTask(id: $id, input: $input) { id title description coverImageUrl } }"""
DELETE = "mutation($id: ID!) { deleteTask(id: $id) }"
SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""
REGISTER = """mutation($name: String!, $invite: String) {
  registerAnnotator(name: $name, invite: $invite) { token } }"""
INVITE = """mutation($tasks: [ID!], $uses: Int! = 1, $expires: DateTime) {
  createInvite(taskIds: $tasks, maxUses: $uses, expiresAt: $expires) { code invite { id } } }"""
CREATE = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"
MEDIA = "query($id: ID!) { task(id: $id) { currentBatch { samples { id mediaUrl } } } }"


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not logged, [r.getMessage() for r in logged]


async def row_counts(app: App) -> dict[str, int]:
    async with app.engine.connect() as conn:
        return {
            table.name: int((await conn.execute(select(func.count()).select_from(table))).scalar())
            for table in TABLES
        }


def create_input(folder: Path, **overrides: Any) -> dict[str, Any]:
    """createTask's input on the test dataset, with the tests' scenario (as GraphQL names it)."""
    scenario = {to_camel(name): value for name, value in SCENARIO.items()}
    scenario["queryStrategy"] = scenario["queryStrategy"].upper()
    image = {"category": "IMAGE", "subcategory": "BINARY_CLASSIFICATION", "labels": LABELS}
    texts = {"title": "Dark or bright", "description": "Is the square dark or bright?"}
    return {**texts, **image, "dataset": str(folder), **scenario, **overrides}


def to_camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)
