"""What the application stores: tasks, their samples and batches, answers, rounds, annotators."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from activecrowds.domain.crowd import AnnotatorStatus, GoldPolicy, Lease, aware
from activecrowds.domain.errors import (
    AlreadyAnswered,
    BatchClosed,
    NotCollecting,
    NotDecided,
    ValidationError,
)
from activecrowds.domain.events import (
    AnnotatorReinstated,
    AnnotatorSuspended,
    AnswersSubmitted,
    Event,
    LockReason,
    NewBatchAvailable,
    RoundCompleted,
    RoundDue,
    TaskFailed,
    TaskFinished,
    TaskLocked,
)
from activecrowds.domain.rules import (
    CLOCK_SKEW_S,
    LATE_ANSWERS_S,
    same_submission,
    submission_problem,
)
from activecrowds_ml.consensus import (
    Aggregation,
    PeerRule,
    SampleState,
    WorkerModel,
    decide,
    decide_sample,
)
from activecrowds_ml.metrics import Metrics
from activecrowds_ml.stopping import FinishedReason

__all__ = [
    "ADMIN",
    "Annotator",
    "AnnotatorStatus",
    "Batch",
    "BatchStatus",
    "Caller",
    "Role",
    "Round",
    "RoundStatus",
    "Sample",
    "SampleKind",
    "SampleState",
    "Task",
    "TaskStatus",
    "locked_for",
    "task_from_snapshot",
    "task_snapshot",
]


class TaskStatus(StrEnum):
    COLLECTING = "COLLECTING"  # a batch is open for answers
    TRAINING = "TRAINING"  # a round is due or running
    FINISHED = "FINISHED"  # a stopping rule held (finished_reason says which)
    FAILED = "FAILED"  # a round failed for good; last_error says why


class Role(StrEnum):
    ADMIN = "ADMIN"
    ANNOTATOR = "ANNOTATOR"


class SampleKind(StrEnum):
    POOL = "POOL"  # unlabelled; asked of the crowd when picked into a batch
    SEED = "SEED"  # labelled; the initial training set
    EVAL = "EVAL"  # labelled; scores each round
    TEST = "TEST"  # labelled; the reported score, never used to choose
    GOLD = "GOLD"  # labelled; a control question in a batch, never a training label


class Review(StrEnum):
    """The task owner's decision on a sample the crowd has decided."""

    DECIDE = "DECIDE"  # the owner's label: it trains from the next round on
    DISCARD = "DISCARD"  # out of training: a photo nobody can label, a broken file
    # Asked of the crowd again: its answers stay stored but stop counting, and annotators who
    # answered it before are never handed it again (fresh eyes decide it)
    REASK = "REASK"


class BatchStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"  # every sample accepted or disputed; the next round is due


class RoundStatus(StrEnum):
    DUE = "DUE"  # recorded in the transaction that resolved the batch; not yet started
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


RULE_FIELDS = tuple(f.name for f in dataclasses.fields(PeerRule))  # kept in Task.scenario


@dataclass
class Task:
    """One active-learning task over a dataset snapshot."""

    id: int
    title: str
    description: str
    category: str
    subcategory: str
    labels: list[str]
    dataset: str  # absolute path of the dataset folder
    scenario: dict[str, Any]  # activecrowds_ml Scenario.to_dict()
    status: TaskStatus = TaskStatus.TRAINING
    cover_image_url: str | None = None
    last_error: str | None = None
    workers: dict[str, Any] | None = None  # the crowd's estimated reliability (WorkerModel)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finished_reason: FinishedReason | None = None  # set exactly when FINISHED

    @property
    def peer_rule(self) -> PeerRule:
        """The rule that decides this task's samples (it may change while the task runs)."""
        s = self.scenario
        given = {name: s[name] for name in RULE_FIELDS if name in s}  # older tasks lack some
        return PeerRule(**given)

    def worker_model(self) -> WorkerModel | None:
        """The crowd's estimated reliability, as the last round left it (None: not yet)."""
        return WorkerModel.from_dict(self.workers) if self.workers else None

    def start_training(self) -> list[Event]:
        """A round is due: no answers are taken until it opens the next batch."""
        self.status, self.last_error, self.finished_reason = TaskStatus.TRAINING, None, None
        return [TaskLocked(self.id, LockReason.TRAINING)]

    def open_batch(self, batch: Batch) -> list[Event]:
        """The round picked `batch`: annotators may answer it now."""
        self.status, self.last_error, self.finished_reason = TaskStatus.COLLECTING, None, None
        return [NewBatchAvailable(self.id, batch.id, batch.number)]

    def finish(self, reason: FinishedReason = FinishedReason.POOL_EXHAUSTED) -> list[Event]:
        """A stopping rule held (activecrowds_ml.stopping): nothing more to ask, ever - a
        finished task stays finished even if its rules are loosened later."""
        self.status, self.finished_reason = TaskStatus.FINISHED, reason
        return [TaskLocked(self.id, LockReason.FINISHED), TaskFinished(self.id, reason)]

    @property
    def takes_samples(self) -> bool:
        """New samples join a running task's pool, and reopen one whose pool ran out (photos
        keep arriving from the field); a task another rule finished, or a failed one, stays
        as it is: that rule was its owner's call."""
        if self.status is TaskStatus.FINISHED:
            return self.finished_reason is FinishedReason.POOL_EXHAUSTED
        return self.status in (TaskStatus.COLLECTING, TaskStatus.TRAINING)

    def reopen(self) -> list[Event]:
        """New samples came into a task whose pool had run out: the next round asks about
        them. No-op for a task still running."""
        if self.status is not TaskStatus.FINISHED:
            return []
        return self.start_training()

    def fail(self, error: str) -> list[Event]:
        """A round failed for good; `error` is shown to the task's owner."""
        self.status, self.last_error, self.finished_reason = TaskStatus.FAILED, error, None
        return [TaskFailed(self.id, error)]


