"""The parsed binary cache of snapshot files: built once per content, identical tables, rebuilt when bad."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from screening.entries import cache, sources
from screening.entries.cache import CACHE_ENV, cache_dir, cache_path, cached_table
from screening.entries.sources import load_snapshot, sha256_of

CSV = "formula,target\nLi2O,-2.07\nLi2O2,-1.65\nCoO,-1.3\nLiCoO2,-1.75\nCo3O4,-1.35\n"


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """A private cache folder and no in-process (lru) cache of earlier loads."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    sources._load_snapshot_cached.cache_clear()
    yield folder
    sources._load_snapshot_cached.cache_clear()


def _count_parses(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = sources._parse_snapshot

    def spy(p, sha):
        calls.append(str(p))
        return real(p, sha)

    monkeypatch.setattr(sources, "_parse_snapshot", spy)
    return calls


def _assert_same_table(a, b) -> None:
    assert a.elements == b.elements and a.formulas == b.formulas and a.ids == b.ids
    np.testing.assert_array_equal(a.energy_per_atom, b.energy_per_atom)
    np.testing.assert_array_equal(a.virtual, b.virtual)
    assert (a.amounts != b.amounts).nnz == 0 and a.amounts.shape == b.amounts.shape
    np.testing.assert_array_equal(a._masks, b._masks)
    assert list(a.provenance.items()) == list(b.provenance.items())  # same keys in the same order


def test_cache_dir_env_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "screening"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_dir() == Path.home() / ".cache" / "screening"


def test_parsed_once_then_read_from_the_cache(isolated_cache, tmp_path, monkeypatch):
    calls = _count_parses(monkeypatch)
    src = tmp_path / "snap.csv"
    src.write_text(CSV)
    first = load_snapshot(src)
    assert calls == [str(src.resolve())]
    files = list(isolated_cache.glob("entries-v*.npz"))
    assert files == [cache_path(sha256_of(src), "snap.csv")]
    assert not list(isolated_cache.glob(".*tmp"))  # no temporary file left behind
    sources._load_snapshot_cached.cache_clear()  # a new process
    second = load_snapshot(src)
    assert len(calls) == 1  # not parsed again
    _assert_same_table(first, second)
    assert second.provenance["path"] == str(src.resolve())
    assert second.ids[:2] == ("snap:row1", "snap:row2")
    assert second.energy_per_atom[3] == -1.75 and second.composition(3) == {"Li": 1.0, "Co": 1.0, "O": 2.0}


def test_a_copy_elsewhere_shares_the_cache_with_its_own_path(isolated_cache, tmp_path, monkeypatch):
    calls = _count_parses(monkeypatch)
    a = tmp_path / "a" / "snap.csv"
    b = tmp_path / "b" / "snap.csv"
    for p in (a, b):
        p.parent.mkdir()
        p.write_text(CSV)
    load_snapshot(a)
    tb = load_snapshot(b)
    assert len(calls) == 1
    assert tb.provenance["path"] == str(b.resolve())


def test_changed_content_or_name_is_parsed_again(isolated_cache, tmp_path, monkeypatch):
    calls = _count_parses(monkeypatch)
    src = tmp_path / "snap.csv"
    src.write_text(CSV)
    load_snapshot(src)
    src.write_text(CSV.replace("-1.75", "-1.80"))
    os.utime(src, ns=(1, 1))  # different mtime: a new in-process key as well
    t = load_snapshot(src)
    assert len(calls) == 2 and t.energy_per_atom[3] == -1.80
    other = tmp_path / "other.csv"  # same bytes, other name: its ids differ (other:rowN)
    shutil.copy(src, other)
    assert load_snapshot(other).ids[0] == "other:row1" and len(calls) == 3
    assert len(list(isolated_cache.glob("entries-v*.npz"))) == 3


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other_key"])
def test_corrupt_cache_is_rebuilt(isolated_cache, tmp_path, monkeypatch, damage):
    calls = _count_parses(monkeypatch)
    src = tmp_path / "snap.csv"
    src.write_text(CSV)
    good = load_snapshot(src)
    path = cache_path(sha256_of(src), "snap.csv")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 64 + data[64:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a valid file of another source under this name
        other = tmp_path / "x.csv"
        other.write_text("formula,target\nLiF,-3.0\n")
        cache.write_table(path, load_snapshot(other), "not-this-key")
    sources._load_snapshot_cached.cache_clear()
    again = load_snapshot(src)
    assert len(calls) == 2 + (damage == "other_key")
    _assert_same_table(good, again)
    sources._load_snapshot_cached.cache_clear()
    load_snapshot(src)  # the rebuilt file is good again
    assert len(calls) == 2 + (damage == "other_key")


def test_unwritable_cache_folder_still_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))  # mkdir fails: NotADirectoryError (OSError)
    sources._load_snapshot_cached.cache_clear()
    src = tmp_path / "snap.csv"
    src.write_text(CSV)
    assert load_snapshot(src).energy_per_atom[0] == -2.07
    sources._load_snapshot_cached.cache_clear()


def test_source_errors_are_not_cached(isolated_cache, tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("formula,target\nLi2O,abc\n")
    with pytest.raises(sources.SourceError, match="line 2: energy 'abc' is not a number"):
        load_snapshot(src)
    assert not isolated_cache.exists() or not list(isolated_cache.iterdir())


def test_cached_table_returns_what_build_returns_then_the_stored_copy(isolated_cache, tmp_path):
    src = tmp_path / "s.csv"
    src.write_text(CSV)
    built = sources._parse_snapshot(src, sha256_of(src))
    first = cached_table("ab" * 32, "s.csv", lambda: built)
    assert first is built
    second = cached_table("ab" * 32, "s.csv", lambda: pytest.fail("must not rebuild"))
    _assert_same_table(built, second)


@pytest.mark.snapshot
def test_packaged_snapshot_round_trips_through_the_cache(isolated_cache, snapshot_path):
    """All 132,752 rows of mp2019: the cached table equals the parsed one, entry for entry."""
    sha = sha256_of(snapshot_path)
    built = sources._parse_snapshot(snapshot_path, sha)
    path = cache.write_table(isolated_cache / "t.npz", built, "k")
    back = cache.read_table(path, "k")
    _assert_same_table(built, back)
