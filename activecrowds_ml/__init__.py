"""ActiveCrowds ML core: scenarios, models, query strategies, consensus, datasets, the round.

Importable on its own (a notebook needs nothing else); it never imports the server or worker.
Experiment tooling (demo data, import, simulated crowd, simulation, reports, CLI) is in
`activecrowds_ml.experiment`, which the modules here never import.
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
