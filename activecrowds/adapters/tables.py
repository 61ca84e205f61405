"""The database schema (SQLAlchemy Core); Alembic migrations are generated against it."""

from __future__ import annotations

from enum import Enum as PyEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
    true,
)

from activecrowds.domain.model import (
    AnnotatorStatus,
    BatchStatus,
    Role,
    RoundStatus,
    SampleKind,
    SampleState,
    TaskStatus,
)
from activecrowds.domain.rules import (
    MAX_KEY_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_TITLE_LENGTH,
)
from activecrowds_ml.stopping import FinishedReason

# Stable constraint names, so migrations read the same on PostgreSQL and SQLite.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


NOW = text("CURRENT_TIMESTAMP")  # portable: PostgreSQL and SQLite both know it
# Every table has sqlite_autoincrement: an id is never handed out twice, so a client holding a
# deleted row's id (answers queued for a deleted task's batch) finds nothing, not a new row.
# PostgreSQL's sequences never go back; SQLite without AUTOINCREMENT reuses the highest id once
# its row is deleted.


def _enum(cls: type[PyEnum]) -> Enum:
    """Stored as plain text (no native type), read back as the domain enum."""
    return Enum(cls, native_enum=False, length=16, create_constraint=False)


def _created() -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW)


def _task_fk() -> Column[int]:
    # No own index: each table's unique (task_id, number) key starts with it.
    return Column("task_id", Integer, ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False)


invites = Table(
    "invites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("hint", String(8), nullable=False),
    Column("task_ids", JSON),  # NULL: every task
    Column("max_uses", Integer, nullable=False),
    Column("uses", Integer, nullable=False, server_default="0"),
    Column("expires_at", DateTime(timezone=True)),
    Column("note", Text, nullable=False, server_default=""),
    Column("revoked_at", DateTime(timezone=True)),
    _created(),
    sqlite_autoincrement=True,
)

