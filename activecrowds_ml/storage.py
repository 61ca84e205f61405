"""Datasets on disk: labelled examples per class and an unlabelled pool, for images and text.

A dataset folder holds `dataset.json` ({name, kind, labels}), `labelled.jsonl` (id, file|text,
label), `pool.jsonl` (id, file|text and, only in simulations and demos, the hidden `truth`) and
`files/` with the images. Paths in the JSONL files are relative to the folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from activecrowds_ml.errors import DatasetError

if TYPE_CHECKING:
    from activecrowds_ml.scenario import Scenario

KINDS = ("image", "text")
META_FILE, LABELLED_FILE, POOL_FILE, FILES_DIR = (
    "dataset.json",
    "labelled.jsonl",
    "pool.jsonl",
    "files",
)


@dataclass(frozen=True)
class Record:
    """One sample: an image file or a text; `label` when labelled; `truth` only in simulations
    (the hidden ground truth of a pool sample, used by simulated crowds and never shown)."""

    id: str
    file: str | None = None  # absolute path of an image
    text: str | None = None
    label: str | None = None
    truth: str | None = None

    @property
    def known_label(self) -> str | None:
        """The label if labelled, else the hidden truth (simulations only), else None."""
        return self.label if self.label is not None else self.truth


@dataclass(frozen=True)
class Dataset:
    """A loaded dataset: its labels (for binary tasks the second is the positive class),
    labelled records and pool records, with image paths made absolute."""

    root: Path
    name: str
    kind: str
    labels: tuple[str, ...]
    labelled: tuple[Record, ...]
    pool: tuple[Record, ...]

    @classmethod
    def load(cls, path: str | Path) -> Dataset:
        """Read a dataset folder.

        Raises:
            DatasetError: the folder or a file is missing, or a line is malformed; the message
                names the file and line.
        """
        root = Path(path).expanduser().resolve()
        if not (root / META_FILE).is_file():
            raise DatasetError(f"no dataset at {root} (missing {META_FILE})")
        name, kind, labels = _read_meta(root / META_FILE)
        labelled = tuple(_read_records(root, LABELLED_FILE, kind, labels, labelled=True))
        pool = tuple(_read_records(root, POOL_FILE, kind, labels, labelled=False))
        _check_unique(labelled + pool)
        return cls(root, name, kind, labels, labelled, pool)

    def count_by_label(self) -> dict[str, int]:
        """How many labelled examples each label has (every label listed, zeros included)."""
        counts = dict.fromkeys(self.labels, 0)
        for r in self.labelled:
            counts[str(r.label)] += 1
        return counts

    def split(self, scenario: Scenario) -> Split:
        """Draw the test, eval, seed and gold sets of `scenario` from the labelled examples.

        Stratified by label and seeded by `scenario.seed`; the test set is drawn first, then
        eval, then the seed, then gold (control questions), so a different initial size never
        changes the test set and a scenario without gold splits as it always did.

        Raises:
            DatasetError: fewer labelled examples than the three sets need together.
        """
        sizes = {
            "test": scenario.test_size,
            "eval": scenario.eval_size,
            "initial": scenario.initial_train_size,
            "gold": scenario.gold_size,
        }
        return split_labelled(self.labelled, self.labels, sizes, scenario.seed)


@dataclass(frozen=True)
class Split:
    """The labelled examples of one scenario: seed (initial training), eval, test, gold (control
    questions whose label the crowd is not told), and the rest."""

    seed: tuple[Record, ...]
    eval: tuple[Record, ...]
    test: tuple[Record, ...]
    rest: tuple[Record, ...]
    gold: tuple[Record, ...] = ()

    def ids(self) -> dict[str, list[str]]:
        """Record ids per set, the stable form a server stores."""
        names = ("seed", "eval", "test", "gold", "rest")
        return {k: [r.id for r in getattr(self, k)] for k in names}


def split_labelled(
    records: Sequence[Record], labels: Sequence[str], sizes: dict[str, int], seed: int
) -> Split:
    """Stratified draws of sizes["test"], sizes["eval"], sizes["initial"], sizes["gold"] (in
    that order; gold may be left out: none).

    Raises:
        DatasetError: not enough labelled records; the message says how many are needed.
    """
    needed = sum(sizes.values())
    if needed > len(records):
        parts = " + ".join(f"{k} {v}" for k, v in sizes.items() if v or k != "gold")
        raise DatasetError(
            f"the scenario needs {needed} labelled examples ({parts}); "
            f"the dataset has {len(records)}"
        )
    rng = np.random.default_rng(seed)
    # Sorting by id makes the draw depend on ids and seed only, not on file order.
    left = sorted(records, key=lambda r: r.id)
    drawn: dict[str, tuple[Record, ...]] = {}
    # Gold comes last, so a scenario without gold splits exactly as before gold existed.
    for name in ("test", "eval", "initial", "gold"):
        drawn[name], left = _stratified_draw(left, labels, sizes.get(name, 0), rng)
    return Split(drawn["initial"], drawn["eval"], drawn["test"], tuple(left), drawn["gold"])


def _stratified_draw(
    records: list[Record], labels: Sequence[str], size: int, rng: np.random.Generator
) -> tuple[tuple[Record, ...], list[Record]]:
    by_label = {lab: [r for r in records if r.label == lab] for lab in labels}
    quota = _quotas({lab: len(rs) for lab, rs in by_label.items()}, size)
    picked: list[Record] = []
    left: list[Record] = []
    for lab, group in by_label.items():
        order = rng.permutation(len(group))
        picked += [group[i] for i in order[: quota[lab]]]
        left += [group[i] for i in order[quota[lab] :]]
    shuffled = [picked[i] for i in rng.permutation(len(picked))]
    return tuple(shuffled), sorted(left, key=lambda r: r.id)


def _quotas(counts: dict[str, int], size: int) -> dict[str, int]:
    """Proportional counts by largest remainder, each class at least one when size allows."""
    total = sum(counts.values())
    exact = {lab: size * c / total if total else 0.0 for lab, c in counts.items()}
    quota = {lab: int(q) for lab, q in exact.items()}
    by_fraction = sorted(exact, key=lambda lab: exact[lab] - quota[lab], reverse=True)
    for lab in by_fraction[: size - sum(quota.values())]:
        quota[lab] += 1
    # A seed set without some class cannot train a classifier for it: borrow from the largest.
    for lab, c in counts.items():
        if quota[lab] == 0 and c > 0 and size >= len(counts):
            donor = max(quota, key=lambda k: quota[k])
            quota[donor] -= 1
            quota[lab] += 1
    return quota


def write_dataset(
    root: str | Path,
    name: str,
    kind: str,
    labels: Sequence[str],
    labelled: Iterable[Record],
    pool: Iterable[Record],
) -> Path:
    """Write dataset.json and the two JSONL files; `file` paths are stored relative to `root`.

    The image files must already be inside `root` (normally under files/).

    Raises:
        DatasetError: unknown kind, fewer than two labels, or a file outside the folder.
    """
    root = Path(root).resolve()
    if kind not in KINDS:
        raise DatasetError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise DatasetError(f"a dataset needs at least two distinct labels; got {list(labels)}")
    root.mkdir(parents=True, exist_ok=True)
    meta = {"name": name, "kind": kind, "labels": list(labels)}
    (root / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    _write_jsonl(root / LABELLED_FILE, (_to_row(root, r) for r in labelled))
    _write_jsonl(root / POOL_FILE, (_to_row(root, r) for r in pool))
    return root


def _to_row(root: Path, record: Record) -> dict[str, str]:
    row = {"id": record.id}
    if record.file is not None:
        path = Path(record.file).resolve()
        if not path.is_relative_to(root):
            raise DatasetError(f"{record.id}: file {path} is outside the dataset folder {root}")
        row["file"] = path.relative_to(root).as_posix()
    if record.text is not None:
        row["text"] = record.text
    for key in ("label", "truth"):
        value = getattr(record, key)
        if value is not None:
            row[key] = value
    return row


def _write_jsonl(path: Path, rows: Iterable[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_meta(path: Path) -> tuple[str, str, tuple[str, ...]]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise DatasetError(f"{path}: expected an object with name, kind, labels")
    kind, labels = meta.get("kind"), meta.get("labels")
    if kind not in KINDS:
        raise DatasetError(f"{path}: kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if (
        not isinstance(labels, list)
        or len(labels) < 2
        or not all(isinstance(lab, str) and lab for lab in labels)
        or len(set(labels)) != len(labels)
    ):
        raise DatasetError(f"{path}: labels must be a list of at least two distinct names")
    return str(meta.get("name") or path.parent.name), kind, tuple(labels)


def _read_records(
    root: Path, filename: str, kind: str, labels: tuple[str, ...], *, labelled: bool
) -> Iterator[Record]:
    path = root / filename
    if not path.is_file():
        raise DatasetError(f"{path} is missing (an empty file is fine)")
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                where = f"{path}:{number}"
                yield _parse_record(root, json_object(line, where), kind, labels, labelled, where)


def json_object(line: str, where: str) -> dict[str, Any]:
    """One JSONL line as an object; anything else is a DatasetError naming `where`."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise DatasetError(f"{where}: expected a JSON object")
    return row


