"""Mutation inputs; createTask's defaults are the paper's protocol, read from Scenario."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

import strawberry

from activecrowds.services.tasks import UPDATABLE_SCENARIO, CreateTask, UpdateTask
from activecrowds_ml.scenario import Scenario
from server.graphql.types.enums import (
    Aggregation,
    QueryStrategy,
    Redundancy,
    TaskCategory,
    TaskSubcategory,
    TrainingMode,
)

SCENARIO_DEFAULTS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(Scenario)}


@strawberry.input
class CreateTaskInput:
    title: str
    description: str
    category: TaskCategory
    subcategory: TaskSubcategory
    labels: list[str]
    dataset: str = strawberry.field(description="a dataset name under the data dir, or a path")
    initial_train_size: int = SCENARIO_DEFAULTS["initial_train_size"]
    batch_size: int = SCENARIO_DEFAULTS["batch_size"]
    eval_size: int = SCENARIO_DEFAULTS["eval_size"]
    test_size: int = SCENARIO_DEFAULTS["test_size"]
    query_strategy: QueryStrategy = QueryStrategy(SCENARIO_DEFAULTS["query_strategy"])
    min_peers: int = SCENARIO_DEFAULTS["min_peers"]
    min_agreement: float = SCENARIO_DEFAULTS["min_agreement"]
    max_peers: int = SCENARIO_DEFAULTS["max_peers"]
    pretrained_model: str = SCENARIO_DEFAULTS["pretrained_model"]
    training_mode: TrainingMode = SCENARIO_DEFAULTS["training_mode"]
    seed: int = SCENARIO_DEFAULTS["seed"]
    aggregation: Aggregation = strawberry.field(
        default=SCENARIO_DEFAULTS["aggregation"],
        description="PEER_RULE: the paper's share of answers; DAWID_SKENE: answers weighed by"
        " each annotator's estimated reliability (minAgreement is the posterior it needs)",
    )
    redundancy: Redundancy = strawberry.field(
        default=SCENARIO_DEFAULTS["redundancy"],
        description="FIXED: minPeers answers per label; ADAPTIVE: stop asking once the outcome"
        " cannot change (PEER_RULE) or the posterior is confident (DAWID_SKENE)",
    )
    gold_share: float = strawberry.field(
        default=SCENARIO_DEFAULTS["gold_share"],
        description="share of each batch that is control questions (0 to 0.5)",
    )
    gold_size: int = strawberry.field(
        default=SCENARIO_DEFAULTS["gold_size"],
        description="labelled examples set aside as control questions (never trained on)",
    )
    label_budget: int | None = strawberry.field(
        default=SCENARIO_DEFAULTS["label_budget"],
        description="finish once this many labels are spent, the seed set included (more than"
        " initialTrainSize); the last batch is cut to fit; null: no budget",
    )
    target_accuracy: float | None = strawberry.field(
        default=SCENARIO_DEFAULTS["target_accuracy"],
        description="finish once a round's eval accuracy reaches this (0 to 1); null: off",
    )
    plateau_agreement: float | None = strawberry.field(
        default=SCENARIO_DEFAULTS["plateau_agreement"],
        description="finish once the mean Cohen's kappa between consecutive rounds' pool"
        " predictions over plateauWindow rounds reaches this (0 to 1, e.g. 0.99); null: off",
    )
    plateau_window: int = strawberry.field(
        default=SCENARIO_DEFAULTS["plateau_window"],
        description="rounds the plateau's mean agreement is taken over",
    )
    cover_image_url: str | None = None

    def to_command(self) -> CreateTask:
        scenario = {name: _plain(getattr(self, name)) for name in SCENARIO_DEFAULTS}
        return CreateTask(
            title=self.title,
            description=self.description,
            labels=list(self.labels),
            dataset=self.dataset,
            scenario=scenario,
            cover_image_url=self.cover_image_url,
        )


def _plain(value: Any) -> Any:
    """Enum members as their values: the command carries JSON-able Scenario arguments."""
    return value.value if isinstance(value, Enum) else value


@strawberry.input
class UpdateTaskInput:
    """Only the fields given change; peers, agreement, strategy and batch size apply from the
    next decision or round on."""

    title: str | None = None
    description: str | None = None
    cover_image_url: str | None = None
    min_peers: int | None = None
    min_agreement: float | None = None
    max_peers: int | None = None
    query_strategy: QueryStrategy | None = None
    batch_size: int | None = None
    aggregation: Aggregation | None = None
    redundancy: Redundancy | None = None
    gold_share: float | None = None
    # Stopping rules: left out, unchanged; null, turned off. They are checked at the end of
    # each round, so a running task whose new rule already holds finishes when its round ends.
    label_budget: int | None = strawberry.field(
        default=strawberry.UNSET, description="null: no budget (see createTask)"
    )
    target_accuracy: float | None = strawberry.field(
        default=strawberry.UNSET, description="null: off (see createTask)"
    )
    plateau_agreement: float | None = strawberry.field(
        default=strawberry.UNSET, description="null: off (see createTask)"
    )
    plateau_window: int | None = None

    def to_command(self) -> UpdateTask:
        given = {name: getattr(self, name) for name in UPDATABLE_SCENARIO}
        scenario: dict[str, Any] = {
            name: _plain(value)
            for name, value in given.items()
            if value is not strawberry.UNSET and (value is not None or name in OFF_BY_NULL)
        }
        return UpdateTask(self.title, self.description, self.cover_image_url, scenario)


# Rules an explicit null turns off (elsewhere in UpdateTaskInput null means "unchanged").
OFF_BY_NULL = ("label_budget", "target_accuracy", "plateau_agreement")


@strawberry.input
class AnswerInput:
    sample_id: strawberry.ID
    label: str
