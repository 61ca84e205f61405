"""The export's file formats over a stream of record chunks: JSON lines, CSV, an ImageFolder zip.

Each writer turns chunks of records (plain JSON values, see services/export.py) into chunks of
bytes as they come, so nothing holds more than a chunk.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import zipfile
from collections.abc import AsyncGenerator
from contextlib import aclosing
from pathlib import Path
from typing import Any

# Closed by each writer when it ends early: a records stream holds a database connection.
Chunks = AsyncGenerator[list[dict[str, Any]], None]

# CSV: one row per sample, the answers as one JSON column (a list of objects).
CSV_COLUMNS = (
    "sample_id",
    "key",
    "file",
    "text",
    "split",
    "label",
    "state",
    "agreement",
    "trained_from_round",
    "predicted_label",
    "confidence",
    "prediction_round",
    "answers",
)
UNLABELLED = "unlabelled"  # the image folder's folder for samples without a decided label
TRAINING_SPLITS = ("seed", "crowd")  # a decided label of these trains the model


async def jsonl(chunks: Chunks) -> AsyncGenerator[bytes, None]:
    async with aclosing(chunks):
        async for rows in chunks:
            yield "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


async def csv_rows(chunks: Chunks) -> AsyncGenerator[bytes, None]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    async with aclosing(chunks):
        async for rows in chunks:
            for r in rows:
                values = [r[c] for c in CSV_COLUMNS[:-1]]
                writer.writerow([*values, json.dumps(r["answers"], ensure_ascii=False)])
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    if out.tell():  # only the header: a task without samples
        yield out.getvalue().encode()


class _Pipe(io.RawIOBase):
    """An unseekable sink: zipfile then writes each entry's sizes after its data (a data
    descriptor) and never goes back, so every byte written can be sent at once."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def folder_entry(record: dict[str, Any]) -> str | None:
    """Where a sample goes in the image folder: `<label>/<key>.<ext>` for a training label
    (seed, accepted crowd), `unlabelled/<key>.<ext>` for the pool and undecided or disputed
    crowd samples; eval, test and gold samples are not in it (None)."""
    file = record["file"]
    if not file:
        return None
    labelled = record["split"] in TRAINING_SPLITS and record["label"] is not None
    if labelled:
        folder = _safe(str(record["label"]))
    elif record["split"] in ("pool", "crowd"):
        folder = UNLABELLED
    else:
        return None
    suffix = Path(file).suffix
    name = _safe(str(record["key"]))
    if suffix and not name.lower().endswith(suffix.lower()):
        name += suffix
    return f"{folder}/{name}"


def _safe(name: str) -> str:
    """One path segment: no separators, never `.` or `..` (a label or key is not a path)."""
    cleaned = name.replace("/", "_").replace("\\", "_").strip()
    return cleaned if cleaned not in ("", ".", "..") else cleaned.replace(".", "_") or "_"


PART_BYTES = 4 << 20  # the zip is sent in parts of about this size (a part's files are read
# in one trip off the event loop: one per file cost a third of the export's time)


async def image_folder(chunks: Chunks, dataset: Path) -> AsyncGenerator[bytes, None]:
    """A zip streamed as it is written: the images are copied in (stored, not deflated: photos
    are compressed already) off the event loop, a part at a time, each part sent before the
    next is read. Files gone from the dataset are listed in `missing.txt` at the end."""
    pipe = _Pipe()
    root = dataset.resolve()
    missing: list[str] = []
    async with aclosing(chunks):
        with zipfile.ZipFile(pipe, "w", zipfile.ZIP_STORED) as archive:
            async for rows in chunks:
                entries = [(r, e) for r in rows if (e := folder_entry(r)) is not None]
                done = 0
                while done < len(entries):
                    done = await asyncio.to_thread(_add, archive, root, entries, done, missing)
                    yield pipe.take()
            if missing:
                archive.writestr("missing.txt", "".join(f"{key}\n" for key in missing))
    yield pipe.take()


def _add(
    archive: zipfile.ZipFile,
    root: Path,
    entries: list[tuple[dict[str, Any], str]],
    start: int,
    missing: list[str],
) -> int:
    """Copy entries from `start` until about PART_BYTES are written; returns where it stopped."""
    written = 0
    for i in range(start, len(entries)):
        record, entry = entries[i]
        # No syscalls to check the path: normpath keeps a stored `../x` from leaving the
        # dataset, and a file gone is found by the copy itself (a third of the time per file).
        path = os.path.normpath(os.path.join(root, record["file"]))
        if not path.startswith(root_prefix(root)):
            missing.append(str(record["key"]))
            continue
        try:
            archive.write(path, entry)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            missing.append(str(record["key"]))
            continue
        written += archive.filelist[-1].file_size
        if written >= PART_BYTES:
            return i + 1
    return len(entries)


def root_prefix(root: Path) -> str:
    return os.path.join(str(root), "")
