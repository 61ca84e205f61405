"""Task, its scenario, batches, samples and rounds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from activecrowds.domain import model as domain
from activecrowds.domain.crowd import aware
from activecrowds.domain.history import SampleFilter
from activecrowds.domain.model import RULE_FIELDS, Role, locked_for
from activecrowds.services import auth, history, queries
from activecrowds_ml.consensus import PeerRule
from activecrowds_ml.scenario import Scenario as Plan
from server.graphql.context import RequestContext
from server.graphql.types.enums import (
    Aggregation,
    BatchStatus,
    FinishedReason,
    QueryStrategy,
    Redundancy,
    SampleSplit,
    SampleState,
    TaskCategory,
    TaskStatus,
    TaskSubcategory,
    TrainingMode,
)
from server.graphql.types.history import BATCHES, SAMPLES, MyAnswer
from server.graphql.types.models import RoundModel
from server.graphql.types.pages import Connection, connection, decode_id
from server.media import media_url


@strawberry.type
class Scenario:
    """How the task's loop runs: sizes, strategy, and the peer rule."""

    pretrained_model: str
    initial_train_size: int
    batch_size: int
    eval_size: int
    test_size: int
    query_strategy: QueryStrategy
    min_peers: int
    min_agreement: float
    max_peers: int
    training_mode: TrainingMode
    seed: int
    aggregation: Aggregation
    redundancy: Redundancy
    gold_share: float
    gold_size: int
    label_budget: int | None = strawberry.field(
        description="the task finishes once this many labels are spent (the seed set and every"
        " sample asked of the crowd, disputed ones too); null: no budget"
    )
    target_accuracy: float | None = strawberry.field(
        description="the task finishes once a round's eval accuracy reaches this; null: off"
    )
    plateau_agreement: float | None = strawberry.field(
        description="the task finishes once the mean Cohen's kappa between consecutive rounds'"
        " pool predictions, over the last plateauWindow rounds, reaches this; null: off"
    )
    plateau_window: int

    @classmethod
    def from_domain(cls, s: dict[str, Any]) -> Scenario:
        rule = PeerRule(**{name: s[name] for name in RULE_FIELDS if name in s})
        return cls(
            pretrained_model=s["pretrained_model"],
            initial_train_size=s["initial_train_size"],
            batch_size=s["batch_size"],
            eval_size=s["eval_size"],
            test_size=s["test_size"],
            query_strategy=QueryStrategy(s["query_strategy"]),
            min_peers=s["min_peers"],
            min_agreement=s["min_agreement"],
            max_peers=s["max_peers"],
            training_mode=TrainingMode(s["training_mode"]),
            seed=s["seed"],
            aggregation=rule.aggregation,
            redundancy=rule.redundancy,
            gold_share=s.get("gold_share", Plan.gold_share),  # tasks made before gold
            gold_size=s.get("gold_size", Plan.gold_size),
            label_budget=s.get("label_budget"),  # tasks made before stopping rules: off
            target_accuracy=s.get("target_accuracy"),
            plateau_agreement=s.get("plateau_agreement"),
            plateau_window=s.get("plateau_window", Plan.plateau_window),
        )


