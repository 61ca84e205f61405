"""Where each stopping rule would have stopped a simulated run, and what that cost or saved.

The simulation runs every (strategy, seed) to its budget, so the whole curve is there; the
rules of the scenario (`--stop`) are then read off each run's rows with the server's own
decision (`activecrowds_ml.stopping`), each rule on its own: the first round where it holds is
where a live task with only that rule would have finished. The summary gives, per rule and
strategy, the labels spent there and the test accuracy then against the accuracy at the
budget's end; the learning curve marks each with a vertical line.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from activecrowds_ml.experiment.simulate import CurveRow, SimulationResult
from activecrowds_ml.stopping import FinishedReason, Progress, StoppingRules

LINE_STYLES = {
    FinishedReason.LABEL_BUDGET: "-.",
    FinishedReason.TARGET_ACCURACY: "--",
    FinishedReason.PLATEAU: ":",
}


@dataclass(frozen=True)
class StopPoint:
    """The round at which one rule stopped one run (None: it never held within the budget)."""

    strategy: str
    seed: int
    reason: FinishedReason
    row: CurveRow | None
    last: CurveRow  # the run's final round, at the budget


def stop_points(rows: Sequence[CurveRow], rules: StoppingRules) -> list[StopPoint]:
    """Each enabled rule's stop in each (strategy, seed) run of `rows` (in run order)."""
    out = []
    key = lambda r: (r.strategy, r.seed)  # noqa: E731
    for (strategy, seed), run in groupby(rows, key=key):
        ordered = list(run)
        for reason in rules.enabled():
            found = next(
                (r for i, r in enumerate(ordered) if _holds(rules, reason, ordered, i)), None
            )
            out.append(StopPoint(strategy, seed, reason, found, ordered[-1]))
    return out


def _holds(rules: StoppingRules, reason: FinishedReason, run: list[CurveRow], i: int) -> bool:
    row = run[i]
    # pool_left=1: the simulation's own end (the budget) is not a rule being measured here
    progress = Progress(row.labelled, 1, row.eval_accuracy, [r.agreement for r in run[: i + 1]])
    return rules.holds(reason, progress)


@dataclass(frozen=True)
class StopSummary:
    """One rule on one strategy over the seeds: how many stopped, where, and how well."""

    strategy: str
    reason: FinishedReason
    stopped: int
    runs: int
    labelled: float | None  # mean labels spent at the stop, over the runs that stopped
    accuracy: float | None  # mean test accuracy there
    final_accuracy: (
        float  # mean test accuracy at the budget's end, over the same runs (all if none)
    )
    final_labelled: float


def summarize(points: Sequence[StopPoint]) -> list[StopSummary]:
    """Per (strategy, rule), in the order the points came."""
    groups: dict[tuple[str, FinishedReason], list[StopPoint]] = {}
    for p in points:
        groups.setdefault((p.strategy, p.reason), []).append(p)
    out = []
    for (strategy, reason), group in groups.items():
        hit = [p for p in group if p.row is not None]
        base = hit or group
        out.append(
            StopSummary(
                strategy,
                reason,
                len(hit),
                len(group),
                _mean([p.row.labelled for p in hit if p.row]),
                _mean([p.row.accuracy for p in hit if p.row]),
                statistics.fmean(p.last.accuracy for p in base),
                statistics.fmean(p.last.labelled for p in base),
            )
        )
    return out


def _mean(values: list[float] | list[int]) -> float | None:
    return statistics.fmean(values) if values else None


def stops_markdown(result: SimulationResult) -> str:
    """The summary's section on the scenario's stopping rules ("" when none is on)."""
    rules = result.config.base.stopping
    if not rules.enabled():
        return ""
    lines = [
        "## Stopping rules",
        "",
        f"Each rule alone ({_describe(rules)}), read off the runs with the server's decision:"
        " where a live task would have finished, and its test accuracy then against the"
        " accuracy at the end of the budget (same runs).",
        "",
        "| rule | strategy | stopped | labels at stop | accuracy at stop | at budget end |",
        "|---|---|---|---|---|---|",
    ]
    for s in summarize(stop_points(result.rounds, rules)):
        where = f"{s.labelled:.0f}" if s.labelled is not None else "—"
        acc = f"{s.accuracy:.1%}" if s.accuracy is not None else "—"
        end = f"{s.final_accuracy:.1%} ({s.final_labelled:.0f} labels)"
        row = (
            f"| {s.reason.value} | {s.strategy} | {s.stopped}/{s.runs} | {where} | {acc} | {end} |"
        )
        lines.append(row)
    return "\n".join(lines) + "\n"


def _describe(rules: StoppingRules) -> str:
    parts = []
    if rules.label_budget is not None:
        parts.append(f"label budget {rules.label_budget}")
    if rules.target_accuracy is not None:
        parts.append(f"eval accuracy {rules.target_accuracy:.1%}")
    if rules.plateau_agreement is not None:
        parts.append(f"mean kappa {rules.plateau_agreement} over {rules.plateau_window} rounds")
    return ", ".join(parts)


def draw_stops(ax: Any, result: SimulationResult, colors: dict[str, str]) -> None:
    """A vertical line per (strategy, rule) at the mean labels where the rule stopped."""
    rules = result.config.base.stopping
    for s in summarize(stop_points(result.rounds, rules)):
        if s.labelled is None:
            continue
        label = f"{s.strategy}: {s.reason.value.lower()} ({s.stopped}/{s.runs} seeds)"
        style = LINE_STYLES.get(s.reason, "-")
        ax.axvline(s.labelled, color=colors.get(s.strategy, "k"), ls=style, lw=1.2, label=label)
