"""Entry sources: the packaged CSV snapshot (mp2019), pymatgen's experimental data, ComputedEntry JSON, bad files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

from screening.data import MP2019_FILE
from screening.entries import entries_to_table, load_experimental, load_mp2019, load_snapshot, load_source
from screening.errors import SourceError
from screening.thermo import Engine

N_SNAPSHOT_ROWS = 132_752  # docs/science.md, data sources: matbench mp_e_form v0.1


# ---------------------------------------------------------------------------------------------- snapshot
@pytest.fixture(scope="module")
def snapshot_rows(snapshot_path: Path) -> list[tuple[str, float]]:
    """The snapshot read independently with the standard library."""
    with gzip.open(snapshot_path, "rt", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["formula", "target"]
        return [(f, float(e)) for f, e in reader]


@pytest.mark.snapshot
def test_snapshot_counts(snapshot_table, snapshot_rows):
    t = snapshot_table
    assert len(snapshot_rows) == N_SNAPSHOT_ROWS
    assert t.provenance["n_entries"] == N_SNAPSHOT_ROWS
    # every data row plus one 0 eV/atom reference per element present
    assert len(t) == N_SNAPSHOT_ROWS + len(t.elements)
    assert sum(i.startswith("ref:") for i in t.ids) == len(t.elements) == 84
    assert not t.virtual.any()


@pytest.mark.snapshot
def test_snapshot_rows_are_kept_verbatim_and_in_order(snapshot_table, snapshot_rows):
    t = snapshot_table
    assert list(t.formulas[:N_SNAPSHOT_ROWS]) == [f for f, _ in snapshot_rows]
    np.testing.assert_array_equal(t.energy_per_atom[:N_SNAPSHOT_ROWS], [e for _, e in snapshot_rows])
    assert (t.ids[0], t.formulas[0]) == ("mp_e_form_2019:row1", "C1Pt1")
    assert t.energy_per_atom[0] == 1.9953836506249996
    assert (t.ids[N_SNAPSHOT_ROWS - 1], t.formulas[N_SNAPSHOT_ROWS - 1]) == (
        "mp_e_form_2019:row132752",
        "Ca4F20Ti4",
    )
    assert t.composition(N_SNAPSHOT_ROWS - 1) == {"Ca": 4.0, "Ti": 4.0, "F": 20.0}


@pytest.mark.snapshot
def test_snapshot_provenance(snapshot_table, snapshot_path):
    prov = snapshot_table.provenance
    assert prov["source"] == "snapshot" and prov["format"] == "csv"
    assert prov["energy_column"] == "target"
    assert Path(prov["path"]) == snapshot_path.resolve()
    assert prov["sha256"] == hashlib.sha256(snapshot_path.read_bytes()).hexdigest()


@pytest.mark.snapshot
def test_snapshot_elements_are_at_zero(snapshot_table, engine):
    t = snapshot_table
    for el in t.elements:
        i = t.ids.index(f"ref:{el}")
        assert t.energy_per_atom[i] == 0.0 and t.composition(i) == {el: 1.0}
    # the file's own elemental rows (687 of them) are all >= 0, so each element's hull energy is exactly 0
    elemental = np.flatnonzero(t.amounts[:N_SNAPSHOT_ROWS].getnnz(axis=1) == 1)
    assert len(elemental) == 687
    assert t.energy_per_atom[elemental].min() >= 0.0
    for el in ("Li", "O", "S", "P", "Co", "Ni", "Mn", "La", "Zr", "Nb", "Cl"):
        assert engine.hull_energy(el) == 0.0


@pytest.mark.snapshot
def test_snapshot_keeps_polymorphs_and_uses_the_lowest(snapshot_table, snapshot_rows, engine):
    # Li3PS4 appears twice in the file, as Li12P4S16 (beta and gamma)
    file_energies = sorted(e for f, e in snapshot_rows if f == "Li12P4S16")
    assert file_energies == [-1.265681590736607, -1.2497731666741076]
    t = snapshot_table
    rows = [i for i, f in enumerate(t.formulas) if f == "Li12P4S16"]
    assert sorted(t.energy_per_atom[rows]) == file_energies
    assert {t.name(i) for i in rows} == {"Li3PS4"}
    dec = engine.decompose("Li3PS4")
    assert dec.has_entry and dec.entry_energy == -1.265681590736607
    assert dec.e_above_hull == 0.0
    assert dec.entry_id in {t.ids[i] for i in rows}
    # the higher polymorph is 15.9 meV/atom above the hull
    assert engine.e_above_hull_rows(rows).max() == pytest.approx(-1.2497731666741076 + 1.265681590736607, abs=1e-9)


@pytest.mark.snapshot
def test_load_source_with_a_path_is_the_snapshot(snapshot_path, snapshot_table):
    table = load_source(str(snapshot_path))
    assert load_source(str(snapshot_path)) is table  # cached on (path, size, mtime)
    # the same data as the fixture's table (which other tests' loads may have evicted from the cache)
    assert list(table.ids) == list(snapshot_table.ids)
    assert np.array_equal(table.energy_per_atom, snapshot_table.energy_per_atom)


# ---------------------------------------------------------------------------------------------- experimental
def _pymatgen_exp_records() -> list[dict]:
    import pymatgen.analysis.compatibility as compat

    path = Path(compat.__file__).parent / "exp_compounds.json.gz"
    with gzip.open(path, "rt") as fh:
        return json.load(fh)


def test_experimental_source():
    records = _pymatgen_exp_records()
    t = load_experimental()
    assert len(records) == 2135
    assert t.provenance["source"] == "experimental"
    assert t.provenance["n_entries"] == 2135
    assert len(t) == 2135 + len(t.elements)
    assert list(t.formulas[:2135]) == [r["formula"] for r in records]
    li2o = next(r for r in records if r["formula"] == "Li2O")
    i = t.formulas.index("Li2O")
    # eV per formula unit in the file -> eV/atom in the table
    assert li2o["exp energy"] == pytest.approx(-6.196796827479154)
    assert t.energy_per_atom[i] == pytest.approx(li2o["exp energy"] / 3, rel=1e-14)
    assert t.energy_per_atom[i] == pytest.approx(-2.065598942493051, rel=1e-12)
    assert t.ids[i] == "exp:Li2O(mp-1960)"
    li3n = next(r for r in records if r["formula"] == "Li3N")
    assert t.energy_per_atom[t.formulas.index("Li3N")] == pytest.approx(li3n["exp energy"] / 4, rel=1e-14)


def test_experimental_hull_of_li2o(exp_engine):
    dec = exp_engine.decompose("Li2O")
    assert dec.has_entry and dec.e_above_hull == 0.0
    assert dec.hull_energy == pytest.approx(-6.196796827479154 / 3, rel=1e-12)
    assert [p.formula for p in dec.phases] == ["Li2O"] and dec.phases[0].amount == pytest.approx(1.0)


def test_load_source_default_is_the_packaged_mp2019_snapshot(snapshot_path):
    t = load_source()
    assert t is load_source("mp2019") is load_mp2019()
    assert load_source("experimental") is load_experimental()
    assert snapshot_path == MP2019_FILE and snapshot_path.is_file()
    prov = t.provenance
    assert prov["source"] == "mp2019" and prov["file"] == "screening/data/mp_e_form_2019.csv.gz"
    assert prov["sha256"] == hashlib.sha256(MP2019_FILE.read_bytes()).hexdigest()
    assert prov["n_entries"] == N_SNAPSHOT_ROWS and "path" not in prov  # no machine-specific path
    assert prov["license"].startswith("CC BY 4.0")
    cites = " ".join(prov["citation"])
    assert "APL Mater. 1, 011002 (2013)" in cites and "npj Comput. Mater. 6, 138 (2020)" in cites
    # same rows, ids and energies as the file read as a snapshot path
    s = load_snapshot(snapshot_path)
    assert t.ids == s.ids and t.formulas == s.formulas
    np.testing.assert_array_equal(t.energy_per_atom, s.energy_per_atom)
    assert s.provenance["source"] == "snapshot" and t.provenance is not s.provenance


# ---------------------------------------------------------------------------------------------- CSV variants
def test_csv_with_id_column_and_other_energy_name(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("material_id,formula,e_form\nmp-1,Li2O,-2.0\nmp-2,Li4O4,-1.5\nmp-3,Li2O,-1.9\n")
    t = load_snapshot(p)
    assert t.ids[:3] == ("mp-1", "mp-2", "mp-3")
    assert t.provenance["energy_column"] == "e_form"
    assert Engine(t).decompose("Li2O2").e_above_hull == pytest.approx(-1.5 - (-2.0 * 0.75), abs=1e-12)


def test_gzipped_csv_and_single_unnamed_energy_column(tmp_path):
    p = tmp_path / "snap.csv.gz"
    p.write_bytes(gzip.compress(b"formula,energy_per_atom_ev\nLi2S,-1.5\n\nLiS4,-0.4\n"))
    t = load_snapshot(p)
    assert t.formulas[:2] == ("Li2S", "LiS4")  # blank lines are skipped
    # ids number the file's data lines (line - 1), so they stay stable references into the file
    assert t.ids[:2] == ("snap:row1", "snap:row3")
    np.testing.assert_array_equal(t.energy_per_atom[:2], [-1.5, -0.4])


# ---------------------------------------------------------------------------------------------- bad files
BAD_FILES = [
    ("empty.csv", b"", "is empty"),
    ("blank.csv", b"  \n\n", "is empty"),
    ("header_only.csv", b"formula,target\n", "has a header but no data rows"),
    ("no_formula.csv", b"composition,target\nLi2O,-2.0\n", "has no 'formula' column"),
    ("ambiguous.csv", b"formula,a,b\nLi2O,-2.0,-1.0\n", "cannot tell which column is the formation energy"),
    ("nan_text.csv", b"formula,target\nLi2O,-2.0\nLi2S,abc\n", "line 3: energy 'abc' is not a number"),
    ("short.csv", b"formula,target\nLi2O,-2.0\nLi2S\n", "line 3: expected 2 fields, got 1"),
    ("bad_formula.csv", b"formula,target\nLi2O,-2.0\nXx2O,-1.0\n", "line 3: .*'Xx' is not an element symbol"),
    ("nonfinite.csv", b"formula,target\nLi2O,-2.0\nLi2S,inf\n", "non-finite energy"),
    ("nan.csv", b"formula,target\nLi2O,nan\n", "non-finite energy"),
    ("latin1.csv", "formula,target\nLi2O,-2.0 \u00e9\n".encode("latin-1"), "not UTF-8"),
    ("corrupt.csv.gz", b"\x1f\x8b\x08\x00garbage", "corrupt gzip"),
    ("truncated.csv.gz", gzip.compress(b"formula,target\nLi2O,-2.0\n" * 50)[:40], "corrupt gzip"),
    ("broken.json", b'[{"@module": ', "snapshot JSON .* is malformed"),
    ("empty_list.json", b"[]", "must be a non-empty list of ComputedEntry dicts"),
    ("object.json", b'{"a": 1}', "must be a non-empty list of ComputedEntry dicts"),
    ("not_entries.json", b'[{"foo": 1}]', "entry 0 of .* has no composition or energy; each entry must be"),
    ("sniffed_json.dat", b"[]", "must be a non-empty list"),  # no extension: JSON recognised by content
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_snapshot_files_give_a_one_line_source_error(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(SourceError, match=message) as info:
        load_snapshot(p)
    msg = str(info.value)
    assert "\n" not in msg
    if "non-finite" in message:  # raised while building the table: names the row id and formula
        assert "Li2" in msg and "row" in msg
    else:
        assert str(p) in msg or name in msg


def test_missing_snapshot_file(tmp_path):
    p = tmp_path / "nowhere" / "mp.csv.gz"
    with pytest.raises(SourceError, match="does not exist") as info:
        load_snapshot(p)
    assert str(p) in str(info.value)
    with pytest.raises(SourceError, match="does not exist"):
        load_source(str(p))


def test_snapshot_path_is_a_directory(tmp_path):
    with pytest.raises(SourceError, match="is a directory"):
        load_snapshot(tmp_path)


def test_missing_snapshot_names_the_named_sources_not_a_developer_path(tmp_path):
    """Issue 26: the message named ../shared/data (a developer folder) and left mp2019 unnamed."""
    with pytest.raises(SourceError) as info:
        load_source(str(tmp_path / "foo"))
    msg = str(info.value)
    assert "shared" not in msg and "\n" not in msg
    for named in ("mp2019 (the default, packaged", "experimental (", "mp (Materials Project"):
        assert named in msg, msg


def test_missing_shared_data_says_what_each_file_is(tmp_path, monkeypatch):
    """The skip message of the Materials Project server tests names each file, what it is and its origin."""
    import mp_server

    monkeypatch.setattr(mp_server, "SHARED_DATA", tmp_path)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as info:
        mp_server.require_shared_data()
    msg = str(info.value)
    assert "mp_e_form_2019.csv.gz (matbench's mp_e_form" in msg and "src/screening/data/" in msg
    assert "mp_elemental_refs_2023.json.gz (Materials Project elemental references" in msg


# ---------------------------------------------------------------------------------------------- ComputedEntry JSON
def _computed_entries():
    from pymatgen.core import Lattice, Structure
    from pymatgen.entries.computed_entries import ComputedEntry, ComputedStructureEntry

    li_bcc = Structure(Lattice.cubic(3.44), ["Li", "Li"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    return [
        ComputedEntry("Li", -1.90, entry_id="mp-135"),  # -1.90 eV/atom
        ComputedEntry("Li2", -3.80, correction=-0.02, entry_id="mp-1018134"),  # -1.91: the Li reference
        ComputedStructureEntry(li_bcc, -3.80, entry_id="mp-10173"),  # -1.90, a structure entry
        ComputedEntry("O2", -9.86, entry_id="mp-12957"),  # -4.93: the O reference
        ComputedEntry("Li2O", -14.0, correction=-0.7, entry_id="mp-1960"),  # corrected -14.7
        ComputedEntry("Li4O4", -38.0, entry_id="mp-841"),
        ComputedEntry("CoO", -15.0, entry_id="mp-22408"),  # no Co reference in the list: dropped
    ]


#: Formation energies by hand: E_f = (E - sum n_el mu_el) / N with mu_Li = -1.91, mu_O = -4.93 eV/atom.
EXPECTED_E_FORM = {
    "mp-135": -1.90 + 1.91,
    "mp-1018134": 0.0,
    "mp-10173": -1.90 + 1.91,
    "mp-12957": 0.0,
    "mp-1960": (-14.7 - 2 * -1.91 - -4.93) / 3,  # -1.98333
    "mp-841": (-38.0 - 4 * -1.91 - 4 * -4.93) / 8,  # -1.33
}


def _check_entry_table(t):
    assert dict(zip(t.ids, t.energy_per_atom, strict=True)) == pytest.approx(EXPECTED_E_FORM, abs=1e-12)
    assert t.provenance["elemental_references_eV_per_atom"] == {"Li": -1.91, "O": -4.93}
    assert t.provenance["dropped_no_reference"] == ["Co"]
    assert t.provenance["n_entries"] == 6
    eng = Engine(t)
    # Li2O is the only compound below the Li-O tie line; LiO is 0.1575 eV/atom above Li2O + O2
    assert eng.hull_energy("Li2O") == pytest.approx(-5.95 / 3, abs=1e-12)
    assert eng.decompose("Li2O2").e_above_hull == pytest.approx(-1.33 + 0.75 * 5.95 / 3, abs=1e-12)


def test_entries_to_table_from_objects():
    _check_entry_table(entries_to_table(_computed_entries(), {"source": "test"}))


@pytest.mark.parametrize("layout", ["list.json", "list.json.gz", "export.json"])
def test_computed_entry_json_snapshot(tmp_path, layout):
    from monty.json import MontyEncoder

    dicts = [e.as_dict() for e in _computed_entries()]
    doc = {"entries": dicts, "provenance": {"database_version": "test"}} if layout == "export.json" else dicts
    text = json.dumps(doc, cls=MontyEncoder)
    p = tmp_path / layout
    p.write_bytes(gzip.compress(text.encode()) if layout.endswith(".gz") else text.encode())
    t = load_snapshot(p)
    _check_entry_table(t)
    assert t.provenance["format"] == "json"
    if layout == "export.json":
        assert t.provenance["upstream"] == {"database_version": "test"}


def test_computed_entry_json_round_trip_is_parsed_as_json_not_csv(tmp_path):
    from monty.json import MontyEncoder

    p = tmp_path / "entries"  # no extension
    p.write_text(json.dumps([e.as_dict() for e in _computed_entries()], cls=MontyEncoder))
    assert load_snapshot(p).provenance["format"] == "json"


def test_csv_reader_rejects_text_that_is_not_csv(tmp_path):
    p = tmp_path / "notes.csv"
    p.write_text(io.StringIO("just some text\nwithout a header\n").getvalue())
    with pytest.raises(SourceError, match="no 'formula' column"):
        load_snapshot(p)