@strawberry.type
class Sample:
    """One item to label; annotators see its media or text, never others' answers or truth."""

    id: strawberry.ID
    text: str | None
    answer_count: int
    state: SampleState
    resolved_label: str | None  # set once ACCEPTED
    _file: strawberry.Private[str | None]
    _task_id: strawberry.Private[int]
    _split: strawberry.Private[SampleSplit]
    _votes: strawberry.Private[dict[str, int] | None]

    @strawberry.field(description="ADMIN. Where the sample serves its task; null for annotators.")
    def split(self, info: Info[RequestContext, None]) -> SampleSplit | None:
        return self._split if _admin(info) else None

    @strawberry.field(
        description="ADMIN. Its answers counted per label, the labels in order; null for"
        " annotators (who never see how others answered)."
    )
    def votes(self, info: Info[RequestContext, None]) -> list[LabelVotes] | None:
        if not _admin(info):
            return None
        return [LabelVotes(label=k, count=n) for k, n in sorted((self._votes or {}).items())]

    @strawberry.field
    def media_url(self, info: Info[RequestContext, None]) -> str | None:
        """Signed URL of the image (usable in an <img> without a header); null for text."""
        if not self._file:
            return None
        ctx = info.context
        return media_url(ctx.base_url, ctx.app.media_key, self._task_id, int(self.id))

    @classmethod
    def from_domain(cls, s: domain.Sample) -> Sample:
        state = s.state or SampleState.OPEN
        return cls(
            id=strawberry.ID(str(s.id)),
            text=s.text,
            answer_count=s.answer_count,
            state=state,
            resolved_label=s.resolved_label if state is SampleState.ACCEPTED else None,
            _file=s.file,
            _task_id=s.task_id,
            _split=SampleSplit.of(s.kind, s.batch_id is not None),
            _votes=s.votes,
        )


@strawberry.type
class LabelVotes:
    label: str
    count: int


def _admin(info: Info[RequestContext, None]) -> bool:
    caller = info.context.caller
    return caller is not None and caller.is_admin


@strawberry.type
class Agreement:
    """The crowd's figures over some samples: votes, evidence, decisions, chance-corrected
    agreement."""

    answers: int = strawberry.field(description="answers counted as votes")
    evidence: int = strawberry.field(
        description="answers kept as evidence only (sent after the batch was decided, or by an"
        " annotator later suspended)"
    )
    accepted: int
    disputed: int
    alpha: float | None = strawberry.field(
        description="Krippendorff's alpha (nominal): 1 full agreement, 0 chance; null where"
        " undefined"
    )
    disputed_share: float | None
    answers_per_label: float | None = strawberry.field(
        description="votes spent per accepted label (those on disputed samples included)"
    )

    @classmethod
    async def load(
        cls, info: Info[RequestContext, None], task_id: int, number: int | None
    ) -> Agreement | None:
        auth.require(info.context.who(), Role.ADMIN)
        found = await info.context.loaders.agreement.load((task_id, number))
        if found is None:
            return None
        return cls(
            answers=found.answers,
            evidence=found.evidence,
            accepted=found.accepted,
            disputed=found.disputed,
            alpha=found.alpha,
            disputed_share=found.disputed_share,
            answers_per_label=found.answers_per_label,
        )


@strawberry.type
class Batch:
    """The samples one round picked for the crowd."""

    id: strawberry.ID
    number: int
    status: BatchStatus
    task_id: strawberry.Private[int]
    created_at: datetime | None = None
    resolved_at: datetime | None = None

    @strawberry.field
    async def samples(self, info: Info[RequestContext, None]) -> list[Sample]:
        found = await info.context.loaders.samples.load(int(self.id))
        return [Sample.from_domain(s) for s in found]

    @strawberry.field(
        description="The samples to answer now: for an annotator, those of this open batch"
        " that still need answers from it and that fewer annotators hold than answers are"
        " needed, each kept for it (from others) for a few minutes, plus the control"
        " questions; empty once it has answered. The admin gets every sample. Fetching it"
        " is what hands samples out: answer these, send openedAt with them."
    )
    async def assigned(self, info: Info[RequestContext, None]) -> list[Sample]:
        found = await queries.hand_out(info.context.services, info.context.who(), int(self.id))
        return [Sample.from_domain(s) for s in found]

    @strawberry.field(description="ADMIN. How far the crowd agrees on this batch's samples.")
    async def agreement(self, info: Info[RequestContext, None]) -> Agreement | None:
        return await Agreement.load(info, self.task_id, self.number)

    @strawberry.field(
        description="The caller's own answers in this batch, by sample (what the app shows as"
        " 'you answered' after a restart); empty before it answers, and for the admin."
    )
    async def my_answers(self, info: Info[RequestContext, None]) -> list[MyAnswer]:
        caller = auth.require(info.context.who())
        if caller.role is not Role.ANNOTATOR:
            return []
        found = await info.context.loaders.my_answers.load((caller.id, int(self.id)))
        return [MyAnswer.from_domain(a) for a in found]

    @classmethod
    def from_domain(cls, b: domain.Batch) -> Batch:
        return cls(
            id=strawberry.ID(str(b.id)),
            number=b.number,
            status=b.status,
            task_id=b.task_id,
            created_at=aware(b.created_at),
            resolved_at=aware(b.resolved_at),
        )


