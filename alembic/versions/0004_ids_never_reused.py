"""SQLite tables get AUTOINCREMENT: a deleted row's id is never handed out again

Without it SQLite gives a new row the highest id in use plus one, so deleting the newest task
and creating another gave the new task, its batch and its samples the deleted ones' ids:
answers queued for the deleted batch went into the new one. SQLite cannot add AUTOINCREMENT to
a table, so each is rebuilt (batch mode: copy, drop, rename), rows and ids kept; from then on
sqlite_sequence remembers the highest id ever used. Ids deleted before this migration ran above
the highest one left are unknown and may still come back once. PostgreSQL's serial columns
take ids from sequences, which never hand one out twice: nothing to do there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Parents first: a child is rebuilt while the parent it references already has its new form.
TABLES = ("annotators", "tasks", "batches", "samples", "answers", "rounds")


def _rebuild(autoincrement: bool) -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for name in TABLES:
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
