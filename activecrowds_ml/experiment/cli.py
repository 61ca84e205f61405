"""`activecrowds dataset import|demo` and `activecrowds simulate` (the paper's experiment).

Only argparse at module scope: torch, numpy and matplotlib load inside the command functions.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

DEFAULT_DATASET = "/datasets/fashion-collapse"  # under $ACTIVECROWDS_DATA_DIR, as scripts/run.sh
DEFAULT_OUT = "out/simulation"


def register(subparsers: Any) -> None:
    """Add the `dataset` and `simulate` sub-commands to the `activecrowds` parser."""
    dataset = subparsers.add_parser("dataset", help="create datasets on disk")
    sub = dataset.add_subparsers(dest="dataset_command", required=True)
    _add_import(sub)
    _add_demo(sub)
    _add_simulate(subparsers)


def _add_import(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="import a folder of class sub-folders (+ unlabelled/) or a CSV/JSONL manifest",
        description="SRC: a folder with one sub-folder per class (and optionally unlabelled/), "
        "or a .csv/.jsonl manifest with columns file|text, label [, id, truth]; an empty label "
        "puts the row in the pool. Bad inputs are skipped and listed by name.",
    )
    p.add_argument("src", type=Path, help="folder or manifest to import")
    p.add_argument("dest", type=Path, help="new dataset folder")
    p.add_argument("--name", help="dataset name (default: the DEST folder name)")
    p.add_argument("--kind", choices=("image", "text"), help="default: guessed from the inputs")
    p.add_argument(
        "--labels",
        type=_names,
        help="comma-separated label order; binary: the second is the positive class "
        "(default: the labels found, sorted)",
    )
    p.add_argument(
        "--labelled-fraction",
        type=float,
        default=1.0,
        help="keep this share labelled; the rest goes to the pool with hidden truth (simulations)",
    )
    p.add_argument("--pool", type=Path, help="an extra folder of unlabelled files for the pool")
    p.add_argument("--seed", type=_non_negative, default=0, help="seed of --labelled-fraction")
    p.set_defaults(func=_import)


def _add_demo(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="write the reference task (Fashion-MNIST long-sleeved tops vs the rest)",
        description="5,270 Fashion-MNIST training images drawn with a fixed seed; pullover, coat "
        "and shirt are positive; 1,030 labelled (eval 500 + test 500 + initial 30), the rest is "
        "the pool with its true label hidden for the simulated crowd.",
    )
    p.add_argument("dest", type=Path, help="new dataset folder")
    p.add_argument("--size", type=_positive, default=5270, help="images drawn (default 5270)")
    p.add_argument("--seed", type=_non_negative, default=0, help="seed of the draw (default 0)")
    p.add_argument(
        "--labelled", type=_positive, help="labelled examples (default: size x 1030/5270)"
    )
    p.set_defaults(func=_demo)


def _add_simulate(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="the paper's experiment: strategies x seeds with a simulated crowd, no server",
        description="Defaults are the paper's protocol: margin vs random, 5 seeds, 450 labels, "
        "30 initial + 30 per round, 20 annotators, a label needs 10 peers and 80%% agreement. "
        "Crowd integrity: item difficulty, spammers, colluders; Dawid-Skene (--agreement is then "
        "the posterior needed, e.g. 0.99), adaptive redundancy, gold questions that suspend "
        "annotators under the live rule.",
    )
    add = p.add_argument
    default_data = os.environ.get("ACTIVECROWDS_DATA_DIR", "data") + DEFAULT_DATASET
    add("--dataset", type=Path, default=Path(default_data), help=f"default {default_data}")
    add("--strategies", type=_names, default=["margin", "random"], help="comma list")
    add("--seeds", type=_seeds, default=list(range(5)), help="a count (5) or a list (0,3,7)")
    add("--budget", type=_positive, default=450, help="labels in all, initial included")
    add("--batch-size", type=_positive, default=30, help="samples asked per round")
    add("--initial-size", type=_positive, default=30, help="labelled seed set size")
    add("--eval-size", type=_positive, default=500)
    add("--test-size", type=_positive, default=500)
    add("--peers", type=_positive, default=10, help="answers a label needs at least")
    add("--max-peers", type=_positive, help="answers before a sample is disputed (default 20)")
    add("--agreement", type=float, default=0.8, help="share of answers that must agree")
    add("--annotators", type=_positive, default=20)
    add("--annotator-accuracy", type=_accuracy, default=(0.9, 0.9), help="0.9 or a range 0.7-0.95")
    add("--difficulty", type=_share, default=0.0, help="0-1: hard items cost careful annotators")
    add("--spammers", type=_share, default=0.0, help="share of annotators who ignore the item")
    add("--spam", choices=("one_label", "random", "mixed"), default="mixed", help="spammer kind")
    add("--colluders", type=_share, default=0.0, help="share agreeing on one wrong label")
    add("--aggregation", type=str.upper, choices=("PEER_RULE", "DAWID_SKENE"), default="PEER_RULE")
    add("--redundancy", type=str.upper, choices=("FIXED", "ADAPTIVE"), default="FIXED")
    add("--gold-share", type=_share, default=0.0, help="share of each batch that is gold")
    add("--gold-size", type=_non_negative, default=50, help="gold questions (with --gold-share)")
    add(
        "--stop",
        type=_stop_rules,
        default={},
        help="stopping rules to mark on the curve, e.g. label_budget=300,target_accuracy=0.93,"
        "plateau=0.99,plateau_window=3 (the run still goes on to --budget)",
    )
    add("--mode", choices=("head", "finetune"), default="head", help="training mode")
    add("--model", default="", help="backbone (default: efficientnet-lite0 for images)")
    add(
        "--out", type=Path, default=Path(DEFAULT_OUT), help=f"output folder (default {DEFAULT_OUT})"
    )
    add("--cache-dir", type=Path, help="feature cache (default ~/.cache/activecrowds/features)")
    add("--device", help="torch device (default: cuda when available, else cpu)")
    add("--threads", type=_positive, help="torch CPU threads (default: 1 in head mode)")
    add("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_simulate)


def _stop_rules(value: str) -> dict[str, float | int]:
    """`rule=value,...` as Scenario fields: a rule is named as its FinishedReason (lowercase)."""
    from activecrowds_ml.stopping import RULE_FIELDS

    fields = {reason.value.lower(): name for reason, name in RULE_FIELDS.items()}
    fields["plateau_window"] = "plateau_window"
    out: dict[str, float | int] = {}
    for item in filter(None, (v.strip() for v in value.split(","))):
        key, _, number = item.partition("=")
        if key.strip() not in fields:
            raise argparse.ArgumentTypeError(f"unknown rule {key!r}; one of {', '.join(fields)}")
        name = fields[key.strip()]
        try:
            out[name] = int(number) if name in ("label_budget", "plateau_window") else float(number)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{key}: not a number: {number!r}") from None
    return out


def _names(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list; got {value!r}")
    return names


def _positive(value: str) -> int:
    return _int(value, 1)


def _non_negative(value: str) -> int:
    return _int(value, 0)


def _int(value: str, low: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer; got {value!r}") from None
    if number < low:
        raise argparse.ArgumentTypeError(f"must be >= {low}; got {number}")
    return number


def _seeds(value: str) -> list[int]:
    """`5` means seeds 0-4; `0,3,7` means those seeds."""
    if "," not in value:
        return list(range(_positive(value)))
    seeds = [_non_negative(v) for v in _names(value)]
    if len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"seeds repeat: {value!r}")
    return seeds


def _share(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"expected a share in [0, 1]; got {value!r}")
    return number


def _accuracy(value: str) -> tuple[float, float]:
    parts = value.replace(":", "-").split("-")
    try:
        low, high = (float(parts[0]), float(parts[-1])) if len(parts) <= 2 else (-1.0, -1.0)
    except ValueError:
        low = high = -1.0
    if not 0 <= low <= high <= 1:
        raise argparse.ArgumentTypeError(f"expected p or low-high within [0, 1]; got {value!r}")
    return low, high


def _import(args: argparse.Namespace) -> int:
    from activecrowds_ml.experiment.importer import import_dataset

    report = import_dataset(
        args.src,
        args.dest,
        name=args.name,
        kind=args.kind,
        labels=args.labels,
        labelled_fraction=args.labelled_fraction,
        pool=args.pool,
        seed=args.seed,
    )
    print(
        f"imported {report.labelled + report.pool} samples into {report.root}: "
        f"{report.labelled} labelled, {report.pool} in the pool; labels {', '.join(report.labels)}"
    )
    if report.bad:
        print(f"skipped {len(report.bad)} bad inputs:")
        for source, reason in report.bad:
            print(f"  {source}: {reason}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from activecrowds_ml.experiment.demo import write_demo

    report = write_demo(args.dest, size=args.size, seed=args.seed, labelled=args.labelled)
    print(
        f"wrote {report.root}: {report.labelled} labelled, {report.pool} pool "
        f"({report.positive_share:.1%} long-sleeved)"
    )
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from activecrowds_ml.experiment.report import write_all
    from activecrowds_ml.experiment.simulate import prepare, run_simulation
    from activecrowds_ml.storage import Dataset

    dataset = Dataset.load(args.dataset)
    config = _simulation_config(args, dataset)
    _make_out(args.out)
    prepare(config, dataset)
    total = len(config.seeds) * (1 + len(config.strategies) * (config.rounds + 1))
    from tqdm import tqdm

    with tqdm(total=total, unit="model", disable=args.no_progress) as bar:

        def tick(note: str) -> None:
            bar.set_postfix_str(note, refresh=False)
            bar.update()

        result = run_simulation(config, dataset, progress=tick)
    for path in write_all(result, args.out):
        print(f"wrote {path}")
    summary = (args.out / "summary.md").read_text()
    print(summary.split("## Crowd")[0].rstrip())  # protocol, labels needed, checkpoints
    if "## Stopping rules" in summary:
        print("\n## Stopping rules" + summary.split("## Stopping rules")[1].rstrip())
    return 0


def _simulation_config(args: argparse.Namespace, dataset: Any) -> Any:
    from activecrowds_ml.experiment.crowd import CrowdConfig, Spam
    from activecrowds_ml.experiment.simulate import SimulationConfig
    from activecrowds_ml.scenario import Category, Scenario, Subcategory

    binary = len(dataset.labels) == 2
    base = Scenario(
        category=Category(dataset.kind.upper()),
        subcategory=Subcategory.BINARY_CLASSIFICATION
        if binary
        else Subcategory.MULTICLASS_CLASSIFICATION,
        initial_train_size=args.initial_size,
        batch_size=args.batch_size,
        eval_size=args.eval_size,
        test_size=args.test_size,
        query_strategy=args.strategies[0],
        min_peers=args.peers,
        min_agreement=args.agreement,
        max_peers=args.max_peers or max(args.peers, min(20, args.annotators)),
        pretrained_model=args.model,
        training_mode=args.mode,
        aggregation=args.aggregation,
        redundancy=args.redundancy,
        gold_share=args.gold_share,
        gold_size=args.gold_size if args.gold_share else 0,
        **args.stop,
    )
    return SimulationConfig(
        dataset=args.dataset,
        strategies=tuple(s.lower() for s in args.strategies),
        seeds=tuple(args.seeds),
        budget=args.budget,
        base=base,
        crowd=CrowdConfig(
            args.annotators,
            args.annotator_accuracy,
            args.difficulty,
            args.spammers,
            Spam(args.spam),
            args.colluders,
        ),
        cache_dir=args.cache_dir,
        device=args.device,
        threads=args.threads,
    )


def _make_out(out: Path) -> None:
    from activecrowds_ml.errors import ValidationError

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"cannot create output folder {out}: {exc.strerror}", "out") from None
