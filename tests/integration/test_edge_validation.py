"""Hostile input at the edge: ids no column can hold, NUL characters, reused ids.

Each is refused with the API's code (NOT_FOUND, BAD_USER_INPUT) on both databases, stores
nothing, and writes no traceback: a request anyone can send must not flood the log.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from apptest import ADMIN_TOKEN, Api
from edgetest import (
    CREATE,
    DELETE,
    INVITE,
    MEDIA,
    REGISTER,
    SUBMIT,
    TASK,
    UPDATE,
    create_input,
    no_traceback,
    row_counts,
)
from sqlalchemy import func, select

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App

# Beyond PostgreSQL's int4 ids, beyond SQLite's int64, and digits that are not ASCII digits.
HOSTILE_IDS = ["2147483648", "1000000000000000000", "1" * 30, "²", "٣", "-1", " 1"]


async def test_ids_no_column_can_hold_name_nothing_and_log_nothing(
    api: Api, make_task: Any, annotators: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Given an open task and an annotator
    task = await make_task()
    [(_, token)] = await annotators(1)
    sample = str(task.samples[0].id)
    caplog.set_level(logging.INFO)
    for bad in HOSTILE_IDS:
        # When every id argument is one no row can have
        # Then a task is null, a task or batch is NOT_FOUND, a sample is bad input
        assert await api.call(TASK, {"id": bad}) == {"task": None}, bad
        assert await api.error(UPDATE, {"id": bad, "input": {"title": "x"}}) == "NOT_FOUND"
        assert await api.error(DELETE, {"id": bad}) == "NOT_FOUND"
        answer = [{"sampleId": sample, "label": "dark"}]
        batch = str(task.batch.id)
        for t_id, b_id in ((bad, batch), (str(task.id), bad)):
            code = await api.error(SUBMIT, {"t": t_id, "b": b_id, "a": answer}, token)
            assert code == "NOT_FOUND", (bad, t_id, b_id)
        wrong_sample = [{"sampleId": bad, "label": "dark"}]
        code = await api.error(SUBMIT, {"t": str(task.id), "b": batch, "a": wrong_sample}, token)
        assert code == "BAD_USER_INPUT", bad
    no_traceback(caplog)


async def test_nul_characters_in_any_text_are_bad_input_and_store_nothing(
    app: App,
    api: Api,
    make_task: Any,
    annotators: Any,
    image_dataset: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given an open task, an annotator and an invite
    task = await make_task()
    [(_, token)] = await annotators(1)
    code = (await api.call(INVITE))["createInvite"]["code"]
    before = await row_counts(app)
    caplog.set_level(logging.INFO)
    # When any text sent holds a NUL character
    for name, invite in (("Ada\x00", code), ("Ada", code + "\x00")):
        registering = {"name": name, "invite": invite}
        assert await api.error(REGISTER, registering, token=None) == "BAD_USER_INPUT"
    creates = {
        "title": "Dark\x00",
        "description": "dark or\x00 bright",
        "labels": ["dark\x00", "bright"],
        "dataset": str(image_dataset) + "\x00",
        "coverImageUrl": "https://example.org/\x00.png",
        "pretrainedModel": "resnet18\x00",
    }
    for field, value in creates.items():
        code = await api.error(CREATE, {"input": create_input(image_dataset, **{field: value})})
        assert code == "BAD_USER_INPUT", field
    for field in ("title", "description", "coverImageUrl"):
        variables = {"id": str(task.id), "input": {field: creates[field]}}
        assert await api.error(UPDATE, variables) == "BAD_USER_INPUT", field
    answer = [{"sampleId": str(task.samples[0].id), "label": "dark\x00"}]
    code = await api.error(SUBMIT, {"t": str(task.id), "b": str(task.batch.id), "a": answer}, token)
    assert code == "BAD_USER_INPUT"
    # Then nothing was stored or changed (the invite is still unused), and nothing was logged
    assert await row_counts(app) == before
    assert (await api.call("{ invites { uses } }"))["invites"][0] == {"uses": 0}
    got = await api.call(
        "query($id: ID!) { task(id: $id) { title description } }", {"id": str(task.id)}
    )
    assert got["task"] == {"title": task.task.title, "description": task.task.description}
    no_traceback(caplog)


async def test_media_ids_no_column_can_hold_are_404(
    api: Api, make_task: Any, annotators: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a signed media URL of a real sample
    task = await make_task()
    [(_, token)] = await annotators(1)
    samples = (await api.call(MEDIA, {"id": str(task.id)}, token))["task"]["currentBatch"]
    signed = urlsplit(samples["samples"][0]["mediaUrl"])
    bearer = {"Authorization": f"Bearer {token}"}
    caplog.set_level(logging.INFO)
    # When the id is one no row can have, with a token, that URL's signature, or neither
    for bad in ("2147483648", "1" * 30, "9" * 5000, "²"):
        for query, headers in (("", bearer), (f"?{signed.query}", {}), ("", {})):
            got = await api.client.get(f"/media/{bad}{query}", headers=headers)
            assert got.status_code == 404, (bad, query, headers)
    # And when the expiry or the width are numbers no one means
    for query in (f"exp={'9' * 5000}&sig=0", "exp=²&sig=0"):
        assert (await api.client.get(f"{signed.path}?{query}")).status_code == 401, query
    for width in ("²", "9" * 5000):
        got = await api.client.get(f"{signed.path}?w={width}", headers=bearer)
        assert got.status_code == 400, width
    no_traceback(caplog)


async def test_a_new_task_never_gets_a_deleted_tasks_ids(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given the newest task, its open batch and a signed media URL of one of its samples
    old = await make_task(title="old")
    [(_, token)] = await annotators(1)
    urls = (await api.call(MEDIA, {"id": str(old.id)}, token))["task"]["currentBatch"]["samples"]
    old_url = urlsplit(urls[0]["mediaUrl"])
    assert (await api.client.get(f"{old_url.path}?{old_url.query}")).status_code == 200
    # When it is deleted and another task is created on the same dataset
    await api.call(DELETE, {"id": str(old.id)})
    new = await make_task(title="new")
    # Then no id comes back: task, batch and samples are all new
    assert new.id > old.id and new.batch.id > old.batch.id
    async with app.engine.connect() as conn:
        ids = select(func.min(t.samples.c.id)).where(t.samples.c.task_id == new.id)
        assert (await conn.execute(ids)).scalar_one() > max(s.id for s in old.samples)
    # And answers queued for the old batch are refused, and stored nowhere
    answers = [{"sampleId": str(s.id), "label": "dark"} for s in old.samples]
    old_payload = {"t": str(old.id), "b": str(old.batch.id), "a": answers}
    assert await api.error(SUBMIT, old_payload, token) == "NOT_FOUND"
    moved = {**old_payload, "t": str(new.id)}
    assert await api.error(SUBMIT, moved, token) in ("NOT_FOUND", "CONFLICT")
    async with app.engine.connect() as conn:
        stored = (
            select(func.count()).select_from(t.answers).where(t.answers.c.batch_id == new.batch.id)
        )
        assert (await conn.execute(stored)).scalar_one() == 0
    # And the old signed URL serves nothing
    assert (await api.client.get(f"{old_url.path}?{old_url.query}")).status_code in (401, 404)


async def test_media_urls_start_with_the_configured_address_not_the_host_header(
    api: Api, make_task: Any
) -> None:
    task = await make_task()
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Host": "evil.example"}
    body = {"query": MEDIA, "variables": {"id": str(task.id)}}
    got = (await api.client.post("/graphql", json=body, headers=headers)).json()
    url = got["data"]["task"]["currentBatch"]["samples"][0]["mediaUrl"]
    assert url.startswith("http://127.0.0.1:8000/media/"), url


async def test_a_record_id_no_column_can_hold_is_bad_input_naming_it(
    app: App,
    api: Api,
    image_dataset: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a dataset whose one pool record has an id longer than a sample's key can be
    import shutil

    from activecrowds_ml.storage import POOL_FILE

    folder = tmp_path / "long-ids"
    shutil.copytree(image_dataset, folder)
    pool = (folder / POOL_FILE).read_text().splitlines()
    long_id = "x" * 250
    pool[0] = pool[0].replace('"img060"', f'"{long_id}"')
    (folder / POOL_FILE).write_text("\n".join(pool) + "\n")
    before = await row_counts(app)
    caplog.set_level(logging.INFO)
    # When a task is created on it
    got = await api.client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"input": create_input(folder)}},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    # Then it is bad input that says which record and why, and nothing is stored or logged
    [error] = got.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert long_id[:20] in error["message"] and "200" in error["message"]
    assert await row_counts(app) == before
    no_traceback(caplog)