def _parse_record(
    root: Path, row: dict[str, Any], kind: str, labels: tuple[str, ...], labelled: bool, where: str
) -> Record:
    rid = row.get("id")
    if not isinstance(rid, str) or not rid:
        raise DatasetError(f"{where}: missing or empty id")
    label, truth = row.get("label"), row.get("truth")
    if labelled and label not in labels:
        raise DatasetError(f"{where}: label {label!r} is not one of {list(labels)}")
    if not labelled and label is not None:
        raise DatasetError(f"{where}: pool records carry no label (use truth in simulations)")
    if truth is not None and truth not in labels:
        raise DatasetError(f"{where}: truth {truth!r} is not one of {list(labels)}")
    if kind == "text":
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DatasetError(f"{where}: a text dataset needs a non-empty text")
        return Record(rid, text=text, label=label, truth=truth)
    file = row.get("file")
    if not isinstance(file, str) or not file:
        raise DatasetError(f"{where}: an image dataset needs a file")
    path = (root / file).resolve()
    if not path.is_file():
        raise DatasetError(f"{where}: image file {file} is missing")
    return Record(rid, file=str(path), label=label, truth=truth)


def _check_unique(records: Sequence[Record]) -> None:
    seen: set[str] = set()
    for r in records:
        if r.id in seen:
            raise DatasetError(f"record id {r.id!r} appears more than once")
        seen.add(r.id)
