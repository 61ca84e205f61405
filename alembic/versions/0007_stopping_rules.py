"""Stopping rules: why a task finished, and each round's agreement with the one before

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# As tables._enum stores enums: plain text, no native type, no constraint.
REASON = sa.Enum(
    "POOL_EXHAUSTED",
    "LABEL_BUDGET",
    "TARGET_ACCURACY",
    "PLATEAU",
    name="finishedreason",
    native_enum=False,
    length=16,
    create_constraint=False,
)


def upgrade() -> None:
    # Tasks finished before the rules existed finished for the only reason there was.
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("finished_reason", REASON, nullable=True))
    op.execute("UPDATE tasks SET finished_reason = 'POOL_EXHAUSTED' WHERE status = 'FINISHED'")
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("pool_agreement", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("pool_agreement")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("finished_reason")