@strawberry.type
class Round:
    """A finished training round and its test-set scores."""

    number: int
    train_size: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    confusion_matrix: list[list[int]]
    started_at: datetime | None
    finished_at: datetime | None
    task_id: strawberry.Private[int]
    pool_agreement: float | None = strawberry.field(
        default=None,
        description="Cohen's kappa between this round's predictions on the pool and the"
        " previous round's (1: nothing changed); null for round 0. The plateau rule averages"
        " the last few.",
    )

    @strawberry.field(
        description="ADMIN. How far the crowd agreed on the labels this round added (the"
        " previous round's batch); null for round 0."
    )
    async def agreement(self, info: Info[RequestContext, None]) -> Agreement | None:
        if self.number == 0:
            return None
        return await Agreement.load(info, self.task_id, self.number - 1)

    @strawberry.field(
        description="ADMIN. The model this round trained, with its files; null for annotators"
        " and where it was not stored or was pruned (each task keeps its newest"
        " ACTIVECROWDS_MODELS_KEEP models, and always its newest and its best by eval accuracy)."
    )
    async def model(self, info: Info[RequestContext, None]) -> RoundModel | None:
        caller = info.context.caller
        if caller is None or not caller.is_admin:
            return None
        found = await info.context.loaders.models.load(self.task_id)
        mine = [m for m in found if m.round_number == self.number]
        return RoundModel.from_domain(mine[0]) if mine else None

    @classmethod
    def from_domain(cls, r: domain.Round) -> Round:
        test = r.test
        return cls(
            task_id=r.task_id,
            number=r.number,
            train_size=r.train_size,
            accuracy=test.accuracy if test else 0.0,
            precision=test.precision if test else 0.0,
            recall=test.recall if test else 0.0,
            f1=test.f1 if test else 0.0,
            confusion_matrix=test.confusion_matrix if test else [],
            started_at=r.started_at,
            finished_at=r.finished_at,
            pool_agreement=r.pool_agreement,
        )


def for_admins(info: Info[RequestContext, None], text: str | None) -> str | None:
    """Why a round failed is exception text (paths, hosts, internals): only admins read it."""
    caller = info.context.caller
    return text if caller is not None and caller.is_admin else None


def _last_error(root: Task, info: Info[RequestContext, None]) -> str | None:
    return for_admins(info, root._failure)


