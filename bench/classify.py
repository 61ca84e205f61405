"""How long POST /classify/{taskId} takes for 1 and 32 images, over a real `activecrowds serve`.

    .venv/bin/python bench/classify.py [--repeats 40] [--device auto|cpu|cuda]

Starts the server (embedded default: SQLite, in-process rounds, the default model,
EfficientNet-Lite0 at 96 px, head mode) on a throwaway data dir holding 300 real
Fashion-MNIST images, creates a task and waits for round 0's model. Then it sends the pool's
images to /classify, one request at a time on one keep-alive connection: as they are (28 px
PNG, a few hundred bytes) and as phone-sized photos (each image scaled to 1280 x 960 with
noise, JPEG quality 90, ~0.3 MB), 1 and 32 per request. The first request of each kind loads
the model and is not counted. Prints p50 and p99 latency in ms and images per second.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from common import load_average, pct

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-admin-token"
CREATE = """mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }"""
TASK = """query($t: ID!) { task(id: $t) { status lastError rounds { number } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data_dir: Path, port: int, device: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIVECROWDS_")}
    env.update(
        ACTIVECROWDS_DATA_DIR=str(data_dir),
        ACTIVECROWDS_ADMIN_TOKEN=TOKEN,
        ACTIVECROWDS_DEVICE=device,
    )
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(900):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("server did not start")


def graphql(client: httpx.Client, query: str, variables: dict[str, Any]) -> Any:
    answer = client.post("/graphql", json={"query": query, "variables": variables}).json()
    if answer.get("errors"):
        raise SystemExit(f"GraphQL error: {answer['errors']}")
    return answer["data"]


def trained_task(client: httpx.Client) -> str:
    """A task on the images, once round 0 has stored its model."""
    from activecrowds_ml.experiment.demo import LABELS

    values = {
        "title": "bench classify", "description": "long sleeves?", "category": "IMAGE",
        "subcategory": "BINARY_CLASSIFICATION", "labels": list(LABELS), "dataset": "fashion",
        "initialTrainSize": 40, "evalSize": 30, "testSize": 30, "batchSize": 10,
    }  # fmt: skip
    task_id = str(graphql(client, CREATE, {"input": values})["createTask"]["id"])
    for _ in range(1800):
        task = graphql(client, TASK, {"t": task_id})["task"]
        if task["status"] == "FAILED":
            raise SystemExit(f"round 0 failed: {task['lastError']}")
        if task["status"] == "COLLECTING":
            return task_id
        time.sleep(0.2)
    raise SystemExit("round 0 never finished")


def photo(path: Path, seed: int) -> bytes:
    """A phone-sized JPEG of the image: 1280 x 960, some noise, quality 90."""
    from PIL import Image

    with Image.open(path) as img:
        big = np.asarray(img.convert("RGB").resize((1280, 960)), dtype=np.int16)
    noise = np.random.default_rng(seed).integers(-12, 13, big.shape)
    out = io.BytesIO()
    Image.fromarray(np.clip(big + noise, 0, 255).astype("uint8")).save(out, "JPEG", quality=90)
    return out.getvalue()


def timed(client: httpx.Client, task_id: str, images: list[bytes], repeats: int) -> list[float]:
    """Seconds per request of `repeats` requests sending `images` (after one not counted)."""
    files = [("files", (f"{i}.jpg", content, "image/jpeg")) for i, content in enumerate(images)]
    took = []
    for attempt in range(repeats + 1):
        started = time.perf_counter()
        answer = client.post(f"/classify/{task_id}", files=files)
        elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            raise SystemExit(f"classify: {answer.status_code} {answer.text}")
        assert len(answer.json()["results"]) == len(images)
        if attempt:
            took.append(elapsed)
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=40, help="requests timed per row")
    parser.add_argument("--device", default="cpu", help="the server's device (default cpu)")
    args = parser.parse_args()
    from activecrowds_ml.experiment.demo import write_demo

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        write_demo(data_dir / "datasets" / "fashion", size=300, labelled=120)
        pool = sorted((data_dir / "datasets" / "fashion" / "files").iterdir())[:32]
        small = [p.read_bytes() for p in pool]
        large = [photo(p, i) for i, p in enumerate(pool)]
        port = free_port()
        server = start(data_dir, port, args.device)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
                task_id = trained_task(client)
                rows = []
                for kind, images in (("28 px PNG", small), ("1280x960 JPEG", large)):
                    for n in (1, 32):
                        took = timed(client, task_id, images[:n], args.repeats)
                        rows.append((kind, n, sum(map(len, images[:n])), took))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"POST /classify over HTTP, one request at a time, {args.repeats} per row, server on "
        f"{args.device}, {os.cpu_count()} cores, load average {load_average()}"
    )
    print(f"{'input':<14} {'images':>6} {'KB':>7} {'p50 ms':>8} {'p99 ms':>8} {'images/s':>9}")
    for kind, n, size, took in rows:
        p50 = pct(took, 50)
        print(
            f"{kind:<14} {n:>6} {size / 1024:>7.0f} {p50 * 1000:>8.1f} "
            f"{pct(took, 99) * 1000:>8.1f} {n / p50:>9.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
