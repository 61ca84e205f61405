"""The server process's loaded round models: loaded once, a few kept, a gone one dropped."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from activecrowds.services.classify import LoadedModels


def loader(log: list[Path]) -> Any:
    def load(folder: Path) -> Any:
        log.append(folder)
        return f"model of {folder.name}"

    return load


async def test_a_model_is_loaded_once_however_many_ask_at_the_same_time(tmp_path: Path) -> None:
    log: list[Path] = []
    loaded = LoadedModels(capacity=2)
    (tmp_path / "a").mkdir()
    found = await asyncio.gather(*(loaded.get(1, tmp_path / "a", loader(log)) for _ in range(5)))
    assert found == ["model of a"] * 5 and log == [tmp_path / "a"] and loaded.loads == 1


async def test_the_least_recently_used_goes_past_capacity(tmp_path: Path) -> None:
    log: list[Path] = []
    loaded = LoadedModels(capacity=2)
    for name in "abc":
        (tmp_path / name).mkdir()
    await loaded.get(1, tmp_path / "a", loader(log))
    await loaded.get(2, tmp_path / "b", loader(log))
    await loaded.get(1, tmp_path / "a", loader(log))  # a is used again: b is the oldest now
    await loaded.get(3, tmp_path / "c", loader(log))
    assert loaded.held() == [1, 3] and loaded.loads == 3


async def test_a_model_whose_folder_is_gone_is_dropped(tmp_path: Path) -> None:
    log: list[Path] = []
    loaded = LoadedModels(capacity=4)
    for name in "ab":
        (tmp_path / name).mkdir()
    await loaded.get(1, tmp_path / "a", loader(log))
    (tmp_path / "a").rmdir()  # its task deleted, or its round pruned
    await loaded.get(2, tmp_path / "b", loader(log))
    assert loaded.held() == [2]
