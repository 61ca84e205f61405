"""Query strategies: small classes that score a pool and pick the k samples to label next."""

from __future__ import annotations

from activecrowds_ml.errors import ValidationError
from activecrowds_ml.strategies.base import PoolView, QueryStrategy, top_k
from activecrowds_ml.strategies.diversity import CoreSet, KMeansMargin, MarginCoreSet
from activecrowds_ml.strategies.uncertainty import (
    BALD,
    Entropy,
    LeastConfidence,
    Margin,
    RandomSampling,
)

STRATEGIES: dict[str, type[QueryStrategy]] = {
    cls.name: cls
    for cls in (
        RandomSampling,
        LeastConfidence,
        Margin,
        Entropy,
        BALD,
        CoreSet,
        MarginCoreSet,
        KMeansMargin,
    )
}


def get_strategy(name: str) -> QueryStrategy:
    """The strategy registered under `name` (case-insensitive).

    Raises:
        ValidationError: the name is unknown; the message lists the known ones.
    """
    try:
        return STRATEGIES[name.lower()]()
    except KeyError:
        known = ", ".join(sorted(STRATEGIES))
        raise ValidationError(
            f"unknown query strategy {name!r}; known: {known}", "query_strategy"
        ) from None


__all__ = [
    "BALD",
    "STRATEGIES",
    "CoreSet",
    "Entropy",
    "KMeansMargin",
    "LeastConfidence",
    "Margin",
    "MarginCoreSet",
    "PoolView",
    "QueryStrategy",
    "RandomSampling",
    "get_strategy",
    "top_k",
]