def locked_for(status: TaskStatus, has_open_batch: bool, answered: bool) -> bool:
    """True when this caller cannot answer now: already answered, or nothing open to answer."""
    return answered or status is not TaskStatus.COLLECTING or not has_open_batch


def task_snapshot(task: Task) -> dict[str, Any]:
    """The task as plain JSON values (for an event that outlives the row)."""
    out = dataclasses.asdict(task)
    out["status"] = task.status.value
    for name in ("created_at", "updated_at"):
        value = out[name]
        out[name] = value.isoformat() if value else None
    return out


def task_from_snapshot(data: dict[str, Any]) -> Task:
    """The task back from `task_snapshot`."""
    values = dict(data)
    values["status"] = TaskStatus(values["status"])
    if values.get("finished_reason"):
        values["finished_reason"] = FinishedReason(values["finished_reason"])
    for name in ("created_at", "updated_at"):
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return Task(**values)


@dataclass
class Sample:
    """One dataset record in a task: pool (no label kept) or seed/eval/test (label kept)."""

    id: int
    task_id: int
    key: str  # the record id in the dataset
    kind: SampleKind
    file: str | None = None  # relative to the task's dataset folder
    text: str | None = None
    label: str | None = None  # ground truth of seed/eval/test; None for pool samples
    batch_id: int | None = None
    state: SampleState | None = None  # None until picked into a batch
    resolved_label: str | None = None
    answer_count: int = 0
    votes: dict[str, int] | None = None  # answers per label
    # The counted (annotator id, label) answers, loaded where the rule weighs annotators
    # (Dawid-Skene); None where votes are enough. Not a column: the answers table holds them.
    answers: list[tuple[int, str]] | None = field(default=None, compare=False, repr=False)

    @property
    def decided(self) -> bool:
        """Decided by the crowd; a control question never needs deciding (it counts as done)."""
        if self.kind is SampleKind.GOLD:
            return True
        return self.state is not None and self.state is not SampleState.OPEN

    @property
    def gold(self) -> bool:
        return self.kind is SampleKind.GOLD

    @property
    def asked(self) -> bool:
        """Asked of the crowd: picked into a batch, or sent back (REASK) and waiting for the
        next one (no batch, but a state)."""
        return self.batch_id is not None or self.state is not None

    def as_shown(self, rule: PeerRule, workers: WorkerModel | None = None) -> Sample:
        """This sample as clients are shown it. A control question is shown decided by its
        votes as a pool sample would be (the votes of anonymous annotators, for Dawid-Skene),
        so that watching a batch never tells one from the other: one that stayed OPEN while
        the pool around it was decided would give itself away. It stays a control question
        inside: graded, never a label, never waited for."""
        if not self.gold:
            return self
        given = [(f"#{i}", lab) for lab, n in sorted((self.votes or {}).items()) for i in range(n)]
        decision = decide_sample(given, rule, workers)
        label = decision.label if decision.state is SampleState.ACCEPTED else None
        return dataclasses.replace(self, state=decision.state, resolved_label=label)

    def count_answer(
        self, label: str, rule: PeerRule, annotator_id: int, workers: WorkerModel | None = None
    ) -> None:
        """Add one annotator's answer and apply the task's rule.

        A decision, once made, is final: later answers are counted but never reopen it. A
        control question is never decided by the crowd: it has its label already.
        """
        votes = dict(self.votes or {})
        votes[label] = votes.get(label, 0) + 1
        self.votes, self.answer_count = votes, sum(votes.values())
        if self.answers is not None:
            self.answers.append((annotator_id, label))
        self._decide(rule, workers)

    def _decide(self, rule: PeerRule, workers: WorkerModel | None) -> None:
        if self.state is not SampleState.OPEN or self.kind is SampleKind.GOLD:
            return
        if rule.aggregation is Aggregation.DAWID_SKENE:
            if self.answers is None:
                raise ValueError(f"sample {self.id}: Dawid-Skene needs its answers loaded")
            given = [(str(who), lab) for who, lab in self.answers]
            decision = decide_sample(given, rule, workers)
        else:
            decision = decide(self.votes or {}, rule)
        self.state = decision.state
        accepted = decision.state is SampleState.ACCEPTED
        self.resolved_label = decision.label if accepted else None

    def uncount_answer(
        self, label: str, rule: PeerRule, annotator_id: int, workers: WorkerModel | None = None
    ) -> None:
        """Take back one answer that no longer counts (its annotator was suspended).

        Only an OPEN sample changes: fewer answers may now meet the rule (a dissenting
        spammer removed), so it is decided again; a decided one keeps its decision.
        """
        if self.state is not SampleState.OPEN:
            return
        votes = dict(self.votes or {})
        if votes.get(label, 0) <= 0:
            return
        votes[label] -= 1
        self.votes = {lab: n for lab, n in votes.items() if n > 0}
        self.answer_count = sum(self.votes.values())
        if self.answers is not None and (annotator_id, label) in self.answers:
            self.answers.remove((annotator_id, label))
        self._decide(rule, workers)

    def make_gold(self, label: str, labels: Sequence[str]) -> None:
        """The admin knows this pool sample's label: it becomes a control question.

        Raises:
            ValidationError: not a pool sample, already asked of the crowd, or an unknown label.
        """
        if label not in labels:
            raise ValidationError(f"label {label!r} is not one of {sorted(labels)}", "label")
        if self.kind is SampleKind.GOLD:
            return
        if self.kind is not SampleKind.POOL or self.batch_id is not None:
            raise ValidationError(
                f"sample {self.id} is not an unasked pool sample: only those can become"
                " control questions",
                "sampleId",
            )
        self.kind, self.label = SampleKind.GOLD, label

    def review(
        self,
        action: Review,
        label: str | None,
        labels: Sequence[str],
        batch_id: int | None = None,
    ) -> None:
        """The owner's decision, over the crowd's: a disputed sample gets the label the crowd
        could not agree on, an accepted one a corrected label, either leaves training, or
        (REASK) is asked of the crowd again in `batch_id` (None: the next batch opened).

        Only samples the crowd has decided are reviewed: one never asked would stay in the
        pool and be asked after the owner decided it, and one still open would lose the
        answers under way.

        Raises:
            ValidationError: not a pool sample; DECIDE without one of the task's labels, or
                DISCARD or REASK with a label. NotDecided: the crowd has not decided it yet.
        """
        if self.kind is not SampleKind.POOL:
            raise ValidationError(
                f"sample {self.id} is a {self.kind.value.lower()} sample: only samples the"
                " crowd labels are reviewed",
                "sampleId",
            )
        if action is Review.DECIDE and label not in labels:
            raise ValidationError(f"label must be one of {list(labels)}; got {label!r}", "label")
        if action is not Review.DECIDE and label is not None:
            raise ValidationError(f"{action.value} takes no label", "label")
        if self.batch_id is None or self.state in (None, SampleState.OPEN):
            raise NotDecided(f"the crowd has not decided sample {self.id} yet")
        if action is Review.DECIDE:
            self.state, self.resolved_label = SampleState.ACCEPTED, label
        elif action is Review.DISCARD:
            self.state, self.resolved_label = SampleState.DISCARDED, None
        else:
            self.reask(batch_id)

    def reask(self, batch_id: int | None) -> None:
        """Open again in `batch_id` (None: it waits for the next batch), with no votes: the
        caller marks its stored answers uncounted."""
        self.state, self.resolved_label, self.batch_id = SampleState.OPEN, None, batch_id
        self.votes, self.answer_count = None, 0
        if self.answers is not None:
            self.answers = []

    def training_label(self) -> str:
        """The label it trains with: the crowd's for pool samples, the dataset's otherwise."""
        label = self.resolved_label if self.kind is SampleKind.POOL else self.label
        if label is None:
            raise ValueError(f"sample {self.id} has no label to train with")
        return label


