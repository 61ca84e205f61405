"""Dataset previews before a task is made: a few samples over every label and the pool, each
image behind a short-lived URL signed for that dataset and file, never any other file."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from apptest import Api, write_image_dataset
from PIL import Image

from activecrowds.bootstrap import App
from activecrowds_ml.storage import Record, write_dataset
from server import dataset_files

PREVIEWS = """query($name: String!, $first: Int) {
  dataset(name: $name) { name labelCounts { label count } previews(first: $first) {
    label text mediaUrl } } }"""
LISTED = """{ datasets { name previews(first: 2) { label } } }"""


@pytest.fixture(scope="module")
def photos(app: App) -> str:
    """An image dataset on the server: 6 labelled (dark, bright in turn), 4 in the pool."""
    write_image_dataset(app.ctx.datasets_dir / "preview-photos", labelled=6, pool=4)
    return "preview-photos"


@pytest.fixture(scope="module")
def texts(app: App) -> str:
    root = app.ctx.datasets_dir / "preview-texts"
    labelled = [Record(f"t{i}", text=f"tweet {i}", label=["sad", "glad"][i % 2]) for i in range(4)]
    write_dataset(root, "preview-texts", "text", ["sad", "glad"], labelled, [Record("u", text="?")])
    return "preview-texts"


def _relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_previews_take_each_label_in_turn_then_the_pool(api: Api, photos: str) -> None:
    data = await api.call(PREVIEWS, {"name": photos, "first": 7})
    previews = data["dataset"]["previews"]
    # Every class and the pool show before any shows twice; the pool's hidden truth never does
    assert [p["label"] for p in previews] == [
        "dark", "bright", None, "dark", "bright", None, "dark"
    ]  # fmt: skip
    assert all(
        p["text"] is None and "/datasets/preview-photos/files/" in p["mediaUrl"] for p in previews
    )
    # The thumbnail opens in an <img>: no header, a small JPEG or PNG of the photo
    got = await api.client.get(_relative(previews[0]["mediaUrl"]))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("image/")
    assert Image.open(io.BytesIO(got.content)).width == 16  # never upscaled past the original


async def test_text_previews_carry_the_text_and_no_url(api: Api, texts: str) -> None:
    data = await api.call(PREVIEWS, {"name": texts, "first": 8})
    assert data["dataset"]["previews"] == [
        {"label": "sad", "text": "tweet 0", "mediaUrl": None},
        {"label": "glad", "text": "tweet 1", "mediaUrl": None},
        {"label": None, "text": "?", "mediaUrl": None},
        {"label": "sad", "text": "tweet 2", "mediaUrl": None},
        {"label": "glad", "text": "tweet 3", "mediaUrl": None},
    ]


async def test_previews_are_for_the_admin_and_first_is_bounded(
    api: Api, photos: str, annotators: Any
) -> None:
    [(_, token)] = await annotators(1)
    assert await api.error(PREVIEWS, {"name": photos}, token) == "FORBIDDEN"
    assert await api.error(PREVIEWS, {"name": photos}, None) == "UNAUTHENTICATED"
    assert await api.error(PREVIEWS, {"name": photos, "first": 0}) == "BAD_USER_INPUT"
    assert await api.error(PREVIEWS, {"name": photos, "first": 25}) == "BAD_USER_INPUT"
    assert (await api.call(PREVIEWS, {"name": "../" + photos}))["dataset"] is None
    assert (await api.call(PREVIEWS, {"name": "no-such"}))["dataset"] is None
    listed = {d["name"]: d["previews"] for d in (await api.call(LISTED))["datasets"]}
    assert listed[photos] == [{"label": "dark"}, {"label": "bright"}]


async def test_a_file_url_opens_only_signed_for_that_dataset_and_file(
    app: App, api: Api, photos: str, texts: str
) -> None:
    [first] = (await api.call(PREVIEWS, {"name": photos, "first": 1}))["dataset"]["previews"]
    url = _relative(first["mediaUrl"])
    path, query = url.split("?")
    # Unsigned, or signed for another file or dataset: refused like no signature at all
    assert (await api.client.get(path)).status_code == 401
    other = path.replace("000.png", "001.png")
    assert (await api.client.get(f"{other}?{query}")).status_code == 401
    moved = path.replace(photos, texts)
    assert (await api.client.get(f"{moved}?{query}")).status_code == 401
    # Expired: refused
    old = dataset_files.dataset_file_url("", app.media_key, photos, "files/000.png", now=0)
    assert (await api.client.get(old)).status_code == 401
    # The width is checked as /media checks it
    assert (await api.client.get(url.replace("w=192", "w=5"))).status_code == 400


@pytest.mark.parametrize(
    "file",
    [
        "../preview-texts/dataset.json",
        "files/../dataset.json",
        "files/../files/000.png",
        "dataset.json",
        "/etc/passwd",
    ],
)
async def test_no_path_but_a_listed_file_is_served_even_signed(
    app: App, api: Api, photos: str, texts: str, file: str
) -> None:
    # A URL the server signed itself for a path the dataset does not list (the signature
    # alone is not what guards the disk), sent with the dots escaped so no client folds them:
    # a folded path would not match its signature and answer 401, not 404
    signed = dataset_files.dataset_file_url("", app.media_key, photos, file)
    got = await api.client.get(signed.replace("..", "%2E%2E"))
    assert got.status_code == 404, got.text
    # Nor with the admin's token
    raw = urlsplit(signed).path.replace("..", "%2E%2E")
    admin = {"Authorization": "Bearer test-admin-token"}
    assert (await api.client.get(raw, headers=admin)).status_code == 404
    meta = json.loads((app.ctx.datasets_dir / texts / "dataset.json").read_text())
    assert meta["name"] == texts  # still there: nothing was served, nothing touched


async def test_a_listed_file_pointing_outside_the_folder_is_not_served(
    app: App, api: Api, tmp_path: Path
) -> None:
    # Given a hand-made dataset whose record names a file outside its folder
    root = app.ctx.datasets_dir / "preview-outside"
    write_image_dataset(root, labelled=4, pool=0)
    secret = tmp_path / "secret.png"
    Image.new("RGB", (8, 8)).save(secret)
    lines = (root / "labelled.jsonl").read_text().splitlines()
    row = json.loads(lines[0]) | {"file": os.path.relpath(secret, root)}
    (root / "labelled.jsonl").write_text("\n".join([json.dumps(row), *lines[1:]]) + "\n")
    url = dataset_files.dataset_file_url("", app.media_key, "preview-outside", row["file"])
    assert (await api.client.get(url.replace("..", "%2E%2E"))).status_code == 404
