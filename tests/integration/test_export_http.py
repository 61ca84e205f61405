"""A task's labels exported over HTTP, on SQLite and PostgreSQL: only the admin downloads them;
the JSONL read back is what the database holds (every answer once, with its annotator and
whether it counted), the CSV parses to the same samples, the image folder holds the files."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from apptest import ADMIN_TOKEN, LABELS, Api
from sqlalchemy import select

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App
from activecrowds.domain.model import SampleKind
from activecrowds.services.answers import submit_answers

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
GOLD: dict[str, Any] = {"gold_share": 0.5, "gold_size": 8}  # 2 control questions per batch


def truth(sample: Any) -> str:
    """The squares dataset: file NNN.png is dark for even NNN, bright for odd."""
    return LABELS[int(str(sample.file).split("/")[-1][:3]) % 2]


async def stored(app: App, task_id: int) -> tuple[dict[int, Any], set[tuple[Any, ...]]]:
    """The task's sample rows by id, and its answers as (sample, annotator, label, counted)."""
    s, a = t.samples.c, t.answers.c
    async with app.engine.connect() as conn:
        samples = {
            r.id: r for r in await conn.execute(select(t.samples).where(s.task_id == task_id))
        }
        query = select(a.sample_id, a.annotator_id, a.label, a.counted).where(
            a.sample_id.in_(list(samples))
        )
        answers = {tuple(r) for r in await conn.execute(query)}
    return samples, answers


async def test_the_admin_exports_every_sample_and_answer_as_the_database_holds_them(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given a task with control questions whose first batch two annotators answered
    task = await make_task("export", **GOLD)
    (a, _), (b, _) = await annotators(2)
    answers = [(s.id, truth(s)) for s in task.samples]
    for who in (a, b):
        await submit_answers(app.ctx, who, task.id, task.batch.id, answers)
    await app.queue.join()
    # When the admin downloads the JSONL
    got = await api.client.get(f"/export/{task.id}.jsonl", headers=ADMIN)
    # Then it streams as an attachment, one line per sample
    assert got.status_code == 200, got.text
    assert (
        got.headers["content-disposition"] == f'attachment; filename="task-{task.id}-labels.jsonl"'
    )
    assert got.headers["content-type"].startswith("application/x-ndjson")
    assert "content-length" not in got.headers  # streamed: its size is known only at the end
    rows = [json.loads(line) for line in got.text.splitlines()]
    samples, held = await stored(app, task.id)
    assert [r["sample_id"] for r in rows] == sorted(samples)
    # and every answer stored is in it exactly once, with its annotator and whether it counted
    exported = [
        (r["sample_id"], x["annotator_id"], x["label"], x["counted"])
        for r in rows
        for x in r["answers"]
    ]
    assert len(exported) == len(held) == 2 * len(task.samples)
    assert set(exported) == held
    assert all(x["at"].endswith("+00:00") for r in rows for x in r["answers"])
    # and each sample's split, label and state are the database's
    splits = {"SEED": "seed", "EVAL": "eval", "TEST": "test", "GOLD": "gold"}
    for r in rows:
        row = samples[r["sample_id"]]
        assert r["key"] == row.key and r["file"] == row.file
        assert r["state"] == (row.state.value if row.state else None)
        if row.kind is SampleKind.POOL:
            assert r["split"] == ("crowd" if row.batch_id else "pool")
            assert r["label"] == (row.resolved_label if r["state"] == "ACCEPTED" else None)
        else:
            assert r["split"] == splits[row.kind.value] and r["label"] == row.label
    batch_0 = {s.id for s in task.samples}
    accepted = [r for r in rows if r["split"] == "crowd" and r["sample_id"] in batch_0]
    assert accepted and all(r["state"] == "ACCEPTED" for r in accepted)
    assert all(r["trained_from_round"] == 1 and r["agreement"] == 1.0 for r in accepted)
    assert {r["trained_from_round"] for r in rows if r["split"] == "seed"} == {0}
    assert {r["split"] for r in rows} == {"seed", "eval", "test", "gold", "crowd", "pool"}
    # and the pool carries round 1's predictions
    pool = [r for r in rows if r["split"] in ("pool", "crowd")]
    assert all(r["prediction_round"] == 1 and r["predicted_label"] in LABELS for r in pool)
    assert all(0.5 <= r["confidence"] <= 1 for r in pool)

    # When the admin downloads the CSV, then it parses to the same samples, answers as JSON
    got = await api.client.get(f"/export/{task.id}.csv", headers=ADMIN)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(got.text)))
    assert [int(x["sample_id"]) for x in table] == [r["sample_id"] for r in rows]
    assert [json.loads(x["answers"]) for x in table] == [r["answers"] for r in rows]
    assert [x["split"] for x in table] == [r["split"] for r in rows]

    # When the admin downloads the image folder, then seed and accepted samples are under
    # their label, the pool under unlabelled/, each file as the dataset holds it
    got = await api.client.get(f"/export/{task.id}.zip", headers=ADMIN)
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
        names = archive.namelist()
        first = next(r for r in rows if r["split"] == "seed")
        content = archive.read(f"{first['label']}/{first['key']}.png")
    trained = [r for r in rows if r["trained_from_round"] is not None]
    assert sorted(names) == sorted(
        [f"{r['label']}/{r['key']}.png" for r in trained]
        + [f"unlabelled/{r['key']}.png" for r in pool if r["label"] is None]
    )
    assert content == (Path(task.task.dataset) / first["file"]).read_bytes()


