"""Issue 26 (S1): a JSON entry file never makes the program import (run) anything it names.

pymatgen's ``ComputedEntry.from_dict`` hands ``data``, ``parameters``, ``energy_adjustments`` (and a
structure's site properties) to monty's decoder, which imports the module of any nested
``{"@module": M, "@class": C}``. Entries are checked against an allow-list of classes first: a file that
names anything else stops with one line naming the file and the class, and nothing is imported. A
normal file (``ComputedEntry.as_dict()`` with energy adjustments, ``mp export`` output) loads as before.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import screening
from screening.cli import main
from screening.entries import entries_to_table, load_snapshot, mp
from screening.errors import SourceError

SRC = Path(screening.__file__).resolve().parents[1]  # the package under test (PYTHONPATH)
REFS = [{"composition": {"Li": 1}, "energy": -1.9}, {"composition": {"O": 2}, "energy": -9.86}]


def _entry(**extra) -> dict:
    return {
        "@module": "pymatgen.entries.computed_entries", "@class": "ComputedEntry", "entry_id": "mp-1960",
        "composition": {"Li": 2, "O": 1}, "energy": -14.3, "correction": 0.0, "energy_adjustments": [],
        "parameters": {}, "data": {},
    } | extra


def _marker_module(tmp_path: Path, name: str) -> Path:
    """A module next to the snapshot that would write a marker file when imported."""
    marker = tmp_path / f"{name}.imported"
    (tmp_path / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').write('imported')\nclass X:\n    pass\n")
    return marker


def test_cli_snapshot_naming_this_is_one_line_and_imports_nothing(tmp_path):
    """The report's case: ``screening window Li2O --source s.json`` printed the Zen of Python."""
    snap = tmp_path / "s.json"
    snap.write_text(json.dumps([_entry(data={"x": {"@module": "this", "@class": "s"}}), *REFS]))
    script = textwrap.dedent(
        f"""
        import sys
        from screening.cli import main
        code = main(["window", "Li2O", "--source", {str(snap)!r}])
        print("IMPORTED_THIS" if "this" in sys.modules else "CLEAN", code)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(SRC), "SCREENING_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert proc.stdout.strip().splitlines()[-1] == "CLEAN 2", (proc.stdout, proc.stderr)
    assert "Beautiful is better than ugly" not in proc.stdout
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert err[0].startswith("error: entry 0 of ") and str(snap) in err[0]
    assert "asks for class 'this.s' (at data/x), which is not allowed" in err[0]


@pytest.mark.parametrize(
    ("where", "make"),
    [
        ("data/x", lambda c: _entry(data={"x": c})),
        ("data/deep/list[1]/y", lambda c: _entry(data={"deep": {"list": [1, {"y": c}]}})),
        ("parameters/run", lambda c: _entry(parameters={"run": c})),
        ("energy_adjustments[0]", lambda c: _entry(energy_adjustments=[c])),
        ("(top level)", lambda c: _entry(**c)),
        ("composition", lambda c: _entry(composition=c | {"Li": 2, "O": 1})),
    ],
)
@pytest.mark.parametrize("layout", ["list.json", "export.json.gz"])
def test_api_snapshot_with_a_foreign_class_raises_before_importing_it(tmp_path, monkeypatch, where, make, layout):
    """A ``.py`` next to the snapshot (and on sys.path, as for a script in that folder) is never imported."""
    name = f"h1_marker_{abs(hash((where, layout))) % 10**8}"
    marker = _marker_module(tmp_path, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    entries = [make({"@module": name, "@class": "X"}), *REFS]
    doc = {"entries": entries, "provenance": {}} if layout.startswith("export") else entries
    snap = tmp_path / layout
    text = json.dumps(doc).encode()
    snap.write_bytes(gzip.compress(text) if layout.endswith(".gz") else text)
    with pytest.raises(SourceError) as info:
        load_snapshot(snap)
    msg = str(info.value)
    assert "\n" not in msg and str(snap) in msg
    assert f"asks for class '{name}.X' (at {where}), which is not allowed" in msg
    assert not marker.exists() and name not in sys.modules


def test_class_without_module_and_module_without_class_are_refused(tmp_path):
    for bad in ({"@class": "Popen"}, {"@module": "subprocess"}):
        with pytest.raises(SourceError, match="which is not allowed"):
            entries_to_table([_entry(data={"x": bad}), *REFS], {"path": str(tmp_path / "s.json")})


def test_structure_site_property_naming_a_module_is_refused(tmp_path, monkeypatch):
    """``Structure.from_dict`` decodes site properties with monty too."""
    from pymatgen.core import Lattice, Structure
    from pymatgen.entries.computed_entries import ComputedStructureEntry

    marker = _marker_module(tmp_path, "h1_marker_site")
    monkeypatch.syspath_prepend(str(tmp_path))
    s = Structure(Lattice.cubic(3.44), ["Li", "Li"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    d = ComputedStructureEntry(s, -3.8, entry_id="mp-10173").as_dict()
    d["structure"]["sites"][1]["properties"] = {"magmom": {"@module": "h1_marker_site", "@class": "X"}}
    with pytest.raises(SourceError, match=r"'h1_marker_site\.X' \(at structure/sites\[1\]/properties/magmom\)"):
        entries_to_table([json.loads(json.dumps(d)), *REFS], {"path": "s.json"})
    assert not marker.exists()


def _normal_entries():
    """Entries as pymatgen writes them: energy adjustments of every kind, data, parameters, a structure."""
    from pymatgen.core import Lattice, Structure
    from pymatgen.entries.computed_entries import (
        CompositionEnergyAdjustment,
        ComputedEntry,
        ComputedStructureEntry,
        ConstantEnergyAdjustment,
        ManualEnergyAdjustment,
        TemperatureEnergyAdjustment,
    )

    li2o = Structure(Lattice.cubic(4.6), ["Li", "Li", "O"], [[0.25] * 3, [0.75] * 3, [0, 0, 0]],
                     site_properties={"magmom": [0.0, 0.0, 0.1]})
    return [
        ComputedEntry("Li", -1.90, entry_id="mp-135", parameters={"run_type": "GGA"}, data={"band_gap": 0.0}),
        ComputedEntry("O2", -9.86, entry_id="mp-12957", energy_adjustments=[
            CompositionEnergyAdjustment(-0.687, 2, name="MP2020 anion correction (oxide)")]),
        ComputedStructureEntry(li2o, -14.0, entry_id="mp-1960", energy_adjustments=[
            ConstantEnergyAdjustment(-0.1), ManualEnergyAdjustment(-0.05),
            CompositionEnergyAdjustment(-0.687, 1, name="MP2020 anion correction (oxide)"),
            TemperatureEnergyAdjustment(-0.001, 300, 3)], data={"oxide_type": "oxide"}),
        ComputedEntry("Li2O2", -19.5, entry_id="mp-841", correction=-0.3),
    ]


def test_normal_snapshot_loads_with_identical_energies(tmp_path, monkeypatch):
    from monty.json import MontyEncoder

    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    objs = _normal_entries()
    snap = tmp_path / "normal.json"
    snap.write_text(json.dumps([e.as_dict() for e in objs], cls=MontyEncoder))
    from_file = load_snapshot(snap)
    from_objects = entries_to_table(objs, {"source": "objects"})
    assert list(from_file.ids) == list(from_objects.ids) == ["mp-135", "mp-12957", "mp-1960", "mp-841"]
    assert list(from_file.energy_per_atom) == list(from_objects.energy_per_atom)  # identical, not approx
    assert from_file.provenance["elemental_references_eV_per_atom"] == {"Li": -1.9, "O": round(-9.86 / 2 - 0.687, 6)}


def test_mp_cache_entry_naming_a_module_is_refused_with_the_refresh_command(tmp_path, monkeypatch, capsys):
    """A Materials Project cache file (checksum made to match) is checked the same way, before decoding."""
    marker = _marker_module(tmp_path, "h1_marker_cache")
    monkeypatch.syspath_prepend(str(tmp_path))
    rows = [_entry(entry_id="mp-135", composition={"Li": 1.0}, energy=-1.9),
            _entry(entry_id="mp-12957", composition={"O": 2.0}, energy=-9.86),
            _entry(data={"x": {"@module": "h1_marker_cache", "@class": "X"}})]
    rec = mp.CachedSystem(Path("x"), "Li-O", "GGA_GGA+U", "2025.01.01", "2026-01-01T00:00:00Z", "http://t/", rows)
    path = mp._write_cache(tmp_path / "cache", rec).path
    for argv in (["decompose", "Li2O", "--source", "mp", "--mp-cache-dir", str(tmp_path / "cache")],
                 ["mp", "export", str(tmp_path / "out.json"), "--cache-dir", str(tmp_path / "cache")]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and len(err.strip().splitlines()) == 1, err
        assert str(path) in err and "asks for class 'h1_marker_cache.X' (at data/x), which is not allowed" in err
        assert "screening mp fetch" in err
    assert not marker.exists() and not (tmp_path / "out.json").exists()


def test_structure_json_file_naming_a_module_is_refused(tmp_path, monkeypatch):
    from pymatgen.core import Lattice, Structure

    from screening.mlip.structures import StructureFileError, read_structure

    marker = _marker_module(tmp_path, "h1_marker_struct")
    monkeypatch.syspath_prepend(str(tmp_path))
    d = Structure(Lattice.cubic(4.0), ["Li", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]]).as_dict()
    d["sites"][0]["properties"] = {"m": {"@module": "h1_marker_struct", "@class": "X"}}
    p = tmp_path / "LiO.json"
    p.write_text(json.dumps(d))
    with pytest.raises(StructureFileError, match=r"'h1_marker_struct\.X' \(at sites\[0\]/properties/m\)") as info:
        read_structure(p)
    assert str(p) in str(info.value) and "\n" not in str(info.value)
    assert not marker.exists()
    del d["sites"][0]["properties"]
    p.write_text(json.dumps(d))
    assert len(read_structure(p).structure) == 2
