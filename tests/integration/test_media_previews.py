"""Media previews (`?w=`): scaled down, never up, same signature rules as the full image."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apptest import Api
from PIL import Image
from sqlalchemy import update

from activecrowds.adapters import tables as t
from activecrowds.bootstrap import App

MEDIA = """query($id: ID!) { task(id: $id) { currentBatch { samples { id mediaUrl } } } }"""


async def _point_samples_at(app: App, files: dict[int, str]) -> None:
    """Give samples other files (the test dataset's squares are only 16 px wide)."""
    async with app.engine.begin() as conn:
        for sample_id, file in files.items():
            await conn.execute(
                update(t.samples).where(t.samples.c.id == sample_id).values(file=file)
            )


def _write_images(folder: Path) -> None:
    """A 640x480 photo, the same photo shot sideways (EXIF rotated), a 300x100 PNG with alpha."""
    photo = Image.new("RGB", (640, 480), (200, 40, 40))
    photo.save(folder / "preview-photo.jpg", quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when shown: displayed as 480 wide, 640 high
    photo.save(folder / "preview-turned.jpg", exif=exif.tobytes())
    Image.new("RGBA", (300, 100), (0, 0, 255, 128)).save(folder / "preview-alpha.png")


async def _urls(api: Api, make_task: Any, annotators: Any) -> tuple[list[Any], list[str]]:
    task = await make_task()
    [(_, token)] = await annotators(1)
    data = await api.call(MEDIA, {"id": str(task.id)}, token)
    samples = data["task"]["currentBatch"]["samples"]
    return samples, [
        f"{urlsplit(s['mediaUrl']).path}?{urlsplit(s['mediaUrl']).query}" for s in samples
    ]


async def test_previews_are_scaled_down_copies_behind_the_same_signature(
    app: App, api: Api, make_task: Any, annotators: Any, image_dataset: Path
) -> None:
    samples, urls = await _urls(api, make_task, annotators)
    _write_images(image_dataset / "files")
    names = ["files/preview-photo.jpg", "files/preview-turned.jpg", "files/preview-alpha.png"]
    await _point_samples_at(app, {int(s["id"]): n for s, n in zip(samples, names, strict=False)})

    # The same signed URL plus &w=64: a JPEG 64 px wide, the aspect ratio kept, cacheable
    got = await api.client.get(urls[0] + "&w=64")
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert "max-age" in got.headers["cache-control"]
    assert Image.open(io.BytesIO(got.content)).size == (64, 48)
    assert len(got.content) < (image_dataset / names[0]).stat().st_size
    # Sideways photos are scaled as they are shown; transparent images stay PNG
    turned = await api.client.get(urls[1] + "&w=64")
    assert Image.open(io.BytesIO(turned.content)).size == (64, 85)
    alpha = await api.client.get(urls[2] + "&w=150")
    assert alpha.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(alpha.content)).size == (150, 50)
    # Never scaled up: a width beyond the original returns the original file
    same = await api.client.get(urls[0] + "&w=2048")
    assert same.content == (image_dataset / names[0]).read_bytes()


async def test_preview_requests_are_checked_like_full_images(
    app: App, api: Api, make_task: Any, annotators: Any, image_dataset: Path
) -> None:
    samples, urls = await _urls(api, make_task, annotators)
    # The 16 px squares are smaller than any preview: the file itself comes back
    small = await api.client.get(urls[0] + "&w=32")
    assert small.status_code == 200 and small.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(small.content)).size == (16, 16)
    # Widths outside 32..2048, or not a number: 400 with a message saying what is allowed
    for bad in ("16", "0", "4096", "abc", "-64", "64.5", ""):
        refused = await api.client.get(f"{urls[0]}&w={bad}")
        assert refused.status_code == 400, bad
        assert "32 to 2048" in refused.json()["error"]
    # A tampered signature still fails, with or without a preview width, before w is looked at
    path, query = urls[0].split("?")
    tampered = query.replace(query.split("sig=")[1][:32], "0" * 32)
    for w in ("64", "4096"):
        assert (await api.client.get(f"{path}?{tampered}&w={w}")).status_code == 401
    # A signature for another sample does not open this one's preview
    other = urls[1].split("?")[0]
    assert (await api.client.get(f"{other}?{query}&w=64")).status_code == 401
    # No file outside the dataset, preview or not
    await _point_samples_at(app, {int(samples[0]["id"]): "../../../../../../etc/passwd"})
    escaped = await api.client.get(urls[0] + "&w=64")
    assert escaped.status_code == 404 and b"root:" not in escaped.content
