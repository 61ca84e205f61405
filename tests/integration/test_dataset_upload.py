"""Data in over HTTP, on a real `activecrowds serve` (embedded default, the real default model):
POST /datasets uploads a dataset through the importer the CLI runs, POST /tasks/{id}/samples
adds photos to a running task's pool; bad input is refused by name, stores nothing, and leaves
the server answering."""

from __future__ import annotations

import asyncio
import io
import json
import stat
import time
import zipfile
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from test_http_server import SQUARES, Server, _free_port, start, stop, wait_for

UPLOAD_MB = 8  # the server's upload limit here: the streamed oversized upload stops at it
SETTINGS = {"ACTIVECROWDS_UPLOAD_MAX_MB": str(UPLOAD_MB), "ACTIVECROWDS_UNPACKED_MAX_MB": "16"}
GB = 1 << 30

CREATE = """mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"""
DATASETS = """{ datasets { name kind labels labelled pool size createdAt
  labelCounts { label count } } }"""
POOL = """query($t: ID!) { predictions(taskId: $t, first: 1) { totalCount } }"""
INVITE = """mutation { createInvite { code } }"""
REGISTER = """mutation($i: String) { registerAnnotator(name: "Ada", invite: $i) { token } }"""
SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start(tmp_path_factory.mktemp("uploads"), _free_port(), SETTINGS)
    try:
        yield running
    finally:
        stop(running)


