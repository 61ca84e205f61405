"""The numbers of a simulation (mean curves, labels to reach a target) and summary.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from activecrowds_ml.consensus import Aggregation
from activecrowds_ml.experiment.crowd import CrowdConfig
from activecrowds_ml.experiment.simulate import CurveRow, SimulationConfig, SimulationResult
from activecrowds_ml.scenario import Scenario

CHECKPOINTS = (60, 150, 300, 420)  # the paper's label counts (the reference task only)
REFERENCE_NAME = "fashion-long-sleeved"  # `demo.write_demo`'s dataset: the paper's figures apply
# The paper (collapsed-building photos, ResNet, 20 annotators, 10 peers at 80%).
PAPER_BEST, PAPER_BEST_LABELS = 0.935, 420  # 93.5% test accuracy with under 420 labels (margin)
PAPER_AT_150 = 0.9247
PAPER_ALEXNET_FULL = 0.915  # fully supervised AlexNet on the whole set
PAPER_TN, PAPER_TP, PAPER_TEST = 315, 154, 500


@dataclass(frozen=True)
class Curve:
    """One strategy's accuracy over seeds at each label count."""

    labelled: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def at(self, labels: int) -> tuple[float, float] | None:
        """(mean, std) at exactly `labels`, or None where the curve has no such point."""
        hit = np.flatnonzero(self.labelled == labels)
        return (float(self.mean[hit[0]]), float(self.std[hit[0]])) if hit.size else None

    def first_reaching(self, target: float) -> int | None:
        """The fewest labels at which the mean accuracy reaches `target`."""
        hit = np.flatnonzero(self.mean + 1e-9 >= target)
        return int(self.labelled[hit[0]]) if hit.size else None


def curves(rows: Sequence[CurveRow]) -> dict[str, Curve]:
    """Mean, std, min and max test accuracy over seeds, per strategy and label count."""
    out: dict[str, Curve] = {}
    for strategy in dict.fromkeys(r.strategy for r in rows):
        points: dict[int, list[float]] = {}
        for r in rows:
            if r.strategy == strategy:
                points.setdefault(r.labelled, []).append(r.accuracy)
        xs = np.array(sorted(points))
        acc = [np.array(points[x]) for x in xs]
        out[strategy] = Curve(
            xs,
            np.array([a.mean() for a in acc]),
            np.array([a.std() for a in acc]),
            np.array([a.min() for a in acc]),
            np.array([a.max() for a in acc]),
        )
    return out


@dataclass(frozen=True)
class CrowdQuality:
    """How well one strategy's crowd labelled, as (mean, sd) over seeds."""

    accuracy: tuple[float, float]  # accepted labels that match the hidden truth
    answers_per_label: tuple[float, float]  # every answer (gold included) per accepted label
    disputed: tuple[float, float]  # share of the samples asked that ended disputed
    suspended: float  # annotators suspended by the gold rule, mean


def crowd_quality(result: SimulationResult, strategy: str) -> CrowdQuality:
    """The crowd's accepted-label accuracy, cost and disputes over `strategy`'s runs."""
    initial = result.config.base.initial_train_size
    accuracy, cost, disputed, suspended = [], [], [], []
    for r in _last_rows(result.rounds, strategy):
        accepted = max(r.train_size - initial, 1)
        accuracy.append(1 - r.wrong_accepted / accepted)
        cost.append(r.answers / accepted)
        disputed.append(r.disputed / max(r.labelled - initial, 1))
        suspended.append(r.suspended)
    return CrowdQuality(
        _mean_sd(accuracy), _mean_sd(cost), _mean_sd(disputed), float(np.mean(suspended))
    )


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    return float(np.mean(values)), float(np.std(values))


def whole_pool_accuracy(result: SimulationResult) -> float:
    """Mean over seeds of the test accuracy trained on the whole pool with true labels."""
    return float(np.mean([m.accuracy for m in result.whole_pool.values()]))


