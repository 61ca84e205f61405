"""Honest annotators and /healthz while one client sends costly documents (uvicorn, PostgreSQL).

    .venv/bin/python bench/hostile.py [--annotators 10] [--tasks 30] [--postgres URL]

Creates a throwaway database `ac_bench_<random>` on the local PostgreSQL (dropped at the end)
and starts `server.app` under uvicorn with the settings' limits (server.serving.ServerConfig)
in its own process on 127.0.0.1. In each phase `--annotators` fresh annotators each answer the
open batch of every one of `--tasks` tasks once (a submission per annotator and batch, as the
API allows) while a prober GETs /healthz every 20 ms. Phases: quiet; an attacker (its own
process) sending unique ~1,200-token documents (`me { id }` 300 times), 20 at a time, as fast
as they are answered, without a token; the same with a registered annotator's token.

Bounded: a request waits at most 30 s (then it counts as an error), a phase at most 120 s (then
it is cut), the attacker stops with its phase or after 5,000 documents. Prints p50/p99 of the
submissions and of /healthz per phase (goal: p99 < 50 ms) and what the attacker was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api import free_port, pg, uniform_model, write_dataset  # noqa: E402  (bench/api.py)

SUBMIT = """mutation($t: ID!, $b: ID!, $a: [AnswerInput!]!) {
  submitAnswers(taskId: $t, batchId: $b, answers: $a) { accepted } }"""
TOKEN = "bench-admin-token"
ATTACKERS, MAX_DOCUMENTS, PHASE_LIMIT_S, PROBE_EVERY_S = 20, 5000, 120.0, 0.02
TIMEOUT_S = 30.0  # a request not answered by then counts as an error, its latency as this


@dataclass
class Plan:
    """What the honest annotators answer: each task's open batch, and tokens per phase."""

    batches: list[tuple[int, int, list[int]]]  # task id, batch id, sample ids
    tokens: dict[str, list[str]]


@dataclass
class Phase:
    submissions: list[float] = field(default_factory=list)
    healthz: list[float] = field(default_factory=list)
    errors: int = 0  # submissions refused or not answered in TIMEOUT_S
    healthz_errors: int = 0
    cut: bool = False  # the honest annotators did not finish within PHASE_LIMIT_S
    codes: dict[str, int] = field(default_factory=dict)  # the attacker's answers, by code


async def prepare(settings: Any, dataset: Path, tasks_n: int, per_phase: int) -> Plan:
    from common import enrol

    from activecrowds.bootstrap import bootstrap
    from activecrowds.domain.model import ADMIN
    from activecrowds.services import queries, tasks

    app = await bootstrap(settings, build_model=uniform_model)
    scenario = {
        "initial_train_size": 10,
        "eval_size": 10,
        "test_size": 10,
        "batch_size": 5,
        "min_peers": 10**6,
        "max_peers": 10**6,
        "query_strategy": "random",
    }
    batches = []
    for i in range(tasks_n):
        cmd = tasks.CreateTask(f"hostile {i}", "", ["dark", "bright"], str(dataset), scenario)
        task = await tasks.create_task(app.ctx, ADMIN, cmd)
        await app.queue.join()
        batch = (await queries.latest_batches(app.ctx, [task.id]))[task.id]
        samples = (await queries.batch_samples(app.ctx, [batch.id]))[batch.id]
        batches.append((task.id, batch.id, [s.id for s in samples]))
    tokens = {}
    for phase in ("quiet", "anonymous", "registered", "attacker"):
        n = 1 if phase == "attacker" else per_phase
        names = [f"{phase} {i}" for i in range(n)]
        tokens[phase] = await enrol(app.ctx, names)
    await app.close()
    return Plan(batches, tokens)


async def honest(
    client: httpx.AsyncClient, plan: Plan, index: int, phase: Phase, name: str
) -> None:
    """One annotator answering every batch once, starting at its own (no lock queue)."""
    bearer = {"Authorization": f"Bearer {plan.tokens[name][index]}"}
    for task_id, batch_id, sample_ids in plan.batches[index:] + plan.batches[:index]:
        answers = [{"sampleId": str(s), "label": "dark"} for s in sample_ids]
        body = {"query": SUBMIT, "variables": {"t": str(task_id), "b": str(batch_id), "a": answers}}
        start = time.perf_counter()
        try:
            response = await client.post("/graphql", json=body, headers=bearer)
            phase.errors += response.status_code != 200 or bool(response.json().get("errors"))
        except httpx.HTTPError:
            phase.errors += 1
        phase.submissions.append(time.perf_counter() - start)


async def probe(client: httpx.AsyncClient, done: asyncio.Event, phase: Phase) -> None:
    while not done.is_set() and len(phase.healthz) < PHASE_LIMIT_S / PROBE_EVERY_S:
        start = time.perf_counter()
        try:
            phase.healthz_errors += (await client.get("/healthz")).status_code != 200
        except httpx.HTTPError:
            phase.healthz_errors += 1
        phase.healthz.append(time.perf_counter() - start)
        await asyncio.sleep(PROBE_EVERY_S)


