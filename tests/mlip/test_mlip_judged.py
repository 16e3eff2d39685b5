"""Machine-learned candidates judged against the data's hull, never part of it (issue 25).

The potential is replaced by a stub that returns made-up energies and counts its relaxations, so these
tests run the whole screen (``screening.api.run_screen``) and the command line in seconds, without torch.
Elements get 0 eV/atom from the stub, so a structure's formation energy is exactly the stub's value.
"""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
from conftest import SMALL_SCREEN

from screening import api
from screening.errors import ScreeningError
from screening.mlip import model as model_mod
from screening.mlip.model import EnergyModel, Relaxed
from screening.thermo import Engine

#: Formation energies [eV/atom] the stub gives a compound, by reduced formula.
STUB_ENERGIES: dict[str, float] = {}


class StubModel(EnergyModel):
    """Cheap stand-in for CHGNet: the structure unchanged, a made-up energy, every call counted."""

    name = "chgnet"
    calls: list[str] = []

    @property
    def version(self) -> str:
        return "stub-1"

    def energy(self, structure) -> float:
        return self._e(structure)

    def _e(self, structure) -> float:
        comp = structure.composition
        if len(comp.elements) == 1:
            return 0.0
        return STUB_ENERGIES[comp.reduced_formula] * len(structure)

    def relax(self, structure, settings) -> Relaxed:
        if len(structure.composition.elements) > 1:
            StubModel.calls.append(structure.composition.reduced_formula)
        e = self._e(structure)
        return Relaxed(structure.copy(), e, e / len(structure), 0.0, 1, True)