async def test_an_export_is_the_admins_and_bad_requests_get_their_code(
    api: Api, make_task: Any, annotators: Any
) -> None:
    task = await make_task("refused")
    ((_, token),) = await annotators(1)
    path = f"/export/{task.id}.jsonl"
    assert (await api.client.get(path)).status_code == 401
    refused = await api.client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
    # an anonymous caller learns nothing about which tasks exist
    assert (await api.client.get("/export/999999.jsonl")).status_code == 401
    missing = await api.client.get("/export/999999.jsonl", headers=ADMIN)
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    assert (await api.client.get("/export/abc.jsonl", headers=ADMIN)).status_code == 404
    bad = await api.client.get(f"/export/{task.id}.xlsx", headers=ADMIN)
    assert bad.status_code == 400 and bad.json()["code"] == "BAD_USER_INPUT"
    assert "jsonl" in bad.json()["error"]


async def test_the_samples_are_read_a_page_at_a_time_each_once_in_id_order(
    app: App, make_task: Any
) -> None:
    task = await make_task("pages")
    async with app.ctx.uow(write=False) as uow:
        pages = [[r["id"] for r in rows] async for rows in uow.samples.export_rows(task.id, 7)]
    samples, _ = await stored(app, task.id)
    assert all(len(p) == 7 for p in pages[:-1]) and 0 < len(pages[-1]) <= 7
    assert [i for p in pages for i in p] == sorted(samples)


async def test_a_client_gone_mid_download_leaves_no_database_connection_behind(
    app: App, make_task: Any
) -> None:
    from server.app import create_app

    task = await make_task("gone")
    asgi = create_app(app)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/export/{task.id}.jsonl",
        "raw_path": f"/export/{task.id}.jsonl".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", f"Bearer {ADMIN_TOKEN}".encode()), (b"host", b"t")],
        "client": ("127.0.0.1", 1),
        "server": ("t", 80),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("more_body"):
            raise OSError("the client went away")  # as uvicorn's send on a closed socket
        sent.append(message)

    # When the client is gone after the first part (the export still holds its page's read)
    with contextlib.suppress(Exception):
        await asgi(scope, receive, send)
    # Then the response had started, and the export's connection is back in the pool
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    assert app.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