annotators = Table(
    "annotators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(MAX_NAME_LENGTH), nullable=False),
    Column("role", _enum(Role), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    _created(),
    Column("status", _enum(AnnotatorStatus), nullable=False, server_default="ACTIVE"),
    Column("status_reason", Text),
    Column("invite_id", Integer, ForeignKey("invites.id", ondelete="SET NULL")),
    Column("task_ids", JSON),  # copied from its invite: NULL, every task
    Column("token_expires_at", DateTime(timezone=True)),
    Column("gold_answers", Integer, nullable=False, server_default="0"),
    Column("gold_correct", Integer, nullable=False, server_default="0"),
    sqlite_autoincrement=True,
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(MAX_TITLE_LENGTH), nullable=False),
    Column("description", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("subcategory", String(32), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("dataset", Text, nullable=False),
    Column("scenario", JSON, nullable=False),
    Column("status", _enum(TaskStatus), nullable=False, index=True),
    Column("cover_image_url", Text),
    Column("last_error", Text),
    Column("finished_reason", _enum(FinishedReason)),  # set when FINISHED
    # The crowd's estimated confusion matrices (activecrowds_ml WorkerModel), for DAWID_SKENE.
    Column("workers", JSON),
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Index("ix_tasks_category_subcategory", "category", "subcategory"),
    sqlite_autoincrement=True,
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    _task_fk(),
    Column("number", Integer, nullable=False),
    Column("status", _enum(BatchStatus), nullable=False),
    _created(),
    Column("resolved_at", DateTime(timezone=True)),
    # One batch per round number: a round run twice cannot open a second batch.
    UniqueConstraint("task_id", "number", name="uq_batches_task_number"),
    sqlite_autoincrement=True,
)

samples = Table(
    "samples",
    metadata,
    Column("id", Integer, primary_key=True),
    _task_fk(),
    Column("key", String(MAX_KEY_LENGTH), nullable=False),
    Column("kind", _enum(SampleKind), nullable=False),
    Column("file", Text),
    Column("text", Text),
    Column("label", String(MAX_LABEL_LENGTH)),
    Column("batch_id", Integer, ForeignKey("batches.id", ondelete="SET NULL"), index=True),
    Column("state", _enum(SampleState)),
    Column("resolved_label", String(MAX_LABEL_LENGTH)),
    Column("answer_count", Integer, nullable=False, server_default="0"),
    # Answers per label, kept under the batch's lock by submit_answers so that deciding a
    # sample never re-reads its answers (the answers table stays the record).
    Column("votes", JSON),
    UniqueConstraint("task_id", "key", name="uq_samples_task_key"),
    Index("ix_samples_task_kind", "task_id", "kind"),
    sqlite_autoincrement=True,
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sample_id", Integer, ForeignKey("samples.id", ondelete="CASCADE"), nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
    Column(
        "annotator_id", Integer, ForeignKey("annotators.id", ondelete="CASCADE"), nullable=False
    ),
    Column("label", String(MAX_LABEL_LENGTH), nullable=False),
    _created(),
    # False: kept as evidence of its annotator's quality, not as a vote (its annotator was
    # suspended while the sample was open, or the sample was decided while it was answering).
    Column("counted", Boolean, nullable=False, server_default=true()),
    # The database, not process memory, keeps one answer per annotator and sample.
    UniqueConstraint("sample_id", "annotator_id", name="uq_answers_sample_annotator"),
    Index("ix_answers_batch_annotator", "batch_id", "annotator_id"),
    sqlite_autoincrement=True,
)

leases = Table(
    "leases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
    Column("sample_id", Integer, ForeignKey("samples.id", ondelete="CASCADE"), nullable=False),
    Column(
        "annotator_id", Integer, ForeignKey("annotators.id", ondelete="CASCADE"), nullable=False
    ),
    Column("until", DateTime(timezone=True), nullable=False),
    UniqueConstraint("sample_id", "annotator_id", name="uq_leases_sample_annotator"),
    Index("ix_leases_batch_id", "batch_id"),
    sqlite_autoincrement=True,
)

rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    _task_fk(),
    Column("number", Integer, nullable=False),
    Column("status", _enum(RoundStatus), nullable=False),
    Column("train_size", Integer, nullable=False, server_default="0"),
    Column("accuracy", Float),
    Column("precision", Float),
    Column("recall", Float),
    Column("f1", Float),
    Column("confusion_matrix", JSON, nullable=False),
    Column("eval_metrics", JSON),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    # The outbox: when the round was last handed to the task queue; the relay sends it again
    # when it is still due (or its runner's lease ran out) long after that.
    Column("sent_at", DateTime(timezone=True)),
    Column("lease_until", DateTime(timezone=True)),  # a runner holds a RUNNING round until then
    # Cohen's kappa between this round's pool predictions and the previous round's (plateau rule)
    Column("pool_agreement", Float),
    # A round is due at most once: the unique key makes "mark due" idempotent under races.
    UniqueConstraint("task_id", "number", name="uq_rounds_task_number"),
    sqlite_autoincrement=True,
)

# Each finished round's stored model (the folder itself lives under Settings.models_dir).
round_models = Table(
    "round_models",
    metadata,
    Column("id", Integer, primary_key=True),
    _task_fk(),
    Column("round_number", Integer, nullable=False),
    Column("path", Text, nullable=False),  # relative to the models folder
    Column("size", BigInteger, nullable=False),
    Column("eval_accuracy", Float),  # the retention rule keeps the best by it
    _created(),
    UniqueConstraint("task_id", "round_number", name="uq_round_models_task_round_number"),
    sqlite_autoincrement=True,
)

# The latest round's prediction for each pool sample (a round replaces its task's rows).
predictions = Table(
    "predictions",
    metadata,
    Column(
        "sample_id",
        Integer,
        ForeignKey("samples.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    _task_fk(),
    Column("round_number", Integer, nullable=False),
    Column("label", String(MAX_LABEL_LENGTH), nullable=False),
    Column("confidence", Float, nullable=False),
    # Pages of a task's predictions by confidence (ties by sample id) read this index.
    Index("ix_predictions_task_confidence", "task_id", "confidence", "sample_id"),
)
