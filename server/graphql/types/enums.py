"""GraphQL enums (names per API.md; values equal to the domain's)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class TaskCategory(Enum):
    IMAGE = "IMAGE"
    TEXT = "TEXT"
    AUDIO = "AUDIO"
    OTHER = "OTHER"


@strawberry.enum
class TaskSubcategory(Enum):
    BINARY_CLASSIFICATION = "BINARY_CLASSIFICATION"
    MULTICLASS_CLASSIFICATION = "MULTICLASS_CLASSIFICATION"
    OBJECT_DETECTION = "OBJECT_DETECTION"
    IMAGE_CAPTIONING = "IMAGE_CAPTIONING"


@strawberry.enum
class QueryStrategy(Enum):
    RANDOM = "random"
    LEAST_CONFIDENCE = "least_confidence"
    MARGIN = "margin"
    ENTROPY = "entropy"
    BALD = "bald"
    CORESET = "coreset"
    MARGIN_CORESET = "margin_coreset"


@strawberry.enum
class TrainingMode(Enum):
    HEAD = "head"
    FINETUNE = "finetune"


@strawberry.enum
class TaskStatus(Enum):
    COLLECTING = "COLLECTING"
    TRAINING = "TRAINING"
    FINISHED = "FINISHED"
    FAILED = "FAILED"


@strawberry.enum
class BatchStatus(Enum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


@strawberry.enum
class SampleState(Enum):
    OPEN = "OPEN"
    ACCEPTED = "ACCEPTED"
    DISPUTED = "DISPUTED"


@strawberry.enum
class Role(Enum):
    ADMIN = "ADMIN"
    ANNOTATOR = "ANNOTATOR"