async def attack(base: str, token: str | None) -> dict[str, int]:
    """The attacker's process: ATTACKERS documents at a time until SIGTERM (or the limits)."""
    stop, codes = asyncio.Event(), {"sent": 0}
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def one(client: httpx.AsyncClient) -> None:
        while not stop.is_set() and codes["sent"] < MAX_DOCUMENTS:
            codes["sent"] += 1
            document = f"query Q{secrets.token_hex(8)} {{{' me { id }' * 300} }}"
            try:
                answer = await client.post("/graphql", json={"query": document}, headers=headers)
                errors = answer.json().get("errors") or [{"extensions": {"code": "ran"}}]
                code = errors[0].get("extensions", {}).get("code", "?")
            except httpx.HTTPError:
                code = "timeout"
            codes[code] = codes.get(code, 0) + 1

    limits = httpx.Limits(max_connections=ATTACKERS)
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S, limits=limits) as client:
        runs = [asyncio.create_task(one(client)) for _ in range(ATTACKERS)]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PHASE_LIMIT_S)
        stop.set()
        await asyncio.gather(*runs, return_exceptions=True)
    return codes


async def run_phase(base: str, plan: Plan, name: str) -> Phase:
    phase, done = Phase(), asyncio.Event()
    attacker = None
    if name != "quiet":  # in its own process: its client's CPU is not the honest clients'
        token = plan.tokens["attacker"][0] if name == "registered" else ""
        command = [sys.executable, __file__, "--attack", base, f"--token={token}"]
        attacker = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        await asyncio.sleep(1.0)  # the attack is under way first
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S, limits=limits) as client:
        prober = asyncio.create_task(probe(client, done, phase))
        runs = [honest(client, plan, i, phase, name) for i in range(len(plan.tokens[name]))]
        try:
            await asyncio.wait_for(asyncio.gather(*runs), PHASE_LIMIT_S)
        except TimeoutError:
            phase.cut = True
        finally:
            done.set()
            await prober
            if attacker is not None:
                attacker.terminate()
                phase.codes = json.loads(attacker.communicate(timeout=60)[0])
    return phase


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000
        if values
        else 0.0
    )


LABELS = {
    "quiet": "no attack",
    "anonymous": "anonymous attacker",
    "registered": "registered attacker",
}


def print_table(phases: dict[str, Phase]) -> None:
    """One row per phase; errors are refusals and answers later than TIMEOUT_S; (cut): the
    honest annotators had not finished after PHASE_LIMIT_S."""
    print(
        f"{'phase':<22}{'submits':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>7}"
        f"{'healthz':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>7}  attacker's answers"
    )
    for name, p in phases.items():
        codes = ", ".join(f"{n} {c}" for c, n in sorted(p.codes.items())) or "-"
        label = LABELS[name] + (" (cut)" if p.cut else "")
        print(
            f"{label:<22}{len(p.submissions):>8}{pct(p.submissions, 50):>8.1f}"
            f"{pct(p.submissions, 99):>8.1f}{p.errors:>7}{len(p.healthz):>8}"
            f"{pct(p.healthz, 50):>8.1f}{pct(p.healthz, 99):>8.1f}{pct(p.healthz, 100):>8.1f}"
            f"{p.healthz_errors:>7}  {codes}"
        )


def serve(port: int) -> None:
    """The server process: the real app and limits, the stand-in model for rounds."""
    import uvicorn

    from activecrowds.config import load_settings
    from server.app import create_app
    from server.serving import ServerConfig

    settings = load_settings()
    app = create_app(settings=settings, build_model=uniform_model)
    config = ServerConfig(app, settings, host="127.0.0.1", port=port, log_level="warning")
    uvicorn.Server(config).run()


def wait_until_up(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not start")


def bench(args: argparse.Namespace, settings: Any, work: Path) -> int:
    dataset = write_dataset(work / "dataset", n=200)
    plan = asyncio.run(prepare(settings, dataset, args.tasks, args.annotators))
    port = free_port()
    env = {
        **os.environ,
        "ACTIVECROWDS_DATABASE_URL": settings.database_url,
        "ACTIVECROWDS_ADMIN_TOKEN": TOKEN,
        "ACTIVECROWDS_DATA_DIR": str(work),
    }
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/healthz")
        print(
            f"{args.annotators} annotators x {args.tasks} submissions of 5 answers per phase,"
            f" PostgreSQL, one uvicorn process; the attacker sends {ATTACKERS} at a time"
        )
        phases = {
            name: asyncio.run(run_phase(base, plan, name))
            for name in ("quiet", "anonymous", "registered")
        }
        print_table(phases)
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--annotators", type=int, default=10, help="honest annotators per phase")
    parser.add_argument("--tasks", type=int, default=30, help="submissions per annotator")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--attack", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.attack:
        print(json.dumps(asyncio.run(attack(args.attack, args.token or None))))
        return 0
    from activecrowds.config import Settings

    work = Path(tempfile.mkdtemp(prefix="ac-hostile-"))
    with throwaway_database(args.postgres) as url:
        return bench(args, Settings(work, url, TOKEN), work)


@contextlib.contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    """A new database on `server` (its asyncpg URL), dropped afterwards."""
    name = f"ac_bench_{secrets.token_hex(4)}"
    asyncio.run(pg(server, f'CREATE DATABASE "{name}"'))
    try:
        yield server.replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    finally:
        asyncio.run(pg(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    raise SystemExit(main())
