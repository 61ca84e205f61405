"""Import a dataset from a folder of class sub-folders, a CSV/JSONL manifest, or a zip of either.

Bad inputs (not an image, empty or undecodable text, unknown label, duplicate id) are collected
with the reason and skipped; the import never stops half way because of one file. A zip is
someone else's (an upload): it is unpacked under limits (archive.py), and the files its manifest
names must lie inside it.
"""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np

from activecrowds_ml.errors import DatasetError
from activecrowds_ml.experiment.archive import ArchiveLimits, unpack_zip
from activecrowds_ml.storage import (
    FILES_DIR,
    KINDS,
    META_FILE,
    Record,
    json_object,
    write_dataset,
)

POOL_FOLDER = "unlabelled"
MANIFEST_SUFFIXES = (".csv", ".jsonl")
ARCHIVE_SUFFIX = ".zip"


@dataclass(frozen=True)
class Candidate:
    """One input before checking: where it came from, and what it claims to be."""

    source: str  # shown in the bad-file list
    id: str
    path: Path | None = None
    text: str | None = None
    label: str | None = None
    truth: str | None = None
    problem: str | None = None  # known bad before it is read


@dataclass
class ImportReport:
    """What an import wrote, and each skipped input with the reason."""

    root: Path
    labels: tuple[str, ...] = ()
    labelled: int = 0
    pool: int = 0
    bad: list[tuple[str, str]] = field(default_factory=list)


