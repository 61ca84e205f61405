"""Crowd integrity on the reference task: the peer rule against Dawid-Skene, fixed and adaptive.

    .venv/bin/python bench/crowd.py [--seeds 5] [--quick] [--dataset DIR] [--cache-dir DIR]
                                    [--spammers 0.2] [--difficulty 0.5] [--posterior 0.99]
                                    [--strict 0.9995] [--gold-share 0.1] [--gold-size 50]

The reference task (Fashion-MNIST long-sleeved tops vs the rest, `activecrowds dataset demo`,
written on first use as scripts/simulate.sh does), margin sampling, 450 labels, head mode on
cached features. The crowd: 20 annotators, careful ones 90% right but less on hard items
(difficulty: one minus an out-of-fold model's margin; at 0.5 the hardest items are 70% right),
and a share of spammers (half always one label, half uniformly random). Every rule runs on the
same seeds, splits and crowd; the table gives the mean ± sd over seeds of the accepted labels'
accuracy against the hidden truth, answers per accepted label (gold answers included),
disputed share, and test accuracy at 150 / 300 / 450 labels. Dawid-Skene's min_agreement is a
posterior probability, not a share of votes, hence --posterior. --quick: 2 seeds, 150 labels.

Measured 2026-12-02: the table in the README ("Crowd integrity, measured").
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

from activecrowds_ml.consensus import Aggregation, Redundancy
from activecrowds_ml.experiment.crowd import CrowdConfig
from activecrowds_ml.experiment.demo import write_demo
from activecrowds_ml.experiment.simulate import SimulationConfig, run_simulation
from activecrowds_ml.experiment.summary import CrowdQuality, crowd_quality, curves
from activecrowds_ml.experiment.world import Reference
from activecrowds_ml.scenario import Scenario
from activecrowds_ml.storage import Dataset

CHECKPOINTS = (150, 300, 450)
PR, DS = Aggregation.PEER_RULE, Aggregation.DAWID_SKENE
FIXED, ADAPTIVE = Redundancy.FIXED, Redundancy.ADAPTIVE


@dataclass(frozen=True)
class Variant:
    """One rule to compare: aggregation, redundancy, the agreement / posterior needed, gold."""

    aggregation: Aggregation
    redundancy: Redundancy
    agreement: float
    gold: bool = False

    def name(self, gold_share: float) -> str:
        rule = "peer rule" if self.aggregation is PR else "Dawid-Skene"
        need = (
            f"{self.agreement:.0%} agree" if self.aggregation is PR else f"P >= {self.agreement:g}"
        )
        gold = f" + gold {gold_share:.0%}" if self.gold else ""
        return f"{rule}, {self.redundancy.value.lower()} ({need}){gold}"


def variants(posterior: float, strict: float, gold: bool) -> list[Variant]:
    """The paper's rule and its adaptive form; Dawid-Skene fixed, and adaptive at two
    posteriors (what confidence buys); with gold, the paper's rule and the strict adaptive one."""
    rows = [
        Variant(PR, FIXED, 0.8),
        Variant(PR, ADAPTIVE, 0.8),
        Variant(DS, FIXED, posterior),
        Variant(DS, ADAPTIVE, posterior),
        Variant(DS, ADAPTIVE, strict),
    ]
    if gold:
        rows += [Variant(PR, FIXED, 0.8, gold=True), Variant(DS, ADAPTIVE, strict, gold=True)]
    return rows


@dataclass(frozen=True)
class Line:
    """One row of the table."""

    name: str
    quality: CrowdQuality
    accuracy: dict[int, tuple[float, float] | None]
    minutes: float


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    default = Path(os.environ.get("ACTIVECROWDS_DATA_DIR", "data")) / "datasets/fashion-collapse"
    parser.add_argument("--dataset", type=Path, default=default)
    parser.add_argument("--cache-dir", type=Path, default=None, help="feature cache")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=450)
    parser.add_argument("--spammers", type=float, default=0.2)
    parser.add_argument("--difficulty", type=float, default=0.5, help="0 to 1")
    parser.add_argument("--posterior", type=float, default=0.99, help="Dawid-Skene: P needed")
    parser.add_argument("--strict", type=float, default=0.9995, help="a stricter P, adaptive")
    parser.add_argument("--gold-share", type=float, default=0.1, help="0: no rows with gold")
    parser.add_argument("--gold-size", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="2 seeds, 150 labels")
    return parser.parse_args()


def run(args: argparse.Namespace, dataset: Dataset) -> list[Line]:
    seeds = (0, 1) if args.quick else tuple(range(args.seeds))
    budget = 150 if args.quick else args.budget
    crowd = CrowdConfig(20, (0.9, 0.9), args.difficulty, args.spammers)
    references: dict[tuple[object, ...], Reference] = {}  # one whole-pool model per seed
    lines = []
    for v in variants(args.posterior, args.strict, args.gold_share > 0):
        base = Scenario(
            aggregation=v.aggregation,
            redundancy=v.redundancy,
            min_agreement=v.agreement,
            gold_share=args.gold_share if v.gold else 0.0,
            gold_size=args.gold_size if v.gold else 0,
        )
        config = SimulationConfig(
            args.dataset, ("margin",), seeds, budget, base, crowd, args.cache_dir, "cpu"
        )
        started = time.perf_counter()
        result = run_simulation(config, dataset, references=references)
        curve = curves(result.rounds)["margin"]
        minutes = (time.perf_counter() - started) / 60
        name = v.name(args.gold_share)
        quality = crowd_quality(result, "margin")
        lines.append(Line(name, quality, {n: curve.at(n) for n in CHECKPOINTS}, minutes))
        print(f"  {name}: {minutes:.1f} min", flush=True)
    return lines


def _pm(point: tuple[float, float] | None, scale: float = 100, digits: int = 1) -> str:
    return (
        "—" if point is None else f"{point[0] * scale:.{digits}f} ± {point[1] * scale:.{digits}f}"
    )


def print_table(lines: list[Line]) -> None:
    head = " | ".join(f"test acc @{n}" for n in CHECKPOINTS)
    print(f"\n| rule | accepted-label acc % | answers / label | disputed % | suspended | {head} |")
    print("|---" * (5 + len(CHECKPOINTS)) + "|")
    for line in lines:
        q = line.quality
        cells = [
            line.name,
            _pm(q.accuracy, digits=2),
            _pm(q.answers_per_label, 1),
            _pm(q.disputed),
            f"{q.suspended:.1f}",
            *(_pm(line.accuracy[n]) for n in CHECKPOINTS),
        ]
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    args = parse_args()
    if not (args.dataset / "dataset.json").is_file():
        write_demo(args.dataset)
    dataset = Dataset.load(args.dataset)
    started = time.perf_counter()
    lines = run(args, dataset)
    minutes = (time.perf_counter() - started) / 60
    seeds = 2 if args.quick else args.seeds
    print(
        f"\n{dataset.name}: margin, {seeds} seeds; crowd of 20, careful ones 90% right with "
        f"difficulty {args.difficulty:g}, {args.spammers:.0%} spammers (half one label, "
        f"half random); {minutes:.1f} min"
    )
    print_table(lines)


if __name__ == "__main__":
    main()
