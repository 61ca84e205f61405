"""Crowd integrity: invites, annotator status and control figures, uncounted answers, workers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite rebuilds a table to change it: keep AUTOINCREMENT (0004), so ids are never reused.
KEEP_IDS = {"table_kwargs": {"sqlite_autoincrement": True}}


def upgrade() -> None:
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("hint", sa.String(8), nullable=False),
        sa.Column("task_ids", sa.JSON()),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invites"),
        sa.UniqueConstraint("code_hash", name="uq_invites_code_hash"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("annotators", **KEEP_IDS) as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="ACTIVE")
        )
        batch.add_column(sa.Column("status_reason", sa.Text()))
        batch.add_column(sa.Column("invite_id", sa.Integer()))
        batch.add_column(sa.Column("task_ids", sa.JSON()))
        batch.add_column(sa.Column("token_expires_at", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column("gold_answers", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("gold_correct", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_foreign_key(
            "fk_annotators_invite_id_invites", "invites", ["invite_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "leases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_leases"),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name="fk_leases_batch_id_batches", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["samples.id"], name="fk_leases_sample_id_samples", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["annotators.id"],
            name="fk_leases_annotator_id_annotators",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("sample_id", "annotator_id", name="uq_leases_sample_annotator"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_leases_batch_id", "leases", ["batch_id"])
    with op.batch_alter_table("answers", **KEEP_IDS) as batch:
        batch.add_column(
            sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("tasks", **KEEP_IDS) as batch:
        batch.add_column(sa.Column("workers", sa.JSON()))


def downgrade() -> None:
    op.drop_index("ix_leases_batch_id", table_name="leases")
    op.drop_table("leases")
    with op.batch_alter_table("tasks", **KEEP_IDS) as batch:
        batch.drop_column("workers")
    with op.batch_alter_table("answers", **KEEP_IDS) as batch:
        batch.drop_column("counted")
    with op.batch_alter_table("annotators", **KEEP_IDS) as batch:
        batch.drop_constraint("fk_annotators_invite_id_invites", type_="foreignkey")
        for name in (
            "gold_correct",
            "gold_answers",
            "token_expires_at",
            "task_ids",
            "invite_id",
            "status_reason",
            "status",
        ):
            batch.drop_column(name)
    op.drop_table("invites")
