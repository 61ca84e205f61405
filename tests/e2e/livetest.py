"""Helpers for end-to-end tests: real `activecrowds` processes, GraphQL over HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("ACTIVECROWDS_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("ACTIVECROWDS_TEST_REDIS", "redis://127.0.0.1:6379")


async def pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_SERVER + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


SCENARIO = {
    "initialTrainSize": 10,
    "evalSize": 10,
    "testSize": 10,
    "batchSize": 4,
    "minAgreement": 1.0,
}
CREATE = "mutation($input: CreateTaskInput!) { createTask(input: $input) { id status } }"
TASK = """query($id: ID!) { task(id: $id) { status lastError lockedForMe
  rounds { number } currentBatch { id number status samples { id } } } }"""
REGISTER = """mutation($name: String!, $invite: String) {
  registerAnnotator(name: $name, invite: $invite) { token } }"""
INVITE = "mutation($n: Int!) { createInvite(maxUses: $n) { code } }"
SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted task { status lockedForMe } } }"""
TASK_EVENTS = """subscription($id: ID!) { taskEvents(taskId: $id) { __typename
  ... on TaskLocked { reason task { status } }
  ... on RoundCompleted { round { number } }
  ... on NewBatchAvailable { batch { id number } task { status } }
  ... on TaskFailed { error task { status lastError } } } }"""
