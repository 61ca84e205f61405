"""Classify what is not a task's sample: photos or texts an owner sends to a trained model.

Each input is prepared exactly as training prepared the task's own samples (an image through
`models.image.load_image` at the model's input size; a text as is), so a pool image sent here
gets the probabilities its round stored, within float rounding. Nothing of an input is kept:
its features go straight from the encoder to the head, past the feature cache, which would
otherwise grow with every request and keep what it was shown.

Every input is checked before any is classified, and one bad input refuses the whole request
naming every bad one (an empty file, a file that is no image, a picture too large to decode, a
text that is no UTF-8 text, a text sent to an image model): a caller fixes them all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from activecrowds_ml.errors import DatasetError, ModelError, ValidationError
from activecrowds_ml.models.base import Model
from activecrowds_ml.storage import Record

# Pixels one image may have: a 48 MP phone photo passes; beyond, decoding alone would hold
# hundreds of MB (PIL itself refuses only past 179 MP).
MAX_PIXELS = 64_000_000
KINDS = ("image", "text")


@dataclass(frozen=True)
class Input:
    """One thing to classify, with the caller's name for it (errors and results say it).

    `file`: an image for an image model, a UTF-8 text file for a text model; `text`: a text.
    """

    name: str
    file: Path | None = None
    text: str | None = None


@dataclass(frozen=True)
class Rejected:
    """An input that cannot be classified, and why."""

    name: str
    reason: str


class InputError(ValidationError):
    """Some inputs cannot be classified; `bad` names each one and why."""

    def __init__(self, bad: Sequence[Rejected]) -> None:
        shown = ", ".join(b.name for b in bad[:5]) + (", ..." if len(bad) > 5 else "")
        super().__init__(f"{len(bad)} input(s) cannot be classified: {shown}", "files")
        self.bad = tuple(bad)


@dataclass(frozen=True)
class Classification:
    """What the model says about one input: its best label, that label's probability, and
    every label's probability (in the model's label order)."""

    name: str
    label: str
    confidence: float
    probabilities: dict[str, float]


def input_kind(model: Model) -> str:
    """What the model classifies: "image" or "text".

    Raises:
        ModelError: a model that does not say how its inputs are prepared.
    """
    kind = model.describe().get("input", {}).get("kind")
    if kind not in KINDS:
        raise ModelError(f"this model ({type(model).__name__}) cannot classify new inputs")
    return str(kind)


def classify(model: Model, inputs: Sequence[Input]) -> list[Classification]:
    """Probabilities per label for each input, in the order given.

    Args:
        model: a trained model (e.g. `artifacts.load_model` of a round's artifact).
        inputs: image files for an image model; texts or UTF-8 text files for a text model.

    Returns:
        One Classification per input, in the order of `inputs`.

    Raises:
        ValidationError: no inputs.
        InputError: any input is empty, undecodable or of the wrong kind; every bad one is
            named, and none is classified.
        ModelError: the model cannot classify new inputs.
    """
    if not inputs:
        raise ValidationError("nothing to classify: send at least one input", "files")
    kind = input_kind(model)
    size = int(model.describe()["input"].get("height", 0)) if kind == "image" else 0
    checked = [_check_image(i) if kind == "image" else _check_text(i) for i in inputs]
    bad = [c for c in checked if isinstance(c, Rejected)]
    if bad:
        raise InputError(bad)
    records = [c for c in checked if isinstance(c, Record)]
    try:
        proba = model.predict_proba_uncached(records)
    except DatasetError:
        # The headers were fine but the data is not (a truncated file): decode each alone.
        raise InputError(_undecodable(inputs, size) or [Rejected("?", "cannot decode")]) from None
    return [_result(model.labels, i.name, row) for i, row in zip(inputs, proba, strict=True)]


def _result(labels: Sequence[str], name: str, row: Sequence[float]) -> Classification:
    probabilities = {label: float(p) for label, p in zip(labels, row, strict=True)}
    best = max(probabilities, key=lambda label: probabilities[label])
    return Classification(name, best, probabilities[best], probabilities)


def _check_image(item: Input) -> Record | Rejected:
    """A record of an image whose header PIL reads, within MAX_PIXELS; else why not."""
    from PIL import Image, UnidentifiedImageError

    if item.file is None:
        return Rejected(item.name, "an image model classifies image files, not texts")
    empty = _empty(item.file)
    if empty is not None:
        return Rejected(item.name, empty)
    try:
        with Image.open(item.file) as img:  # reads the header only
            width, height = img.size
    except Image.DecompressionBombError:
        return Rejected(item.name, f"larger than {MAX_PIXELS // 1_000_000} megapixels")
    except (OSError, UnidentifiedImageError, ValueError):
        return Rejected(item.name, "not an image (or in a format this server cannot read)")
    if width * height > MAX_PIXELS:
        return Rejected(item.name, f"larger than {MAX_PIXELS // 1_000_000} megapixels")
    return Record(id=item.name, file=str(item.file))


def _check_text(item: Input) -> Record | Rejected:
    """A record of a text (given, or read from a UTF-8 file); else why not."""
    text = item.text
    if item.file is not None:
        empty = _empty(item.file)
        if empty is not None:
            return Rejected(item.name, empty)
        try:
            text = item.file.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            return Rejected(item.name, "not UTF-8 text (a text model classifies texts)")
        if "\x00" in text:
            return Rejected(item.name, "a binary file, not text")
    if text is None or not text.strip():
        return Rejected(item.name, "an empty text")
    return Record(id=item.name, text=text)


def _empty(path: Path) -> str | None:
    try:
        return "an empty file" if path.stat().st_size == 0 else None
    except OSError:
        return "no such file"


def _undecodable(inputs: Sequence[Input], size: int) -> list[Rejected]:
    from activecrowds_ml.models.image import load_image

    bad = []
    for item in inputs:
        try:
            load_image(str(item.file), size)
        except DatasetError:
            bad.append(Rejected(item.name, "not a whole image (truncated or corrupt data)"))
    return bad
