"""`activecrowds dataset ...` and `activecrowds simulate` as a user runs them: every error is one
clear line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from activecrowds_ml.experiment.demo import write_demo


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console script's entry point in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 demo images, 30 labelled: enough for the checks that happen before training."""
    root = tmp_path_factory.mktemp("cli") / "demo"
    write_demo(root, size=60, labelled=30)
    return root


SMALL = ["--eval-size", "5", "--test-size", "5", "--initial-size", "4", "--budget", "10"]


def test_missing_dataset(tmp_path: Path) -> None:
    result = run_cli("simulate", "--dataset", str(tmp_path / "nowhere"), "--out", str(tmp_path))
    assert_one_line_error(result, "simulate: error", "no dataset at", "nowhere")


def test_default_dataset_missing_points_to_the_demo(tmp_path: Path) -> None:
    result = run_cli("simulate", cwd=tmp_path)
    assert_one_line_error(result, "datasets/fashion-collapse")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--strategies", "margin,psychic"], "unknown query strategy 'psychic'"),
        (["--agreement", "0.3"], "min_agreement must be in (0.5, 1]"),
        (["--model", "alexnet-9000"], "unknown image model 'alexnet-9000'"),
        (["--budget", "3"], "budget (3) must be >= the initial size (4)"),
        (["--peers", "25"], "peers (25) cannot exceed annotators (20)"),
        (
            ["--test-size", "50"],
            "needs 59 labelled examples (test 50 + eval 5 + initial 4); the dataset has 30",
        ),
        (["--budget", "500"], "the budget needs 496 pool samples"),
    ],
)
def test_bad_scenario_or_model_is_one_line(
    small_demo: Path, tmp_path: Path, options: list[str], expected: str
) -> None:
    result = run_cli(
        "simulate", "--dataset", str(small_demo), "--out", str(tmp_path), *SMALL, *options
    )
    assert_one_line_error(result, expected)
    assert not (tmp_path / "curves.csv").exists()


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--seeds", "many"], "argument --seeds"),
        (["--annotator-accuracy", "1.5"], "argument --annotator-accuracy"),
        (["--batch-size", "0"], "must be >= 1"),
        (["--mode", "magic"], "argument --mode"),
        (["--colour", "blue"], "unrecognized arguments"),
    ],
)
def test_bad_option_is_one_line(options: list[str], expected: str) -> None:
    assert_one_line_error(run_cli("simulate", *options), expected)


def test_dataset_demo_refuses_a_folder_with_data(small_demo: Path) -> None:
    assert_one_line_error(run_cli("dataset", "demo", str(small_demo)), "is not empty")


def test_dataset_import_missing_source(tmp_path: Path) -> None:
    result = run_cli("dataset", "import", str(tmp_path / "nope"), str(tmp_path / "ds"))
    assert_one_line_error(result, "dataset: error: source", "does not exist")


def test_dataset_import_lists_bad_files_and_the_count(tmp_path: Path) -> None:
    # Given a folder with two classes of text files, one of them empty
    for label, texts in {"ham": ["hello friend", ""], "spam": ["buy now", "win big"]}.items():
        (tmp_path / "src" / label).mkdir(parents=True)
        for i, text in enumerate(texts):
            (tmp_path / "src" / label / f"{i}.txt").write_text(text)
    # When imported
    result = run_cli("dataset", "import", str(tmp_path / "src"), str(tmp_path / "ds"))
    # Then it says how many went in and names the bad file
    assert result.returncode == 0, result.stderr
    assert "imported 3 samples" in result.stdout and "3 labelled" in result.stdout
    assert "skipped 1 bad inputs:" in result.stdout
    assert f"{tmp_path / 'src' / 'ham' / '1.txt'}: empty text" in result.stdout
