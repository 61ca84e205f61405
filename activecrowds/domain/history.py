"""A task's history: which samples an owner looks back at, an annotator's own answers, and
how far an open batch has come (the progress dashboards show live)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from activecrowds.domain.events import BatchProgress
from activecrowds.domain.model import Batch, Sample, SampleKind, SampleState, Task


class SampleSplit(StrEnum):
    """Where a sample serves its task (the export's `split` column says the same words)."""

    SEED = "seed"  # labelled: the first training set
    EVAL = "eval"
    TEST = "test"
    GOLD = "gold"  # a control question
    CROWD = "crowd"  # a pool sample asked of the crowd in a batch
    POOL = "pool"  # a pool sample never asked

    @classmethod
    def of(cls, kind: SampleKind, asked: bool) -> SampleSplit:
        """seed, eval, test, gold by kind; a pool sample is CROWD once picked into a batch."""
        if kind is SampleKind.POOL:
            return cls.CROWD if asked else cls.POOL
        return cls(kind.value.lower())

    @property
    def kind(self) -> SampleKind:
        """The kind of sample in this split."""
        if self in (SampleSplit.CROWD, SampleSplit.POOL):
            return SampleKind.POOL
        return SampleKind(self.value.upper())

    @property
    def asked(self) -> bool | None:
        """CROWD: picked into a batch; POOL: never picked; None: the labelled kinds."""
        if self is SampleSplit.CROWD:
            return True
        return False if self is SampleSplit.POOL else None


@dataclass(frozen=True)
class SampleFilter:
    """Which of a task's samples an owner asks for; empty or None: any."""

    states: frozenset[SampleState] = frozenset()  # OPEN also matches never-asked samples
    split: SampleSplit | None = None

    def keeps(self, sample: Sample) -> bool:
        """True when `sample` passes (the in-memory twin of the SQL filter)."""
        state = sample.state or SampleState.OPEN  # shown OPEN until decided, as the API does
        split = SampleSplit.of(sample.kind, sample.batch_id is not None)
        return (not self.states or state in self.states) and self.split in (None, split)


@dataclass(frozen=True)
class MyAnswer:
    """One answer as its own annotator reads it back."""

    id: int
    sample_id: int
    batch_id: int
    batch_number: int
    label: str
    created_at: datetime | None
    counted: bool = True  # False: kept as evidence only (sent after its batch was decided)


def batch_progress(task: Task, batch: Batch) -> BatchProgress:
    """How far `batch` (loaded with its samples) has come, its samples counted as clients
    are shown them (a control question looks decided by its votes like any other sample:
    the figures never tell one apart)."""
    rule, workers = task.peer_rule, task.worker_model()
    shown = [s.as_shown(rule, workers) for s in batch.samples]
    states = Counter(s.state for s in shown)
    return BatchProgress(
        task.id,
        batch_id=batch.id,
        number=batch.number,
        samples=len(shown),
        answers=sum(s.answer_count for s in shown),
        accepted=states[SampleState.ACCEPTED],
        disputed=states[SampleState.DISPUTED],
    )