def png(value: float, seed: int) -> bytes:
    """A 16 px square around `value` brightness, noisy (each seed its own bytes)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = np.clip(rng.normal(value, 30, (16, 16, 3)), 0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def zipped(entries: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return out.getvalue()


def squares(labelled: int = 40, pool: int = 20, seed: int = 0) -> dict[str, bytes]:
    """Class folders dark/ and bright/ plus unlabelled/, as a photographer would zip them."""
    entries = {}
    for i in range(labelled):
        label, value = ("dark", 60) if i % 2 else ("bright", 190)
        entries[f"quake/{label}/{i:03d}.png"] = png(value, seed + i)
    for i in range(pool):
        entries[f"quake/unlabelled/u{i:03d}.png"] = png(60 if i % 2 else 190, seed + 1000 + i)
    return entries


def admin(server: Server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.admin_token}"}


def post(server: Server, path: str, token: str | None = "admin", **options: Any) -> httpx.Response:
    headers = {**(admin(server) if token == "admin" else {}), **options.pop("headers", {})}
    if token not in (None, "admin"):
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(server.url + path, headers=headers, timeout=120, **options)


def graphql(server: Server, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = {"query": query, "variables": variables or {}}
    answer = httpx.post(server.url + "/graphql", json=body, headers=admin(server), timeout=60)
    assert not answer.json().get("errors"), answer.json()["errors"]
    return answer.json()["data"]


def stored(server: Server) -> list[str]:
    """What the datasets folder holds (staging folders included: none may stay behind)."""
    folder = server.data_dir / "datasets"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_zip_of_class_folders_becomes_a_dataset_listed_for_the_admin(server: Server) -> None:
    # Given a zipped folder of class folders, an unlabelled/ folder, and one file not an image
    entries = {**squares(), "quake/dark/notes.png": b"not an image"}
    # When the admin uploads it as the raw body
    answer = post(server, "/datasets?name=quake&labels=dark,bright", content=zipped(entries))
    # Then it is stored under its name, the bad file named as it was in the zip
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["name"], body["kind"], body["labels"]) == ("quake", "image", ["dark", "bright"])
    assert (body["labelled"], body["pool"]) == (40, 20)
    assert body["labelCounts"] == [{"label": "dark", "count": 20}, {"label": "bright", "count": 20}]
    assert body["bad"] == [
        {"file": "quake/dark/notes.png", "reason": "not an image (UnidentifiedImageError)"}
    ]
    listed = {d["name"]: d for d in graphql(server, DATASETS)["datasets"]}
    assert listed["quake"]["labelled"] == 40 and listed["quake"]["size"] > 40 * 100
    assert listed["quake"]["labelCounts"] == [
        {"label": "dark", "count": 20},
        {"label": "bright", "count": 20},
    ]
    assert "quake" in stored(server) and not [n for n in stored(server) if n.startswith(".")]
    # And the same name again is refused before the body is read
    again = post(server, "/datasets?name=quake", content=zipped(entries))
    assert again.status_code == 409 and again.json()["code"] == "CONFLICT"


def test_a_manifest_with_its_images_as_a_form(server: Server) -> None:
    rows = ["file,label"] + [f"img/{i}.png,{'yes' if i % 2 else 'no'}" for i in range(6)]
    rows += ["img/6.png,", "img/7.png,maybe"]  # a pool row, and a label not given
    files = [("file", ("labels.csv", "\n".join(rows).encode(), "text/csv"))]
    files += [("file", (f"img/{i}.png", png(40 * i, i), "image/png")) for i in range(8)]
    answer = post(server, "/datasets?name=manifested&labels=no,yes", files=files)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["labelled"], answer.json()["pool"]) == (6, 1)
    assert answer.json()["bad"] == [
        {"file": "labels.csv:9 img/7.png", "reason": "unknown label 'maybe' (labels: no, yes)"}
    ]


def test_a_jsonl_of_texts_as_the_raw_body(server: Server) -> None:
    lines = [
        {"text": f"house {i} {'fell' if i % 2 else 'stands'}", "label": ["ok", "down"][i % 2]}
        for i in range(10)
    ] + [{"text": "needs a look"}, {"text": "   ", "label": "ok"}]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    headers = {"Content-Type": "application/x-ndjson"}
    answer = post(server, "/datasets?name=tweets&labels=ok,down", content=body, headers=headers)
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert (found["kind"], found["labelled"], found["pool"]) == ("text", 10, 1)
    assert found["bad"] == [{"file": "tweets.jsonl:12", "reason": "empty text"}]


def two_bits(size: int, seed: int) -> bytes:
    """Bytes that compress about 4 to 1: past the unpacked limit, not a bomb by ratio."""
    return np.random.default_rng(seed).integers(0, 4, size, dtype=np.uint8).tobytes()


BAD_UPLOADS: dict[str, tuple[Callable[[], bytes], str]] = {
    "traversal": (
        lambda: zipped({"dark/1.png": png(60, 1), "../x.png": png(60, 2)}),
        "outside the archive",
    ),
    "absolute": (
        lambda: zipped({"dark/1.png": png(60, 1), "/tmp/x.png": png(60, 2)}),
        "outside the archive",
    ),
    "symlink": (
        lambda: zipped({"dark/1.png": png(60, 1)}, {"bright/2.png": "/etc/passwd"}),
        "links are not allowed",
    ),
    "bomb": (lambda: zipped({"dark/zeros.png": bytes(40 << 20)}), "zip bomb"),
    "too big unpacked": (
        lambda: zipped({f"dark/{i}.png": two_bits(7 << 20, i) for i in range(3)}),
        "unpacks to more than 16 MB",
    ),
    "not an image": (
        lambda: zipped({"dark/a.png": b"text", "bright/b.png": b"more"}),
        "nothing valid",
    ),
    "not a zip": (lambda: b"PK\x03\x04 but not really", "not a readable zip"),
    "empty": (lambda: b"", "empty"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_uploads_are_refused_by_name_and_store_nothing(server: Server, case: str) -> None:
    make, says = BAD_UPLOADS[case]
    content = make()
    before = stored(server)
    answer = post(server, "/datasets?name=bad-upload", content=content)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "BAD_USER_INPUT" and says in answer.json()["error"]
    assert stored(server) == before  # no dataset, no staging folder left
    assert str(server.data_dir) not in answer.text  # the server's folders are not shown
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("names", "says"),
    [
        (["dark/a.png", "../x.png"], "outside the archive"),
        (["dark/a.png", "/etc/x.png"], "outside the archive"),
        (["dark/a.png", "dark/a.png"], "sent twice"),
        (["dark", "dark/a.png"], "clashes with a folder"),
        (["dark/" + "a" * 300 + ".png"], "cannot be stored"),
    ],
)
def test_bad_names_in_a_form_are_refused_and_store_nothing(
    server: Server, names: list[str], says: str
) -> None:
    before = stored(server)
    files = [("file", (name, png(60, i))) for i, name in enumerate(names)]
    answer = post(server, "/datasets?name=bad-form", files=files)
    assert answer.status_code == 400 and says in answer.json()["error"], answer.text
    assert stored(server) == before


def test_every_bad_file_is_named_when_nothing_valid_remains(server: Server) -> None:
    rows = "file,label\na.png,grey\nb.png,grey\n"
    files = [("file", ("m.csv", rows.encode())), ("file", ("a.png", png(1, 1)))]
    files.append(("file", ("b.png", png(2, 2))))
    answer = post(server, "/datasets?name=greys&labels=dark,bright", files=files)
    assert answer.status_code == 400
    assert [b["file"] for b in answer.json()["bad"]] == ["m.csv:2 a.png", "m.csv:3 b.png"]
    assert "greys" not in stored(server)


def test_strict_refuses_a_single_bad_file(server: Server) -> None:
    entries = {**squares(4, 0), "quake/dark/bad.png": b"?"}
    answer = post(server, "/datasets?name=strict&strict=1", content=zipped(entries))
    assert answer.status_code == 400 and answer.json()["bad"][0]["file"] == "quake/dark/bad.png"
    assert "strict" not in stored(server)


def test_who_may_upload(server: Server) -> None:
    assert post(server, "/datasets?name=x", token=None, content=b"x").status_code == 401
    code = graphql(server, INVITE)["createInvite"]["code"]
    token = httpx.post(
        server.url + "/graphql", json={"query": REGISTER, "variables": {"i": code}}, timeout=30
    ).json()["data"]["registerAnnotator"]["token"]
    assert post(server, "/datasets?name=x", token=token, content=b"x").status_code == 403
    assert post(server, "/datasets?name=../x", content=b"x").status_code == 400
    assert post(server, "/tasks/999/samples", content=b"x").status_code == 404


def test_a_2_gb_upload_is_refused_early_without_writing_it(server: Server) -> None:
    sent = 0

    def body() -> Iterator[bytes]:  # 2 GB if read to the end; never allocated whole
        nonlocal sent
        chunk = bytes(1 << 20)
        for _ in range(2048):
            sent += len(chunk)
            yield chunk

    # Declared: refused on the Content-Length, before a byte of the body is read
    started = time.monotonic()
    headers = {"Content-Length": str(2 * GB)}
    try:
        answer = post(server, "/datasets?name=huge", content=body(), headers=headers)
        assert answer.status_code == 413 and answer.json()["code"] == "PAYLOAD_TOO_LARGE"
    except httpx.TransportError:
        pass  # the server answered and closed while the client was still sending
    # Streamed without a length: refused on the stream at the limit
    try:
        answer = post(server, "/datasets?name=huge", content=body())
        assert answer.status_code == 413
    except httpx.TransportError:
        pass
    print(f"2 GB uploads refused after {sent >> 20} MB sent, {time.monotonic() - started:.2f} s")
    assert time.monotonic() - started < 30 and sent < 2 * (UPLOAD_MB + 64) << 20
    assert "huge" not in stored(server) and not [n for n in stored(server) if n.startswith(".")]
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200


async def test_the_server_answers_during_a_slow_upload(server: Server) -> None:
    data = zipped(squares(6, 0, seed=500))

    async def slowly() -> AsyncIterator[bytes]:  # some 3 s in all, each part within the timeout
        step = len(data) // 10 + 1
        for at in range(0, len(data), step):
            await asyncio.sleep(0.3)
            yield data[at : at + step]

    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        uploading = asyncio.ensure_future(
            http.post("/datasets?name=slow", content=slowly(), headers=admin(server))
        )
        await asyncio.sleep(0.5)
        started = time.monotonic()
        health = await http.get("/healthz")
        assert health.status_code == 200 and time.monotonic() - started < 2
        assert not uploading.done()
        assert (await uploading).status_code == 201


async def test_photos_added_to_a_running_task_join_the_next_rounds_pool(server: Server) -> None:
    # Given a task on an uploaded dataset, collecting its first batch
    assert (
        post(server, "/datasets?name=field", content=zipped(squares(seed=2000))).status_code == 201
    )
    values = {**SQUARES, "dataset": "field", "title": "Field photos"}
    task_id = graphql(server, CREATE, {"input": values})["createTask"]["id"]
    task = await wait_for(server, task_id, 0)
    pool_before = graphql(server, POOL, {"t": task_id})["predictions"]["totalCount"]
    # When 100 new photos arrive from the field, one of them a photo the task has already
    fresh = {f"n{i:03d}.png": png(60 if i % 2 else 190, 9000 + i) for i in range(100)}
    twin = squares(seed=2000)["quake/unlabelled/u000.png"]
    files = [("file", (name, data)) for name, data in fresh.items()]
    files.append(("file", ("again.png", twin)))
    answer = post(server, f"/tasks/{task_id}/samples", files=files)
    assert answer.status_code == 201, answer.text
    added = answer.json()
    assert (added["pool"], added["labelled"], added["bad"]) == (100, 0, [])
    assert [d["file"] for d in added["duplicates"]] == ["again.png"]
    # Then the current round's pool is as it was, and the next round scores them too
    assert graphql(server, POOL, {"t": task_id})["predictions"]["totalCount"] == pool_before
    code = graphql(server, INVITE)["createInvite"]["code"]
    token = httpx.post(
        server.url + "/graphql", json={"query": REGISTER, "variables": {"i": code}}, timeout=30
    ).json()["data"]["registerAnnotator"]["token"]
    batch = task["currentBatch"]
    answers = [{"sampleId": s["id"], "label": "bright"} for s in batch["samples"]]
    submit = {"query": SUBMIT, "variables": {"t": task_id, "b": batch["id"], "a": answers}}
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        httpx.post(server.url + "/graphql", json=submit, headers=headers, timeout=60).json()[
            "data"
        ]["submitAnswers"]["accepted"]
        == 3
    )
    await wait_for(server, task_id, 1)
    assert graphql(server, POOL, {"t": task_id})["predictions"]["totalCount"] == pool_before + 100
    # And the export lists them, in the pool
    export = httpx.get(f"{server.url}/export/{task_id}.jsonl", headers=admin(server), timeout=60)
    keys = {json.loads(line)["key"] for line in export.text.splitlines()}
    assert set(fresh) <= keys
