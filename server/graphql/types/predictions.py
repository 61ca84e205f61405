"""The latest model's predictions for a task's pool, beside the crowd's labels (a connection)."""

from __future__ import annotations

import base64
import binascii
import json
import math

import strawberry

from activecrowds.domain.errors import ValidationError
from activecrowds.domain.predictions import CrowdState, Cursor, PredictedSample, PredictionOrder
from activecrowds.services.models import PredictionPage
from server.graphql.types.pages import PageInfo
from server.graphql.types.task import Sample

strawberry.enum(CrowdState, name="CrowdState")
strawberry.enum(PredictionOrder, name="PredictionOrder")


@strawberry.type(description="What the latest round's model predicts for one pool sample.")
class PoolPrediction:
    sample: Sample
    label: str = strawberry.field(description="the most probable label")
    confidence: float = strawberry.field(description="that label's probability")
    round_number: int = strawberry.field(description="the round whose model predicted it")
    crowd_state: CrowdState
    crowd_label: str | None = strawberry.field(description="the label the crowd accepted")
    disagrees: bool = strawberry.field(
        description="the crowd accepted another label than the model predicts: a possible"
        " label error (or a model error) worth a look"
    )

    @classmethod
    def from_domain(cls, p: PredictedSample) -> PoolPrediction:
        return cls(
            sample=Sample.from_domain(p.sample),
            label=p.prediction.label,
            confidence=p.prediction.confidence,
            round_number=p.prediction.round_number,
            crowd_state=p.crowd_state,
            crowd_label=p.crowd_label,
            disagrees=p.disagrees,
        )


@strawberry.type
class PredictionEdge:
    cursor: str
    node: PoolPrediction


@strawberry.type
class PredictionConnection:
    edges: list[PredictionEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="predictions matching the filters in all")

    @classmethod
    def from_page(cls, page: PredictionPage, after: bool) -> PredictionConnection:
        edges = [
            PredictionEdge(cursor=encode_cursor(Cursor.of(p)), node=PoolPrediction.from_domain(p))
            for p in page.items
        ]
        info = PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return cls(edges=edges, page_info=info, total_count=page.total)


def encode_cursor(cursor: Cursor) -> str:
    """Opaque to clients: the position (confidence, sample id) the next page starts after."""
    raw = json.dumps([cursor.confidence, cursor.sample_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The cursor `encode_cursor` gave. Raises ValidationError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        confidence, sample_id = json.loads(raw)
        if isinstance(confidence, bool) or isinstance(sample_id, bool):
            raise ValueError("not numbers")
        cursor = Cursor(float(confidence), int(sample_id))
        if not math.isfinite(cursor.confidence) or cursor.sample_id != sample_id:
            raise ValueError("not a position")
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise ValidationError("after is not a cursor this query gave", "after") from None
    return cursor
