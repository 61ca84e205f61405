"""Simulation files: curves.csv, details.csv, learning_curve.png, confusion_matrix.png, summary."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from activecrowds_ml.experiment.simulate import CurveRow, SimulationResult
from activecrowds_ml.experiment.stops import draw_stops, stops_markdown
from activecrowds_ml.experiment.summary import (
    imbalanced,
    majority_accuracy,
    mean_confusion,
    whole_pool_accuracy,
    write_summary,
)

CURVE_COLUMNS = ("strategy", "seed", "round", "labelled", "accuracy", "f1")


def write_all(result: SimulationResult, out: Path) -> list[Path]:
    """Write every output file into `out` (created if needed); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_curves(result.rounds, out / "curves.csv")]
    paths.append(write_details(result.rounds, out / "details.csv"))
    paths.append(plot_learning_curve(result, out / "learning_curve.png"))
    paths.append(plot_confusion(result, out / "confusion_matrix.png"))
    paths.append(write_summary(result, out / "summary.md"))
    if section := stops_markdown(result):  # where each --stop rule would have stopped
        with (out / "summary.md").open("a") as f:
            f.write("\n" + section)
    return paths


def write_curves(rows: Sequence[CurveRow], path: Path) -> Path:
    """curves.csv: one row per round with exactly CURVE_COLUMNS."""
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CURVE_COLUMNS)
        for r in rows:
            writer.writerow(
                [r.strategy, r.seed, r.round, r.labelled, f"{r.accuracy:.4f}", f"{r.f1:.4f}"]
            )
    return path


def write_details(rows: Sequence[CurveRow], path: Path) -> Path:
    """details.csv: every field of every round (train size, disputes, eval accuracy, time)."""
    names = [f.name for f in dataclasses.fields(CurveRow)]
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        for r in rows:
            writer.writerow([_cell(getattr(r, n)) for n in names])
    return path


def _cell(value: object) -> object:
    return f"{value:.4f}" if isinstance(value, float) else value


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt

    return plt


def plot_learning_curve(result: SimulationResult, path: Path) -> Path:
    """Accuracy vs labels: mean line and 95% band over seeds per strategy; whole-pool, 99% and
    majority-class lines; a macro-F1 panel beside it where a class is rare."""
    plt = _pyplot()
    panels = ["accuracy", "f1"] if imbalanced(result) else ["accuracy"]
    fig, axes = plt.subplots(1, len(panels), figsize=(7.5 * len(panels), 4.8), squeeze=False)
    colors: dict[str, str] = {}
    for ax, metric in zip(axes[0], panels, strict=True):
        for strategy, (xs, mean, half) in bands(result.rounds, metric).items():
            (line,) = ax.plot(xs, mean, marker="o", ms=3, label=f"{strategy} (mean)")
            colors[strategy] = line.get_color()
            ax.fill_between(xs, mean - half, mean + half, color=line.get_color(), alpha=0.2)
        if metric == "accuracy":
            whole = whole_pool_accuracy(result)
            ax.axhline(
                whole, color="k", ls="--", lw=1, label=f"whole pool, true labels ({whole:.1%})"
            )
            ax.axhline(0.99 * whole, color="grey", ls=":", lw=1, label="99% of whole pool")
            majority = majority_accuracy(result)
            ax.axhline(majority, color="r", ls="-.", lw=1, label=f"majority class ({majority:.1%})")
        draw_stops(ax, result, colors)  # where each --stop rule would have stopped
        ax.set_xlabel("labels spent (initial + asked of the crowd)")
        ax.set_ylabel("test accuracy" if metric == "accuracy" else "test F1")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    seeds = len(result.config.seeds)
    name = result.name or result.config.dataset.name
    fig.suptitle(f"{name}: mean over {seeds} seeds, 95% confidence band")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def bands(
    rows: Sequence[CurveRow], metric: str = "accuracy"
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per strategy: label counts every seed reached, the mean, and the half-width of a 95%
    t-interval for the mean over seeds (0 with one seed)."""
    from scipy import stats

    out = {}
    for strategy in dict.fromkeys(r.strategy for r in rows):
        points: dict[int, list[float]] = {}
        for r in rows:
            if r.strategy == strategy:
                points.setdefault(r.labelled, []).append(float(getattr(r, metric)))
        most = max(map(len, points.values()))
        xs = np.array(sorted(x for x, v in points.items() if len(v) == most))
        ys = np.array([points[int(x)] for x in xs])
        sd = ys.std(axis=1, ddof=1) if most > 1 else np.zeros(len(xs))
        half = stats.t.ppf(0.975, max(most - 1, 1)) * sd / np.sqrt(most)
        out[strategy] = (xs, ys.mean(axis=1), half)
    return out


def plot_confusion(result: SimulationResult, path: Path) -> Path:
    """Final-round test confusion matrices (mean over seeds), one panel per strategy."""
    plt = _pyplot()
    strategies = result.config.strategies
    fig, axes = plt.subplots(1, len(strategies), figsize=(4.2 * len(strategies), 4), squeeze=False)
    labels = result.labels
    for ax, strategy in zip(axes[0], strategies, strict=True):
        cm = mean_confusion(result, strategy)
        ax.imshow(cm, cmap="Blues")
        for (i, j), v in np.ndenumerate(cm):
            color = "white" if v > cm.max() / 2 else "black"
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", color=color)
        ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{strategy}, final round", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