class NothingValid(DatasetError):
    """Every input was bad: `bad` lists each with the reason."""

    def __init__(self, message: str, bad: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.bad = bad


def import_dataset(
    src: str | Path,
    dest: str | Path,
    *,
    name: str | None = None,
    kind: str | None = None,
    labels: Sequence[str] | None = None,
    labelled_fraction: float = 1.0,
    pool: str | Path | None = None,
    seed: int = 0,
    archive: ArchiveLimits | None = None,
    confine: bool = False,
    scratch: bool = False,
) -> ImportReport:
    """Import `src` (class sub-folders plus an optional `unlabelled/`, or a .csv/.jsonl
    manifest with columns file|text, label [, id, truth]; an empty label means pool; or a .zip
    holding either) into `dest`. A folder holding one folder and nothing else is looked into.

    Args:
        kind: "image" or "text"; guessed from the inputs when None.
        labels: label order (binary: the second is positive); sorted found labels when None.
        labelled_fraction: keep this share of labelled examples labelled; the rest (stratified,
            seeded) goes to the pool with its label kept as hidden `truth`, for simulations.
        pool: an extra folder of unlabelled files.
        archive: the limits a .zip source is unpacked under (ArchiveLimits' defaults if None).
        confine: refuse manifest rows naming a file outside the manifest's folder (always so
            for a zip's manifest).
        scratch: `src` is a scratch copy (an upload): its files may be hard-linked into `dest`
            instead of copied (always so for a zip's files, unpacked next to `dest`).

    Raises:
        DatasetError: a missing source, a dest that holds data, fewer than two labels, a bad
            option, an unsafe or oversized archive, or nothing valid to import (NothingValid,
            with the bad inputs).
    """
    src_path, dest_path = Path(src).expanduser(), Path(dest).expanduser().resolve()
    _check_args(src_path, dest_path, kind, labelled_fraction, pool)
    run = partial(
        _import,
        dest_path=dest_path,
        name=name,
        kind=kind,
        labels=labels,
        labelled_fraction=labelled_fraction,
        pool=pool,
        seed=seed,
    )
    if src_path.suffix.lower() != ARCHIVE_SUFFIX:
        return run(src_path, confine=confine, scratch=scratch)
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked next to dest (the same disk, and inside an upload's own folder) and removed after.
    with tempfile.TemporaryDirectory(dir=dest_path.parent, prefix=".unpack-") as unpacked:
        unpack_zip(src_path, Path(unpacked), archive)
        return run(_archive_source(Path(unpacked)), confine=True, scratch=True)


def _import(
    src_path: Path,
    dest_path: Path,
    *,
    name: str | None,
    kind: str | None,
    labels: Sequence[str] | None,
    labelled_fraction: float,
    pool: str | Path | None,
    seed: int,
    confine: bool,
    scratch: bool,
) -> ImportReport:
    candidates = list(_candidates(src_path, confine))
    if pool is not None:
        candidates += list(_folder_files(Path(pool).expanduser(), Path(pool).expanduser(), None))
    kind = kind or _guess_kind(src_path, candidates)
    found = sorted(
        {c.label for c in candidates if c.label} | {c.truth for c in candidates if c.truth}
    )
    label_order = tuple(labels) if labels else tuple(found)
    if len(label_order) < 2:
        raise DatasetError(f"{src_path}: need at least two labels; found {list(label_order)}")
    report = ImportReport(dest_path, label_order)
    records = _accept_all(candidates, kind, label_order, dest_path, report, scratch)
    labelled = [r for r in records if r.label is not None]
    unlabelled = [r for r in records if r.label is None]
    if not records:
        raise NothingValid(
            f"nothing valid to import from {src_path.name} ({len(report.bad)} bad inputs)",
            report.bad,
        )
    kept, moved = _hold_out(labelled, labelled_fraction, seed)
    write_dataset(dest_path, name or dest_path.name, kind, label_order, kept, moved + unlabelled)
    report.labelled, report.pool = len(kept), len(moved) + len(unlabelled)
    return report


def _check_args(
    src: Path, dest: Path, kind: str | None, fraction: float, pool: str | Path | None
) -> None:
    if not src.exists():
        raise DatasetError(f"source {src} does not exist")
    if src.is_file() and src.suffix.lower() not in (*MANIFEST_SUFFIXES, ARCHIVE_SUFFIX):
        raise DatasetError(f"{src}: a manifest must be .csv or .jsonl (or in a .zip)")
    if pool is not None and not Path(pool).expanduser().is_dir():
        raise DatasetError(f"pool folder {pool} does not exist")
    if kind is not None and kind not in KINDS:
        raise DatasetError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if not 0 < fraction <= 1:
        raise DatasetError(f"labelled fraction must be in (0, 1]; got {fraction}")
    if (dest / META_FILE).exists() or (dest.is_dir() and any(dest.iterdir())):
        raise DatasetError(f"{dest} is not empty; import into a new folder")


def _archive_source(folder: Path) -> Path:
    """What an unpacked archive holds: its one top-level manifest, else its folders."""
    top = _unwrapped(folder)
    manifests = [p for p in top.iterdir() if p.is_file() and p.suffix.lower() in MANIFEST_SUFFIXES]
    if len(manifests) > 1:
        names = ", ".join(sorted(p.name for p in manifests))
        raise DatasetError(f"the archive holds more than one manifest ({names}): send one")
    return manifests[0] if manifests else top


def _unwrapped(folder: Path) -> Path:
    """`folder`, or the one folder it holds when it holds nothing else (a zipped folder)."""
    entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and entries[0].name != POOL_FOLDER:
        return _unwrapped(entries[0])
    return folder


def _candidates(src: Path, confine: bool = False) -> Iterator[Candidate]:
    if src.is_file():
        yield from _manifest(src, confine)
        return
    src = _unwrapped(src)
    for entry in sorted(src.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            label = None if entry.name == POOL_FOLDER else entry.name
            yield from _folder_files(entry, src, label)
        else:
            yield Candidate(str(entry), entry.name)  # loose file: no class, reported as bad


def _folder_files(folder: Path, base: Path, label: str | None) -> Iterator[Candidate]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            yield Candidate(str(path), path.relative_to(base).as_posix(), path=path, label=label)


def _manifest(path: Path, confine: bool) -> Iterator[Candidate]:
    rows = _read_manifest(path)
    for number, row in enumerate(rows, start=2 if path.suffix.lower() == ".csv" else 1):
        where = f"{path.name}:{number}"
        file, text = (row.get("file") or "").strip(), row.get("text")
        label = (row.get("label") or "").strip() or None
        truth = (row.get("truth") or "").strip() or None
        if file and confine and not _inside(path.parent, file):
            outside = "the file must be inside the upload (no absolute paths, no '..')"
            yield Candidate(f"{where} {file}", file, problem=outside)
        elif file:
            full = Path(file) if Path(file).is_absolute() else path.parent / file
            rid = row.get("id") or (Path(file).name if Path(file).is_absolute() else file)
            yield Candidate(f"{where} {file}", str(rid), path=full, label=label, truth=truth)
        else:
            rid = row.get("id") or f"{path.stem}-{number}"
            yield Candidate(where, str(rid), text=text or "", label=label, truth=truth)


def _inside(folder: Path, file: str) -> bool:
    """`file` (relative to `folder`) names something inside it, links resolved."""
    if Path(file).is_absolute():
        return False
    return (folder / file).resolve().is_relative_to(folder.resolve())


def _read_manifest(path: Path) -> list[dict[str, str]]:
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8") as f:
                rows: list[dict[str, str]] = list(csv.DictReader(f))
        else:
            with path.open(encoding="utf-8") as lines:
                rows = [
                    _json_row(line, f"{path.name}:{n}")
                    for n, line in enumerate(lines, 1)
                    if line.strip()
                ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: cannot read the manifest ({exc})") from None
    if rows and not ({"file", "text"} & set(rows[0])):
        raise DatasetError(f"{path}: the manifest needs a 'file' or a 'text' column")
    return rows


def _json_row(line: str, where: str) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in json_object(line, where).items()}


def _guess_kind(src: Path, candidates: Sequence[Candidate]) -> str:
    if any(c.path is None and c.text is not None for c in candidates):
        return "text"
    files = [c.path for c in candidates if c.path is not None]
    if files and all(p.suffix.lower() == ".txt" for p in files):
        return "text"
    return "image"


def _accept_all(
    candidates: Sequence[Candidate],
    kind: str,
    labels: tuple[str, ...],
    dest: Path,
    report: ImportReport,
    scratch: bool = False,
) -> list[Record]:
    records: list[Record] = []
    seen: set[str] = set()
    for c in candidates:
        problem = _problem(c, labels, seen)
        result = _to_record(c, kind, dest, scratch) if problem is None else problem
        if isinstance(result, str):
            report.bad.append((c.source, result))
            continue
        seen.add(c.id)
        records.append(result)
    return records


def _problem(c: Candidate, labels: tuple[str, ...], seen: set[str]) -> str | None:
    if c.problem is not None:
        return c.problem
    if c.path is None and c.text is None:
        return "not inside a class folder (put it in a class folder or in unlabelled/)"
    for value in (c.label, c.truth):
        if value is not None and value not in labels:
            return f"unknown label {value!r} (labels: {', '.join(labels)})"
    if c.id in seen:
        return f"duplicate id {c.id!r}"
    return None


def _to_record(c: Candidate, kind: str, dest: Path, scratch: bool = False) -> Record | str:
    """The stored record, or the reason the input is bad."""
    if kind == "text":
        text, reason = (c.text, None) if c.path is None else _read_text(c.path)
        if text is None or not text.strip():
            return reason or "empty text"
        return Record(c.id, text=text.strip(), label=c.label, truth=c.truth)
    if c.path is None:
        return "an image dataset needs a file, not a text"
    reason = _image_problem(c.path)
    if reason:
        return reason
    target = dest / FILES_DIR / _safe_name(c.id, c.path.suffix)
    target.parent.mkdir(parents=True, exist_ok=True)
    _place(c.path, target, scratch)
    return Record(c.id, file=str(target), label=c.label, truth=c.truth)


def _place(source: Path, target: Path, scratch: bool) -> None:
    """Copy `source` to `target`; a scratch file is hard-linked where the disk allows (an
    upload's files are not stored twice)."""
    if scratch:
        try:
            target.hardlink_to(source)
            return
        except OSError:  # another disk, or links not supported: copy
            pass
    shutil.copyfile(source, target)


def _read_text(path: Path) -> tuple[str | None, str | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except OSError as exc:
        return None, f"cannot read ({exc.strerror})"


def _image_problem(path: Path) -> str | None:
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        return "file not found"
    try:
        with Image.open(path) as image:
            image.load()  # decodes fully: catches truncated files that verify() lets through
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        return f"not an image ({type(exc).__name__})"
    return None


def _safe_name(rid: str, suffix: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._/-]", "_", rid).replace("..", "_").lstrip("/")
    return name if name.lower().endswith(suffix.lower()) else name + suffix.lower()


def _hold_out(
    labelled: list[Record], fraction: float, seed: int
) -> tuple[list[Record], list[Record]]:
    """Keep `fraction` of each label labelled; the rest become pool records with `truth`."""
    if fraction >= 1:
        return labelled, []
    rng = np.random.default_rng(seed)
    kept: list[Record] = []
    moved: list[Record] = []
    for label in sorted({str(r.label) for r in labelled}):
        group = sorted((r for r in labelled if r.label == label), key=lambda r: r.id)
        order = rng.permutation(len(group))
        n_keep = max(1, round(fraction * len(group)))
        kept += [group[i] for i in order[:n_keep]]
        moved += [replace(group[i], label=None, truth=label) for i in order[n_keep:]]
    return kept, moved
