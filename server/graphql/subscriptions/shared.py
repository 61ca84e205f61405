"""One rendering per event and audience, the same text sent to every subscriber in it.

What a subscriber sees of an event depends on its document and variables, on its role (admins
read why a round failed) and, through `lockedForMe`, on whether it answered the task's newest
batch; on nothing else about it. Those make its `Audience`. The first subscriber of an audience
to reach an event runs the document once, as that audience, on loaders shared by the whole event
(one read per kind of data, whatever the audiences), and the JSON it gives is what every
subscriber of the audience is sent. A field that came to depend on more of the caller would need
its own part in `Audience`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable
from dataclasses import dataclass

from strawberry.types import Info
from strawberry.types.graphql import OperationType

from activecrowds.domain.model import Caller, Role
from activecrowds.services import queries
from activecrowds.services.queries import EventView
from server.graphql.context import Loaders, RequestContext, constant_loader, make_loaders
from server.graphql.subscriptions.feed import EventFeed
from server.graphql.subscriptions.transport import Route

LOCKED_FOR_ME = "lockedForMe"  # the one field that reads whether the caller answered


@dataclass(frozen=True)
class Audience:
    """Subscribers who are sent the same text for an event."""

    document: tuple[str, str | None, str]  # query, operation name, variables
    role: Role
    answered_newest: bool | None  # None: the document does not ask, or an admin asks


async def send_shared(
    info: Info[RequestContext, None], route: Route, view: EventView, root: object
) -> None:
    """Send this subscriber the event as its audience sees it, rendered once per audience."""
    feed: EventFeed = info.context.request.app.state.feed
    caller = info.context.caller
    assert caller is not None and view.task is not None
    shared = await feed.once(view, "loaders", lambda: _event_loaders(feed))
    audience = await _audience(feed, route, caller, view, shared)
    text = await feed.once(
        view, audience, lambda: _render(info, route, caller, root, shared, audience)
    )
    await route.send_next(text)


async def _event_loaders(feed: EventFeed) -> Loaders:
    """Loaders for everything about the event that is the same for every caller."""
    return make_loaders(feed.ctx, None)


async def _audience(
    feed: EventFeed, route: Route, caller: Caller, view: EventView, shared: Loaders
) -> Audience:
    answered = None
    if caller.role is Role.ANNOTATOR and LOCKED_FOR_ME in route.query:
        assert view.task is not None
        # The loader keeps the batch it read: the rendering then judges the same batch.
        newest = await shared.latest_batch.load(view.task.id)
        answered = newest is not None and caller.id in await _answerers(feed, view, newest.id)
    return Audience(route.document, caller.role, answered)


def _answerers(feed: EventFeed, view: EventView, batch_id: int) -> Awaitable[set[int]]:
    """Who answered the batch, read once for the event."""
    read = lambda: queries.batch_answerers(feed.ctx, batch_id)  # noqa: E731
    return feed.once(view, ("answerers", batch_id), read)


async def _render(
    info: Info[RequestContext, None],
    route: Route,
    caller: Caller,
    root: object,
    shared: Loaders,
    audience: Audience,
) -> str:
    """The `next` payload for the audience, as JSON text (caller: any one of its members)."""
    loaders = shared
    if audience.answered_newest is not None:
        loaders = dataclasses.replace(shared, answered=constant_loader(audience.answered_newest))
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
