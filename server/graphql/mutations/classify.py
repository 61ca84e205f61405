"""The `classify` mutation: an owner's photos (GraphQL multipart request spec) or texts, label
probabilities back from a round's model; nothing is added to the task."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload
from strawberry.types import Info

from activecrowds.domain.model import Role
from activecrowds.services.auth import require
from activecrowds.services.classify import classify_inputs
from server.classify import Item, loaded_models, saved
from server.graphql.context import RequestContext
from server.graphql.ids import parse_id
from server.graphql.types.classify import ClassifyPayload


@strawberry.type
class ClassifyMutation:
    @strawberry.mutation
    async def classify(
        self,
        info: Info[RequestContext, None],
        task_id: strawberry.ID,
        files: Annotated[
            list[Upload],
            strawberry.argument(
                description="images (image tasks) or UTF-8 text files (text tasks), sent as"
                " multipart (the GraphQL multipart request spec) with the admin's bearer token"
            ),
        ] = [],  # noqa: B006 (strawberry reads the default, nothing mutates it)
        texts: Annotated[
            list[str] | None, strawberry.argument(description="texts, for a text task")
        ] = None,
        round: Annotated[
            int | None, strawberry.argument(description="the round's model (null: the latest)")
        ] = None,
    ) -> ClassifyPayload:
        """ADMIN. Label probabilities for each file (or text), in the order sent, from the
        task's latest or the chosen round's stored model; nothing is stored. A bad input
        refuses the whole request (BAD_USER_INPUT), `extensions.bad` naming each one.
        POST /classify/{taskId} takes the same upload as plain HTTP."""
        ctx = info.context
        caller = require(ctx.who(), Role.ADMIN)  # before any file is copied
        uploads = cast(list[UploadFile], files)  # what Strawberry's ASGI view hands over
        items: list[tuple[str, Item]] = [
            (f.filename or f"files[{i}]", f) for i, f in enumerate(uploads)
        ]
        items += [(f"texts[{i}]", t) for i, t in enumerate(texts or [])]
        loaded = loaded_models(ctx.request.app.state)
        async with saved(items, ctx.app.settings.classify_max_files) as inputs:
            done = await classify_inputs(
                ctx.services, caller, loaded, parse_id(task_id, "task"), inputs, round,
                ctx.app.settings.classify_max_files,
            )  # fmt: skip
        return ClassifyPayload.from_domain(done)
