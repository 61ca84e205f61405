"""A stored model per round, and the latest round's prediction for each pool sample

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_models",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("eval_accuracy", sa.Float()),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_round_models"),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name="fk_round_models_task_id_tasks", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("task_id", "round_number", name="uq_round_models_task_round_number"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "predictions",
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("round_number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sample_id", name="pk_predictions"),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["samples.id"],
            name="fk_predictions_sample_id_samples",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name="fk_predictions_task_id_tasks", ondelete="CASCADE"
        ),
    )
    op.create_index(
        "ix_predictions_task_confidence",
        "predictions",
        ["task_id", "confidence", "sample_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_predictions_task_confidence", table_name="predictions")
    op.drop_table("predictions")
    op.drop_table("round_models")