def mean_confusion(result: SimulationResult, strategy: str) -> np.ndarray:
    """The final-round test confusion matrix of `strategy`, averaged over seeds."""
    mats = [np.array(m.confusion_matrix) for (s, _), m in result.final.items() if s == strategy]
    return np.mean(mats, axis=0)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


def _labels(value: int | None, budget: int) -> str:
    return f"not within {budget}" if value is None else str(value)


def budget_points(config: SimulationConfig) -> list[int]:
    """A sixth, a third, two thirds and all of the budget, on the rounds' label grid."""
    first, step = config.base.initial_train_size, config.base.batch_size
    points = []
    for share in (1 / 6, 1 / 3, 2 / 3, 1.0):
        n = first + round((share * config.budget - first) / step) * step
        points.append(min(max(n, first), config.budget))
    return list(dict.fromkeys(points))


def labels_to_reach(
    rows: Sequence[CurveRow], strategy: str, seed: int, target: float
) -> int | None:
    """The fewest labels at which one seed's run reached `target` test accuracy (None: never)."""
    hits = [
        r.labelled
        for r in rows
        if r.strategy == strategy and r.seed == seed and r.accuracy + 1e-9 >= target
    ]
    return min(hits) if hits else None


def median_labels(values: Sequence[int | None]) -> float:
    """The median over seeds, a run that never reached counting as infinitely many labels."""
    return float(np.median([np.inf if v is None else v for v in values]))


def spread(values: Sequence[int | None], budget: int) -> str:
    """ "median [min-max]" over seeds, ">budget" where a seed (or the median) did not reach."""
    med = median_labels(values)
    shown = sorted(v for v in values if v is not None)
    if not shown:
        return f">{budget}"
    high = str(shown[-1]) if len(shown) == len(values) else f">{budget}"
    mid = f">{budget}" if np.isinf(med) else f"{med:.0f}"
    return f"{mid} [{shown[0]}-{high}]"


def answers_spent(rows: Sequence[CurveRow], strategy: str) -> float:
    """Answers the crowd gave over each run (gold included), mean over seeds."""
    return float(np.mean([r.answers for r in _last_rows(rows, strategy)]))


def majority_accuracy(result: SimulationResult) -> float:
    """Test accuracy of always answering the test set's most common label, mean over seeds."""
    shares = [
        np.array(m.confusion_matrix).sum(axis=1).max() / max(m.size, 1)
        for m in result.whole_pool.values()
    ]
    return float(np.mean(shares))


def imbalanced(result: SimulationResult) -> bool:
    """A class holds under half its balanced share of the test set (F1 then says more)."""
    m = next(iter(result.whole_pool.values()), None)
    if m is None:
        return False
    counts = np.array(m.confusion_matrix).sum(axis=1)
    return bool(counts.min() < 0.25 * counts.sum() * 2 / len(counts))


def write_summary(result: SimulationResult, path: Path) -> Path:
    """summary.md: protocol, labels needed, accuracy at checkpoints, crowd, confusion matrices."""
    sections = [
        _protocol(result),
        _labels_needed(result),
        _checkpoints(result),
        _crowd(result),
        _confusions(result),
    ]
    if result.name == REFERENCE_NAME:
        sections.append(_paper())
    path.write_text("\n\n".join(sections) + "\n")
    return path


def _protocol(result: SimulationResult) -> str:
    c, b = result.config, result.config.base
    low, high = c.crowd.accuracy
    accuracy = f"{low:g}" if low == high else f"{low:g}-{high:g} (uniform)"
    asked = [r.seconds for r in result.rounds if r.round > 0]
    per_round = float(np.mean(asked)) if asked else 0.0
    pool = int(np.mean(list(result.pool_sizes.values()))) if result.pool_sizes else 0
    whole = [m.accuracy for m in result.whole_pool.values()]
    return "\n".join(
        [
            f"# Simulation: {result.name or c.dataset.name}",
            "",
            f"- strategies {', '.join(c.strategies)}; seeds {', '.join(map(str, c.seeds))}",
            f"- budget {c.budget} labels: {b.initial_train_size} initial "
            f"+ {b.batch_size} per round",
            f"- crowd: {c.crowd.annotators} annotators, accuracy {accuracy}{_integrity(c.crowd)}; "
            f"{_rule(b)}",
            f"- model {b.pretrained_model} ({b.training_mode.value}); test {b.test_size}, "
            f"eval {b.eval_size} labelled examples per seed; pool {pool} samples",
            f"- whole-pool accuracy (all {pool} pool samples with true labels): "
            f"**{np.mean(whole):.2%}** ± {np.std(whole):.2%} over seeds",
            f"- runtime {result.seconds / 60:.1f} min; {per_round:.2f} s per round "
            "(pick + crowd + train + test)",
        ]
    )


