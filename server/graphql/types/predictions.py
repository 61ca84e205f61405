"""The latest model's predictions for a task's pool, beside the crowd's labels (a connection)."""

from __future__ import annotations

import strawberry

from activecrowds.domain.predictions import CrowdState, Cursor, PredictedSample, PredictionOrder
from activecrowds.services.models import PredictionPage
from server.graphql.types.pages import PageInfo, decode_cursor, encode_cursor, page_info
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
            PredictionEdge(cursor=_cursor(Cursor.of(p)), node=PoolPrediction.from_domain(p))
            for p in page.items
        ]
        info = page_info([e.cursor for e in edges], page.has_next, after)
        return cls(edges=edges, page_info=info, total_count=page.total)


CURSOR = "predictions"  # the connection a cursor belongs to (pages.py)


def _cursor(cursor: Cursor) -> str:
    return encode_cursor(CURSOR, (cursor.confidence, cursor.sample_id))


def prediction_cursor(text: str | None) -> Cursor | None:
    """Where the page after `text` starts (confidence, sample id); None: the first page.
    Raises ValidationError for a cursor this connection did not give."""
    position = decode_cursor(text, CURSOR, (float, int))
    return None if position is None else Cursor(float(position[0]), int(position[1]))
