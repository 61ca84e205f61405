"""GraphQL enums: the domain's and the ML core's own enums, exposed under the API.md names.

Each is the very class the core uses (strawberry marks the class in place), so resolvers pass
members through unconverted. A member added in the core shows up in the exported schema, and
the schema test then asks for schema.graphql to be updated with it.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import TYPE_CHECKING

import strawberry

from activecrowds.domain.crowd import AnnotatorStatus
from activecrowds.domain.events import LockReason
from activecrowds.domain.history import SampleSplit
from activecrowds.domain.model import BatchStatus, Review, Role, SampleState, TaskStatus
from activecrowds_ml.consensus import Aggregation, Redundancy
from activecrowds_ml.scenario import Category as TaskCategory
from activecrowds_ml.scenario import Subcategory as TaskSubcategory
from activecrowds_ml.scenario import TrainingMode
from activecrowds_ml.stopping import FinishedReason
from activecrowds_ml.strategies import STRATEGIES

if TYPE_CHECKING:
    # mypy cannot see the members of an Enum built at run time; to it this is any StrEnum.
    QueryStrategy = StrEnum
else:
    # One member per registered strategy (MARGIN = "margin"): a new strategy needs no edit here.
    QueryStrategy = StrEnum("QueryStrategy", {name.upper(): name for name in STRATEGIES})

_GRAPHQL_NAMES: tuple[tuple[type[Enum], str], ...] = (
    (TaskCategory, "TaskCategory"),
    (TaskSubcategory, "TaskSubcategory"),
    (TrainingMode, "TrainingMode"),
    (QueryStrategy, "QueryStrategy"),
    (TaskStatus, "TaskStatus"),
    (BatchStatus, "BatchStatus"),
    (SampleState, "SampleState"),
    (Role, "Role"),
    (LockReason, "LockReason"),
    (AnnotatorStatus, "AnnotatorStatus"),
    (Aggregation, "Aggregation"),
    (Redundancy, "Redundancy"),
    (FinishedReason, "FinishedReason"),
    (SampleSplit, "SampleSplit"),
    (Review, "SampleReview"),
)
for _cls, _name in _GRAPHQL_NAMES:
    strawberry.enum(_cls, name=_name)

_VALUE_DESCRIPTIONS = {
    Review.REASK: "Send it back to the crowd, without a label: its answers stay stored (export"
    " shows them, counted false) but no longer count; it opens again with no votes in the"
    " open batch (or the next one), and only annotators who never answered it are handed it:"
    " fresh eyes decide it.",
}
for _value in Review.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = _VALUE_DESCRIPTIONS.get(Review(_value.value), _value.description)

__all__ = [
    "Aggregation",
    "AnnotatorStatus",
    "BatchStatus",
    "FinishedReason",
    "LockReason",
    "QueryStrategy",
    "Redundancy",
    "Role",
    "SampleSplit",
    "SampleState",
    "TaskCategory",
    "TaskStatus",
    "TaskSubcategory",
    "TrainingMode",
]
