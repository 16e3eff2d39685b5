"""The command line of the conventions: --convention, --electrode, --exclude, --li-tolerance, `voltage`."""

from __future__ import annotations

import json

import pytest

from screening.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_decompose_zhu2015(capsys, snapshot_path):
    code, out, err = run(capsys, "decompose", "Li10GeP2S12", "--voltage", "0", "--convention", "zhu2015",
                         "--source", str(snapshot_path))
    assert code == 0, err
    assert "decomposition energy: -1.2524 eV/atom of the compound, Li included" in out
    code, out, _ = run(capsys, "decompose", "Li10GeP2S12", "--voltage", "0", "--source", str(snapshot_path),
                       "--json")
    res = json.loads(out)["result"]
    assert res["convention"] == "hull" and res["decomposition_energy"] == pytest.approx(-2.05596, abs=1e-5)


def test_react_richards2016(capsys, snapshot_path, engine):
    code, out, err = run(capsys, "react", "LiCoO2", "Li3PS4", "--voltage", "4.3", "--convention", "richards2016",
                         "--source", str(snapshot_path))
    assert code == 0, err
    assert "dE_R2016" in out
    assert "reaction energy (richards2016, electrode LiCoO2): -1.2556 eV per non-Li atom at x = 0.4462" in out
    code, out, _ = run(capsys, "react", "Li3PS4", "LiCoO2", "--voltage", "4.3", "--convention", "richards2016",
                       "--electrode", "b", "--source", str(snapshot_path), "--json")
    res = json.loads(out)["result"]
    assert res["reaction_energy"]["convention"] == "richards2016"
    ref = engine.react("LiCoO2", "Li3PS4", voltage=4.3)
    assert res["reaction_energy"]["value"] == pytest.approx(ref.min_energy_electrode, abs=1e-10)
    assert res["electrode"] == "b"


def test_voltage_command(capsys, snapshot_path):
    code, out, err = run(capsys, "voltage", "LiCoO2", "--charged", "CoO2", "--source", str(snapshot_path))
    assert code == 0, err
    assert "average voltage: 3.745 V vs Li/Li+ (hull-referenced; raw entries: 3.745 V)" in out
    assert "4.097    0.000 ->   0.500  CoO2, Li(CoO2)2" in out
    code, out, _ = run(capsys, "voltage", "LiCoO2", "--charged", "Li0.5CoO2", "--source", str(snapshot_path),
                       "--json")
    res = json.loads(out)["result"]
    assert res["delithiated"]["reduced_formula"] == "Li0.5CoO2"  # as chemists write it
    assert res["voltage"] == pytest.approx(3.3923, abs=1e-4)


def test_exclude_recorded_and_missing_item_warned_once(capsys, snapshot_path):
    code, out, err = run(capsys, "window", "Li2S", "--source", str(snapshot_path), "--exclude", "LiS4,Xx2",
                         "--exclude", "Xx2", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["result"]["oxidation_limit"] == pytest.approx(2.3411, abs=1e-4)
    assert doc["provenance"]["source"]["excluded"]["dropped"] == [
        {"id": "mp_e_form_2019:row48881", "formula": "Li2S8"}
    ]
    lines = [s for s in err.splitlines() if s]
    assert len(lines) == 1 and lines[0].startswith("warning: exclude: 'Xx2' is neither an entry id")


def test_exclude_every_entry_of_an_element(capsys, tmp_path):
    src = tmp_path / "small.csv"
    src.write_text("formula,target\nLi2O,-2.07\nNb2O5,-2.0\nLiNbO3,-2.1\nNbO,-1.5\n")
    code, out, err = run(capsys, "window", "LiNbO3", "--source", str(src), "--exclude", "Nb2O5,NbO")
    assert code == 0 and "oxidation limit" in out, err
    code, _, err = run(capsys, "window", "LiNbO3", "--source", str(src), "--exclude", "Nb,LiNbO3,Nb2O5,NbO")
    assert code == 2
    assert err.startswith("error: element(s) Nb of LiNbO3 have no entries") and len(err.splitlines()) == 1


def test_window_short_plateau_warning_and_tolerance(capsys, snapshot_path):
    code, out, err = run(capsys, "window", "Li0.33La0.56TiO3", "--source", str(snapshot_path))
    assert code == 0
    assert "oxidation limit:      1.754 V" in out
    assert "warning: Li0.33La0.56TiO3: oxidation limit 1.754 V sits on a plateau exchanging only 0.01 Li" in err
    code, out, err = run(capsys, "window", "Li0.33La0.56TiO3", "--source", str(snapshot_path),
                         "--li-tolerance", "0.01")
    assert "oxidation limit:      3.709 V" in out and "reduction limit:      1.751 V" in out
    assert "oxidation limit moved from 1.754 V to 3.709 V" in err


def test_glass_notation_flagged(capsys, snapshot_path):
    code, out, _ = run(capsys, "decompose", "70Li2S-30P2S5", "--source", str(snapshot_path))
    assert "[glass/composite notation: takes the crystalline entry of the same composition]" in out
    code, out, _ = run(capsys, "window", "70Li2S-30P2S5", "--source", str(snapshot_path), "--json")
    assert json.loads(out)["result"]["glass_as_crystal"] is True
    code, out, _ = run(capsys, "react", "70Li2S-30P2S5", "Li2O", "--source", str(snapshot_path))
    assert "note: 70Li2S-30P2S5 is in glass/composite notation" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["voltage", "LiCoO2", "--charged", "NiO2"], "error: LiCoO2 and NiO2 are not one host"),
        (["window", "LiNbO3", "--li-tolerance", "-1"], "error: li_tolerance -1.0 must be a finite number"),
        (["window", "LiNbO3", "--exclude", ","], "error: exclude: empty item"),
    ],
)
def test_bad_input(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.startswith(message) and len(err.splitlines()) == 1
