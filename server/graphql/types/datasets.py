"""A dataset on the server that createTask's `dataset` may name (uploaded or imported)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from activecrowds.services.datasets import DatasetSummary


@strawberry.type(description="How many labelled examples a dataset has of one label.")
class LabelCount:
    label: str
    count: int


@strawberry.type(
    description="A dataset in the data dir's datasets/: give its name as createTask's"
    " `dataset`. Upload one with POST /datasets?name=... (a zip, a manifest, or a form of"
    " files) and the admin's bearer token."
)
class Dataset:
    name: str
    kind: str = strawberry.field(description="image or text")
    labels: list[str] = strawberry.field(
        description="the label order (binary: the second is the positive class)"
    )
    labelled: int = strawberry.field(
        description="labelled examples (seed, eval, test come from these)"
    )
    pool: int = strawberry.field(description="unlabelled examples, for the crowd")
    size: float = strawberry.field(
        description="bytes on disk (a Float: a dataset may pass GraphQL's 32-bit Int)"
    )
    created_at: datetime | None
    label_counts: list[LabelCount] = strawberry.field(
        description="labelled examples per label, in label order"
    )

    @classmethod
    def from_domain(cls, d: DatasetSummary) -> Dataset:
        return cls(
            name=d.name,
            kind=d.kind,
            labels=list(d.labels),
            labelled=d.labelled,
            pool=d.pool,
            size=float(d.size),
            created_at=d.created_at,
            label_counts=[LabelCount(label=k, count=n) for k, n in d.label_counts],
        )
