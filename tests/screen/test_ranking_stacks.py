"""Ranking semantics on real stacks, computed on the packaged Materials Project snapshot."""

from __future__ import annotations

import pandas as pd
import pytest

from screening.screen.slots import energy_column

SCREEN = {
    "source": "mp2019",
    "cathodes": [{"name": "LiCoO2", "formula": "LiCoO2", "voltage": [3.0, 4.3], "charged": "Li0.5CoO2"}],
    "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
    "electrolytes": [
        {"name": "Li3PS4", "formula": "Li3PS4"},
        {"name": "LLZO", "formula": "Li7La3Zr2O12"},
        {"name": "Li3N", "formula": "Li3N"},
    ],
    "coatings": {"formulas": ["Al2O3", "LiNbO3", "Li3N", "Li3PO4"]},
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
    assert rows[energy_column("electrode_closed", True)].iloc[0] == pytest.approx(closed, abs=1e-6)
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
def test_named_coatings_are_answered_in_full(rankings, engine) -> None:
    """xiao2019 (default): LiNbO3's window (1.74-3.76 V) no longer hides it; it is ranked, its closed
    reaction with Li3PS4 is the paper's number on this data, and it fails on reactivity."""
    nb = rankings.loc[("LiCoO2 | Li3PS4", "LiNbO3")]
    closed = engine.react("LiNbO3", "Li3PS4").min_energy_mutual
    assert closed == pytest.approx(-0.1457, abs=1e-3)  # Xiao 2019: -0.164 eV/atom
    assert nb[energy_column("electrolyte_closed")] == pytest.approx(closed, abs=1e-6)
    assert nb["tier_reaction_electrolyte"] == "fail" and nb["stage"] == "fails" and nb["rank"] >= 1
    assert nb["tier_oxidation_limit"] == "marginal"  # 3.76 V: needs kinetic stabilisation
    assert "reaction_electrolyte 0.146 > 0.1 eV/atom (fail)" in nb["fail_reasons"]
    li3po4 = rankings.loc[("LiCoO2 | Li3PS4", "Li3PO4")]
    assert li3po4["stage"] == "passed" and li3po4["rank"] == 1
    # Li-free Al2O3 is marginal on Li content (Xiao 2019 screened Li-containing compounds), not hidden
    al = rankings.loc[("LiCoO2 | Li3PS4", "Al2O3")]
    assert al["li_free"] and al["tier_li_content"] == "marginal" and al["rank"] > li3po4["rank"]
    # LiCoO2 | Li3PS4: rank 1 passes every gate, and the verdict says which pass
    assert li3po4["stack_note"].startswith("1 of 4 ranked coatings pass every xiao2019 gate: Li3PO4")