def _integrity(crowd: CrowdConfig) -> str:
    parts = [
        f"difficulty {crowd.difficulty:g}" if crowd.difficulty else "",
        f"{crowd.spammers:.0%} spammers ({crowd.spam.value})" if crowd.spammers else "",
        f"{crowd.colluders:.0%} colluders" if crowd.colluders else "",
    ]
    shown = ", ".join(p for p in parts if p)
    return f", {shown}" if shown else ""


def _rule(b: Scenario) -> str:
    if b.aggregation is Aggregation.PEER_RULE:
        need = f"{b.min_peers} peers and {b.min_agreement:.0%} agreement"
    else:
        need = f"a Dawid-Skene posterior >= {b.min_agreement:g} after {b.min_peers} answers"
    adaptive = (
        ", or earlier once more answers cannot change it"
        if b.redundancy.value == "ADAPTIVE"
        else ""
    )
    gold = f"; gold {b.gold_share:.0%} of each batch from {b.gold_size}" if b.gold_share else ""
    return f"a label needs {need}{adaptive} (disputed at {b.max_peers}){gold}"


def _labels_needed(result: SimulationResult) -> str:
    whole = whole_pool_accuracy(result)
    budget = result.config.budget
    lines = [
        "## Labels needed (mean curve over seeds)",
        "",
        f"| strategy | to reach whole-pool {whole:.2%} | to reach 99% of it ({0.99 * whole:.2%}) "
        f"| final accuracy | best mean (labels) |",
        "|---|---|---|---|---|",
    ]
    for strategy, c in curves(result.rounds).items():
        best = int(np.argmax(c.mean))
        lines.append(
            f"| {strategy} | {_labels(c.first_reaching(whole), budget)} "
            f"| {_labels(c.first_reaching(0.99 * whole), budget)} "
            f"| {c.mean[-1]:.2%} ± {c.std[-1]:.2%} | {c.mean[best]:.2%} ({c.labelled[best]}) |"
        )
    lines += ["", _per_seed(result)]
    if any(f"not within {budget}" in line for line in lines):
        lines += ["", "Where a target is not reached, a larger `--budget` tells how many it takes."]
    return "\n".join(lines)


def _per_seed(result: SimulationResult) -> str:
    """Labels each seed's run needs to reach that seed's own whole-pool accuracy (and 99%)."""
    budget = result.config.budget
    lines = [
        "Per seed (each against its own whole-pool accuracy; — not reached):",
        "",
        "| strategy | per seed | median [range] | to 99%, per seed | median [range] "
        "| answers spent |",
        "|---|---|---|---|---|---|",
    ]
    for strategy in result.config.strategies:
        cells = []
        for share in (1.0, 0.99):
            needed = [
                labels_to_reach(result.rounds, strategy, seed, share * whole.accuracy)
                for seed, whole in result.whole_pool.items()
            ]
            cells += [", ".join("—" if n is None else str(n) for n in needed)]
            cells += [spread(needed, budget)]
        answers = answers_spent(result.rounds, strategy)
        lines.append(f"| {strategy} | {' | '.join(cells)} | {answers:,.0f} |")
    return "\n".join(lines)


