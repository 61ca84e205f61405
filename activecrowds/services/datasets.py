"""Datasets brought in over HTTP: uploaded whole, listed for the admin, or added to a running
task's pool. Every upload goes through the importer `activecrowds dataset import` runs
(activecrowds_ml.experiment.importer): one code path, the same formats and the same checks.

An upload lands in a staging folder of its own inside the datasets folder (`.upload-*`, on the
same disk as the datasets, so that a finished import moves into place by one rename): the route
writes what it received under `src/`, the importer unpacks and checks it into `dataset/`, and
only a complete import is renamed to its name. A crash leaves at most a staging folder, never a
half dataset under a name: a name starting with a dot is never a dataset, and a staging folder
older than STALE_S is removed by a later upload.

Samples for a running task are imported the same way (with the task's labels and kind); then
their files move into the task's dataset folder (`added/task-<id>/`, named by content hash) and
their rows are stored in one transaction, so the next round's plan reads them with the rest of
the pool. A round training meanwhile has read its pool already: they join from the round after.
Unlabelled samples join the pool; labelled ones are the owner's truth and join the training
set (as seed samples do). A file or text the task holds already is skipped and reported.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from activecrowds.domain.errors import Conflict, DatasetError, NotFound, ValidationError
from activecrowds.domain.events import TaskUpdated
from activecrowds.domain.model import Caller, Role, Sample, SampleKind, Task, TaskStatus
from activecrowds.services.auth import require
from activecrowds.services.context import Context, commit_and_publish
from activecrowds.services.snapshot import KIND_OF_CATEGORY
from activecrowds_ml.experiment.archive import ArchiveLimits
from activecrowds_ml.scenario import Category

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
STAGING = ".upload-"
STALE_S = 6 * 3600  # a staging folder this old belongs to an upload that died
ADDED = "added"  # where a task's added files live, inside its dataset folder
MAX_KEY = 200  # samples.key
# Tasks that take new samples: a finished task stays finished (its stopping rule held).
OPEN = (TaskStatus.COLLECTING, TaskStatus.TRAINING)

Bad = list[tuple[str, str]]


@dataclass(frozen=True)
class ImportOptions:
    """The importer's choices for an upload: kind and label order (guessed and sorted when
    None), and whether one bad file refuses the whole upload."""

    kind: str | None = None
    labels: tuple[str, ...] | None = None
    strict: bool = False
    archive: ArchiveLimits = field(default_factory=ArchiveLimits)


@dataclass(frozen=True)
class DatasetSummary:
    """A dataset createTask may name: its kind, labels, counts, bytes on disk, when written."""

    name: str
    kind: str
    labels: tuple[str, ...]
    labelled: int
    pool: int
    size: int
    created_at: datetime | None


@dataclass(frozen=True)
class Imported:
    """An uploaded dataset, and the inputs skipped with the reason."""

    dataset: DatasetSummary
    bad: Bad


@dataclass(frozen=True)
class SamplesAdded:
    """What an upload added to a task: pool and labelled samples, duplicates and bad inputs."""

    task_id: int
    pool: int
    labelled: int
    duplicates: Bad
    bad: Bad


class UploadInvalid(DatasetError):
    """Nothing of the upload was stored; `bad` names each input at fault with the reason."""

    def __init__(self, message: str, bad: Bad) -> None:
        super().__init__(message)
        self.bad = bad


def check_name(ctx: Context, caller: Caller | None, name: str | None) -> str:
    """The name of a new dataset, checked before its upload is read.

    Raises:
        Unauthenticated / Forbidden: not the admin. ValidationError: not a plain name.
        Conflict: a dataset (or anything) has that name already.
    """
    require(caller, Role.ADMIN)
    if not name or not NAME.fullmatch(name):
        raise ValidationError(
            "name the dataset (?name=...): 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            "name",
        )
    if (ctx.datasets_dir / name).exists():
        raise Conflict(f"a dataset named {name!r} exists already; choose another name")
    return name


@asynccontextmanager
async def staging(ctx: Context) -> AsyncIterator[Path]:
    """A new, empty staging folder for one upload, removed afterwards whatever happens."""
    await asyncio.to_thread(_sweep, ctx.datasets_dir)
    ctx.datasets_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=STAGING, dir=ctx.datasets_dir))
    try:
        yield folder
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


def _sweep(datasets_dir: Path) -> None:
    if not datasets_dir.is_dir():
        return
    old = time.time() - STALE_S
    for entry in datasets_dir.glob(STAGING + "*"):
        if entry.is_dir() and entry.stat().st_mtime < old:
            shutil.rmtree(entry, ignore_errors=True)


async def upload_dataset(
    ctx: Context, caller: Caller | None, name: str, folder: Path, options: ImportOptions
) -> Imported:
    """Import what the route wrote under `folder`/src into a new dataset `name`.

    Raises:
        UploadInvalid: nothing valid (or, strict, anything bad). DatasetError: an unsafe or
            oversized archive, or a malformed upload. Conflict: the name was taken meanwhile.
    """
    name = check_name(ctx, caller, name)
    report = await asyncio.to_thread(_import, folder, name, options)
    target = ctx.datasets_dir / name
    try:
        await asyncio.to_thread(os.rename, folder / "dataset", target)
    except OSError:  # another upload took the name while this one was importing
        raise Conflict(f"a dataset named {name!r} exists already; choose another name") from None
    summary = await asyncio.to_thread(_summary, target)
    assert summary is not None
    return Imported(summary, report)


def _import(folder: Path, name: str, options: ImportOptions, *, loose: bool = False) -> Bad:
    """Import `folder`/src into `folder`/dataset; the bad inputs, named as the client sent them.
    `loose`: files sent outside any folder are unlabelled (photos for a task's pool)."""
    from activecrowds_ml.experiment.importer import NothingValid, import_dataset

    src = folder / "src"
    try:
        source = _source(src)
        pool = _loose_files(src, folder / "loose") if loose and source == src else None
        report = import_dataset(
            source,
            folder / "dataset",
            name=name,
            kind=options.kind,
            labels=options.labels,
            pool=pool,
            archive=options.archive,
            confine=True,
        )
    except NothingValid as exc:
        raise UploadInvalid(_scrub(str(exc), folder), _shown(exc.bad, folder)) from None
    except DatasetError as exc:
        raise DatasetError(_scrub(str(exc), folder)) from None
    bad = _shown(report.bad, folder)
    if options.strict and bad:
        raise UploadInvalid(f"{len(bad)} bad inputs (strict: nothing was stored)", bad)
    return bad


def _source(src: Path) -> Path:
    """What the importer reads from what arrived: one archive or manifest sent alone, else the
    one top-level manifest beside its files, else the folders."""
    top = [p for p in src.iterdir()] if src.is_dir() else []
    if not top:
        raise DatasetError("the upload is empty")
    archives = [p for p in top if p.is_file() and p.suffix.lower() == ".zip"]
    if archives and len(top) > 1:
        raise DatasetError("send one zip alone (or files and a manifest without a zip)")
    manifests = [p for p in top if p.is_file() and p.suffix.lower() in (".csv", ".jsonl")]
    if len(manifests) > 1:
        raise DatasetError("send one manifest (.csv or .jsonl) per upload")
    return (archives or manifests or [src])[0]


def _loose_files(src: Path, loose: Path) -> Path:
    """The files at the top of `src` moved to the folder `loose` (which the importer reads as
    an extra pool folder, by the names they were sent with)."""
    loose.mkdir()
    for path in list(src.iterdir()):
        if path.is_file():
            path.rename(loose / path.name)
    return loose


def _shown(bad: Iterable[tuple[str, str]], folder: Path) -> Bad:
    """Each bad input named by its path inside the upload (never the server's folders)."""
    return [(_inside_upload(source, folder), reason) for source, reason in bad]


def _inside_upload(source: str, folder: Path) -> str:
    path = Path(source)
    if path.is_absolute() and path.is_relative_to(folder):
        parts = path.relative_to(folder).parts[1:]  # drop src/ or the unpacked folder
        return "/".join(parts) or path.name
    return source


def _scrub(message: str, folder: Path) -> str:
    return re.sub(re.escape(str(folder)) + r"/[^/\s:]+", "upload", message)


async def list_datasets(ctx: Context, caller: Caller | None) -> list[DatasetSummary]:
    """Every dataset in the datasets folder, by name (what createTask's `dataset` takes)."""
    require(caller, Role.ADMIN)
    return await asyncio.to_thread(_list, ctx.datasets_dir)


def _list(datasets_dir: Path) -> list[DatasetSummary]:
    if not datasets_dir.is_dir():
        return []
    found = (_summary(p) for p in sorted(datasets_dir.iterdir()) if not p.name.startswith("."))
    return [s for s in found if s is not None]


def _summary(root: Path) -> DatasetSummary | None:
    """The dataset at `root`, read cheaply (lines counted, not parsed); None: not a dataset."""
    from activecrowds_ml.storage import LABELLED_FILE, META_FILE, POOL_FILE

    try:
        meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
        created = datetime.fromtimestamp((root / META_FILE).stat().st_mtime, UTC)
        counts = [_lines(root / f) for f in (LABELLED_FILE, POOL_FILE)]
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        kind, labels = str(meta["kind"]), tuple(str(label) for label in meta["labels"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return DatasetSummary(root.name, kind, labels, counts[0], counts[1], size, created)


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


async def task_taking_samples(ctx: Context, caller: Caller | None, task_id: int) -> Task:
    """The task samples are added to, checked before the upload is read.

    Raises:
        Unauthenticated / Forbidden: not the admin. NotFound: no such task. Conflict: it is
            FINISHED or FAILED (create a new task for new data then).
    """
    require(caller, Role.ADMIN)
    async with ctx.uow(write=False) as uow:
        task = await uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    _check_open(task)
    return task


def _check_open(task: Task) -> None:
    if task.status not in OPEN:
        raise Conflict(
            f"task {task.id} is {task.status.value}: samples join a COLLECTING or TRAINING "
            "task only (a finished task stays finished; create a new task for new data)"
        )


async def add_samples(
    ctx: Context, caller: Caller | None, task_id: int, folder: Path, options: ImportOptions
) -> SamplesAdded:
    """Import what the route wrote under `folder`/src and add it to the task's samples.

    Raises:
        as task_taking_samples; UploadInvalid: nothing new and valid (every input bad or a
            duplicate); DatasetError: an unsafe archive, or a dataset folder not writable here.
    """
    task = await task_taking_samples(ctx, caller, task_id)
    kind = KIND_OF_CATEGORY[Category(task.category)]
    chosen = ImportOptions(kind, tuple(task.labels), options.strict, options.archive)
    bad = await asyncio.to_thread(_import, folder, f"task-{task.id}", chosen, loose=True)
    async with ctx.uow(write=False) as uow:
        existing = await uow.samples.of_kind(task.id, list(SampleKind))
    new = await asyncio.to_thread(_new_samples, folder / "dataset", task, existing)
    if not new.rows:
        raise UploadInvalid("nothing new to add", bad + new.duplicates)
    await _store(ctx, task.id, new)
    labelled = sum(1 for r in new.rows if r["kind"] is SampleKind.SEED)
    return SamplesAdded(task.id, len(new.rows) - labelled, labelled, new.duplicates, bad)


@dataclass
class _New:
    """Rows to insert and the files to move into the task's folder (staged -> final)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    moves: list[tuple[Path, Path]] = field(default_factory=list)
    duplicates: Bad = field(default_factory=list)


def _new_samples(imported: Path, task: Task, existing: Sequence[Sample]) -> _New:
    """The imported records not in the task yet (by content), with keys the task lacks."""
    from activecrowds_ml.storage import Dataset

    dataset = Dataset.load(imported)
    root = Path(task.dataset)
    known = _Contents(root, existing)
    keys = {s.key for s in existing}
    new = _New()
    for record in (*dataset.labelled, *dataset.pool):
        content = record.text.strip() if record.text is not None else None
        digest = known.digest(Path(record.file) if record.file else None, content)
        if (twin := known.find(digest)) is not None:
            new.duplicates.append((record.id, f"the same content as sample {twin!r}"))
            continue
        key = record.id if record.id not in keys else f"{record.id}#{digest[:10]}"
        if len(key) > MAX_KEY:
            new.duplicates.append((record.id, f"a name longer than {MAX_KEY} characters"))
            continue
        keys.add(key)
        known.add(digest, key)
        file = None
        if record.file is not None:
            file = f"{ADDED}/task-{task.id}/{digest}{Path(record.file).suffix.lower()}"
            new.moves.append((Path(record.file), root / file))
        kind = SampleKind.SEED if record.label is not None else SampleKind.POOL
        new.rows.append(
            {"key": key, "kind": kind, "file": file, "text": record.text, "label": record.label}
        )
    return new


class _Contents:
    """Content hashes of a task's samples, computed only where needed: an existing file is hashed
    when a new file has its size (photos rarely share one)."""

    def __init__(self, root: Path, existing: Sequence[Sample]) -> None:
        self.root = root
        self.by_size: dict[int, list[tuple[Path, str]]] = {}
        self.seen: dict[str, str] = {}  # digest -> key
        for s in existing:
            if s.text is not None:
                self.seen[_hash(s.text.strip().encode())] = s.key
            elif s.file:
                path = root / s.file
                size = path.stat().st_size if path.is_file() else -1
                self.by_size.setdefault(size, []).append((path, s.key))

    def digest(self, path: Path | None, text: str | None) -> str:
        if path is None:
            return _hash((text or "").encode())
        for other, key in self.by_size.pop(path.stat().st_size, []):
            self.seen.setdefault(_file_hash(other), key)
        return _file_hash(path)

    def find(self, digest: str) -> str | None:
        return self.seen.get(digest)

    def add(self, digest: str, key: str) -> None:
        self.seen[digest] = key


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _file_hash(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:32]


async def _store(ctx: Context, task_id: int, new: _New) -> None:
    """Move the files into the task's folder, then store the rows; a refusal or a failed commit
    takes the files back out (a crash in between leaves files no row names, never a row
    without its file)."""
    await asyncio.to_thread(_move, new.moves)
    try:
        async with ctx.uow() as uow:
            task = await uow.tasks.get(task_id, lock=True)
            if task is None:
                raise NotFound(f"task {task_id} does not exist")
            _check_open(task)  # it may have finished while the upload was read
            await uow.samples.add_many(task_id, new.rows)
            uow.collect(TaskUpdated(task_id))
            await commit_and_publish(ctx, uow)
    except BaseException:
        await asyncio.to_thread(_unmove, new.moves)
        raise


def _move(moves: Sequence[tuple[Path, Path]]) -> None:
    done: list[tuple[Path, Path]] = []
    try:
        for source, target in moves:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
            done.append((source, target))
    except OSError as exc:
        _unmove(done)
        raise DatasetError(
            f"cannot store files in the task's dataset folder ({exc.strerror})"
        ) from None


def _unmove(moves: Sequence[tuple[Path, Path]]) -> None:
    for _, target in moves:
        target.unlink(missing_ok=True)
