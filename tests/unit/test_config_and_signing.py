"""Settings from the environment, the stored admin token, signed media URLs, error codes."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from activecrowds.config import load_settings
from activecrowds.domain.errors import (
    Conflict,
    DatasetError,
    Forbidden,
    NotCollecting,
    NotFound,
    RateLimited,
    Unauthenticated,
    ValidationError,
)
from server.graphql.errors import code_of
from server.media import media_url, signature_ok


def test_defaults_put_sqlite_and_a_generated_token_in_the_data_dir(tmp_path: Path) -> None:
    env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path / "d")}
    first = load_settings(env)
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'd' / 'activecrowds.db'}"
    assert first.admin_token_generated and len(first.admin_token) >= 32
    token_file = tmp_path / "d" / "admin_token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    # Generated once: the next start reads the same token
    assert load_settings(env).admin_token == first.admin_token


@pytest.mark.parametrize(
    ("name", "value"),
    [("ROUND_RETRIES", "abc"), ("ROUND_RETRIES", "2.5"), ("ROUND_LEASE_S", "-1")],
)
def test_a_bad_number_names_the_variable(tmp_path: Path, name: str, value: str) -> None:
    env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path), "ACTIVECROWDS_" + name: value}
    with pytest.raises(ValidationError, match="ACTIVECROWDS_" + name):
        load_settings(env)


def test_environment_overrides(tmp_path: Path) -> None:
    env = {
        "ACTIVECROWDS_DATA_DIR": str(tmp_path),
        "ACTIVECROWDS_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        "ACTIVECROWDS_ADMIN_TOKEN": "s3cret",
    }
    settings = load_settings(env)
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.admin_token == "s3cret" and not settings.admin_token_generated
    assert not (tmp_path / "admin_token").exists()


def test_plain_database_urls_get_the_async_drivers(tmp_path: Path) -> None:
    for given, expected in (
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ):
        env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path), "ACTIVECROWDS_DATABASE_URL": given}
        env["ACTIVECROWDS_ADMIN_TOKEN"] = "t"
        assert load_settings(env).database_url == expected


def test_media_urls_are_signed_per_task_and_sample_and_expire() -> None:
    key = b"k" * 32
    url = urlsplit(media_url("http://host:8000/", key, 7, 42, now=1_000_000))
    assert url.path == "/media/42"
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert int(q["exp"]) > 1_000_000 + 23 * 3600
    assert not signature_ok(key, 7, 42, q["exp"], q["sig"])  # expired: `now` was long ago
    fresh_url = media_url("http://h", key, 7, 42)
    fresh = {k: v[0] for k, v in parse_qs(urlsplit(fresh_url).query).items()}
    assert signature_ok(key, 7, 42, fresh["exp"], fresh["sig"])
    assert not signature_ok(key, 7, 43, fresh["exp"], fresh["sig"])
    assert not signature_ok(key, 8, 42, fresh["exp"], fresh["sig"])  # the same id in another task
    assert not signature_ok(b"other", 7, 42, fresh["exp"], fresh["sig"])
    assert not signature_ok(key, 7, 42, str(int(fresh["exp"]) + 3600), fresh["sig"])
    # Whatever a client puts in the query is refused, never an error
    for exp, sig in (("²", fresh["sig"]), ("9" * 5000, fresh["sig"]), (fresh["exp"], "é" * 32)):
        assert not signature_ok(key, 7, 42, exp, sig)
    # Within the hour the URL stays the same (browsers can cache it)
    assert media_url("http://h", key, 7, 42, now=7200) == media_url(
        "http://h", key, 7, 42, now=7201
    )


def test_every_error_has_its_api_code() -> None:
    pairs = {
        Unauthenticated("x"): "UNAUTHENTICATED",
        Forbidden("x"): "FORBIDDEN",
        NotFound("x"): "NOT_FOUND",
        ValidationError("x"): "BAD_USER_INPUT",
        DatasetError("x"): "BAD_USER_INPUT",
        Conflict("x"): "CONFLICT",
        NotCollecting("x"): "TASK_LOCKED",
        RateLimited("x"): "RATE_LIMITED",
        RuntimeError("x"): "INTERNAL",
    }
    for error, code in pairs.items():
        assert code_of(error) == code
