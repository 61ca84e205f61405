"""Enrolment and the admin's hold on the crowd over the API, on both databases: registration
needs an invite, an invite's uses hold under concurrency, suspension takes back open answers
and ends the token at once; and the attack of issue 13 (one client, many names) fails.

These clients run the app's lifespan, as a served app does: it starts the watch that forgets
remembered sign-ins when the bus says an annotator's access ended.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from apptest import Api, OpenTask, RecordingBus
from edgetest import INVITE, REGISTER, SUBMIT, row_counts

from activecrowds.bootstrap import App
from activecrowds.domain.errors import ValidationError
from activecrowds.domain.events import RoundDue
from activecrowds.domain.model import ADMIN
from activecrowds.services import auth, crowd
from server.app import create_app

MakeApi = Callable[..., AbstractAsyncContextManager[Api]]

SUSPEND = """mutation($id: ID!, $reason: String! = "") {
  suspendAnnotator(id: $id, reason: $reason) {
    uncountedAnswers decidedAnswers annotator { id status statusReason answers } } }"""
REINSTATE = "mutation($id: ID!) { reinstateAnnotator(id: $id) { id status statusReason } }"
REVOKE_TOKEN = "mutation($id: ID!) { revokeToken(annotatorId: $id) { id status } }"
REVOKE_INVITE = "mutation($id: ID!) { revokeInvite(id: $id) { revokedAt usable } }"
INVITES = "{ invites { id uses maxUses usable } }"
ANNOTATORS = "query($s: AnnotatorStatus) { annotators(status: $s) { id name status } }"
SAMPLES = """query($id: ID!) { task(id: $id) {
  currentBatch { id number status samples { id answerCount state resolvedLabel } } } }"""
ME = "{ me { id } }"


@pytest.fixture
def served(app: App) -> MakeApi:
    """An API client on the app with some settings changed, its lifespan running."""

    @asynccontextmanager
    async def make(**settings: Any) -> AsyncIterator[Api]:
        changed = dataclasses.replace(app, settings=dataclasses.replace(app.settings, **settings))
        star = create_app(changed)
        transport = httpx.ASGITransport(app=star)
        async with (
            star.router.lifespan_context(star),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            yield Api(client)

    return make


async def invite(api: Api, **variables: Any) -> tuple[str, str]:
    """A new invite's (code, id)."""
    made = (await api.call(INVITE, variables))["createInvite"]
    return made["code"], made["invite"]["id"]


async def register(api: Api, name: str, code: str | None) -> dict[str, Any]:
    """registerAnnotator without a token: the whole answer (data or errors)."""
    return await api.post(REGISTER, {"name": name, "invite": code}, token=None)


def code_of(result: dict[str, Any]) -> tuple[str, str | None]:
    """The first error's code and field."""
    extensions = result["errors"][0]["extensions"]
    return extensions["code"], extensions.get("field")


def answers(task: OpenTask, *labels: str) -> dict[str, Any]:
    pairs = zip(task.samples, labels, strict=False)  # the first len(labels) samples
    given = [{"sampleId": str(s.id), "label": lab} for s, lab in pairs]
    return {"t": str(task.id), "b": str(task.batch.id), "a": given}


async def samples(api: Api, task: OpenTask) -> list[tuple[str, int, str | None]]:
    """The current batch's samples as the admin sees them: (state, answers, label)."""
    batch = (await api.call(SAMPLES, {"id": str(task.id)}))["task"]["currentBatch"]
    return [(s["state"], s["answerCount"], s["resolvedLabel"]) for s in batch["samples"]]


async def test_without_an_invite_registration_is_refused_and_stores_nothing(
    app: App, served: MakeApi
) -> None:
    async with served() as api:
        before = await row_counts(app)
        # When anyone registers without an invite, or with one nobody made
        for code in (None, "", " - "):
            assert code_of(await register(api, "Mallory", code)) == ("FORBIDDEN", None)
        unknown = await register(api, "Mallory", "ABCD-EFGH-JKLM-NPQR")
        # Then it is refused with the contract's codes and nothing is stored
        assert code_of(unknown) == ("BAD_USER_INPUT", "invite")
        assert await row_counts(app) == before


