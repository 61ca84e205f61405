"""Tokens and roles: the admin token from settings, annotator tokens registered via the API."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from activecrowds.domain.crowd import normalize_code
from activecrowds.domain.errors import Forbidden, Unauthenticated, ValidationError
from activecrowds.domain.events import TokenRevoked
from activecrowds.domain.model import ADMIN, Caller, Role
from activecrowds.domain.rules import MAX_NAME_LENGTH, nul_problem
from activecrowds.services.context import Context, commit_and_publish


def hash_token(token: str) -> str:
    """Tokens are stored and compared as their sha256 only."""
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def authenticate(ctx: Context, token: str | None) -> Caller | None:
    """The caller holding `token`; None without a token.

    Raises:
        Unauthenticated: a token nobody holds, an expired one, or a suspended annotator's.
    """
    if token is None:
        return None
    digest = hash_token(token)
    if hmac.compare_digest(digest, ctx.admin_token_hash):
        return ADMIN
    async with ctx.uow(write=False) as uow:
        annotator = await uow.annotators.by_token_hash(digest)
    if annotator is None:
        raise Unauthenticated("invalid token")
    if refusal := annotator.refusal(datetime.now(UTC)):
        raise Unauthenticated(refusal)
    return annotator.caller()


def require(caller: Caller | None, role: Role | None = None) -> Caller:
    """The caller, checked: anyone authenticated, or only `role`.

    Raises:
        Unauthenticated: no caller. Forbidden: the wrong role.
    """
    if caller is None:
        raise Unauthenticated("send Authorization: Bearer <token>")
    if role is not None and caller.role is not role:
        raise Forbidden(f"only an {role.value.lower()} may do this")
    return caller


@dataclass(frozen=True)
class Registered:
    """A new annotator and the token (shown once, never stored in clear)."""

    caller: Caller
    token: str


async def register_annotator(ctx: Context, name: str, invite: str | None = None) -> Registered:
    """Create an annotator with a fresh token, using one use of `invite`.

    Without an invite only a server with open registration enrols anyone. The invite's row
    is locked while its use is counted, so registrations racing for its last uses get
    exactly as many annotators as it had uses left.

    Raises:
        ValidationError: empty or overlong name, one holding a NUL character; an unknown,
        revoked, expired or used-up invite (field "invite"). Forbidden: no invite where one
        is needed.
    """
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"name must be 1 to {MAX_NAME_LENGTH} characters", "name")
    if problem := nul_problem({"name": name, "invite": invite or ""}):
        raise ValidationError(problem[1], problem[0])
    code = normalize_code(invite or "")
    if not code and not ctx.open_registration:
        raise Forbidden("this server enrols annotators by invite: ask its admin for one")
    token, now = secrets.token_urlsafe(32), datetime.now(UTC)
    expires = now + timedelta(seconds=ctx.token_ttl_s) if ctx.token_ttl_s else None
    async with ctx.uow() as uow:
        extra: dict[str, object] = {"token_expires_at": expires}
        if code:
            used = await uow.invites.by_code_hash(hash_token(code), lock=True)
            if used is None:
                raise ValidationError("no such invite: check the code", "invite")
            used.use(now)
            await uow.invites.save(used)
            extra |= {"invite_id": used.id, "task_ids": used.task_ids}
        annotator = await uow.annotators.add(name, Role.ANNOTATOR, hash_token(token), **extra)
        await commit_and_publish(ctx, uow)
    return Registered(annotator.caller(), token)


async def rotate_token(ctx: Context, caller: Caller | None) -> Registered:
    """A new token for the calling annotator; the old one stops working at once.

    Raises:
        Unauthenticated: suspended, or its token expired. Forbidden: not an annotator.
    """
    caller = require(caller, Role.ANNOTATOR)
    token, now = secrets.token_urlsafe(32), datetime.now(UTC)
    async with ctx.uow() as uow:
        annotator = await uow.annotators.get(caller.id, lock=True)
        if annotator is None:
            raise Unauthenticated("invalid token")
        # Checked again here: a sign-in remembered for minutes must not outlive a suspension
        # or an expiry by handing itself a fresh token.
        if refusal := annotator.refusal(now):
            raise Unauthenticated(refusal)
        # Only sessions on the old token end: the app's new session must survive the event.
        revoked = TokenRevoked(annotator_id=annotator.id, token_hash=annotator.token_hash)
        annotator.token_hash = hash_token(token)
        if ctx.token_ttl_s:
            annotator.token_expires_at = now + timedelta(seconds=ctx.token_ttl_s)
        await uow.annotators.save(annotator)
        uow.collect(revoked)
        await commit_and_publish(ctx, uow)
    return Registered(annotator.caller(), token)
