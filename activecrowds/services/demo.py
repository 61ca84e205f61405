"""The demo task that `activecrowds serve --demo` starts with (the reference dataset, DATA.md)."""

from __future__ import annotations

from pathlib import Path

from activecrowds.domain.model import ADMIN, Task
from activecrowds.services.context import Context
from activecrowds.services.tasks import CreateTask, create_task

DEMO_DATASET = "fashion-collapse"  # under the datasets dir, as scripts/run.sh writes it
# One annotator is enough to try the loop: each answer decides its sample.
DEMO_SCENARIO = {"batch_size": 10, "min_peers": 1, "min_agreement": 1.0, "max_peers": 3}


def write_demo_dataset(datasets_dir: Path) -> Path:
    """The reference dataset's folder, written from Fashion-MNIST first if it is absent."""
    from activecrowds_ml.experiment.demo import write_demo

    root = datasets_dir / DEMO_DATASET
    if not (root / "dataset.json").is_file():
        write_demo(root)
    return root


async def ensure_demo_task(ctx: Context, dataset: Path) -> Task | None:
    """Create the demo task on `dataset` when there is no task at all; None otherwise."""
    async with ctx.uow(write=False) as uow:
        if await uow.tasks.list():
            return None
    from activecrowds_ml.experiment.demo import LABELS

    cmd = CreateTask(
        title="Long-sleeved tops",
        description="Is this garment long-sleeved (pullover, coat, shirt)?",
        labels=list(LABELS),
        dataset=str(dataset),
        scenario=DEMO_SCENARIO,
    )
    return await create_task(ctx, ADMIN, cmd)
