"""What an annotator was handed to label, handed back: at sign-out on a shared phone, or when
leaving a task, the samples go to the next annotator at once instead of when the lease ends."""

from __future__ import annotations

from activecrowds.domain.model import Caller, Role
from activecrowds.services.auth import require
from activecrowds.services.context import Context


async def release_assignments(ctx: Context, caller: Caller | None) -> bool:
    """Forget every sample handed to the caller, in every batch. Answers already sent stay;
    asking again later hands out what is still open, as to anyone.

    Raises:
        Unauthenticated: no valid token. Forbidden: not an annotator.
    """
    who = require(caller, Role.ANNOTATOR)
    async with ctx.uow() as uow:
        await uow.leases.release(who.id)
        await uow.commit()
    return True
