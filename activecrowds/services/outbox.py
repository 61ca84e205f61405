"""The outbox relay: due round rows that no runner took are sent to the task queue (again).

submit_answers and create_task mark a round DUE (with sent_at) in the transaction that makes
it due and send it after commit. If that process dies in between, or the message is lost
(a broker restarted without persistence), or the worker running it dies (its lease runs
out), the round is still DUE or RUNNING in the database; the relay sends it again once
`resend_after_s` has passed. A round sent twice is harmless: the runner skips a round that is
finished or held by a live lease.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from activecrowds.services.context import Context

log = logging.getLogger(__name__)


async def relay_rounds(ctx: Context) -> list[tuple[int, int]]:
    """Send every round left unsent; returns (task id, number) of those sent.

    The rows stay locked while sending (other relays skip them): a send that fails leaves
    sent_at as it was, so the next pass tries again.
    """
    sent: list[tuple[int, int]] = []
    async with ctx.uow() as uow:
        now = datetime.now(UTC)
        for round_ in await uow.rounds.to_send(now, now - timedelta(seconds=ctx.resend_after_s)):
            try:
                await ctx.queue.enqueue_round(round_.task_id, round_.number)
            except Exception as exc:
                log.warning("relay: queue unavailable (%r); will retry", exc)
                break
            await uow.rounds.mark_sent(round_.id, now)
            sent.append((round_.task_id, round_.number))
        await uow.commit()
    for task_id, number in sent:
        log.info("relay: sent round %s of task %s", number, task_id)
    return sent


async def run_relay(ctx: Context, interval_s: float) -> None:
    """Relay forever, every `interval_s` (a background task of the worker process)."""
    while True:
        try:
            await relay_rounds(ctx)
        except Exception:
            log.exception("relay pass failed")
        await asyncio.sleep(interval_s)
