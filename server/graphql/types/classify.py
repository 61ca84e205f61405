"""What `classify` answers: which round's model, and each input's label probabilities."""

from __future__ import annotations

import strawberry

from activecrowds.services.classify import Classified
from activecrowds_ml.classify import Classification as Result
from server.graphql.types.models import RoundModel


@strawberry.type
class LabelProbability:
    label: str
    probability: float


@strawberry.type(description="What the model says about one input sent to `classify`.")
class Classification:
    file: str = strawberry.field(
        description="the file's name as sent (texts: texts[i], files without one: files[i])"
    )
    label: str = strawberry.field(description="the most probable label")
    confidence: float = strawberry.field(description="that label's probability")
    probabilities: list[LabelProbability] = strawberry.field(
        description="every label's probability, in the task's label order"
    )

    @classmethod
    def from_domain(cls, r: Result) -> Classification:
        pairs = [LabelProbability(label=k, probability=p) for k, p in r.probabilities.items()]
        return cls(file=r.name, label=r.label, confidence=r.confidence, probabilities=pairs)


@strawberry.type
class ClassifyPayload:
    model: RoundModel = strawberry.field(description="the round model that answered")
    labels: list[str]
    results: list[Classification] = strawberry.field(description="one per input, in the order sent")

    @classmethod
    def from_domain(cls, done: Classified) -> ClassifyPayload:
        return cls(
            model=RoundModel.from_domain(done.model),
            labels=list(done.labels),
            results=[Classification.from_domain(r) for r in done.results],
        )
