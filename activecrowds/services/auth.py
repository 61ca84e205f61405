"""Tokens and roles: the admin token from settings, annotator tokens registered via the API."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from activecrowds.domain.errors import Forbidden, Unauthenticated, ValidationError
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
        Unauthenticated: a token nobody holds.
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
    return Caller(annotator.id, annotator.name, annotator.role)


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


async def register_annotator(ctx: Context, name: str) -> Registered:
    """Create an annotator with a fresh token.

    Raises:
        ValidationError: empty or overlong name, or one holding a NUL character.
    """
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"name must be 1 to {MAX_NAME_LENGTH} characters", "name")
    if problem := nul_problem({"name": name}):
        raise ValidationError(problem[1], problem[0])
    token = secrets.token_urlsafe(32)
    async with ctx.uow() as uow:
        annotator = await uow.annotators.add(name, Role.ANNOTATOR, hash_token(token))
        await commit_and_publish(ctx, uow)
    return Registered(Caller(annotator.id, annotator.name, annotator.role), token)
