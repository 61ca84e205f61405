"""ActiveCrowds ML core: scenarios, models, query strategies, consensus, datasets.

Importable on its own (a notebook needs nothing else); it never imports the server or worker.
"""

from __future__ import annotations

from activecrowds_ml.errors import (
    DatasetError,
    MLError,
    ModelError,
    ValidationError,
)
from activecrowds_ml.scenario import Category, Scenario, Subcategory, TrainingMode

__all__ = [
    "Category",
    "DatasetError",
    "MLError",
    "ModelError",
    "Scenario",
    "Subcategory",
    "TrainingMode",
    "ValidationError",
]