def _checkpoints(result: SimulationResult) -> str:
    points = budget_points(result.config)
    f1 = imbalanced(result)
    head = " | ".join(str(n) for n in points)
    lines = [
        "## Test accuracy at points of the budget (mean ± std over seeds)",
        "",
        f"| strategy | {head} |",
        "|---" * (len(points) + 1) + "|",
    ]
    for strategy, c in curves(result.rounds).items():
        cells = []
        for n in points:
            point = c.at(n)
            cells.append("—" if point is None else f"{point[0]:.2%} ± {point[1]:.2%}")
        lines.append(f"| {strategy} | {' | '.join(cells)} |")
    majority = _pct(majority_accuracy(result))
    lines.append(f"| always the majority class | {' | '.join([majority] * len(points))} |")
    if result.name == REFERENCE_NAME:
        paper = {150: _pct(PAPER_AT_150), PAPER_BEST_LABELS: f"{_pct(PAPER_BEST)} (< 420)"}
        lines.append(f"| paper (margin) | {' | '.join(paper.get(n, '—') for n in points)} |")
    if f1:
        lines += ["", "F1 (a class is rare here; macro over classes):", ""]
        lines += [f"| strategy | {head} |", "|---" * (len(points) + 1) + "|"]
        for strategy in result.config.strategies:
            cells = [f"{_f1_at(result.rounds, strategy, n):.2%}" for n in points]
            lines.append(f"| {strategy} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _f1_at(rows: Sequence[CurveRow], strategy: str, n: int) -> float:
    values = [r.f1 for r in rows if r.strategy == strategy and r.labelled == n]
    return float(np.mean(values)) if values else float("nan")


def _crowd(result: SimulationResult) -> str:
    lines = [
        "## Crowd (per run, mean over seeds)",
        "",
        "| strategy | asked | disputed (dropped) | accepted with a wrong label "
        "| accepted-label accuracy | answers per accepted label | suspended by gold |",
        "|---|---|---|---|---|---|---|",
    ]
    for strategy in result.config.strategies:
        last = _last_rows(result.rounds, strategy)
        asked = np.mean([r.labelled - result.config.base.initial_train_size for r in last])
        disputed = np.mean([r.disputed for r in last])
        wrong = np.mean([r.wrong_accepted for r in last])
        q = crowd_quality(result, strategy)
        lines.append(
            f"| {strategy} | {asked:.0f} | {disputed:.1f} | {wrong:.1f} | {q.accuracy[0]:.2%} "
            f"| {q.answers_per_label[0]:.1f} | {q.suspended:.1f} |"
        )
    return "\n".join(lines)


def _last_rows(rows: Sequence[CurveRow], strategy: str) -> list[CurveRow]:
    last: dict[int, CurveRow] = {}
    for r in rows:
        if r.strategy == strategy:
            last[r.seed] = r
    return list(last.values())


def _confusions(result: SimulationResult) -> str:
    labels = result.labels
    lines = ["## Final confusion matrix (test set, final round, mean over seeds)"]
    for strategy in result.config.strategies:
        cm = mean_confusion(result, strategy)
        lines += ["", f"**{strategy}** (rows: true, columns: predicted)", ""]
        lines.append("| true \\ predicted | " + " | ".join(labels) + " |")
        lines.append("|---" * (len(labels) + 1) + "|")
        for label, row in zip(labels, cm, strict=True):
            lines.append(f"| {label} | " + " | ".join(f"{v:.1f}" for v in row) + " |")
    return "\n".join(lines)


def _paper() -> str:
    correct = (PAPER_TN + PAPER_TP) / PAPER_TEST
    return "\n".join(
        [
            "## The paper's figures (collapsed buildings, ResNet; a different task)",
            "",
            f"- {_pct(PAPER_BEST)} test accuracy with under {PAPER_BEST_LABELS} labels (margin)",
            f"- {_pct(PAPER_AT_150)} with 150 labels",
            f"- {_pct(PAPER_ALEXNET_FULL)}: a fully supervised AlexNet on the whole set",
            f"- test confusion matrix: {PAPER_TN} TN, {PAPER_TP} TP of {PAPER_TEST} "
            f"({correct:.1%} correct)",
        ]
    )
