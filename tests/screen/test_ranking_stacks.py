"""Ranking semantics on the stacks issue #12 names, computed on the packaged Materials Project snapshot."""

from __future__ import annotations

import pandas as pd
import pytest

from screening.screen.ranking import B_CLOSED, E_EL_CLOSED, E_EL_OPEN, E_LY_OPEN

SCREEN = {
    "source": "mp2019",
    "cathodes": [{"name": "LiCoO2", "formula": "LiCoO2", "voltage": [3.0, 4.3], "charged": "Li0.5CoO2"}],
    "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
    "electrolytes": [
        {"name": "Li3PS4", "formula": "Li3PS4"},
        {"name": "LLZO", "formula": "Li7La3Zr2O12"},
        {"name": "Li3N", "formula": "Li3N"},
    ],
    "coatings": {"formulas": ["Al2O3", "LiNbO3", "Li3N"]},
}


@pytest.fixture(scope="module")
def rankings(tmp_path_factory):
    from screening.api import run_screen

    return run_screen(SCREEN, workdir=tmp_path_factory.mktemp("stacks")).rankings.set_index(["stack", "coating"])


@pytest.mark.slow
def test_li_llzo_needs_no_coating(rankings, engine) -> None:
    rows = rankings.loc["Li | LLZO"]
    closed = engine.react("Li7La3Zr2O12", "Li").min_energy_mutual  # Li metal: closed mixing [eV/atom]
    assert -0.1 < closed < 0  # nearly stable (about -0.01 eV/atom on the 2019 snapshot)
    assert rows[B_CLOSED].iloc[0] == pytest.approx(closed, abs=1e-6)
    assert not rows["coating_needed"].any()
    assert rows["stack_note"].str.startswith("no coating needed").all()
    # a reacting stack needs one
    assert rankings.loc["LiCoO2 | Li3PS4", "coating_needed"].all()


@pytest.mark.slow
def test_electrolyte_is_not_a_coating_of_its_own_stack(rankings) -> None:
    li3n = rankings.loc[("Li | Li3N", "Li3N")]
    assert li3n["stage"] == "excluded" and li3n["excluded_as"] == "electrolyte Li3N" and pd.isna(li3n["rank"])
    assert "same composition as the stack's electrolyte Li3N" in li3n["fail_reasons"]
    # in another stack Li3N is a candidate like any other
    assert rankings.loc[("Li | LLZO", "Li3N"), "stage"] != "excluded"


@pytest.mark.slow
def test_al2o3_is_flagged_li_free(rankings) -> None:
    al = rankings.loc[("LiCoO2 | Li3PS4", "Al2O3")]
    assert al["li_free"] and al["stage"] == "li_conduction" and "Li-free" in al["fail_reasons"]
    nb = rankings.loc[("LiCoO2 | Li3PS4", "LiNbO3")]
    # LiNbO3 conducts Li but its window on the snapshot (1.74-3.76 V) does not reach 4.3 V: it leaves there,
    # with the number that decided it, and its reaction energies with this cathode are never computed
    assert not nb["li_free"] and nb["stage"] == "window"
    assert "window does not span [3.00, 4.30] V (margin -0.542 V)" in nb["fail_reasons"]
    assert pd.isna(nb[E_EL_OPEN]) and pd.isna(nb[E_EL_CLOSED]) and pd.isna(nb[E_LY_OPEN])
    # at the Li anode it survives the cheap filters only if its window reaches 0 V; its stage says which
    li = rankings.loc[("Li | Li3PS4", "LiNbO3")]
    assert li["stage"] == "window" and "window does not span 0.00 V" in li["fail_reasons"]
