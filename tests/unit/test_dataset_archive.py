"""A zip is someone else's: unpacked inside its folder only, no links, bounded; imported as the
folders and manifests it holds (activecrowds_ml/experiment/archive.py and importer.py)."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from activecrowds_ml.errors import DatasetError
from activecrowds_ml.experiment.archive import ArchiveLimits, member_path, unpack_zip
from activecrowds_ml.experiment.importer import NothingValid, import_dataset
from activecrowds_ml.storage import Dataset

MB = 1 << 20


def png(value: int = 100) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), value, dtype="uint8")).save(out, format="PNG")
    return out.getvalue()


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def classes(prefix: str = "") -> dict[str, bytes]:
    entries = {
        f"{prefix}{label}/{i}.png": png(40 + 150 * (label == "yes") + i)
        for i in range(3)
        for label in ("no", "yes")
    }
    return {**entries, f"{prefix}unlabelled/u.png": png(7)}


@pytest.mark.parametrize(
    "name",
    ["../x.png", "a/../../x.png", "/etc/x.png", "\\\\server\\x.png", "C:/x.png", "a\\..\\..\\x"],
)
def test_an_entry_that_leaves_the_folder_refuses_the_archive_and_writes_nothing(
    tmp_path: Path, name: str
) -> None:
    archive = make_zip(tmp_path / "a.zip", {"yes/1.png": png(), name: png()})
    with pytest.raises(DatasetError, match="outside the archive"):
        unpack_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path.parent / "x.png").exists()


def test_member_path_keeps_ordinary_names() -> None:
    assert str(member_path("yes/./a b.png")) == "yes/a b.png"
    assert str(member_path("win\\yes\\a.png")) == "win/yes/a.png"


def test_a_symlink_entry_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("yes/1.png", png())
        link = zipfile.ZipInfo("yes/2.png")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(DatasetError, match="links are not allowed"):
        unpack_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_zip_bomb_is_refused_by_ratio_before_anything_is_written(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("a.txt", "w") as out:
        for _ in range(20):
            out.write(bytes(MB))  # 20 MB of zeros: some 20 KB compressed
    assert archive.stat().st_size < 100_000
    with pytest.raises(DatasetError, match="zip bomb"):
        unpack_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_unpacked_size_and_the_file_count_are_limited(tmp_path: Path) -> None:
    noise = np.random.default_rng(0).bytes(2 * MB)  # incompressible: passes the ratio
    archive = make_zip(tmp_path / "big.zip", {"yes/a.bin": noise})
    with pytest.raises(DatasetError, match="more than 1 MB"):
        unpack_zip(archive, tmp_path / "out", ArchiveLimits(max_bytes=MB))
    many = make_zip(tmp_path / "many.zip", {f"yes/{i}.png": b"x" for i in range(4)})
    with pytest.raises(DatasetError, match="holds 4 files; at most 3"):
        unpack_zip(many, tmp_path / "out2", ArchiveLimits(max_files=3))


def test_sizes_the_headers_understate_are_caught_on_the_bytes(tmp_path: Path) -> None:
    # Given an entry whose headers claim 10 bytes while it unpacks to 1 MB
    archive = make_zip(tmp_path / "liar.zip", {"yes/a.bin": np.random.default_rng(1).bytes(MB)})
    data = bytearray(archive.read_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 10)
    struct.pack_into("<I", data, central + 24, 10)
    archive.write_bytes(bytes(data))
    # Then unpacking stops at what it declared and refuses the entry
    with pytest.raises(DatasetError, match=r"yes/a\.bin"):
        unpack_zip(archive, tmp_path / "out", ArchiveLimits(max_bytes=100))
    written = sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written <= 10


def test_not_a_zip_is_named(tmp_path: Path) -> None:
    fake = tmp_path / "photos.zip"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(DatasetError, match=r"photos\.zip: not a readable zip"):
        import_dataset(fake, tmp_path / "ds")


def test_a_zip_of_class_folders_imports_as_the_folders_would(tmp_path: Path) -> None:
    # A zipped folder (one top folder) with macOS's __MACOSX beside it
    entries = {**classes("quake/"), "__MACOSX/quake/._1.png": b"junk", "quake/no/bad.png": b"?"}
    archive = make_zip(tmp_path / "quake.zip", entries)
    report = import_dataset(archive, tmp_path / "ds", name="quake")
    dataset = Dataset.load(tmp_path / "ds")
    assert dataset.labels == ("no", "yes") and len(dataset.labelled) == 6 and len(dataset.pool) == 1
    assert [(Path(src).name, why) for src, why in report.bad] == [
        ("bad.png", "not an image (UnidentifiedImageError)")
    ]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # unpacked: gone


def test_a_zipped_manifest_may_not_name_files_outside_the_zip(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    manifest = f"file,label\nimg/a.png,yes\nimg/b.png,no\n../secret.png,no\n{secret},yes\n"
    archive = make_zip(
        tmp_path / "m.zip",
        {"labels.csv": manifest.encode(), "img/a.png": png(), "img/b.png": png(9)},
    )
    report = import_dataset(archive, tmp_path / "ds")
    assert len(Dataset.load(tmp_path / "ds").labelled) == 2
    assert [why for _, why in report.bad] == [
        "the file must be inside the upload (no absolute paths, no '..')"
    ] * 2


def test_a_manifest_on_disk_may_still_name_absolute_paths(tmp_path: Path) -> None:
    # The CLI imports the admin's own files: `activecrowds dataset import` keeps working
    for name in ("a", "b"):
        (tmp_path / f"{name}.png").write_bytes(png())
    manifest = tmp_path / "sub" / "m.csv"
    manifest.parent.mkdir()
    manifest.write_text(f"file,label\n{tmp_path / 'a.png'},yes\n../b.png,no\n")
    import_dataset(manifest, tmp_path / "ds")
    assert len(Dataset.load(tmp_path / "ds").labelled) == 2


def test_two_manifests_in_one_zip_are_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "m.zip", {"a.csv": b"text,label\nx,a\n", "b.jsonl": b"{}\n"})
    with pytest.raises(DatasetError, match="more than one manifest"):
        import_dataset(archive, tmp_path / "ds")


def test_nothing_valid_names_every_bad_input(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "m.zip", {"yes/a.txt.png": b"hello", "no/b.png": b""})
    with pytest.raises(NothingValid) as refused:
        import_dataset(archive, tmp_path / "ds", kind="image")
    assert sorted(Path(src).name for src, _ in refused.value.bad) == ["a.txt.png", "b.png"]
    assert not (tmp_path / "ds").exists() or not any((tmp_path / "ds").iterdir())


def test_a_decompression_bomb_image_is_a_bad_file_not_a_crash(tmp_path: Path) -> None:
    from PIL import Image

    big = tmp_path / "src" / "yes" / "huge.png"
    big.parent.mkdir(parents=True)
    Image.new("1", (20_000, 20_000)).save(big)  # 400 M pixels, a few KB on disk
    for label in ("yes", "no"):
        (tmp_path / "src" / label).mkdir(exist_ok=True)
        (tmp_path / "src" / label / "ok.png").write_bytes(png())
    report = import_dataset(tmp_path / "src", tmp_path / "ds")
    assert [(Path(src).name, why) for src, why in report.bad] == [
        ("huge.png", "not an image (DecompressionBombError)")
    ]
    assert os.path.isfile(tmp_path / "ds" / "dataset.json")


def test_an_uploads_files_are_linked_not_copied_and_the_clis_are_copied(tmp_path: Path) -> None:
    for label in ("yes", "no"):
        (tmp_path / "src" / label).mkdir(parents=True)
        (tmp_path / "src" / label / "a.png").write_bytes(png())
    import_dataset(tmp_path / "src", tmp_path / "scratch", scratch=True)
    import_dataset(tmp_path / "src", tmp_path / "copied")
    source = (tmp_path / "src" / "yes" / "a.png").stat().st_ino
    (linked,) = [r for r in Dataset.load(tmp_path / "scratch").labelled if r.id == "yes/a.png"]
    (copied,) = [r for r in Dataset.load(tmp_path / "copied").labelled if r.id == "yes/a.png"]
    assert Path(str(linked.file)).stat().st_ino == source
    assert Path(str(copied.file)).stat().st_ino != source