TASKS_CHANGED = "subscription { tasksChanged { id status } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    """A child process whose output is collected by a thread (so its pipe never fills)."""

    name: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def wait_for_line(self, text: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.output):
                if text in line:
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: no {text!r}:\n" + "".join(self.output[-80:]))

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


CLI = ("-m", "cli")  # the `activecrowds` command, as `python -m cli`


def spawn(name: str, args: list[str], env: dict[str, str], entry: Sequence[str] = CLI) -> Proc:
    """Start `python ENTRY ARGS` with only the given ACTIVECROWDS_* settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ACTIVECROWDS_")}
    process = subprocess.Popen(
        [sys.executable, *entry, *args],
        cwd=ROOT,
        env={**clean, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    proc = Proc(name, process)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            proc.output.append(line)

    threading.Thread(target=pump, daemon=True).start()
    return proc


def serve(
    name: str, env: dict[str, str], port: int, entry: Sequence[str] = CLI, workers: int = 1
) -> Proc:
    """`activecrowds serve` on `port`, once each of its `workers` processes has started."""
    extra = ["--workers", str(workers)] if workers > 1 else []
    proc = spawn(name, ["serve", "--port", str(port), *extra], env, entry)
    deadline = time.monotonic() + 90
    while sum(STARTED in line for line in list(proc.output)) < workers:
        if proc.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{name} did not start:\n" + "".join(proc.output[-80:]))
        time.sleep(0.05)
    return proc


STARTED = "Application startup complete"  # what each server process says once it serves


class Api:
    """GraphQL over HTTP against a running server."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.token = token

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.post(
                self.base + "/graphql",
                json={"query": query, "variables": variables or {}},
                headers=headers,
            )
        result: dict[str, Any] = response.json()
        return result

    async def call(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self.post(query, variables)
        assert not result.get("errors"), result["errors"]
        data: dict[str, Any] = result["data"]
        return data

    async def task(self, task_id: str) -> dict[str, Any]:
        found: dict[str, Any] = (await self.call(TASK, {"id": task_id}))["task"]
        return found

    async def wait_until(self, task_id: str, status: str, batch: int, timeout: float = 120) -> Any:
        """Poll until the task has `status` and its newest batch is `batch`."""
        deadline = time.monotonic() + timeout
        task: dict[str, Any] = {}
        while time.monotonic() < deadline:
            task = await self.task(task_id)
            current = task["currentBatch"]
            if task["status"] == status and current and current["number"] == batch:
                return task
            if task["status"] == "FAILED" and status != "FAILED":
                raise AssertionError(task["lastError"])
            await asyncio.sleep(0.2)
        raise AssertionError(f"task {task_id} never reached {status}/{batch}: {task}")

    async def register(self, n: int) -> list[str]:
        """n annotators enrolled with one invite (this Api holds the admin token)."""
        code = (await self.call(INVITE, {"n": n}))["createInvite"]["code"]
        tokens = []
        for i in range(n):
            data = await self.call(REGISTER, {"name": f"annotator {i}", "invite": code})
            tokens.append(data["registerAnnotator"]["token"])
        return tokens


def task_input(dataset: str, **scenario: Any) -> dict[str, Any]:
    return {
        "title": "Squares",
        "description": "dark or bright",
        "category": "IMAGE",
        "subcategory": "BINARY_CLASSIFICATION",
        "labels": ["dark", "bright"],
        "dataset": dataset,
        **SCENARIO,
        **scenario,
    }


LABELS = ["not_long_sleeved", "long_sleeved"]


def fashion_input(dataset: str, **scenario: Any) -> dict[str, Any]:
    return {**task_input(dataset, **scenario), "title": "Long sleeves", "labels": LABELS}


# Every test's crowd and admin come from 127.0.0.1 (the admin's id is 0 in every test): the
# rate limits are tested on their own (test_rate_limits_redis), not by every test's crowd.
NO_RATE_LIMITS = {
    f"ACTIVECROWDS_{name}_PER_MINUTE": "0"
    for name in ("REGISTRATIONS", "ADDRESS_MUTATIONS", "MUTATIONS", "SUBMISSIONS")
}


def live_env(data_dir: Path, database_url: str, redis_url: str, **more: str) -> dict[str, str]:
    """The settings of processes sharing one PostgreSQL database and one Redis database;
    `more` adds settings by their name without the prefix (round_lease_s="3")."""
    env = {
        "ACTIVECROWDS_DATA_DIR": str(data_dir),
        "ACTIVECROWDS_DATABASE_URL": database_url,
        "ACTIVECROWDS_REDIS_URL": redis_url,
        "ACTIVECROWDS_ADMIN_TOKEN": secrets.token_urlsafe(16),
        **NO_RATE_LIMITS,
    }
    return env | {f"ACTIVECROWDS_{name.upper()}": value for name, value in more.items()}


def redis_flushed(url: str) -> str:
    """FLUSHDB the test's own Redis database (never the whole server)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url


@dataclass
class Cluster:
    """Server replicas and one worker sharing PostgreSQL and Redis."""

    env: dict[str, str]
    replicas: list[Proc] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    workers: list[Proc] = field(default_factory=list)

    @property
    def admin_token(self) -> str:
        return self.env["ACTIVECROWDS_ADMIN_TOKEN"]

    def add_replica(self, entry: Sequence[str] = CLI, workers: int = 1) -> str:
        port = free_port()
        name = f"replica{len(self.replicas)}"
        self.replicas.append(serve(name, self.env, port, entry, workers))
        self.bases.append(f"http://127.0.0.1:{port}")
        return self.bases[-1]

    def add_worker(self) -> Proc:
        proc = spawn(f"worker{len(self.workers)}", ["worker", "--threads", "1"], self.env)
        self.workers.append(proc)
        proc.wait_for_line("worker: queue")
        return proc

    @classmethod
    @contextmanager
    def started(cls, env: dict[str, str], replicas: int = 1, workers: int = 1) -> Iterator[Cluster]:
        """`replicas` servers and `workers` workers on `env`, stopped however the block ends."""
        running = cls(env)
        try:
            for _ in range(replicas):
                running.add_replica()
            for _ in range(workers):
                running.add_worker()
            yield running
        finally:
            running.stop()

    def stop(self) -> None:
        for proc in [*self.replicas, *self.workers]:
            proc.stop()
            # pytest shows this only when a test failed: what each process said last
            print(f"--- {proc.name} ---\n" + "".join(proc.output[-40:]))


def free_redis_db() -> str:
    """URL of an empty database on the test Redis (its number isolates this run's keys and,
    through the channel name, its events)."""
    import redis

    for db in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{db}")
        try:
            if client.dbsize() == 0:
                return f"{REDIS_SERVER}/{db}"
        finally:
            client.close()
    raise AssertionError("no empty Redis database for the test")


async def pg_fetch(url: str, sql: str, *args: Any) -> list[Any]:
    """Rows from the cluster's database (what exactly-once checks look at)."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()
