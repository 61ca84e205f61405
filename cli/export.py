"""`activecrowds export TASK --format jsonl|csv|imagefolder [--out FILE]`: a task's labels, as the
admin downloads them from GET /export/{taskId}.{ext} (the same service, the same bytes)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

from activecrowds.services.export import ExportFormat


def register(subparsers: Any) -> None:
    """Add `export`."""
    cmd = subparsers.add_parser(
        "export", help="write a task's samples, labels, answers and predictions to a file"
    )
    cmd.add_argument("task", type=int, help="the task's id")
    cmd.add_argument(
        "--format",
        choices=[f.value for f in ExportFormat],
        default=ExportFormat.JSONL.value,
        help="jsonl (one sample a line), csv (answers as a JSON column) or imagefolder (a zip "
        "of <label>/ folders and unlabelled/); default jsonl",
    )
    cmd.add_argument("--out", type=Path, help="the file to write (default: standard output)")
    cmd.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    return asyncio.run(_write(args.task, ExportFormat(args.format), args.out))


async def _write(task_id: int, fmt: ExportFormat, out: Path | None) -> int:
    from activecrowds.bootstrap import bootstrap
    from activecrowds.config import load_settings
    from activecrowds.domain.model import ADMIN
    from activecrowds.services.export import export

    app = await bootstrap(load_settings(), resume_rounds=False)
    try:
        found = await export(app.ctx, ADMIN, task_id, fmt)  # refusals come before any file
        if out is None:
            size = await _copy(found.body, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return 0
        # Written beside the target, then renamed: a failed export leaves no half file.
        part = out.with_name(out.name + ".part")
        try:
            with part.open("wb") as sink:
                size = await _copy(found.body, sink)
            os.replace(part, out)
        finally:
            part.unlink(missing_ok=True)
    finally:
        await app.close()
    print(f"task {task_id}: {size / 1e6:.1f} MB of {fmt.value} written to {out}", file=sys.stderr)
    return 0


async def _copy(body: Any, sink: BinaryIO) -> int:
    size = 0
    async for chunk in body:
        sink.write(chunk)
        size += len(chunk)
    return size
