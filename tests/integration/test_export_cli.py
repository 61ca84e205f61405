"""`activecrowds export` writes what GET /export/{taskId}.{ext} serves (one service, the same
bytes), to a file or to standard output; a refusal is one line and no file."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from apptest import ADMIN_TOKEN, Api

from activecrowds.bootstrap import App

ROOT = Path(__file__).resolve().parents[2]


async def cli(app: App, *args: str) -> tuple[int, bytes, str]:
    env = {
        **os.environ,
        "ACTIVECROWDS_DATABASE_URL": app.settings.database_url,
        "ACTIVECROWDS_DATA_DIR": str(app.settings.data_dir),
        "ACTIVECROWDS_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli",
        "export",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return int(proc.returncode or 0), out, err.decode()


async def test_the_cli_writes_what_the_http_export_serves(
    app: App, api: Api, make_task: Any, tmp_path: Path
) -> None:
    task = await make_task("cli export")
    served = await api.client.get(
        f"/export/{task.id}.csv", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    out = tmp_path / "labels.csv"
    code, _, err = await cli(app, str(task.id), "--format", "csv", "--out", str(out))
    assert code == 0, err
    assert out.read_bytes() == served.content and f"written to {out}" in err
    assert not list(tmp_path.glob("*.part"))
    code, printed, err = await cli(app, str(task.id))  # JSONL on standard output by default
    assert code == 0, err
    assert len(printed.splitlines()) == len(served.text.splitlines()) - 1  # the CSV's header


async def test_an_unknown_task_or_format_is_one_line_and_no_file(app: App, tmp_path: Path) -> None:
    out = tmp_path / "none.jsonl"
    code, _, err = await cli(app, "999999", "--out", str(out))
    assert code == 2 and err.strip() == "activecrowds export: error: no task 999999"
    assert not out.exists() and not list(tmp_path.iterdir())
    code, _, err = await cli(app, "1", "--format", "xlsx")
    assert code == 2 and "invalid choice: 'xlsx'" in err
