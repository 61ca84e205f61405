"""A round's stored model, as its owner sees it: size, time, and where to download its files."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from activecrowds.domain.predictions import ModelArtifact
from activecrowds_ml.artifacts import ModelFormat
from server.graphql.context import RequestContext

strawberry.enum(ModelFormat, name="ModelFormat")


@strawberry.type(
    description="A round's stored model. Download its files with GET /models/{id}/{format}"
    " and the admin's bearer token; ONNX and TORCHSCRIPT (pixels in, probabilities out) are"
    " exported on first request, METADATA says how to prepare inputs."
)
class RoundModel:
    id: strawberry.ID
    round_number: int
    size: int = strawberry.field(
        description="bytes stored when the round finished (weights and metadata; exports"
        " made later come on top)"
    )
    created_at: datetime | None

    @strawberry.field(description="Where to GET this format (send the admin's bearer token).")
    def download_url(
        self, info: Info[RequestContext, None], format: ModelFormat = ModelFormat.ONNX
    ) -> str:
        return f"{info.context.base_url.rstrip('/')}/models/{self.id}/{format.value}"

    @classmethod
    def from_domain(cls, m: ModelArtifact) -> RoundModel:
        return cls(
            id=strawberry.ID(str(m.id)),
            round_number=m.round_number,
            size=m.size,
            created_at=m.created_at,
        )
