"""One batch put to the simulated crowd, as the live loop would: gold questions mixed in, each
sample asked until the scenario's rule decides, the gold rule applied as answers come, and the
Dawid-Skene crowd model refitted on everything answered so far once the batch is done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from activecrowds_ml.consensus import (
    Aggregation,
    Answer,
    PeerRule,
    SampleState,
    WorkerModel,
    estimate_workers,
)
from activecrowds_ml.experiment.crowd import GoldCheck, SimulatedCrowd
from activecrowds_ml.storage import Record


@dataclass
class CrowdLedger:
    """What the crowd did in one run: accepted records, counts, every answer, the gold rule."""

    accepted: list[Record] = field(default_factory=list)
    disputed: int = 0
    wrong: int = 0  # accepted with a label other than the hidden truth
    answers: int = 0
    gold_answers: int = 0
    log: list[Answer] = field(default_factory=list)
    gold_truth: dict[str, str] = field(default_factory=dict)  # gold task -> known label
    gold: GoldCheck = field(default_factory=GoldCheck)
    workers: WorkerModel | None = None


def ask_batch(
    crowd: SimulatedCrowd,
    rule: PeerRule,
    batch: Sequence[Record],
    gold: Sequence[Record],
    difficulty: Mapping[str, float],
    ledger: CrowdLedger,
    number: int,
) -> None:
    """Ask about `batch` (pool samples) and `gold` (control questions) in a shuffled order."""
    items = [(r, False) for r in batch] + [(r, True) for r in gold]
    if gold:  # shuffling only with gold keeps runs without it answer for answer as before
        items = [items[i] for i in crowd.rng.permutation(len(items))]
    workers = ledger.workers
    if rule.aggregation is Aggregation.DAWID_SKENE and workers is None:
        workers = WorkerModel.uniform(crowd.labels)  # nobody has answered yet
    for record, is_gold in items:
        truth = str(record.truth)
        decision, answers = crowd.ask(
            truth, rule, workers, difficulty.get(record.id, 0.0), ledger.gold.suspended
        )
        ledger.answers += len(answers)
        # A gold question comes back in later batches: a task id per showing keeps one
        # annotator's answers to it apart for Dawid-Skene.
        task = f"gold:{number}:{record.id}" if is_gold else record.id
        ledger.log += [Answer(task, annotator, label) for annotator, label in answers]
        if is_gold:
            ledger.gold_truth[task] = truth
            ledger.gold_answers += len(answers)
            ledger.gold.score(answers, truth)
        elif decision.state is SampleState.ACCEPTED:
            ledger.wrong += decision.label != truth
            ledger.accepted.append(replace(record, label=decision.label, truth=None))
        else:
            ledger.disputed += 1
    if rule.aggregation is Aggregation.DAWID_SKENE and ledger.log:
        ledger.workers = estimate_workers(ledger.log, crowd.labels, ledger.gold_truth)
