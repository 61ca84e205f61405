"""How far the crowd agrees, per batch and per task: what dashboards judge the labels by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from activecrowds.domain.model import Caller, Role, SampleState
from activecrowds.services.auth import require
from activecrowds.services.context import Context
from activecrowds.services.ports import PoolAnswer
from activecrowds_ml.agreement import krippendorff_alpha
from activecrowds_ml.consensus import Answer

Key = tuple[int, int | None]  # (task id, batch number); None: the whole task


@dataclass(frozen=True)
class Agreement:
    """The crowd's figures over some pool samples' answers (counted ones unless said)."""

    answers: int  # answers counted as votes
    evidence: int  # answers kept as evidence only (late, or a suspended annotator's)
    accepted: int  # samples accepted
    disputed: int  # samples disputed
    alpha: float | None  # Krippendorff's alpha (nominal); None where undefined

    @property
    def disputed_share(self) -> float | None:
        decided = self.accepted + self.disputed
        return self.disputed / decided if decided else None

    @property
    def answers_per_label(self) -> float | None:
        """Votes spent per accepted label (those on disputed samples included: they cost too)."""
        return self.answers / self.accepted if self.accepted else None


def figures(rows: Sequence[PoolAnswer], labels: Sequence[str]) -> Agreement:
    counted = [r for r in rows if r.counted]
    states = {r.sample_id: r.state for r in rows}
    given = [Answer(str(r.sample_id), str(r.annotator_id), r.label) for r in counted]
    return Agreement(
        answers=len(counted),
        evidence=len(rows) - len(counted),
        accepted=sum(s is SampleState.ACCEPTED for s in states.values()),
        disputed=sum(s is SampleState.DISPUTED for s in states.values()),
        alpha=krippendorff_alpha(given, labels),
    )


async def agreement(
    ctx: Context, caller: Caller | None, keys: Sequence[Key]
) -> dict[Key, Agreement]:
    """The figures of each (task, batch number) asked for; (task, None): the whole task.

    Raises:
        Unauthenticated / Forbidden: not the admin (annotators never see others' answers).
    """
    require(caller, Role.ADMIN)
    return await agreement_of(ctx, keys)


async def agreement_of(ctx: Context, keys: Sequence[Key]) -> dict[Key, Agreement]:
    """`agreement` for a caller already known to be the admin (a DataLoader's batch)."""
    out: dict[Key, Agreement] = {}
    by_task: dict[int, set[int | None]] = {}
    for task_id, number in keys:
        by_task.setdefault(task_id, set()).add(number)
    async with ctx.uow(write=False) as uow:
        tasks = await uow.tasks.get_many(list(by_task))
        for task_id, numbers in by_task.items():
            task = tasks.get(task_id)
            if task is None:
                continue
            asked = [n for n in numbers if n is not None]
            rows = await uow.answers.on_pool(task_id, None if None in numbers else asked)
            for number in numbers:
                mine = [r for r in rows if number is None or r.batch_number == number]
                out[(task_id, number)] = figures(mine, task.labels)
    return out
