"""Typed entry sources (issue 21): one class per source behind :class:`EntrySource`, made by
:func:`entry_source`; and the experimental source's parsed-table cache (issue 26)."""

from __future__ import annotations

import numpy as np
import pytest

from screening.entries import EntrySource, entry_source, load_source, sources
from screening.entries.cache import CACHE_ENV
from screening.entries.mp import MPOptions
from screening.errors import InputError


def test_factory_makes_one_class_per_source(tmp_path):
    assert type(entry_source(None)) is sources.Mp2019Source
    assert type(entry_source("mp2019")) is sources.Mp2019Source
    assert type(entry_source("experimental")) is sources.ExperimentalSource
    path = tmp_path / "x.csv"
    src = entry_source(path)  # nothing is read until load()
    assert type(src) is sources.FileSource and src.spec == str(path)
    mp = entry_source("mp", {"thermo_type": "R2SCAN", "cache_dir": tmp_path, "offline": True})
    assert type(mp) is sources.MPSource and mp.per_system and mp.has_band_gaps
    assert mp.options == MPOptions(thermo_type="R2SCAN", cache_dir=tmp_path, offline=True)
    assert entry_source(mp) is mp
    assert not any(entry_source(s).per_system or entry_source(s).has_band_gaps for s in ("mp2019", "experimental"))
    assert {s.spec for s in map(entry_source, ("mp2019", "experimental", "mp"))} == {"mp2019", "experimental", "mp"}
    assert all(issubclass(c, EntrySource) for c in sources.SOURCES.values())


def test_file_source_loads_like_load_source(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("formula,target\nLi2O,-2.07\nCoO,-1.3\n")
    a = entry_source(str(path)).load(["Li", "O"])
    b = load_source(str(path))
    assert a.ids == b.ids and np.array_equal(a.energy_per_atom, b.energy_per_atom)
    assert entry_source(str(path)).load_systems([("Li", "O"), ("Co", "O")]).ids == a.ids


def test_mp_options_build_and_reject_unknown_names(tmp_path):
    base = MPOptions.build(None, thermo_type="R2SCAN", retries=1)
    assert (base.thermo_type, base.retries, base.backoff) == ("R2SCAN", 1, 2.0)
    assert MPOptions.build(base, thermo_type=None, cache_dir=None) is base  # None leaves them as they are
    assert MPOptions.build({"offline": True}).offline
    assert "api_key" not in repr(MPOptions(api_key="k" * 32))
    with pytest.raises(TypeError, match="retires"):
        MPOptions.build(None, retires=2)
    with pytest.raises(InputError, match="--retries -1 is out of range"):
        MPOptions(retries=-1).policy()
    assert MPOptions.from_config({"thermo_type": "R2SCAN", "cache_dir": "c", "other": 1}).cache_dir == "c"


def test_mp_source_needs_elements(tmp_path):
    with pytest.raises(InputError, match="needs the chemical system"):
        entry_source("mp", {"cache_dir": tmp_path, "offline": True}).load(None)


@pytest.fixture
def isolated_experimental(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    sources.load_experimental.cache_clear()
    yield tmp_path / "cache"
    sources.load_experimental.cache_clear()


def test_experimental_table_is_parsed_once_then_read_from_the_cache(isolated_experimental, monkeypatch):
    calls = []
    real = sources._parse_experimental

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sources, "_parse_experimental", spy)
    first = sources.load_experimental()
    assert len(calls) == 1 and len(list(isolated_experimental.glob("entries-*.npz"))) == 1
    sources.load_experimental.cache_clear()  # a new process
    second = sources.load_experimental()
    assert len(calls) == 1  # read from the cache, not parsed again
    assert first.ids == second.ids and first.formulas == second.formulas and first.elements == second.elements
    np.testing.assert_array_equal(first.energy_per_atom, second.energy_per_atom)
    assert (first.amounts != second.amounts).nnz == 0
    assert list(first.provenance.items()) == list(second.provenance.items())
    assert first.provenance["source"] == "experimental" and first.provenance["pymatgen_version"]


def test_experimental_cache_is_keyed_by_pymatgen_version(isolated_experimental, monkeypatch):
    sources.load_experimental()
    monkeypatch.setattr(sources, "dist_version", lambda name: "0.0.0-other")
    sources.load_experimental.cache_clear()
    table = sources.load_experimental()
    assert table.provenance["pymatgen_version"] == "0.0.0-other"
    assert len(list(isolated_experimental.glob("entries-*.npz"))) == 2
