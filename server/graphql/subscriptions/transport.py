"""graphql-transport-ws that lets a subscription send its events as ready-made text.

Strawberry runs each subscription's selection once per event and subscriber, then encodes the
result for that subscriber. Our subscriptions instead render an event once for everyone who would
see the same thing (shared.py) and send that text with this operation's id: the resolver finds
its operation through `ROUTE`, which the operation's task sets before Strawberry starts it.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)

from server.graphql.context import RequestContext


@dataclass
class Route:
    """One operation on one connection: what it asked for, and where its messages go."""

    operation_id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    websocket: WebSocket
    closed: bool = False
    document: tuple[str, str | None, str] = field(init=False)
    _asks: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Subscribers share a rendered event when they sent the same document and variables.
        variables = json.dumps(self.variables or {}, sort_keys=True)
        self.document = (self.query, self.operation_name, variables)

    def asks(self, field_name: str) -> bool:
        """Whether the document may select this field (its name appears in it)."""
        if field_name not in self._asks:
            self._asks[field_name] = field_name in self.query
        return self._asks[field_name]

    async def send_next(self, payload: str) -> None:
        """Send one `next` message whose payload is already JSON text."""
        if self.closed:
            return
        message = f'{{"id": {json.dumps(self.operation_id)}, "type": "next", "payload": {payload}}}'
        try:
            await self.websocket.send_text(message)
        except Exception:  # gone: the connection's handler notices and ends the operation
            self.closed = True


ROUTE: ContextVar[Route | None] = ContextVar("route", default=None)


class SharedEventsTransport(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """Strawberry's handler, telling each operation's task which operation it runs."""

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        websocket = self.context.request
        assert isinstance(websocket, WebSocket)
        route = Route(
            operation.id, operation.query, operation.variables, operation.operation_name, websocket
        )
        ROUTE.set(route)  # this task's own context: seen by the resolver it runs
        await super().run_operation(operation)
