"""What a task's history shows an annotator of its own work: its answers, read back."""

from __future__ import annotations

from datetime import datetime

import strawberry

from activecrowds.domain import history as domain
from activecrowds.domain.crowd import aware

# The connections a cursor may belong to (pages.py tags each cursor with one).
TASKS, BATCHES, SAMPLES = "tasks", "batches", "samples"
ANNOTATORS, ANSWERS = "annotators", "answers"


@strawberry.type(description="One of the caller's own answers (nobody reads another's).")
class MyAnswer:
    id: strawberry.ID
    sample_id: strawberry.ID
    batch_id: strawberry.ID
    batch_number: int
    label: str
    answered_at: datetime | None
    counted: bool = strawberry.field(
        description="false: kept as evidence only, not as a vote (sent after its batch was decided)"
    )

    @classmethod
    def from_domain(cls, a: domain.MyAnswer) -> MyAnswer:
        return cls(
            id=strawberry.ID(str(a.id)),
            sample_id=strawberry.ID(str(a.sample_id)),
            batch_id=strawberry.ID(str(a.batch_id)),
            batch_number=a.batch_number,
            label=a.label,
            answered_at=aware(a.created_at),
            counted=a.counted,
        )
