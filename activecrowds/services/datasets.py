"""Datasets brought in over HTTP: uploaded whole, listed for the admin, or added to a running
task's pool. Every upload goes through the importer `activecrowds dataset import` runs
(activecrowds_ml.experiment.importer): one code path, the same formats and the same checks.

An upload lands in a staging folder of its own inside the datasets folder (`.upload-*`, on the
same disk as the datasets, so that a finished import moves into place by one rename): the route
writes what it received under `src/`, the importer unpacks and checks it into `dataset/`, and
only a complete import is renamed to its name. A crash leaves at most a staging folder, never a
half dataset under a name: a name starting with a dot is never a dataset, and a staging folder
older than STALE_S is removed by a later upload.

Samples for a running task come in the same way (activecrowds.services.new_samples).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from activecrowds.domain.errors import Conflict, DatasetError, NotFound, ValidationError
from activecrowds.domain.model import Caller, Role
from activecrowds.services.auth import require
from activecrowds.services.context import Context
from activecrowds_ml.experiment.archive import ArchiveLimits

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
STAGING = ".upload-"
STALE_S = 6 * 3600  # a staging folder this old belongs to an upload that died
MAX_PREVIEWS = 24  # samples one dataset's previews may ask for

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
    # Labelled examples per label, in label order: what an owner checks before creating a
    # task (a class with 3 examples cannot fill a seed, an eval and a test set).
    label_counts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Preview:
    """One sample of a dataset shown before a task is made on it: its label (None: the pool),
    its text, or its image's path as the dataset lists it (relative to the dataset's folder).
    A pool sample's hidden `truth` (simulations) is never read into it."""

    label: str | None
    text: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class Imported:
    """An uploaded dataset, and the inputs skipped with the reason."""

    dataset: DatasetSummary
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
    report = await asyncio.to_thread(import_upload, folder, name, options)
    target = ctx.datasets_dir / name
    try:
        await asyncio.to_thread(os.rename, folder / "dataset", target)
    except OSError:  # another upload took the name while this one was importing
        raise Conflict(f"a dataset named {name!r} exists already; choose another name") from None
    summary = await asyncio.to_thread(_summary, target)
    assert summary is not None
    return Imported(summary, report)


def import_upload(folder: Path, name: str, options: ImportOptions, *, loose: bool = False) -> Bad:
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
            scratch=True,
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


async def get_dataset(ctx: Context, caller: Caller | None, name: str) -> DatasetSummary | None:
    """The dataset named `name`; None if there is none."""
    require(caller, Role.ADMIN)
    try:
        root = _dataset_root(ctx, name)
    except NotFound:
        return None
    return await asyncio.to_thread(_summary, root)


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
        per_label = _label_counts(root / LABELLED_FILE, labels)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return DatasetSummary(root.name, kind, labels, counts[0], counts[1], size, created, per_label)


def _label_counts(path: Path, labels: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """Examples per label in a labelled.jsonl (each line a record with its `label`)."""
    found = Counter[str]()
    if path.is_file():
        with path.open(encoding="utf-8") as lines:
            found.update(str(json.loads(line)["label"]) for line in lines if line.strip())
    return tuple((label, found[label]) for label in labels)


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


async def dataset_previews(
    ctx: Context, caller: Caller | None, name: str, first: int
) -> list[Preview]:
    """Up to `first` samples of dataset `name`, taken in turn from each label and the pool
    (the first of each in file order), so that every class shows before any shows twice.

    Raises:
        Unauthenticated / Forbidden: not the admin. ValidationError: `first` out of range.
        NotFound: no such dataset.
    """
    require(caller, Role.ADMIN)
    if not 1 <= first <= MAX_PREVIEWS:
        raise ValidationError(f"first must be from 1 to {MAX_PREVIEWS}, got {first}", "first")
    root = _dataset_root(ctx, name)
    return await asyncio.to_thread(_previews, root, first)


def _dataset_root(ctx: Context, name: str) -> Path:
    """The folder of dataset `name` (a plain name only: never a path).

    Raises:
        NotFound: not a dataset's name.
    """
    from activecrowds_ml.storage import META_FILE

    root = ctx.datasets_dir / name
    if not NAME.fullmatch(name) or not (root / META_FILE).is_file():
        raise NotFound(f"no dataset named {name!r}")
    return root


def _previews(root: Path, first: int) -> list[Preview]:
    from activecrowds_ml.storage import LABELLED_FILE, META_FILE, POOL_FILE

    try:
        labels = [str(x) for x in json.loads((root / META_FILE).read_text("utf-8"))["labels"]]
        groups: dict[str | None, list[Preview]] = {label: [] for label in labels}
        groups[None] = []
        for path, labelled in ((root / LABELLED_FILE, True), (root / POOL_FILE, False)):
            for row in _rows(path):
                label = str(row["label"]) if labelled else None
                group = groups.get(label)
                if group is not None and len(group) < first:
                    group.append(Preview(label, _text(row, "text"), _text(row, "file")))
                if not labelled and len(groups[None]) >= first:
                    break  # the pool is read only as far as its previews
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return []
    taken = (g[i] for i in range(first) for g in groups.values() if i < len(g))
    return list(islice(taken, first))


def _rows(path: Path) -> Iterable[dict[str, object]]:
    if path.is_file():
        with path.open(encoding="utf-8") as lines:
            yield from (json.loads(line) for line in lines if line.strip())


def _text(row: dict[str, object], key: str) -> str | None:
    value = row.get(key)
    return value if isinstance(value, str) else None


async def dataset_file(ctx: Context, name: str, file: str) -> Path:
    """The image `file` of dataset `name`, only if the dataset's records list it by that path
    (so no other file of the server, nor of the dataset's folder, is ever reachable).

    Raises:
        NotFound: no such dataset, or no record of it names that file.
    """
    root = _dataset_root(ctx, name)
    found = await asyncio.to_thread(_listed_file, root, file)
    if found is None:
        raise NotFound(f"dataset {name!r} lists no file {file!r}")
    return found


def _listed_file(root: Path, file: str) -> Path | None:
    from activecrowds_ml.storage import LABELLED_FILE, POOL_FILE

    try:
        listed = any(
            _text(row, "file") == file
            for path in (root / LABELLED_FILE, root / POOL_FILE)
            for row in _rows(path)
        )
        path = (root / file).resolve()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    # Listed and still inside: the importer writes paths inside the folder, a hand-made
    # dataset might not, and a link could point out.
    if not listed or not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path
