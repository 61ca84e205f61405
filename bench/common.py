"""What the benchmarks share: a cheap HTTP client, CPU time of process trees, percentiles, and
a crowd enrolled by invite.

The client matters: the benchmarks run on the same few cores as the servers they measure, and
httpx spends about a millisecond of CPU per request, enough to be what limits a run.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from server.serving import KEEP_ALIVE_S

TICK = os.sysconf("SC_CLK_TCK")


class RawClient:
    """One keep-alive HTTP/1.1 connection that POSTs JSON bodies (one request at a time).

    After a pause near the server's keep-alive timeout (an annotator thinking) it opens a new
    connection first, as a browser does, instead of writing into one the server is closing.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, base: str):
        self.reader, self.writer, self.base = reader, writer, base
        self.host, self.used = urlparse(base).netloc, time.monotonic()

    @classmethod
    async def open(cls, base: str) -> RawClient:
        url = urlparse(base)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        return cls(reader, writer, base)

    async def post(self, path: str, body: bytes, token: str | None = None) -> tuple[int, bytes]:
        """(status, body) of one POST."""
        if time.monotonic() - self.used > KEEP_ALIVE_S - 1:
            self.writer.close()
            url = urlparse(self.base)
            self.reader, self.writer = await asyncio.open_connection(url.hostname, url.port)
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"{auth}Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status, length = int(raw[9:12]), 0
        for line in raw.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        data = await self.reader.readexactly(length)
        self.used = time.monotonic()
        return status, data

    async def graphql(self, query: str, variables: dict[str, Any], token: str | None) -> Any:
        """The decoded GraphQL response."""
        body = json.dumps({"query": query, "variables": variables}).encode()
        return json.loads((await self.post("/graphql", body, token))[1])

    async def close(self) -> None:
        self.writer.close()


def descendants(pid: int) -> list[int]:
    """`pid` and every live process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of these processes and everything below them, so far."""
    total = 0.0
    for root in pids:
        for pid in descendants(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def load_average() -> str:
    """The machine's 1-minute load average (the benchmarks share it with other work)."""
    return Path("/proc/loadavg").read_text().split()[0]


async def enrol(ctx: Any, names: Sequence[str]) -> list[str]:
    """The tokens of annotators registered with one invite for every task, as a crowd enrols
    on a server without open registration (`ctx`: the services' Context)."""
    from activecrowds.domain.model import ADMIN
    from activecrowds.services import auth, crowd

    invite = await crowd.create_invite(ctx, ADMIN, max_uses=max(1, len(names)))
    return [(await auth.register_annotator(ctx, name, invite.code)).token for name in names]
