"""What the API tells a caller beyond their question: why a task failed, which server paths
exist, and a batch size no submission can answer."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from apptest import Api
from edgetest import CREATE, UPDATE, create_input, no_traceback, row_counts
from sqlalchemy import update

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App
from activecrowds.domain.model import TaskStatus
from activecrowds.domain.rules import MAX_ANSWERS

SCENARIO = "query($id: ID!) { task(id: $id) { scenario { batchSize } } }"


async def test_only_admins_read_why_a_task_failed(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given a task whose round failed with an exception's text
    task = await make_task()
    reason = "OSError: [Errno 13] Permission denied: '/srv/private/weights.pth'"
    async with app.engine.begin() as conn:
        failed = {"status": TaskStatus.FAILED, "last_error": reason}
        await conn.execute(update(t.tasks).where(t.tasks.c.id == task.id).values(**failed))
    [(_, token)] = await annotators(1)
    query = "query($id: ID!) { task(id: $id) { status lastError } }"
    # When an annotator and the admin read it, alone and in the task list
    seen_by_annotator = (await api.call(query, {"id": str(task.id)}, token))["task"]
    seen_by_admin = (await api.call(query, {"id": str(task.id)}))["task"]
    listed = (await api.call("{ tasks { id lastError } }", token=token))["tasks"]
    # Then only the admin gets the text
    assert seen_by_annotator == {"status": "FAILED", "lastError": None}
    assert seen_by_admin == {"status": "FAILED", "lastError": reason}
    assert all(row["lastError"] is None for row in listed)


async def test_create_task_never_tells_whether_a_server_path_exists(
    api: Api, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Given paths that exist (a folder, a file, a symlink), do not, or cannot be expanded
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("secret")
    (tmp_path / "link").symlink_to(tmp_path / "folder")
    given = [
        str(tmp_path / "folder"),
        str(tmp_path / "file"),
        str(tmp_path / "link"),
        str(tmp_path / "missing"),
        "/proc/self/cwd",
        "~nosuchuser/data",
        "relative/folder",
        "nosuchname",
    ]
    caplog.set_level(logging.INFO)
    messages = set()
    for dataset in given:
        # When each is given as the dataset
        result = await api.post(CREATE, {"input": create_input(Path(dataset))})
        [error] = result["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        messages.add(error["message"].replace(repr(dataset), "<dataset>"))
    # Then the refusal reads the same for all, naming only what was given
    assert len(messages) == 1, messages
    assert str(tmp_path) not in messages.pop()
    no_traceback(caplog)


async def test_a_batch_larger_than_one_submission_is_bad_input(
    app: App, api: Api, make_task: Any, image_dataset: Path
) -> None:
    # Given a task answered in batches of 4
    task = await make_task()
    before = await row_counts(app)
    # When a batch larger than one submission may answer is asked for
    too_big = {"input": create_input(image_dataset, batchSize=MAX_ANSWERS + 1)}
    assert await api.error(CREATE, too_big) == "BAD_USER_INPUT"
    grow = {"id": str(task.id), "input": {"batchSize": MAX_ANSWERS + 1}}
    assert await api.error(UPDATE, grow) == "BAD_USER_INPUT"
    # Then nothing is stored or changed; the largest batch one submission answers is fine
    assert await row_counts(app) == before
    assert (await api.call(SCENARIO, {"id": str(task.id)}))["task"]["scenario"]["batchSize"] == 4
    largest = {"id": str(task.id), "input": {"batchSize": MAX_ANSWERS}}
    await api.call(UPDATE, largest)
    got = (await api.call(SCENARIO, {"id": str(task.id)}))["task"]["scenario"]
    assert got["batchSize"] == MAX_ANSWERS
