"""Mutation inputs; defaults are the paper's protocol (Scenario's defaults)."""

from __future__ import annotations

from typing import Any

import strawberry

from activecrowds.services.tasks import CreateTask, UpdateTask
from server.graphql.types.enums import QueryStrategy, TaskCategory, TaskSubcategory, TrainingMode


@strawberry.input
class CreateTaskInput:
    title: str
    description: str
    category: TaskCategory
    subcategory: TaskSubcategory
    labels: list[str]
    dataset: str = strawberry.field(description="a dataset name under the data dir, or a path")
    initial_train_size: int = 30
    batch_size: int = 30
    eval_size: int = 500
    test_size: int = 500
    query_strategy: QueryStrategy = QueryStrategy.MARGIN
    min_peers: int = 10
    min_agreement: float = 0.8
    max_peers: int = 20
    pretrained_model: str = ""
    training_mode: TrainingMode = TrainingMode.HEAD
    seed: int = 0
    cover_image_url: str | None = None

    def to_command(self) -> CreateTask:
        scenario: dict[str, Any] = {
            "category": self.category.value,
            "subcategory": self.subcategory.value,
            "query_strategy": self.query_strategy.value,
            "training_mode": self.training_mode.value,
        }
        for name in (
            "initial_train_size",
            "batch_size",
            "eval_size",
            "test_size",
            "min_peers",
            "min_agreement",
            "max_peers",
            "pretrained_model",
            "seed",
        ):
            scenario[name] = getattr(self, name)
        return CreateTask(
            title=self.title,
            description=self.description,
            labels=list(self.labels),
            dataset=self.dataset,
            scenario=scenario,
            cover_image_url=self.cover_image_url,
        )


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

    def to_command(self) -> UpdateTask:
        scenario: dict[str, Any] = {
            name: getattr(self, name)
            for name in ("min_peers", "min_agreement", "max_peers", "batch_size")
            if getattr(self, name) is not None
        }
        if self.query_strategy is not None:
            scenario["query_strategy"] = self.query_strategy.value
        return UpdateTask(self.title, self.description, self.cover_image_url, scenario)


@strawberry.input
class AnswerInput:
    sample_id: strawberry.ID
    label: str
