"""Annotators, categories and mutation payloads."""

from __future__ import annotations

import strawberry

from activecrowds.domain.model import Caller
from activecrowds.services.answers import Submitted
from server.graphql.types.enums import Role, TaskCategory, TaskSubcategory
from server.graphql.types.task import Task


@strawberry.type
class Annotator:
    """Someone with a token: an annotator, or the admin."""

    id: strawberry.ID
    name: str
    role: Role

    @classmethod
    def from_domain(cls, c: Caller) -> Annotator:
        return cls(id=strawberry.ID(str(c.id)), name=c.name, role=c.role)


@strawberry.type
class AnnotatorToken:
    """A new annotator's token: shown once; send it as `Authorization: Bearer <token>`."""

    token: str
    annotator: Annotator


@strawberry.type
class SubcategoryCount:
    subcategory: TaskSubcategory
    task_count: int


@strawberry.type
class Category:
    category: TaskCategory
    subcategories: list[SubcategoryCount]

    @classmethod
    def from_domain(cls, category: str, subs: list[tuple[str, int]]) -> Category:
        counts = [SubcategoryCount(subcategory=TaskSubcategory(s), task_count=n) for s, n in subs]
        return cls(category=TaskCategory(category), subcategories=counts)


@strawberry.type
class SubmitAnswersPayload:
    accepted: int = strawberry.field(description="answers stored")
    counted: int = strawberry.field(
        description="of them, those that count as votes; the rest are kept as evidence of the"
        " annotator's quality (the batch was decided while it answered)"
    )
    task: Task

    @classmethod
    def from_domain(cls, result: Submitted) -> SubmitAnswersPayload:
        return cls(
            accepted=result.accepted, counted=result.votes, task=Task.from_domain(result.task)
        )