async def test_twenty_registrations_racing_over_http_for_five_uses_enrol_exactly_five(
    app: App, served: MakeApi
) -> None:
    # Given an invite good for 5 registrations (the per-address limit is another test's)
    async with served(registrations_per_minute=0) as api:
        code, invite_id = await invite(api, uses=5)
        before = await row_counts(app)
        # When 20 people register with it at once
        results = await asyncio.gather(*(register(api, f"racer {i}", code) for i in range(20)))
        # Then exactly 5 are enrolled, each with a working token; 15 are told the invite is
        # used up
        tokens = [r["data"]["registerAnnotator"]["token"] for r in results if not r.get("errors")]
        refused = [code_of(r) for r in results if r.get("errors")]
        assert len(tokens) == 5 and refused == [("BAD_USER_INPUT", "invite")] * 15
        for token in tokens:
            assert (await api.call(ME, token=token))["me"]["id"]
        [found] = [i for i in (await api.call(INVITES))["invites"] if i["id"] == invite_id]
        assert found == {"id": invite_id, "uses": 5, "maxUses": 5, "usable": False}
        counts = await row_counts(app)
        assert counts["annotators"] == before["annotators"] + 5


async def test_twenty_registrations_racing_in_the_service_enrol_exactly_five(app: App) -> None:
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


async def test_codes_are_read_without_case_or_dashes(app: App, api: Api) -> None:
    code, _ = await invite(api)
    typed = code.replace("-", " ").lower()
    done = await api.call(REGISTER, {"name": "Ada", "invite": typed}, token=None)
    assert len(done["registerAnnotator"]["token"]) > 30


async def test_expired_revoked_and_past_invites_enrol_nobody(app: App, served: MakeApi) -> None:
    async with served() as api:
        # An invite cannot be made already expired
        past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        result = await api.post(INVITE, {"expires": past})
        assert code_of(result) == ("BAD_USER_INPUT", "expiresAt")
        # One that expires in a second enrols until then, and nobody after
        soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        code, _ = await invite(api, uses=5, expires=soon)
        assert not (await register(api, "Ada", code)).get("errors")
        await asyncio.sleep(1.2)
        expired = await register(api, "Grace", code)
        assert code_of(expired) == ("BAD_USER_INPUT", "invite")
        assert "expired" in expired["errors"][0]["message"]
        # One revoked enrols nobody, while those it enrolled keep their access
        code, invite_id = await invite(api, uses=5)
        enrolled = (await register(api, "Edsger", code))["data"]["registerAnnotator"]["token"]
        revoked = (await api.call(REVOKE_INVITE, {"id": invite_id}))["revokeInvite"]
        assert revoked["revokedAt"] and revoked["usable"] is False
        before = await row_counts(app)
        assert code_of(await register(api, "Barbara", code)) == ("BAD_USER_INPUT", "invite")
        assert await row_counts(app) == before
        assert (await api.call(ME, token=enrolled))["me"]["id"]
        # And only the admin makes or revokes invites
        assert await api.error(INVITE, token=enrolled) == "FORBIDDEN"
        assert await api.error(REVOKE_INVITE, {"id": invite_id}, enrolled) == "FORBIDDEN"


async def test_suspending_takes_back_open_answers_and_ends_the_token_at_once(
    served: MakeApi, make_task: Any, annotators: Any
) -> None:
    # Given a task (accepted at 2 agreeing answers, disputed at 3) where a spammer says
    # "dark" to everything: that decides the first sample with an honest "dark", and blocks
    # the second, which the honest annotator calls "bright"
    task = await make_task()
    (spammer, spam_token), (other, honest) = await annotators(2)
    honest_id = other.id
    async with served() as api:
        await api.call(SUBMIT, answers(task, *["dark"] * len(task.samples)), spam_token)
        await api.call(SUBMIT, answers(task, "dark", "bright"), honest)
        assert (await api.call(ME, token=spam_token))["me"]["id"] == str(spammer.id)
        before = await samples(api, task)
        assert before[0] == ("ACCEPTED", 2, "dark") and before[1] == ("OPEN", 2, None)
        # When the admin suspends the spammer
        done = (await api.call(SUSPEND, {"id": str(spammer.id), "reason": "spam"}))[
            "suspendAnnotator"
        ]
        # Then its answers on the three open samples stop counting; the decided one stands,
        # and the payload says so
        assert (done["uncountedAnswers"], done["decidedAnswers"]) == (3, 1)
        assert done["annotator"] == {
            "id": str(spammer.id),
            "status": "SUSPENDED",
            "statusReason": "spam",
            "answers": len(task.samples),
        }
        after = await samples(api, task)
        assert after[0] == ("ACCEPTED", 2, "dark")
        assert after[1] == ("OPEN", 1, None)
        assert after[2:] == [("OPEN", 0, None)] * (len(task.samples) - 2)
        # And its token is refused at once, for reading as for answering
        assert await api.error(ME, token=spam_token) == "UNAUTHENTICATED"
        result = await api.post(SUBMIT, answers(task, "dark"), spam_token)
        assert code_of(result)[0] == "UNAUTHENTICATED"
        assert "suspended: spam" in result["errors"][0]["message"]
        listed = (await api.call(ANNOTATORS, {"s": "SUSPENDED"}))["annotators"]
        ours = {str(spammer.id), str(honest_id)}  # (other tests' suspensions may be listed too)
        assert [a["id"] for a in listed if a["id"] in ours] == [str(spammer.id)]
        # When the admin reinstates it: its token works again, its old answers stay uncounted
        back = (await api.call(REINSTATE, {"id": str(spammer.id)}))["reinstateAnnotator"]
        assert back == {"id": str(spammer.id), "status": "ACTIVE", "statusReason": None}
        assert (await api.call(ME, token=spam_token))["me"]["id"] == str(spammer.id)
        assert await samples(api, task) == after