@dataclass
class Batch:
    """The samples round `number` picked for the crowd (`samples` when loaded with them)."""

    id: int
    task_id: int
    number: int
    status: BatchStatus = BatchStatus.OPEN
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    samples: list[Sample] = field(default_factory=list, compare=False, repr=False)

    def check_retry(self, stored: dict[int, str], answers: Sequence[tuple[int, str]]) -> None:
        """An exact repeat of what this annotator stored (a lost response) is fine; else refuse.

        Raises:
            Conflict: different answers than the ones already stored.
        """
        if not same_submission(stored, answers):
            raise AlreadyAnswered("you have already answered this batch")

    def answer(
        self, task: Task, annotator_id: int, answers: Sequence[tuple[int, str]]
    ) -> list[Event]:
        """Count one annotator's answers (all or nothing); the samples they decide change.

        When the last open sample is decided the batch resolves and the next round is due
        (once: the caller holds the batch's lock). Returns the events this causes.

        Raises:
            Conflict: this batch is no longer open while the task collects another one.
            NotCollecting: the task is training, finished or failed.
            ValidationError: empty, oversized, unknown sample or label, a sample twice.
        """
        self._require_open(task)
        problem = submission_problem(answers, {s.id for s in self.samples}, task.labels)
        if problem:
            raise ValidationError(problem[1], problem[0])
        rule, workers, mine = task.peer_rule, task.worker_model(), dict(answers)
        for sample in self.samples:
            if sample.id in mine:
                sample.count_answer(mine[sample.id], rule, annotator_id, workers)
        events: list[Event] = [
            AnswersSubmitted(task.id, self.id, annotator_id, len(answers)),
            TaskLocked(task.id, LockReason.SUBMITTED, annotator_id),
        ]
        if all(sample.decided for sample in self.samples):
            events += self._resolve(task)
        return events

    def takes_late(
        self,
        task: Task,
        answers: Sequence[tuple[int, str]],
        opened_at: datetime | None,
        now: datetime,
    ) -> bool:
        """True when this resolved batch keeps these answers as evidence, not votes: their
        annotator opened it (`opened_at`, as its app says) before it resolved (give or take
        CLOCK_SKEW_S: a phone's clock runs a little ahead), at most LATE_ANSWERS_S ago.
        Without `opened_at` a stale batch is refused, as it always was.

        Only the sender's own answers are stored, and never as votes: a false `opened_at`
        gains nothing.

        Raises:
            ValidationError: the answers are invalid for this batch (as for an open one).
        """
        opened = aware(opened_at)
        # Resolved by an earlier submission of the same group: not stamped until it is stored.
        just_now = now if self.status is BatchStatus.RESOLVED else None
        resolved = aware(self.resolved_at) or just_now
        live = task.status in (TaskStatus.COLLECTING, TaskStatus.TRAINING)
        if self.status is BatchStatus.OPEN or resolved is None or opened is None or not live:
            return False
        after = (opened - resolved).total_seconds()
        if after > CLOCK_SKEW_S or (now - opened).total_seconds() > LATE_ANSWERS_S:
            return False
        problem = submission_problem(answers, {s.id for s in self.samples}, task.labels)
        if problem:
            raise ValidationError(problem[1], problem[0])
        return True

    def hand_out(
        self,
        task: Task,
        annotator_id: int,
        answered: bool,
        leases: Sequence[Lease],
        now: datetime,
        seen: Collection[int] = (),
    ) -> list[Sample]:
        """The samples this annotator should answer now: the open ones fewer annotators hold
        (by an unexpired lease) than answers are still needed, so that the last needed answers
        are not raced for by the whole crowd, and the ones it holds already; control
        questions alike, as they are shown (`Sample.as_shown`). Nothing once it has answered,
        or the batch is not open; never a sample it answered before (`seen`: one asked again,
        REASK, is for fresh eyes). The caller leases it each sample returned."""
        if answered or self.status is not BatchStatus.OPEN:
            return []
        held: dict[int, set[int]] = {}
        for lease in leases:
            until = aware(lease.until)
            if until is not None and until > now:
                held.setdefault(lease.sample_id, set()).add(lease.annotator_id)
        rule, workers = task.peer_rule, task.worker_model()
        out = []
        for sample in (s.as_shown(rule, workers) for s in self.samples):
            holders = held.get(sample.id, set())
            needed = max(1, rule.min_peers - sample.answer_count)
            mine = annotator_id in holders
            still_open = sample.state in (None, SampleState.OPEN)
            if sample.id in seen:
                continue
            if still_open and (mine or len(holders) < needed):
                out.append(sample)
        return out

    def refuse_seen(self, answers: Sequence[tuple[int, str]], seen: Collection[int]) -> None:
        """Refuse answers to samples this annotator answered before, in an earlier batch (a
        sample asked again): its first answer stays stored, and one person never has two.

        Raises:
            ValidationError: such an answer, named.
        """
        again = sorted(sid for sid, _ in answers if sid in seen)
        if again:
            raise ValidationError(
                f"you answered sample {again[0]} before: it is asked of others now", "answers"
            )

    def grade(self, answers: Sequence[tuple[int, str]]) -> tuple[int, int]:
        """(right, given) of these answers on this batch's control questions."""
        truth = {s.id: s.label for s in self.samples if s.gold}
        given = [(sid, lab) for sid, lab in answers if sid in truth]
        return sum(truth[sid] == lab for sid, lab in given), len(given)

    def uncount(self, task: Task, annotator_id: int, answers: dict[int, str]) -> list[Event]:
        """Take back one suspended annotator's answers (sample id -> label) on open samples;
        the batch resolves when that leaves every sample decided."""
        if self.status is not BatchStatus.OPEN:
            return []
        rule, workers = task.peer_rule, task.worker_model()
        for sample in self.samples:
            if sample.id in answers:
                sample.uncount_answer(answers[sample.id], rule, annotator_id, workers)
        if all(sample.decided for sample in self.samples):
            return self._resolve(task)
        return []

    def _require_open(self, task: Task) -> None:
        if self.status is BatchStatus.OPEN:
            return
        if task.status is TaskStatus.COLLECTING:
            raise BatchClosed(f"batch {self.id} is no longer open; fetch the current batch")
        raise NotCollecting(f"task {task.id} is {task.status.value.lower()}")

    def _resolve(self, task: Task) -> list[Event]:
        self.status = BatchStatus.RESOLVED
        return [*task.start_training(), RoundDue(task.id, self.number + 1)]


