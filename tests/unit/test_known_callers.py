"""A remembered sign-in (KnownCallers, one per server process) never outlives what ended it:
a suspension that raced the read, the token's expiry; and rotating a token ends only the
sessions that hold the old one."""

from __future__ import annotations

import asyncio

import pytest
from fakes import Fakes

from activecrowds.domain.errors import Unauthenticated
from activecrowds.domain.events import AnnotatorSuspended, TokenRevoked
from activecrowds.domain.model import ADMIN
from activecrowds.services import auth, crowd
from server.graphql.context import KnownCallers
from server.graphql.subscriptions import ends_access


async def enrolled(fakes: Fakes) -> auth.Registered:
    made = await crowd.create_invite(fakes.ctx, ADMIN, max_uses=1)
    return await auth.register_annotator(fakes.ctx, "Ada", made.code)


async def test_a_sign_in_read_while_its_access_ended_is_not_remembered(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada, known, read = await enrolled(fakes), KnownCallers(), auth.authenticate

    async def racing(ctx: object, token: str | None) -> object:
        found = await read(fakes.ctx, token)
        known.forget(ada.caller.id)  # a suspension's event arrives while the read is under way
        return found

    # When a sign-in is read from the database while a suspension commits
    monkeypatch.setattr(auth, "authenticate", racing)
    assert await known.authenticate(fakes.ctx, ada.token) == ada.caller
    monkeypatch.setattr(auth, "authenticate", read)
    await crowd.suspend_annotator(fakes.ctx, ADMIN, ada.caller.id)
    # Then the next request reads it again, and is refused
    with pytest.raises(Unauthenticated, match="suspended"):
        await known.authenticate(fakes.ctx, ada.token)


async def test_a_sign_in_is_not_remembered_past_its_tokens_expiry(fakes: Fakes) -> None:
    fakes.ctx.token_ttl_s = 0.3
    ada, known = await enrolled(fakes), KnownCallers()
    assert await known.authenticate(fakes.ctx, ada.token) == ada.caller
    await asyncio.sleep(0.4)
    with pytest.raises(Unauthenticated, match="expired"):
        await known.authenticate(fakes.ctx, ada.token)


async def test_rotating_ends_the_old_tokens_sessions_and_not_the_new_ones(fakes: Fakes) -> None:
    ada, known = await enrolled(fakes), KnownCallers()
    # When the app rotates its token and signs in with the new one at once
    rotated = await auth.rotate_token(fakes.ctx, ada.caller)
    new = await known.authenticate(fakes.ctx, rotated.token)
    assert new == ada.caller  # the same annotator
    [revoked] = fakes.bus.of(TokenRevoked)
    # Then the event ends sessions on the old token only
    assert ends_access(revoked, ada.caller)
    assert new is not None and not ends_access(revoked, new)
    # And every process forgets the old token, keeping the new sign-in
    known.forget(revoked.annotator_id, revoked.token_hash)
    with pytest.raises(Unauthenticated):
        await known.authenticate(fakes.ctx, ada.token)
    assert await known.authenticate(fakes.ctx, rotated.token) == new
    # While a suspension ends every session of the annotator
    assert ends_access(AnnotatorSuspended(annotator_id=ada.caller.id), new)
    assert not ends_access(AnnotatorSuspended(annotator_id=ada.caller.id + 1), new)