@pytest.fixture
def stub(monkeypatch, tmp_path):
    monkeypatch.setitem(model_mod.MODELS, "chgnet", StubModel)
    model_mod.get_model.cache_clear()
    monkeypatch.delenv("SCREENING_MLIP_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    StubModel.calls = []
    yield StubModel
    model_mod.get_model.cache_clear()


def linbo3_file(path):
    """A 5-atom LiNbO3 cell (a perovskite-like stand-in: the stub ignores the geometry)."""
    from pymatgen.core import Lattice, Structure

    s = Structure(Lattice.cubic(4.0), ["Li", "Nb", "O", "O", "O"],
                  [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    path.parent.mkdir(parents=True, exist_ok=True)
    s.to(filename=str(path))
    return path


def hull(formula: str) -> float:
    from screening.entries import load_experimental

    return Engine(load_experimental()).hull_energy(formula)


def screen(tmp_path, name, **changes):
    cfg = copy.deepcopy(SMALL_SCREEN)
    cfg["coatings"] = {"formulas": ["LiNbO3", "Li2O", "LiF"], **changes.pop("coatings", {})}
    cfg.update(changes)
    return api.run_screen(cfg, workdir=tmp_path / name)


def test_a_candidate_below_the_hull_changes_no_other_row_and_is_noted(stub, tmp_path) -> None:
    STUB_ENERGIES["LiNbO3"] = hull("LiNbO3") - 0.082  # 82 meV/atom below the data's hull (the finding)
    linbo3_file(tmp_path / "cand" / "LiNbO3_R3c.cif")
    base = screen(tmp_path, "base")
    res = screen(tmp_path, "ml", coatings={"structures": ["cand/*.cif"]})

    win = res.windows.set_index(["role", "name"])
    ref = base.windows.set_index(["role", "name"])
    assert set(win.index) - set(ref.index) == {("coating", "LiNbO3_R3c")}
    pd.testing.assert_frame_equal(win.loc[ref.index], ref)  # every other material's row unchanged
    row = win.loc[("coating", "LiNbO3_R3c")]
    assert row["e_above_hull"] == pytest.approx(-0.082, abs=1e-9)  # signed
    assert row["entry_id"].startswith("mlip:") and "below the data's hull by 82.0 meV/atom" in row["note"]
    assert row["reduction_limit"] == ref.loc[("coating", "LiNbO3"), "reduction_limit"]  # the data hull's window
    rk = res.rankings[res.rankings["coating"] == "LiNbO3_R3c"]
    assert len(rk) and rk["note"].str.contains("below the data's hull by 82.0 meV/atom").all()
    # mlip.join_hull: true keeps the old behaviour: the entry joins the hull and the data's LiNbO3 takes it
    joined = screen(tmp_path, "joined", coatings={"structures": ["cand/*.cif"]}, mlip={"join_hull": True})
    jw = joined.windows.set_index(["role", "name"])
    assert jw.loc[("coating", "LiNbO3"), "entry_id"].startswith("mlip:")
    assert jw.loc[("coating", "LiNbO3_R3c"), "e_above_hull"] == 0.0


def test_react_keeps_the_own_energy_of_a_candidate_below_the_hull(exp_engine) -> None:
    e_hull = exp_engine.hull_energy("LiNbO3")
    below = exp_engine.react("LiNbO3", "LiI", energy_a=e_hull - 0.082)
    same = exp_engine.react("LiNbO3", "LiI")
    assert below.reactant_energies["a_closed_eV_per_atom"] == pytest.approx(e_hull - 0.082)
    assert below.kinks[-1].energy == pytest.approx(0.082)  # x = 1: the data's products lie above it
    assert below.virtual["LiNbO3"]
    above = exp_engine.react("LiNbO3", "LiI", energy_a=e_hull + 0.05)  # hull-referenced: lowered onto it
    assert above.min_energy == same.min_energy
    raw = exp_engine.react("LiNbO3", "LiI", energy_a=e_hull + 0.05, hull_reference=False)
    assert raw.reactant_energies["a_closed_eV_per_atom"] == pytest.approx(e_hull + 0.05)


@pytest.mark.parametrize("precedence", ["user", "mlip"])
def test_a_users_formation_energy_wins_unless_the_config_says_mlip(stub, tmp_path, precedence) -> None:
    h = hull("LiNbO3")  # the experimental data's LiNbO3
    e_ml, e_user = round(h - 0.020, 4), round(h - 0.010, 4)  # both below it
    STUB_ENERGIES["LiNbO3"] = e_ml
    linbo3_file(tmp_path / "cand" / "ml_LiNbO3.cif")
    user_cfg = [{"name": "my_LiNbO3", "formula": "LiNbO3", "formation_energy": e_user}]
    res = screen(tmp_path, precedence, coatings={
        "formulas": ["Li2O"], "structures": ["cand/ml_LiNbO3.cif"], "user": user_cfg}, mlip={"precedence": precedence})
    win = res.windows.set_index(["role", "name"])
    user, ml = win.loc[("coating", "my_LiNbO3")], win.loc[("coating", "ml_LiNbO3")]
    assert f"{e_ml:.4f}" in user["note"] and f"{e_user:.4f}" in user["note"]  # both values show
    assert f"{e_user:.4f}" in ml["note"]
    rk = res.rankings.set_index("coating")["note"]
    if precedence == "user":
        assert user["entry_id"] == "user:my_LiNbO3"
        assert user["e_above_hull"] == 0.0  # the user's entry is the hull at its composition
        assert ml["e_above_hull"] == pytest.approx(e_ml - e_user, abs=1e-6)  # judged against it
        assert "takes precedence" in ml["note"]
        assert "(mlip.precedence: user)" in str(rk.loc["my_LiNbO3"].iloc[0])
    else:
        assert user["entry_id"].startswith("mlip:")
        assert user["e_above_hull"] == pytest.approx(e_ml - h, abs=1e-6)  # the user's entry left the hull
        assert "virtual: user-defined entry" not in str(rk.loc["my_LiNbO3"].iloc[0])
        assert "(mlip.precedence: mlip)" in str(rk.loc["my_LiNbO3"].iloc[0])


def test_run_screen_takes_coatings_structures_as_the_workflow(stub, tmp_path) -> None:
    STUB_ENERGIES["LiNbO3"] = -2.95
    absolute = linbo3_file(tmp_path / "elsewhere" / "abs_LiNbO3.cif")
    linbo3_file(tmp_path / "rel" / "rel_LiNbO3.cif")
    res = screen(tmp_path, "paths", coatings={"structures": ["rel/*.cif", str(absolute)]})
    names = set(res.windows[res.windows["role"] == "coating"]["name"])
    assert {"rel_LiNbO3", "abs_LiNbO3"} <= names
    assert (tmp_path / "paths/results/entries/structures.json").is_file()
    for pattern, match in (("nothing/*.cif", "matches no file"), ("missing.cif", "missing.cif")):
        with pytest.raises(ScreeningError, match=match) as e:
            screen(tmp_path, "bad", coatings={"structures": [pattern]})
        assert "\n" not in str(e.value)


def test_one_cache_for_the_command_line_the_api_and_the_workflow(stub, tmp_path, capsys) -> None:
    from screening.cli import main

    STUB_ENERGIES["LiNbO3"] = -2.95
    linbo3_file(tmp_path / "cand" / "x.cif")
    assert main(["energy", "cand/x.cif", "--source", "experimental"]) == 0
    assert stub.calls == ["LiNbO3"]
    assert (tmp_path / "resources" / "mlip_cache").is_dir()  # the one default folder
    screen(tmp_path, "api", coatings={"structures": ["cand/x.cif"]})
    assert stub.calls == ["LiNbO3"]  # a cache hit: not relaxed again
    prov = json.loads((tmp_path / "api/results/entries/structures.json").read_text())
    assert prov["structures"][0]["formation_energy_per_atom"] == pytest.approx(-2.95)
    assert main(["window", "cand/x.cif", "--source", "experimental", "--cache-dir", "resources/mlip_cache"]) == 0
    assert stub.calls == ["LiNbO3"]
    out = capsys.readouterr().out
    assert "machine-learned, against the data's hull" in out
