"""Migration 0004 on an existing SQLite database: every table rebuilt with AUTOINCREMENT, every
row and id kept, the cascades intact, and from then on no id handed out twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from activecrowds.adapters.db import upgrade

TABLES = ("annotators", "tasks", "batches", "samples", "answers", "rounds")
TASK = (
    "INSERT INTO tasks (title, description, category, subcategory, labels, dataset, scenario,"
    " status) VALUES (?, '', 'IMAGE', 'BINARY_CLASSIFICATION', '[]', '/d', '{}', 'COLLECTING')"
)


def _add_task(conn: sqlite3.Connection, title: str, annotator: int) -> int:
    """A task with one batch, one sample answered once, and one round; returns the task id."""
    task = conn.execute(TASK, (title,)).lastrowid
    batch = conn.execute(
        "INSERT INTO batches (task_id, number, status) VALUES (?, 0, 'OPEN')", (task,)
    ).lastrowid
    sample = conn.execute(
        "INSERT INTO samples (task_id, key, kind, batch_id) VALUES (?, 'k', 'POOL', ?)",
        (task, batch),
    ).lastrowid
    conn.execute(
        "INSERT INTO answers (sample_id, batch_id, annotator_id, label) VALUES (?, ?, ?, 'a')",
        (sample, batch, annotator),
    )
    conn.execute(
        "INSERT INTO rounds (task_id, number, status, confusion_matrix)"
        " VALUES (?, 0, 'DONE', '[]')",
        (task,),
    )
    assert task is not None
    return task


def _rows(
    conn: sqlite3.Connection, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple[object, ...]]]:
    """Every row of each table (only `columns`, when given: later migrations add some)."""
    out = {}
    for name in TABLES:
        picked = ", ".join(columns[name]) if columns else "*"
        out[name] = conn.execute(f"SELECT {picked} FROM {name} ORDER BY id").fetchall()
    return out


def _columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    return {name: [r[1] for r in conn.execute(f"PRAGMA table_info({name})")] for name in TABLES}


def test_existing_sqlite_databases_stop_reusing_ids(tmp_path: Path) -> None:
    # Given a database at 0003 holding two tasks with batches, samples, answers and rounds
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url, "0003")
    with sqlite3.connect(path) as conn:
        annotator = conn.execute(
            "INSERT INTO annotators (name, role, token_hash) VALUES ('a', 'ANNOTATOR', 'h')"
        ).lastrowid
        assert annotator is not None
        _add_task(conn, "first", annotator)
        newest = _add_task(conn, "second", annotator)
        before, columns = _rows(conn), _columns(conn)
    # When it is migrated
    upgrade(url)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys=ON")  # as the application's connections are
        # Then every table has AUTOINCREMENT and every row its id
        for name in TABLES:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
            assert "AUTOINCREMENT" in sql[0], sql
        assert _rows(conn, columns) == before
        # And deleting the newest task still removes its batch, samples, answers and rounds
        conn.execute("DELETE FROM tasks WHERE id = ?", (newest,))
        left = {name: len(rows) for name, rows in _rows(conn).items()}
        assert left == {name: 1 for name in TABLES}
        # And the next task, batch, sample, answer and round get ids never used before
        again = _add_task(conn, "third", annotator)
        assert again > newest
        for name in TABLES[2:]:
            ids = [row[0] for row in conn.execute(f"SELECT id FROM {name} ORDER BY id")]
            assert ids == [1, 3], (name, ids)
