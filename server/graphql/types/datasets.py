"""A dataset on the server that createTask's `dataset` may name (uploaded or imported)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from activecrowds.services import datasets
from activecrowds.services.datasets import DatasetSummary
from server.dataset_files import dataset_file_url
from server.graphql.context import RequestContext


@strawberry.type(description="How many labelled examples a dataset has of one label.")
class LabelCount:
    label: str
    count: int


@strawberry.type(description="One sample of a dataset, shown before a task is made on it.")
class DatasetPreview:
    label: str | None = strawberry.field(description="its label; null for a pool sample")
    text: str | None = strawberry.field(description="the text (text datasets)")
    media_url: str | None = strawberry.field(
        description="a signed URL of a small thumbnail of the image (usable in an <img>"
        " for half an hour; `w` sets another width); null for texts"
    )


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

    @strawberry.field(
        description="ADMIN. A few samples, taken in turn from each label and then the pool"
        f" (every class shows before any shows twice). `first`: 1 to {datasets.MAX_PREVIEWS}."
    )
    async def previews(
        self, info: Info[RequestContext, None], first: int = 8
    ) -> list[DatasetPreview]:
        ctx = info.context
        found = await datasets.dataset_previews(ctx.services, ctx.who(), self.name, first)
        return [
            DatasetPreview(
                label=p.label,
                text=p.text,
                media_url=dataset_file_url(ctx.base_url, ctx.app.media_key, self.name, p.file)
                if p.file
                else None,
            )
            for p in found
        ]

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
