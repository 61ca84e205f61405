"""Who may answer and whose answers count: invites, annotator status, control questions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from activecrowds.domain.errors import ValidationError
from activecrowds_ml.consensus import (
    GOLD_CONFIDENCE,
    GOLD_MIN_ACCURACY,
    GOLD_MIN_ANSWERS,
    gold_suspended,
)

__all__ = [
    "INVITE_ALPHABET",
    "INVITE_LENGTH",
    "LEASE_S",
    "MAX_INVITE_USES",
    "AnnotatorStatus",
    "GoldPolicy",
    "Invite",
    "Lease",
    "aware",
    "normalize_code",
    "pick_gold",
]

LEASE_S = 300.0  # how long a sample handed to an annotator is kept from others
MAX_INVITE_USES = 100_000  # one invite may enrol a whole crowd, not an unbounded one
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud, typed on phones
INVITE_LENGTH = 16  # 80 bits: guessing one is hopeless within any rate limit


@dataclass(frozen=True)
class Lease:
    """A sample handed to an annotator: others are not handed it in its place until `until`
    (or until it answers: its submission ends its leases)."""

    sample_id: int
    annotator_id: int
    until: datetime


def pick_gold(unused: Mapping[int, str], n: int, number: int) -> list[int]:
    """`n` control questions (sample id -> label) for batch `number`: the labels in turn,
    starting from a different one each batch, so that an annotator who always gives one
    label meets the others soon (an always-yes spammer scores its true share, not by luck)."""
    by_label: dict[str, list[int]] = {}
    for sample_id in sorted(unused):
        by_label.setdefault(unused[sample_id], []).append(sample_id)
    labels = sorted(by_label)
    picked: list[int] = []
    turn = number
    while len(picked) < n and any(by_label.values()):
        queue = by_label[labels[turn % len(labels)]]
        if queue:
            picked.append(queue.pop(0))
        turn += 1
    return picked


class AnnotatorStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"  # its token is refused and its answers on open samples do not count


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def normalize_code(code: str) -> str:
    """An invite code as stored: upper case, without the dashes and spaces people add."""
    return "".join(ch for ch in code.upper() if ch not in "- \t")


@dataclass(frozen=True)
class GoldPolicy:
    """When control answers suspend an annotator: once it has given at least `min_answers`
    of them, when they make an accuracy under `min_accuracy` at least `confidence` likely."""

    min_answers: int = GOLD_MIN_ANSWERS
    min_accuracy: float = GOLD_MIN_ACCURACY
    confidence: float = GOLD_CONFIDENCE

    def fails(self, answers: int, correct: int) -> bool:
        return gold_suspended(
            correct, answers, self.min_answers, self.min_accuracy, self.confidence
        )


@dataclass
class Invite:
    """A code an admin hands out; each registration with it uses it once.

    Only the sha256 of the code is kept; `hint` (its last four characters) tells invites apart.
    """

    id: int
    code_hash: str
    hint: str
    task_ids: list[int] | None  # None: every task, now and later
    max_uses: int
    uses: int = 0
    expires_at: datetime | None = None
    note: str = ""
    revoked_at: datetime | None = None
    created_at: datetime | None = None

    def problem(self, now: datetime) -> str | None:
        """Why this invite enrols nobody now, or None."""
        if self.revoked_at is not None:
            return "this invite was revoked"
        expires = aware(self.expires_at)
        if expires is not None and expires <= now:
            return f"this invite expired at {expires.isoformat()}"
        if self.uses >= self.max_uses:
            return f"this invite has been used {self.uses} of {self.max_uses} times"
        return None

    def use(self, now: datetime) -> None:
        """One registration with this invite (the caller holds its row lock).

        Raises:
            ValidationError: revoked, expired or used up (field "invite").
        """
        if problem := self.problem(now):
            raise ValidationError(problem, "invite")
        self.uses += 1

    def revoke(self, now: datetime) -> None:
        """No one registers with it any more; annotators it enrolled keep their access."""
        if self.revoked_at is None:
            self.revoked_at = now
