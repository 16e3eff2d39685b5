"""--model-reference: the candidate against the data's competing phases relaxed by the same model."""

from __future__ import annotations

import json

import pytest
from pymatgen.core import Lattice, Structure
from pymatgen.entries.computed_entries import ComputedStructureEntry
from review_structures import build, require_mlip

from screening.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.mlip]


def _source(tmp_path):
    """A JSON snapshot with structures whose Li2O sits at E_f = -2.20 eV/atom (132 meV/atom below the model)."""
    li = Structure(Lattice.cubic(3.44), ["Li", "Li"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    o2 = Structure(Lattice.cubic(12.0), ["O", "O"], [[6, 6, 5.4], [6, 6, 6.6]], coords_are_cartesian=True)
    li2o = build("Li2O")
    mu = {"Li": -1.909, "O": -4.948}
    e_li2o = 3 * (-2.20 + (2 * mu["Li"] + mu["O"]) / 3)
    entries = [
        ComputedStructureEntry(li, 2 * mu["Li"], entry_id="mp-135"),
        ComputedStructureEntry(o2, 2 * mu["O"], entry_id="mp-12957"),
        ComputedStructureEntry(li2o, e_li2o, entry_id="mp-1960"),
    ]
    path = tmp_path / "li_o.json"
    path.write_text(json.dumps({"entries": [e.as_dict() for e in entries]}))
    return path


def test_model_reference_removes_the_scale_offset(tmp_path, capsys):
    require_mlip()
    src = _source(tmp_path)
    cand = build("Li2O")
    cand.scale_lattice(cand.volume * 1.03)  # another starting point, the same minimum
    cand.to(filename=str(tmp_path / "cand.cif"))
    code = main(["energy", str(tmp_path / "cand.cif"), "--source", str(src), "--model-reference", "--json",
                 "--cache-dir", str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    assert code == 0, err
    res = json.loads(out)["result"][0]
    assert res["distance_to_hull"] == pytest.approx(0.1325, abs=0.005)  # model E_f -2.0675 vs data -2.20
    ms = res["model_scale"]
    assert [p["entry_id"] for p in ms["phases"]] == ["mp-1960"] and ms["phases"][0]["atomic_fraction"] == 1.0
    assert abs(ms["distance_to_hull"]) < 0.002  # the same structure relaxed by the same model
    assert ms["phases"][0]["model_formation_energy"] == pytest.approx(-2.0675, abs=0.005)


def test_model_reference_needs_structures(tmp_path, capsys):
    require_mlip()
    csv = tmp_path / "li_o.csv"
    csv.write_text("formula,target\nLi2O,-2.07\n")
    build("Li2O").to(filename=str(tmp_path / "cand.cif"))
    code = main(["energy", str(tmp_path / "cand.cif"), "--source", str(csv), "--model-reference",
                 "--cache-dir", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert code == 2 and "--model-reference needs the structures of the competing phases" in err
    assert err.count("\n") == 1