@strawberry.type
class Task:
    """An active-learning task: its settings, current batch, rounds and progress."""

    id: strawberry.ID
    title: str
    description: str
    category: TaskCategory
    subcategory: TaskSubcategory
    labels: list[str]
    status: TaskStatus
    cover_image_url: str | None
    last_error: str | None = strawberry.field(resolver=_last_error)  # null for annotators
    scenario: Scenario
    created_at: datetime | None
    _failure: strawberry.Private[str | None]
    finished_reason: FinishedReason | None = strawberry.field(
        default=None,
        description="Which stopping rule finished the task; null unless FINISHED.",
    )
    deleted: bool = strawberry.field(
        default=False,
        description="True only in the tasksChanged event that reports the task's deletion.",
    )

    @strawberry.field
    async def current_batch(self, info: Info[RequestContext, None]) -> Batch | None:
        """The newest batch (OPEN while the task collects answers)."""
        batch = await info.context.loaders.latest_batch.load(int(self.id))
        return Batch.from_domain(batch) if batch else None

    @strawberry.field
    async def locked_for_me(self, info: Info[RequestContext, None]) -> bool:
        """True when the caller answered the current batch, or there is nothing to answer."""
        loaders = info.context.loaders
        batch = await loaders.latest_batch.load(int(self.id))
        if batch is None:
            return True
        answered = await loaders.answered.load(batch.id)
        return locked_for(self.status, batch.status is BatchStatus.OPEN, answered)

    @strawberry.field(description="ADMIN. How far the crowd agrees over every batch so far.")
    async def agreement(self, info: Info[RequestContext, None]) -> Agreement | None:
        return await Agreement.load(info, int(self.id), None)

    @strawberry.field
    async def rounds(self, info: Info[RequestContext, None]) -> list[Round]:
        """Finished rounds, oldest first."""
        found = await info.context.loaders.rounds.load(int(self.id))
        return [Round.from_domain(r) for r in found if r.status is domain.RoundStatus.DONE]

    @strawberry.field(
        description="The task's batches, newest first, each with its samples and status."
        " `first`: 1 to 100 (default 50); `after`: a previous page's endCursor."
    )
    async def batch_connection(
        self, info: Info[RequestContext, None], first: int | None = None, after: str | None = None
    ) -> Connection[Batch]:
        ctx, position = info.context, decode_id(after, BATCHES)
        page = await history.batch_page(ctx.services, ctx.who(), int(self.id), position, first)
        return connection(
            page, BATCHES, lambda b: (b.number,), Batch.from_domain, after is not None
        )

    @strawberry.field(
        description="ADMIN. The task's samples in id order, of the given states (any when"
        " unset; OPEN includes samples never asked) and split: `state: DISPUTED` lists"
        " the samples the crowd could not agree on, across every batch."
    )
    async def sample_connection(
        self,
        info: Info[RequestContext, None],
        first: int | None = None,
        after: str | None = None,
        state: list[SampleState] | None = None,
        split: SampleSplit | None = None,
    ) -> Connection[Sample]:
        ctx, position = info.context, decode_id(after, SAMPLES)
        where = SampleFilter(frozenset(state or ()), split)
        found = await history.sample_page(
            ctx.services, ctx.who(), int(self.id), where, position, first
        )
        return connection(found, SAMPLES, lambda s: (s.id,), Sample.from_domain, after is not None)

    @strawberry.field
    async def labelled_count(self, info: Info[RequestContext, None]) -> int:
        """Seed labels plus crowd-accepted ones (the training set size of the next round)."""
        return (await info.context.loaders.progress.load(int(self.id))).labelled

    @strawberry.field
    async def pool_remaining(self, info: Info[RequestContext, None]) -> int:
        """Pool samples not yet asked of the crowd."""
        return (await info.context.loaders.progress.load(int(self.id))).unpicked

    @strawberry.field
    async def labels_spent(self, info: Info[RequestContext, None]) -> int:
        """Labels spent as a labelBudget counts them: the seed set plus every pool sample asked
        of the crowd, disputed ones included (labelledCount leaves those out)."""
        return (await info.context.loaders.progress.load(int(self.id))).spent

    @classmethod
    def from_domain(cls, t: domain.Task, deleted: bool = False) -> Task:
        return cls(
            deleted=deleted,
            id=strawberry.ID(str(t.id)),
            title=t.title,
            description=t.description,
            category=TaskCategory(t.category),
            subcategory=TaskSubcategory(t.subcategory),
            labels=list(t.labels),
            status=t.status,
            cover_image_url=t.cover_image_url,
            _failure=t.last_error,
            scenario=Scenario.from_domain(t.scenario),
            created_at=t.created_at,
            finished_reason=t.finished_reason if t.status is domain.TaskStatus.FINISHED else None,
        )
