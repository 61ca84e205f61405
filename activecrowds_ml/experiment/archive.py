"""Unpack a zip without trusting it: every entry lands inside the folder, no links, and what it
unpacks to is bounded in size, count and compression ratio.

An archive someone else made (an upload) is the input here, so its names and its declared sizes
are claims: every name is checked before anything is written (one bad entry refuses the whole
archive), and the size limit is counted on the bytes actually written, not on the headers.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from activecrowds_ml.errors import DatasetError

MB = 1 << 20
# Photos barely compress and text compresses some 3-10x; 200x is a bomb (or a file of zeros).
MAX_RATIO = 200.0
RATIO_FLOOR = MB  # an entry unpacking to less may compress as well as it likes
SKIPPED_TOP = ("__MACOSX",)  # macOS's resource forks, in every zip its Finder makes
CHUNK = MB


@dataclass(frozen=True)
class ArchiveLimits:
    """What one archive may unpack to: bytes written, files, and the ratio of any one entry."""

    max_bytes: int = 4096 * MB
    max_files: int = 100_000
    max_ratio: float = MAX_RATIO


def member_path(name: str) -> PurePosixPath:
    """The relative path an archive entry (or an uploaded file's name) stands for.

    Backslashes count as separators (zips made on Windows use them).

    Raises:
        DatasetError: absolute, a drive, `..`, empty, or a NUL character: it could leave the folder.
    """
    parts = name.replace("\\", "/").split("/")
    clean = [p for p in parts if p not in ("", ".")]
    absolute = name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":")
    if absolute or ".." in clean or not clean or "\0" in name:
        raise DatasetError(f"{name!r}: a path outside the archive is not allowed")
    return PurePosixPath(*clean)


def unpack_zip(archive: Path, dest: Path, limits: ArchiveLimits | None = None) -> int:
    """Unpack `archive` into the empty or new folder `dest`; returns the files written.

    Raises:
        DatasetError: not a zip, or an entry that leaves the folder, is a link, is encrypted, is
            damaged, or passes a limit; the message names the entry. The caller removes `dest`.
    """
    limits = limits or ArchiveLimits()
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = _checked_entries(zf, limits)
            for info, path in entries:
                _extract(zf, info, dest / path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise DatasetError(f"{archive.name}: not a readable zip archive ({exc})") from None
    return len(entries)


def _checked_entries(
    zf: zipfile.ZipFile, limits: ArchiveLimits
) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Every file entry with its path, all checked before a byte is written."""
    entries: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    seen: set[PurePosixPath] = set()
    declared = 0
    for info in zf.infolist():
        path = member_path(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DatasetError(f"{info.filename!r}: links are not allowed in an archive")
        if info.is_dir() or path.parts[0] in SKIPPED_TOP:
            continue
        if info.flag_bits & 0x1:
            raise DatasetError(f"{info.filename!r}: encrypted entries are not supported")
        if path in seen:
            raise DatasetError(f"{info.filename!r}: appears twice in the archive")
        _check_ratio(info, limits)
        seen.add(path)
        declared += info.file_size
        entries.append((info, path))
    if len(entries) > limits.max_files:
        raise DatasetError(f"the archive holds {len(entries)} files; at most {limits.max_files}")
    if declared > limits.max_bytes:
        raise DatasetError(f"the archive unpacks to more than {limits.max_bytes / MB:g} MB")
    return entries


def _check_ratio(info: zipfile.ZipInfo, limits: ArchiveLimits) -> None:
    if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        raise DatasetError(
            f"{info.filename!r}: compressed {info.file_size / max(info.compress_size, 1):.0f}"
            f" to 1 (at most {limits.max_ratio:g}): a zip bomb?"
        )


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Write one entry, never more than it declares: the declared sizes are within the limit,
    so the bytes written are too, whatever the compressed stream holds."""
    written = 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as source, target.open("xb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise DatasetError(f"{info.filename!r}: unpacks to more than it declares")
                out.write(chunk)
    except (zlib.error, zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
        raise DatasetError(f"{info.filename!r}: a damaged entry ({exc})") from None
    except (FileExistsError, NotADirectoryError):
        raise DatasetError(f"{info.filename!r}: clashes with another entry") from None
    except OSError as exc:  # a name too long for the disk, say
        raise DatasetError(f"{info.filename!r}: cannot be unpacked ({exc.strerror})") from None