FINAL_ROUND = (RoundStatus.DONE, RoundStatus.FAILED)  # a round in these states never runs again


@dataclass
class Round:
    """One training round: train, evaluate, test, pick the next batch."""

    id: int
    task_id: int
    number: int
    status: RoundStatus = RoundStatus.DUE
    train_size: int = 0
    test: Metrics | None = None  # the reported scores (DONE rounds)
    eval: Metrics | None = None  # the scores settings may be chosen by
    attempts: int = 0
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    sent_at: datetime | None = None  # last handed to the task queue
    lease_until: datetime | None = None  # RUNNING: its runner holds it until then
    # Cohen's kappa between its pool predictions and the previous round's (None: nothing to
    # compare with); the plateau rule averages the last few.
    pool_agreement: float | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL_ROUND

    def held(self, now: datetime) -> bool:
        """True while a runner's lease on this RUNNING round lasts."""
        until = self.lease_until
        if self.status is not RoundStatus.RUNNING or until is None:
            return False
        # SQLite hands back naive datetimes; every time stored is UTC.
        return (until if until.tzinfo else until.replace(tzinfo=UTC)) > now

    def claim(self, now: datetime, lease_s: float) -> bool:
        """Take the round for one attempt; False when it is finished or another runner has it."""
        if self.final or self.held(now):
            return False
        self.status, self.attempts, self.started_at = RoundStatus.RUNNING, self.attempts + 1, now
        self.lease_until = now + timedelta(seconds=lease_s)
        return True

    def runs(self, attempt: int) -> bool:
        """True while the runner of `attempt` (the `attempts` its claim made) still holds it.

        A runner whose lease lapsed may find the round taken over by another: it must then
        leave that runner's claim alone.
        """
        return self.status is RoundStatus.RUNNING and self.attempts == attempt

    def renew(self, now: datetime, lease_s: float, attempt: int) -> bool:
        """Extend the lease of the runner of `attempt` while it trains; False when it lost it."""
        if not self.runs(attempt):
            return False
        self.lease_until = now + timedelta(seconds=lease_s)
        return True

    def hand_back(self, now: datetime, retry_wait_s: float, attempt: int) -> bool:
        """After a failed attempt: DUE again for the queue's retry; the relay leaves it alone
        for `retry_wait_s` (the retry's backoff), re-sending only if the retry never comes.
        False when the runner of `attempt` no longer holds the round."""
        if not self.runs(attempt):
            return False
        self.status, self.sent_at = RoundStatus.DUE, now
        self.lease_until = now + timedelta(seconds=retry_wait_s)
        return True

    def finish(
        self,
        train_size: int,
        test: Metrics,
        eval: Metrics,
        now: datetime,
        pool_agreement: float | None = None,
    ) -> list[Event]:
        """Record what training produced."""
        self.status, self.train_size, self.test, self.eval = (
            RoundStatus.DONE,
            train_size,
            test,
            eval,
        )
        self.pool_agreement = pool_agreement
        self.lease_until, self.error, self.finished_at = None, None, now
        return [RoundCompleted(self.task_id, self.number)]

    def fail(self, error: str) -> None:
        """The last attempt failed: the round never runs again."""
        self.status, self.error, self.lease_until = RoundStatus.FAILED, error, None


