"""The real thing over HTTP: `activecrowds serve` (embedded default: SQLite, in-process rounds,
the real default model) driven by a third-party GraphQL client (gql); a restart loses nothing."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

ROOT = Path(__file__).resolve().parents[2]


# createTask's input for the "squares" dataset, decided by one answer a sample.
SQUARES: dict[str, Any] = {
    "title": "Squares",
    "description": "dark or bright",
    "category": "IMAGE",
    "subcategory": "BINARY_CLASSIFICATION",
    "labels": ["dark", "bright"],
    "dataset": "squares",
    "initialTrainSize": 10,
    "evalSize": 10,
    "testSize": 10,
    "batchSize": 3,
    "minPeers": 1,
    "minAgreement": 1.0,
    "maxPeers": 1,
}


@dataclass
class Server:
    url: str
    data_dir: Path
    admin_token: str
    process: subprocess.Popen[str]
    output: list[str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data_dir: Path, port: int, settings: dict[str, str] | None = None) -> Server:
    """`activecrowds serve` on `data_dir` with only the given ACTIVECROWDS_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIVECROWDS_")}
    env.update(settings or {})
    env["ACTIVECROWDS_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    output: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        output.append(line)
        if "Application startup complete" in line:
            break
        if not line and process.poll() is not None:
            raise AssertionError("server exited:\n" + "".join(output))
    token = next(x.split(": ", 1)[1].strip() for x in output if x.startswith("admin token"))
    return Server(url, data_dir, token, process, output)


def stop(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def serve_squares(factory: pytest.TempPathFactory, image_dataset: Path) -> Iterator[Server]:
    """A real server on a fresh data dir holding the dataset as "squares"; stopped after."""
    data_dir = factory.mktemp("served")
    shutil.copytree(image_dataset, data_dir / "datasets" / "squares")
    running = start(data_dir, _free_port())
    try:
        yield running
    finally:
        stop(running)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, image_dataset: Path) -> Iterator[Server]:
    """One real server for this module."""
    yield from serve_squares(tmp_path_factory, image_dataset)


async def ask(session: Any, document: GraphQLRequest, values: dict[str, Any]) -> Any:
    """Run one operation with variables (gql 4 style)."""
    return await session.execute(GraphQLRequest(document, variable_values=values))


def client(server: Server, token: str | None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = HTTPXAsyncTransport(url=server.url + "/graphql", headers=headers, timeout=60)
    return Client(transport=transport, fetch_schema_from_transport=token is not None)


CREATE = gql("""mutation($input: CreateTaskInput!) { createTask(input: $input) { id status } }""")
TASK = gql("""query($id: ID!) { task(id: $id) { status lastError lockedForMe labelledCount
  rounds { number accuracy } currentBatch { id number samples { id mediaUrl } } } }""")
REGISTER = gql("""mutation($name: String!, $invite: String) {
  registerAnnotator(name: $name, invite: $invite) { token } }""")
INVITE = gql("""mutation { createInvite { code } }""")
SUBMIT = gql("""mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted task { status lockedForMe } } }""")


async def wait_for(server: Server, task_id: str, batch_number: int) -> dict[str, Any]:
    """Poll until the task collects answers for `batch_number` (rounds train in the background)."""
    deadline = time.monotonic() + 240
    async with client(server, server.admin_token) as session:
        while time.monotonic() < deadline:
            task = (await ask(session, TASK, {"id": task_id}))["task"]
            assert task["status"] != "FAILED", task["lastError"]
            batch = task["currentBatch"]
            if task["status"] == "COLLECTING" and batch and batch["number"] == batch_number:
                return dict(task)
            await asyncio.sleep(0.5)
    raise AssertionError(f"batch {batch_number} of task {task_id} never opened")


async def test_admin_token_is_generated_once_and_printed(server: Server) -> None:
    assert (server.data_dir / "admin_token").read_text().strip() == server.admin_token
    assert (server.data_dir / "admin_token").stat().st_mode & 0o077 == 0
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}


async def test_gql_client_drives_a_round_trip_that_survives_a_restart(server: Server) -> None:
    # Given an admin creating a task on the named dataset with the real default model
    values = dict(SQUARES)
    async with client(server, server.admin_token) as admin:
        created = (await ask(admin, CREATE, {"input": values}))["createTask"]
    assert created["status"] == "TRAINING"
    task = await wait_for(server, created["id"], 0)
    assert task["rounds"][0]["number"] == 0 and task["labelledCount"] == 10
    # When an annotator registers (no token needed, an invite from the admin) and answers
    async with client(server, server.admin_token) as admin:
        code = (await ask(admin, INVITE, {}))["createInvite"]["code"]
    async with client(server, None) as anonymous:
        registering = {"name": "Grace", "invite": code}
        token = (await ask(anonymous, REGISTER, registering))["registerAnnotator"]["token"]
    batch = task["currentBatch"]
    answers = [{"sampleId": s["id"], "label": "bright"} for s in batch["samples"]]
    request = {"t": created["id"], "b": batch["id"], "a": answers}
    async with client(server, token) as annotator:
        image = httpx.get(batch["samples"][0]["mediaUrl"])
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        done = (await ask(annotator, SUBMIT, request))["submitAnswers"]
        assert done == {"accepted": 3, "task": {"status": "TRAINING", "lockedForMe": True}}
        # A retry returns the same; a different answer is refused with the API's code
        assert (await ask(annotator, SUBMIT, request))["submitAnswers"] == done
        other = {**request, "a": [{**answers[0], "label": "dark"}]}
        with pytest.raises(TransportQueryError) as refused:
            await annotator.execute(GraphQLRequest(SUBMIT, variable_values=other))
        assert refused.value.errors and refused.value.errors[0]["extensions"]["code"] == "CONFLICT"
    # When the server is stopped right away and started again on the same data dir
    port = int(server.url.rsplit(":", 1)[1])
    stop(server)
    restarted = start(server.data_dir, port)
    server.process, server.output = restarted.process, restarted.output
    # Then the due round still runs, on seed + the 3 accepted labels, and batch 1 opens
    task = await wait_for(server, created["id"], 1)
    assert [r["number"] for r in task["rounds"]] == [0, 1] and task["labelledCount"] == 13
    assert task["lockedForMe"] is False  # the admin never answers; batch 1 is open


def test_db_upgrade_command_migrates_an_empty_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIVECROWDS_")}
    env["ACTIVECROWDS_DATA_DIR"] = str(tmp_path)
    env["ACTIVECROWDS_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "cli", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "fresh.db") as conn:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"tasks", "samples", "batches", "answers", "rounds", "annotators"} <= names
