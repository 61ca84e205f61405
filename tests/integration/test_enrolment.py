"""Enrolment by invite on both databases: refused without one, uses counted under races,
expiry and revocation, and the attack of one client with many names."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from apptest import Api, current
from edgetest import INVITE, REGISTER, row_counts

from activecrowds.bootstrap import App
from activecrowds.domain.errors import ValidationError
from activecrowds.domain.model import ADMIN
from activecrowds.services import auth, crowd
from activecrowds.services.answers import submit_answers

REVOKE = "mutation($id: ID!) { revokeInvite(id: $id) { usable revokedAt } }"
SUSPEND = """mutation($id: ID!) {
  suspendAnnotator(id: $id) { uncountedAnswers decidedAnswers annotator { status } } }"""


async def _code(api: Api, **variables: Any) -> dict[str, Any]:
    made: dict[str, Any] = (await api.call(INVITE, variables))["createInvite"]
    return made


async def test_without_an_invite_registration_is_refused_and_stores_nothing(
    app: App, api: Api
) -> None:
    before = await row_counts(app)
    result = await api.post(REGISTER, {"name": "Mallory"}, token=None)
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN", result
    assert "invite" in result["errors"][0]["message"]
    assert await row_counts(app) == before


async def test_twenty_registrations_racing_for_five_uses_enrol_exactly_five(app: App) -> None:
    invite = await crowd.create_invite(app.ctx, ADMIN, max_uses=5)
    before = await row_counts(app)
    results = await asyncio.gather(
        *(auth.register_annotator(app.ctx, f"racer {i}", invite.code) for i in range(20)),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, auth.Registered)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(lost)) == (5, 15), results
    assert all("used 5 of 5" in str(e) for e in lost)
    [stored] = [i for i in await crowd.list_invites(app.ctx, ADMIN) if i.id == invite.invite.id]
    assert stored.uses == 5
    assert (await row_counts(app))["annotators"] == before["annotators"] + 5


async def test_unknown_revoked_and_expired_invites_are_refused_and_store_nothing(
    app: App, api: Api
) -> None:
    revoked = await _code(api, uses=3)
    done = await api.call(REVOKE, {"id": revoked["invite"]["id"]})
    assert done["revokeInvite"]["usable"] is False
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    expiring = await _code(api, uses=3, expires=soon)
    await asyncio.sleep(1.2)
    before = await row_counts(app)
    for code in ("AAAA-BBBB-CCCC-DDDD", revoked["code"], expiring["code"]):
        result = await api.post(REGISTER, {"name": "Eve", "invite": code}, token=None)
        error = result["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", result
        assert error["extensions"].get("field") in (None, "invite"), error
    assert await row_counts(app) == before


async def test_codes_are_read_without_case_or_dashes(app: App, api: Api) -> None:
    code = (await _code(api))["code"]
    typed = code.replace("-", " ").lower()
    done = await api.call(REGISTER, {"name": "Ada", "invite": typed}, token=None)
    assert len(done["registerAnnotator"]["token"]) > 30


async def test_one_client_cannot_make_the_peers_of_a_batch(app: App, make_task: Any) -> None:
    # Under the default settings: no open registration, and the invite it was given is its own
    task = await make_task(min_peers=10, max_peers=20)
    names = [auth.register_annotator(app.ctx, f"sock {i}") for i in range(10)]
    refused = await asyncio.gather(*names, return_exceptions=True)
    assert all(isinstance(r, Exception) for r in refused)
    mine = await crowd.create_invite(app.ctx, ADMIN, max_uses=1)
    tries = [auth.register_annotator(app.ctx, f"sock {i}", mine.code) for i in range(10)]
    enrolled = [
        r
        for r in await asyncio.gather(*tries, return_exceptions=True)
        if not isinstance(r, Exception)
    ]
    # So it holds one voice of the ten a label needs: it can neither decide nor dispute a sample
    assert len(enrolled) == 1
    assert task.task.peer_rule.min_peers == 10


async def test_an_admin_cannot_suspend_itself_and_unknown_ids_are_not_found(api: Api) -> None:
    assert await api.error(SUSPEND, {"id": "0"}) == "BAD_USER_INPUT"
    assert await api.error(SUSPEND, {"id": "999999"}) == "NOT_FOUND"


async def test_suspending_takes_back_answers_on_open_samples_at_once(
    app: App, api: Api, make_task: Any, annotators: Any
) -> None:
    # Given an annotator's answers on a batch still open (3 peers needed)
    task = await make_task(min_peers=3, max_peers=5, min_agreement=0.6)
    [(caller, token)] = await annotators(1)
    pairs = [(s.id, "dark") for s in task.samples]
    await submit_answers(app.ctx, caller, task.id, task.batch.id, pairs)
    # When the admin suspends it
    done = (await api.call(SUSPEND, {"id": str(caller.id)}))["suspendAnnotator"]
    # Then its answers no longer count, and it may not answer again
    assert done == {
        "uncountedAnswers": len(pairs),
        "decidedAnswers": 0,
        "annotator": {"status": "SUSPENDED"},
    }
    after = await current(app, task.id)
    assert all(s.answer_count == 0 and not s.votes for s in after.samples)
    refusal = await api.post(
        'mutation { submitAnswers(taskId: "1", batchId: "1", answers: []) { accepted } }',
        token=token,
    )
    assert refusal["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
