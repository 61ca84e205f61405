"""Backbone features cached on disk, so a frozen backbone sees each sample once.

One SQLite file per model key (backbone name + weights identity + input size) under the cache
directory; rows are keyed by a sample key (image: its file's sha256; text: its hash), so that a
copied data folder or another machine finds the features already computed. SQLite's
locking makes concurrent writers from several processes safe; an in-memory layer keeps repeated
rounds in one process from re-reading the file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from activecrowds_ml.errors import DatasetError

_CHUNK = 500  # keys per SQL query (well under SQLite's variable limit)


def default_cache_dir() -> Path:
    """$ACTIVECROWDS_CACHE_DIR, else $XDG_CACHE_HOME/activecrowds/features (~/.cache/...)."""
    env = os.environ.get("ACTIVECROWDS_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "activecrowds" / "features"


def digest(*parts: object) -> str:
    """A stable hex hash of the given parts."""
    h = hashlib.sha1()
    for part in parts:
        h.update(str(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


# (absolute path, size, mtime) -> sha256 of the file: each file is read once per process
# while it is unchanged, however many rounds look its features up.
_CONTENT: dict[tuple[str, int, int], str] = {}
_CONTENT_KEPT = 1_000_000


def file_key(path: str | None) -> str:
    """Cache key of an image file: the sha256 of its bytes (read once per process while its
    size and modification time stay the same).

    Raises:
        DatasetError: the record has no file or the file does not exist.
    """
    if not path:
        raise DatasetError("an image record has no file")
    try:
        st = os.stat(path)
        stamp = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
        found = _CONTENT.get(stamp)
        if found is None:
            with open(path, "rb") as f:
                found = hashlib.file_digest(f, "sha256").hexdigest()
            if len(_CONTENT) >= _CONTENT_KEPT:
                _CONTENT.clear()
            _CONTENT[stamp] = found
    except OSError:
        raise DatasetError(f"image file not found: {path}") from None
    return digest("sha256", found)


def text_key(text: str | None) -> str:
    """Cache key of a text sample: the hash of the text itself."""
    if text is None or not text.strip():
        raise DatasetError("a text record has no text")
    return digest(text)


class FeatureCache:
    """Feature vectors of one model, in memory and in `<root>/<name>-<hash>.sqlite`."""

    def __init__(self, root: Path, model_name: str, model_key: str, dim: int) -> None:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_name)[:40]
        self.path = Path(root) / f"{safe}-{digest(model_key)[:16]}.sqlite"
        self.dim = dim
        self._memory: dict[str, np.ndarray] = {}
        self.computed = 0  # samples this cache had to compute (tests and benchmarks read it)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS feats (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        return con

    def _load(self, keys: Sequence[str]) -> None:
        wanted = [k for k in dict.fromkeys(keys) if k not in self._memory]
        if not wanted or not self.path.exists():
            return
        con = self._connect()
        try:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(f"SELECT key, vec FROM feats WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.size == self.dim:
                        self._memory[key] = vec
        finally:
            con.close()

    def _store(self, keys: Sequence[str], vecs: np.ndarray) -> None:
        pairs = list(zip(keys, vecs, strict=True))
        rows = [(k, np.ascontiguousarray(v, np.float32).tobytes()) for k, v in pairs]
        con = self._connect()
        try:
            with con:
                con.executemany("INSERT OR REPLACE INTO feats (key, vec) VALUES (?, ?)", rows)
        finally:
            con.close()
        for k, v in pairs:
            self._memory[k] = np.asarray(v, np.float32)

    def get(
        self,
        keys: Sequence[str],
        compute: Callable[[list[int]], np.ndarray],
        chunk: int = 256,
        progress: bool = False,
    ) -> np.ndarray:
        """Features (len(keys), dim); `compute(indices)` runs only for keys not cached yet.

        Missing samples are computed and stored `chunk` at a time, so an interrupted run keeps
        what it finished.
        """
        self._load(keys)
        missing: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in self._memory and k not in missing:
                missing[k] = i
        todo = list(missing.items())
        bar = _bar(len(todo), progress)
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            vecs = np.asarray(compute([i for _, i in part]), dtype=np.float32)
            self._store([k for k, _ in part], vecs)
            self.computed += len(part)
            if bar is not None:
                bar.update(len(part))
        if bar is not None:
            bar.close()
        if not keys:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.stack([self._memory[k] for k in keys])


def _bar(total: int, progress: bool) -> Any:
    """A tqdm bar for long extractions on a terminal; None otherwise."""
    import sys

    if not progress or total < 2 * _CHUNK or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="features", unit="sample", leave=False)
