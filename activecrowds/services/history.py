"""Looking back at a task, a page at a time: tasks, a task's batches and samples, the crowd,
and an annotator's own answers.

Every list pages by keyset (`after`: the position the previous page ended at, never an
offset; activecrowds.domain.pages), so a page costs the same however deep it lies, and a
sample answered or a task created meanwhile neither repeats nor skips another. Who may read
what is decided here, once for every client: the admin reads everything; an annotator reads
the tasks its invite covers, their batches as it sees them, and its own answers, never
another's (there is no argument that names an annotator).
"""

from __future__ import annotations

from collections.abc import Sequence

from activecrowds.domain.crowd import AnnotatorStatus
from activecrowds.domain.errors import NotFound
from activecrowds.domain.history import MyAnswer, SampleFilter
from activecrowds.domain.model import Batch, Caller, Role, Sample, Task
from activecrowds.domain.pages import Page, page_size
from activecrowds.services.auth import require
from activecrowds.services.context import Context
from activecrowds.services.crowd import AnnotatorView, views_of
from activecrowds.services.ports import TaskQuery, UnitOfWork


async def task_page(
    ctx: Context,
    caller: Caller | None,
    where: TaskQuery,
    after: int | None = None,
    first: int | None = None,
) -> Page[Task]:
    """Tasks matching `where`, newest first, after the task id `after` (for an annotator:
    only those its invite covers).

    Raises:
        Unauthenticated: no caller. ValidationError: a page size outside 1..MAX_PAGE.
    """
    who, limit = require(caller), page_size(first)
    if who.tasks is not None:  # its invite's tasks, and among them those asked for
        visible = who.tasks if where.visible is None else who.tasks & where.visible
        where = TaskQuery(where.category, where.subcategory, where.status, frozenset(visible))
    async with ctx.uow(write=False) as uow:
        found = await uow.tasks.page(where, after, limit + 1)
        total = await uow.tasks.count(where)
    return Page.of(found, limit, total)


async def batch_page(
    ctx: Context,
    caller: Caller | None,
    task_id: int,
    after: int | None = None,
    first: int | None = None,
) -> Page[Batch]:
    """A task's batches, newest first, numbered below `after`; for whoever may see the task.

    Raises:
        Unauthenticated: no caller. NotFound: no such task, or one the caller may not see.
        ValidationError: a page size outside 1..MAX_PAGE.
    """
    who, limit = require(caller), page_size(first)
    async with ctx.uow(write=False) as uow:
        await _visible_task(uow, who, task_id)
        found = await uow.batches.page(task_id, after, limit + 1)
        total = await uow.batches.count(task_id)
    return Page.of(found, limit, total)


async def sample_page(
    ctx: Context,
    caller: Caller | None,
    task_id: int,
    where: SampleFilter,
    after: int | None = None,
    first: int | None = None,
) -> Page[Sample]:
    """ADMIN. A task's samples passing `where` (DISPUTED: the samples the crowd could not
    agree on, across every batch), in id order, after the sample id `after`.

    Raises:
        Unauthenticated, Forbidden: not the admin. NotFound: no such task.
        ValidationError: a page size outside 1..MAX_PAGE.
    """
    who, limit = require(caller, Role.ADMIN), page_size(first)
    async with ctx.uow(write=False) as uow:
        await _visible_task(uow, who, task_id)
        found = await uow.samples.page(task_id, where, after, limit + 1)
        total = await uow.samples.count_where(task_id, where)
    return Page.of(found, limit, total)


async def annotator_page(
    ctx: Context,
    caller: Caller | None,
    status: AnnotatorStatus | None = None,
    after: int | None = None,
    first: int | None = None,
) -> Page[AnnotatorView]:
    """ADMIN. Annotators with their figures, oldest first, after the annotator id `after`.

    Raises:
        Unauthenticated, Forbidden: not the admin. ValidationError: a bad page size.
    """
    require(caller, Role.ADMIN)
    limit = page_size(first)
    async with ctx.uow(write=False) as uow:
        found = await uow.annotators.page(status, after, limit + 1)
        views = await views_of(uow, found[:limit])
        total = await uow.annotators.count(status)
    return Page(views, len(found) > limit, total)


async def my_answers(
    ctx: Context,
    caller: Caller | None,
    task_id: int,
    after: int | None = None,
    first: int | None = None,
) -> Page[MyAnswer]:
    """The caller's own answers to a task, newest first, after the answer id `after` (the
    admin answers nothing: its page is empty).

    Raises:
        Unauthenticated: no caller. NotFound: no such task, or one the caller may not see.
        ValidationError: a page size outside 1..MAX_PAGE.
    """
    who, limit = require(caller), page_size(first)
    async with ctx.uow(write=False) as uow:
        await _visible_task(uow, who, task_id)
        if who.role is not Role.ANNOTATOR:
            return Page([], False, 0)
        found = await uow.answers.mine(who.id, task_id, after, limit + 1)
        total = await uow.answers.count_mine(who.id, task_id)
    return Page.of(found, limit, total)


async def answers_of(
    ctx: Context, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], list[MyAnswer]]:
    """(annotator id, batch id) -> that annotator's answers in that batch, one query per
    annotator. Backs a DataLoader whose fields pass the caller's own id, never an argument."""
    out: dict[tuple[int, int], list[MyAnswer]] = {}
    async with ctx.uow(write=False) as uow:
        for who in sorted({annotator for annotator, _ in keys}):
            batches = [batch for annotator, batch in keys if annotator == who]
            found = await uow.answers.mine_in_batches(who, batches)
            out |= {(who, batch): answers for batch, answers in found.items()}
    return out


async def _visible_task(uow: UnitOfWork, who: Caller, task_id: int) -> Task:
    task = await uow.tasks.get(task_id) if who.may_see(task_id) else None
    if task is None:
        raise NotFound(f"no task {task_id}")
    return task