async def test_a_revoked_token_is_refused_at_once_and_its_answers_keep_counting(
    served: MakeApi, make_task: Any, annotators: Any
) -> None:
    task = await make_task()
    [(who, token)] = await annotators(1)
    async with served() as api:
        await api.call(SUBMIT, answers(task, "dark"), token)
        assert (await api.call(ME, token=token))["me"]["id"] == str(who.id)
        revoked = (await api.call(REVOKE_TOKEN, {"id": str(who.id)}))["revokeToken"]
        assert revoked == {"id": str(who.id), "status": "ACTIVE"}
        assert await api.error(ME, token=token) == "UNAUTHENTICATED"
        assert (await samples(api, task))[0] == ("OPEN", 1, None)


async def test_bad_suspensions_are_refused_and_change_nothing(
    app: App, served: MakeApi, annotators: Any
) -> None:
    [(who, token)] = await annotators(1)
    async with served() as api:
        before = await api.call(ANNOTATORS)
        # The admin (id 0) cannot suspend, reinstate or revoke itself
        result = await api.post(SUSPEND, {"id": "0"})
        assert code_of(result) == ("BAD_USER_INPUT", "id")
        for mutation in (REINSTATE, REVOKE_TOKEN):
            assert await api.error(mutation, {"id": "0"}) == "BAD_USER_INPUT"
        # Nobody suspends an annotator that does not exist; an annotator suspends nobody
        assert await api.error(SUSPEND, {"id": "999999"}) == "NOT_FOUND"
        assert await api.error(SUSPEND, {"id": str(who.id)}, token) == "FORBIDDEN"
        overlong = {"id": str(who.id), "reason": "x" * 501}
        assert code_of(await api.post(SUSPEND, overlong)) == ("BAD_USER_INPUT", "reason")
        assert await api.call(ANNOTATORS) == before
        assert (await api.call(ME, token=token))["me"]["id"] == str(who.id)


async def test_one_client_with_many_names_cannot_decide_or_dispute_a_batch(
    app: App, served: MakeApi, make_task: Any
) -> None:
    # Given a task under the default settings that needs 10 answers to decide a sample
    task = await make_task(min_peers=10, max_peers=10, min_agreement=0.7)
    bus = app.bus
    assert isinstance(bus, RecordingBus)
    due = [e for e in bus.published if isinstance(e, RoundDue)]
    before = await row_counts(app)
    # When one client registers 10 names without an invite (within the per-address limit,
    # which is not what stops it)
    async with served() as api:
        names = [await register(api, f"sock {i}", None) for i in range(10)]
    # Then every one is refused and none exists
    assert {code_of(r) for r in names} == {("FORBIDDEN", None)}
    assert await row_counts(app) == before
    # When it is given one invite, as anyone the admin lets in, and registers 10 names with it
    async with served() as api:
        code, _ = await invite(api, tasks=[str(task.id)])
        names = [await register(api, f"sock {i}", code) for i in range(10)]
        tokens = [r["data"]["registerAnnotator"]["token"] for r in names if not r.get("errors")]
        # Then it holds one name; the other nine are refused by the invite
        assert len(tokens) == 1
        assert [code_of(r) for r in names if r.get("errors")] == [("BAD_USER_INPUT", "invite")] * 9
        # And that one name answering the whole batch, and again with another answer, leaves
        # every sample open with one answer: no label accepted, none disputed, no round due
        [token] = tokens
        everything = answers(task, *["bright"] * len(task.samples))
        assert (await api.call(SUBMIT, everything, token))["submitAnswers"]["accepted"] == 4
        other = answers(task, *["dark"] * len(task.samples))
        assert await api.error(SUBMIT, other, token) == "CONFLICT"
        assert await samples(api, task) == [("OPEN", 1, None)] * len(task.samples)
        batch = (await api.call(SAMPLES, {"id": str(task.id)}))["task"]["currentBatch"]
        assert batch["status"] == "OPEN"
    assert [e for e in bus.published if isinstance(e, RoundDue)] == due
