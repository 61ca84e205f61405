"""One rendering per event and audience, the same text sent to every subscriber in it.

What a subscriber sees of an event depends on its document and variables, on its role (admins
read why a round failed) and, through `lockedForMe`, on whether it answered the task's newest
batch; on nothing else about it. Those make its `Audience`. The feed's dispatcher asks each
subscription to render the event with one scratch dict per event: the first subscriber of an
audience runs its document once, as that audience, on loaders shared by the whole event (one
read per kind of data, whatever the audiences), and the JSON it gives is what every subscriber
of the audience is sent. A field that came to depend on more of the caller would need its own
part in `Audience`: `myAnswers` (an annotator's own answers) has one, the annotator itself, so
a document that asks for it is rendered for each annotator alone.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Hashable
from typing import Any

from strawberry.types import Info
from strawberry.types.graphql import OperationType

from activecrowds.domain.model import Caller, Role
from activecrowds.services import queries
from activecrowds.services.queries import EventView
from server.graphql.context import Loaders, RequestContext, constant_loader, make_loaders
from server.graphql.subscriptions.feed import Render
from server.graphql.subscriptions.transport import Route

LOCKED_FOR_ME = "lockedForMe"  # the one field that reads whether the caller answered
MY_ANSWERS = "myAnswers"  # the one field that reads the caller's own answers

Scratch = dict[Hashable, Any]  # what one event's renderings share


# Subscribers sent the same text for an event: their document (query, operation name,
# variables), their role, whether they answered the newest batch (None: the document does
# not ask, or an admin asks) and, for a document that reads its own answers, the annotator
# (None otherwise). A plain tuple: it is looked up once per subscriber and event.
Audience = tuple[tuple[str, str | None, str], Role, bool | None, int | None]


def renderer(
    info: Info[RequestContext, None], route: Route, root_of: Callable[[EventView], object | None]
) -> Render:
    """How this subscription renders an event: `root_of` gives the event's GraphQL object."""
    caller = info.context.caller
    assert caller is not None

    async def render(view: EventView, scratch: Scratch) -> str | None:
        roots = scratch.setdefault("roots", {})
        if root_of not in roots:
            roots[root_of] = root_of(view)
        if roots[root_of] is None:
            return None
        audience = await _audience(info, route, caller, view, scratch)
        texts = scratch.setdefault("texts", {})
        if audience not in texts:
            texts[audience] = await _render(info, route, caller, roots[root_of], scratch, audience)
        text: str = texts[audience]
        return text

    return render


def _loaders(info: Info[RequestContext, None], scratch: Scratch) -> Loaders:
    """Loaders for everything about the event that is the same for every caller."""
    if "loaders" not in scratch:
        scratch["loaders"] = make_loaders(info.context.services, None)
    loaders: Loaders = scratch["loaders"]
    return loaders


async def _audience(
    info: Info[RequestContext, None],
    route: Route,
    caller: Caller,
    view: EventView,
    scratch: Scratch,
) -> Audience:
    answered = None
    if caller.role is Role.ANNOTATOR and route.asks(LOCKED_FOR_ME) and view.task is not None:
        # The loader keeps the batch it read: the rendering then judges the same batch.
        newest = await _loaders(info, scratch).latest_batch.load(view.task.id)
        answered = newest is not None and caller.id in await _answerers(info, newest.id, scratch)
    own = caller.id if caller.role is Role.ANNOTATOR and route.asks(MY_ANSWERS) else None
    return (route.document, caller.role, answered, own)


async def _answerers(info: Info[RequestContext, None], batch_id: int, scratch: Scratch) -> set[int]:
    """Who answered the batch, read once for the event."""
    key = ("answerers", batch_id)
    if key not in scratch:
        scratch[key] = await queries.batch_answerers(info.context.services, batch_id)
    answerers: set[int] = scratch[key]
    return answerers


async def _render(
    info: Info[RequestContext, None],
    route: Route,
    caller: Caller,
    root: object,
    scratch: Scratch,
    audience: Audience,
) -> str:
    """The `next` payload for the audience, as JSON text (caller: any one of its members)."""
    loaders = _loaders(info, scratch)
    answered = audience[2]
    if answered is not None:  # lockedForMe asks about the newest batch only
        loaders = dataclasses.replace(loaders, answered=constant_loader(answered))
    context = dataclasses.replace(info.context, caller=caller, loaders=loaders)
    result = await info.schema.execute(
        route.query,
        route.variables,
        context_value=context,
        root_value=root,
        operation_name=route.operation_name,
        allowed_operation_types=(OperationType.SUBSCRIPTION,),
    )
    payload: dict[str, object] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return json.dumps(payload)
