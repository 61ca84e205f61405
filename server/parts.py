"""A multipart upload of many files written straight to disk, one open file at a time.

Starlette's form parser keeps every file part in memory up to 1 MiB and every part's file open
until the form closes: fine for a few images to classify, not for a dataset of thousands of
photos (a gigabyte of small files in memory, an open descriptor each). Here each file part goes
to its own file under the folder, by the name it was sent with (checked like an archive entry:
`no/a.jpg` keeps its folder, `../a.jpg` is refused), and is closed when the part ends; other
fields are ignored. The body is counted as every upload's is (server.uploads.counted).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from activecrowds_ml.errors import DatasetError
from activecrowds_ml.experiment.archive import member_path
from server.uploads import Limits, UploadRefused, counted, declared_length

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FIELDS = 100
CALLBACKS = (
    "on_part_begin",
    "on_part_data",
    "on_part_end",
    "on_header_field",
    "on_header_value",
    "on_header_end",
    "on_headers_finished",
)


class _Parts:
    """The parser's callbacks: they queue writes, which the reading loop does off the loop."""

    def __init__(self, folder: Path, limits: Limits) -> None:
        self.folder, self.limits = folder, limits
        self.header, self.value, self.disposition = b"", b"", b""
        self.files = self.fields = 0
        self.current: IO[bytes] | None = None
        self.pending: list[tuple[IO[bytes], bytes | None]] = []  # None: close it
        self.written: list[Path] = []

    def on_part_begin(self) -> None:
        self.disposition, self.current = b"", None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def on_header_end(self) -> None:
        if self.header.lower() == b"content-disposition":
            self.disposition = self.value
        self.header, self.value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        filename = options.get(b"filename")
        if filename is None:
            self.fields += 1
            if self.fields > MAX_FIELDS:
                raise UploadRefused(f"more than {MAX_FIELDS} form fields")
            return
        self.files += 1
        if self.files > self.limits.max_files:
            raise UploadRefused(f"more than {self.limits.max_files} files in one upload")
        self.current = self._open(filename.decode("utf-8", "replace"))

    def _open(self, name: str) -> IO[bytes]:
        try:
            target = self.folder / member_path(name)
        except DatasetError as exc:
            raise UploadRefused(str(exc)) from None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = target.open("xb")
        except (FileExistsError, NotADirectoryError):
            raise UploadRefused(f"{name!r} was sent twice, or clashes with a folder") from None
        except OSError as exc:  # a name too long for the disk, say
            raise UploadRefused(f"{name!r} cannot be stored ({exc.strerror})") from None
        self.written.append(target)
        return handle

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.current is not None:
            self.pending.append((self.current, bytes(data[start:end])))

    def on_part_end(self) -> None:
        if self.current is not None:
            self.pending.append((self.current, None))
            self.current = None

    def flush(self) -> None:
        for handle, data in self.pending:
            if data is None:
                handle.close()
            else:
                handle.write(data)
        self.pending.clear()

    def close_all(self) -> None:
        for handle, _ in self.pending:
            handle.close()
        if self.current is not None:
            self.current.close()


async def receive_parts(request: Request, limits: Limits, folder: Path) -> list[Path]:
    """Each file part of the multipart body, written under `folder`; returns their paths.

    Raises:
        UploadRefused: not multipart, malformed, too large, too slow, too many files, a name
            leaving the folder or sent twice. The caller removes `folder`.
    """
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise UploadRefused("send the files as multipart/form-data")
    receive = counted(request.receive, limits, declared_length(request))
    folder.mkdir(parents=True, exist_ok=True)
    parts = _Parts(folder, limits)
    callbacks = cast("MultipartCallbacks", {name: getattr(parts, name) for name in CALLBACKS})
    parser = MultipartParser(options[b"boundary"], callbacks)
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise UploadRefused("the upload was cut off")
            parser.write(message.get("body", b""))
            await asyncio.to_thread(parts.flush)
            if not message.get("more_body", False):
                break
        parser.finalize()
    except FormParserError as exc:
        raise UploadRefused(f"malformed upload: {exc}") from None
    finally:
        parts.close_all()
    if parts.files == 0:
        raise UploadRefused("the upload holds no files")
    return parts.written
