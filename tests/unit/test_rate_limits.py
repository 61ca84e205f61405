"""Rate limits in memory: windows, when to retry, keys apart, all of a request or none; which
limits a mutation counts against; the settings that set them."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from activecrowds.adapters.rate_limits import Hit, InMemoryRateLimiter
from activecrowds.config import Settings, load_settings
from activecrowds.domain.errors import RateLimited, ValidationError
from server.graphql.errors import error_extensions
from server.ratelimit import RateLimits, mutation_fields


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(window_s: float = 60.0) -> tuple[InMemoryRateLimiter, Clock]:
    clock = Clock()
    return InMemoryRateLimiter(window_s, clock), clock


async def test_a_key_gets_its_limit_per_window_then_a_wait_until_the_window_ends() -> None:
    limits, clock = limiter()
    for _ in range(3):
        assert await limits.hit([Hit("a", 3)]) is None
    clock.now += 20
    assert await limits.hit([Hit("a", 3)]) == pytest.approx(40)
    clock.now += 39.5
    assert await limits.hit([Hit("a", 3)]) == pytest.approx(0.5)
    clock.now += 0.5  # the window that began at the first hit is over: all three come back
    for _ in range(3):
        assert await limits.hit([Hit("a", 3)]) is None
    assert await limits.hit([Hit("a", 3)]) == pytest.approx(60)


async def test_keys_are_counted_apart() -> None:
    limits, _ = limiter()
    assert await limits.hit([Hit("a", 1)]) is None
    assert await limits.hit([Hit("a", 1)]) is not None
    assert await limits.hit([Hit("b", 1)]) is None


async def test_a_refused_request_counts_against_none_of_its_keys() -> None:
    # Given a caller at its own limit, behind an address shared with others
    limits, _ = limiter()
    assert await limits.hit([Hit("address", 3), Hit("caller", 1)]) is None
    # When it keeps trying
    for _ in range(5):
        assert await limits.hit([Hit("address", 3), Hit("caller", 1)]) is not None
    # Then the address still has what the refusals did not use
    assert await limits.hit([Hit("address", 3)]) is None
    assert await limits.hit([Hit("address", 3)]) is None
    assert await limits.hit([Hit("address", 3)]) is not None


async def test_a_cost_counts_that_many_and_the_wait_is_the_fullest_keys() -> None:
    limits, clock = limiter()
    assert await limits.hit([Hit("a", 5, cost=4)]) is None
    clock.now += 10
    assert await limits.hit([Hit("b", 5)]) is None
    clock.now += 10
    assert await limits.hit([Hit("a", 5, cost=2)]) == pytest.approx(40)
    assert await limits.hit([Hit("a", 5), Hit("b", 1)]) == pytest.approx(50)  # b: 10 s later


def test_the_mutation_fields_are_counted_through_aliases_and_fragments() -> None:
    document = parse(
        "mutation M { a: submitAnswers(taskId: 1, batchId: 1, answers: []) { accepted }"
        ' ...F ... on Mutation { registerAnnotator(name: "x") { token } } __typename }'
        " fragment F on Mutation { b: submitAnswers(taskId: 1, batchId: 1, answers: [])"
        " { accepted } }"
        " query Q { me { id } }"
    )
    assert mutation_fields(document, "M") == Counter(submitAnswers=2, registerAnnotator=1)
    assert mutation_fields(document, "Q") == Counter()
    assert mutation_fields(None, None) == Counter()


def settings(**limits: Any) -> Settings:
    return dataclasses.replace(Settings(Path("."), "sqlite://", "admin"), **limits)


async def test_each_mutation_counts_against_its_address_and_caller() -> None:
    limits = RateLimits(InMemoryRateLimiter(), settings(mutations_per_minute=2))
    await limits.check("10.0.0.1", "annotator:1", Counter(submitAnswers=2))
    with pytest.raises(RateLimited) as refused:
        await limits.check("10.0.0.2", "annotator:1", Counter(rotateToken=1))
    assert refused.value.retry_after == 60
    await limits.check("10.0.0.1", "annotator:2", Counter(rotateToken=1))  # another caller


async def test_registrations_count_per_address_and_submissions_per_caller() -> None:
    limits = RateLimits(
        InMemoryRateLimiter(), settings(registrations_per_minute=1, submissions_per_minute=1)
    )
    await limits.check("10.0.0.1", None, Counter(registerAnnotator=1))
    with pytest.raises(RateLimited):
        await limits.check("10.0.0.1", None, Counter(registerAnnotator=1))
    await limits.check("10.0.0.2", None, Counter(registerAnnotator=1))
    await limits.check("10.0.0.1", "annotator:1", Counter(submitAnswers=1, createInvite=1))
    with pytest.raises(RateLimited):
        await limits.check("10.0.0.9", "annotator:1", Counter(submitAnswers=1))
    await limits.check("10.0.0.9", "annotator:1", Counter(rotateToken=1))


async def test_a_limit_of_zero_is_no_limit() -> None:
    zero = dict.fromkeys(
        (
            "registrations_per_minute",
            "mutations_per_minute",
            "address_mutations_per_minute",
            "submissions_per_minute",
        ),
        0,
    )
    limits = RateLimits(InMemoryRateLimiter(), settings(**zero))
    for _ in range(50):
        await limits.check("10.0.0.1", "annotator:1", Counter(submitAnswers=30))
        await limits.check("10.0.0.1", None, Counter(registerAnnotator=30))


@pytest.mark.parametrize(("wait", "seconds"), [(0.01, 1), (1.0, 1), (1.2, 2), (59.9, 60)])
def test_rate_limited_says_when_to_retry_in_whole_seconds(wait: float, seconds: int) -> None:
    extensions = error_extensions(RateLimited("slow down", wait))
    assert extensions == {"code": "RATE_LIMITED", "retryAfter": seconds}
    assert error_extensions(RateLimited("slow down")) == {"code": "RATE_LIMITED"}


def test_the_limits_and_the_annotator_rules_come_from_the_environment(tmp_path: Path) -> None:
    defaults = load_settings({"ACTIVECROWDS_DATA_DIR": str(tmp_path)})
    assert defaults.trusted_proxies == ()  # nobody's X-Forwarded-For is believed
    assert (defaults.registrations_per_minute, defaults.mutations_per_minute) == (10, 600)
    assert (defaults.address_mutations_per_minute, defaults.submissions_per_minute) == (1200, 120)
    assert (defaults.open_registration, defaults.token_ttl_days) == (False, 90.0)
    assert (defaults.gold_min_answers, defaults.gold_min_accuracy) == (5, 0.7)
    env = {
        "ACTIVECROWDS_DATA_DIR": str(tmp_path),
        "ACTIVECROWDS_TRUSTED_PROXIES": " 10.0.0.1, 10.1.0.0/16,,fd00::/8 ",
        "ACTIVECROWDS_REGISTRATIONS_PER_MINUTE": "3",
        "ACTIVECROWDS_MUTATIONS_PER_MINUTE": "0",
        "ACTIVECROWDS_ADDRESS_MUTATIONS_PER_MINUTE": "5000",
        "ACTIVECROWDS_SUBMISSIONS_PER_MINUTE": "30",
        "ACTIVECROWDS_OPEN_REGISTRATION": "1",
        "ACTIVECROWDS_TOKEN_TTL_DAYS": "0",
        "ACTIVECROWDS_GOLD_MIN_ANSWERS": "10",
        "ACTIVECROWDS_GOLD_MIN_ACCURACY": "1",
        "ACTIVECROWDS_GOLD_CONFIDENCE": "0.99",
    }
    chosen = load_settings(env)
    assert chosen.trusted_proxies == ("10.0.0.1/32", "10.1.0.0/16", "fd00::/8")
    assert (chosen.registrations_per_minute, chosen.mutations_per_minute) == (3, 0)
    assert (chosen.address_mutations_per_minute, chosen.submissions_per_minute) == (5000, 30)
    assert (chosen.open_registration, chosen.token_ttl_days) == (True, 0.0)
    assert (chosen.gold_min_answers, chosen.gold_min_accuracy) == (10, 1.0)
    assert chosen.gold_confidence == 0.99


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRUSTED_PROXIES", "10.0.0.1,proxy.example.org"),
        ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ("REGISTRATIONS_PER_MINUTE", "-1"),
        ("MUTATIONS_PER_MINUTE", "2.5"),
        ("ADDRESS_MUTATIONS_PER_MINUTE", "many"),
        ("SUBMISSIONS_PER_MINUTE", "inf"),
        ("OPEN_REGISTRATION", "maybe"),
        ("TOKEN_TTL_DAYS", "nan"),
        ("GOLD_MIN_ANSWERS", "1.5"),
        ("GOLD_MIN_ACCURACY", "1.2"),
        ("GOLD_MIN_ACCURACY", "-0.1"),
        ("GOLD_CONFIDENCE", "1"),
        ("GOLD_CONFIDENCE", "0"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path: Path, name: str, value: str) -> None:
    env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path), f"ACTIVECROWDS_{name}": value}
    with pytest.raises(ValidationError, match=f"ACTIVECROWDS_{name}") as refused:
        load_settings(env)
    assert refused.value.field == f"ACTIVECROWDS_{name}"
