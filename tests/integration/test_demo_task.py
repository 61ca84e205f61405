"""`activecrowds serve --demo`: the demo task on the reference dataset, created once."""

from __future__ import annotations

from pathlib import Path

from apptest import ADMIN_TOKEN, tiny_model

from activecrowds.bootstrap import bootstrap
from activecrowds.config import Settings
from activecrowds.domain.model import ADMIN, TaskStatus
from activecrowds.services import queries
from activecrowds.services.demo import ensure_demo_task
from activecrowds_ml.experiment.demo import write_demo


async def test_demo_task_is_created_on_an_empty_database_only(tmp_path: Path) -> None:
    # Given a fresh embedded install and (a smaller copy of) the reference dataset
    dataset = tmp_path / "datasets" / "fashion-collapse"
    write_demo(dataset, size=1100, labelled=1030)
    settings = Settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}", ADMIN_TOKEN)
    app = await bootstrap(settings, build_model=tiny_model)
    try:
        # When the server starts with --demo, twice
        created = await ensure_demo_task(app.ctx, dataset)
        await app.queue.join()
        again = await ensure_demo_task(app.ctx, dataset)
        # Then one task exists, its round 0 ran, and a batch waits for annotators
        assert created is not None and again is None
        tasks = await queries.list_tasks(app.ctx, ADMIN)
        assert [t.title for t in tasks] == ["Long-sleeved tops"]
        assert tasks[0].status is TaskStatus.COLLECTING
        batch = (await queries.latest_batches(app.ctx, [created.id]))[created.id]
        assert batch.number == 0
    finally:
        await app.close()