@dataclass
class Annotator:
    """Someone holding a token; only the sha256 of the token is kept."""

    id: int
    name: str
    role: Role
    token_hash: str
    created_at: datetime | None = None
    status: AnnotatorStatus = AnnotatorStatus.ACTIVE
    status_reason: str | None = None  # why it was suspended (shown to the admin and to it)
    invite_id: int | None = None
    task_ids: list[int] | None = None  # the tasks its invite covers; None: every task
    token_expires_at: datetime | None = None  # None: never
    gold_answers: int = 0  # control questions answered
    gold_correct: int = 0

    @property
    def active(self) -> bool:
        return self.status is AnnotatorStatus.ACTIVE

    def refusal(self, now: datetime) -> str | None:
        """Why its token lets nobody in now, or None."""
        if self.status is AnnotatorStatus.SUSPENDED:
            return f"this annotator is suspended: {self.status_reason or 'by an admin'}"
        expires = aware(self.token_expires_at)
        if expires is not None and expires <= now:
            return "this token expired; register again or ask for a new invite"
        return None

    def caller(self) -> Caller:
        tasks = frozenset(self.task_ids) if self.task_ids is not None else None
        expires = aware(self.token_expires_at)
        return Caller(self.id, self.name, self.role, tasks, self.token_hash, expires)

    def suspend(self, reason: str, *, automatic: bool = False) -> list[Event]:
        """Its answers stop counting (the caller uncounts those on open samples in the same
        transaction); suspending a suspended annotator changes nothing."""
        if not self.active:
            return []
        self.status, self.status_reason = AnnotatorStatus.SUSPENDED, reason
        return [AnnotatorSuspended(annotator_id=self.id, reason=reason, automatic=automatic)]

    def reinstate(self) -> list[Event]:
        """Active again: later answers count; the ones uncounted at suspension stay uncounted."""
        if self.active:
            return []
        self.status, self.status_reason = AnnotatorStatus.ACTIVE, None
        return [AnnotatorReinstated(annotator_id=self.id)]

    def record_gold(self, correct: int, given: int, policy: GoldPolicy) -> list[Event]:
        """Count `given` control answers, `correct` of them right; suspend it when the
        policy says its accuracy is too low."""
        self.gold_answers += given
        self.gold_correct += correct
        if self.active and policy.fails(self.gold_answers, self.gold_correct):
            share = self.gold_correct / self.gold_answers
            reason = (
                f"control questions: {self.gold_correct} of {self.gold_answers} right "
                f"({share:.0%}: under {policy.min_accuracy:.0%}"
                f" with {policy.confidence:.0%} confidence)"
            )
            return self.suspend(reason, automatic=True)
        return []


@dataclass(frozen=True)
class Caller:
    """Who sends a request; the admin is not stored (its token comes from the settings)."""

    id: int
    name: str
    role: Role
    tasks: frozenset[int] | None = None  # the tasks it may see and answer; None: every task
    # The token it was found by, and when that token stops working: what a remembered sign-in
    # is checked against (not who the caller is: equality ignores them).
    token_hash: str = field(default="", compare=False, repr=False)
    expires_at: datetime | None = field(default=None, compare=False)

    def may_see(self, task_id: int) -> bool:
        return self.tasks is None or task_id in self.tasks

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


ADMIN = Caller(0, "admin", Role.ADMIN)
