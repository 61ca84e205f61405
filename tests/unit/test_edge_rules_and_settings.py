"""Edge rules without I/O (ids, NUL characters, batch sizes) and the public address media URLs
start with."""

from __future__ import annotations

from pathlib import Path

import pytest

from activecrowds.config import load_settings, local_url
from activecrowds.domain.errors import ValidationError
from activecrowds.domain.rules import MAX_ANSWERS, MAX_ID, batch_size_problem, nul_problem
from server.graphql.ids import as_id, whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # beyond PostgreSQL's int4 ids
        (str(10**18), None),
        ("1" * 30, None),  # beyond SQLite's int64 ids
        ("9" * 5000, None),  # beyond what int() reads
        ("²", None),  # isdigit, but int() refuses it
        ("٣", None),  # isdigit, and int() reads it as 3
        ("-1", None),
        (" 1", None),
        ("", None),
    ],
)
def test_only_ascii_digits_within_the_id_columns_are_ids(text: str, expected: int | None) -> None:
    assert as_id(text) == expected


def test_whole_numbers_have_a_digit_limit() -> None:
    assert whole_number("2048", 4) == 2048
    assert whole_number("20480", 4) is None
    assert whole_number(None, 4) is None


def test_a_nul_character_in_any_text_names_its_field() -> None:
    assert nul_problem({"title": "ok", "labels": ["a", "b"], "cover": None}) is None
    assert nul_problem({"title": "ok", "labels": ["a", "b\x00"]}) == (
        "labels",
        "labels must not contain NUL characters",
    )
    assert nul_problem({"name": "\x00"}) == ("name", "name must not contain NUL characters")


def test_a_batch_must_fit_in_one_submission() -> None:
    assert batch_size_problem(MAX_ANSWERS) is None
    problem = batch_size_problem(MAX_ANSWERS + 1)
    assert problem is not None and str(MAX_ANSWERS) in problem


def test_media_urls_start_where_the_server_listens_unless_a_public_url_is_set(
    tmp_path: Path,
) -> None:
    env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path), "ACTIVECROWDS_ADMIN_TOKEN": "t"}
    default = load_settings(env)
    assert default.public_url is None and default.base_url == "http://127.0.0.1:8000"
    public = load_settings({**env, "ACTIVECROWDS_PUBLIC_URL": " https://crowd.example.org/ "})
    assert public.base_url == "https://crowd.example.org"
    with pytest.raises(ValidationError, match="ACTIVECROWDS_PUBLIC_URL"):
        load_settings({**env, "ACTIVECROWDS_PUBLIC_URL": "crowd.example.org"})
    assert local_url("0.0.0.0", 80) == "http://0.0.0.0:80"
    assert local_url("::1", 8000) == "http://[::1]:8000"
