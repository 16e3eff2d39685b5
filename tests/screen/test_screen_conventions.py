"""The conventions in the screen: config ``exclude`` where the entries are built (recorded in provenance),
``li_tolerance`` and notes in the windows table, and ``ranking.reaction_energy: richards2016``."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from screening.plan import ScreenConfig, ScreenPlan
from screening.plan.config import ENERGY_COLUMN, ConfigError, RankingOptions
from screening.screen.entries import build_entries, load_entries
from screening.screen.interfaces import compute
from screening.screen.windows import window_row
from screening.thermo import Engine


def _config(**extra) -> ScreenConfig:
    return ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "LCO", "formula": "LiCoO2", "voltage": [4.3, 4.3]}],
            "electrolytes": [{"name": "LPS", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["Li2S"]},
            "chunk_size": 2,
            "hull_reference": True,
            **extra,
        }
    )


def test_exclude_is_parsed_once_and_checked():
    assert _config(exclude=["LiS4,S8O", "Mg149Cl", "S8O"]).exclude == ("LiS4", "S8O", "Mg149Cl")
    assert _config().exclude == ()
    with pytest.raises(ConfigError, match="config key exclude: empty item"):
        _config(exclude=[""])


def test_exclude_applied_where_entries_are_built_and_recorded(snapshot_path, tmp_path, caplog):
    cfg = _config(exclude=["LiS4", "Xx2O"])
    out, prov = tmp_path / "entries.csv", tmp_path / "prov.json"
    with caplog.at_level("WARNING"):
        record = build_entries(cfg, str(snapshot_path), out, prov)
    assert record["source"]["excluded"] == {
        "requested": ["LiS4", "Xx2O"],
        "dropped": [{"id": "mp_e_form_2019:row48881", "formula": "Li2S8"}],
        "not_found": ["Xx2O"],
    }
    assert json.loads(prov.read_text())["source"]["excluded"]["not_found"] == ["Xx2O"]
    assert sum("'Xx2O' is neither an entry id" in r.getMessage() for r in caplog.records) == 1
    with open(out, newline="") as fh:
        ids = {row["id"] for row in csv.DictReader(fh)}
    assert "mp_e_form_2019:row48881" not in ids and len(ids) == record["n_entries_written"]
    table = load_entries(out, prov, cfg)
    assert table.provenance["excluded"]["requested"] == ["LiS4", "Xx2O"]
    row = window_row(Engine(table), "Li2S")
    assert row["oxidation_limit"] == pytest.approx(2.3411, abs=1e-4)  # 2.1385 with LiS4


def test_windows_note_glass_and_short_plateaus(engine):
    row = window_row(engine, "70Li2S-30P2S5")
    assert "glass/composite notation: takes the crystalline entry" in row["note"]
    row = window_row(engine, "Li0.33La0.56TiO3")
    assert row["oxidation_limit"] == pytest.approx(1.7538, abs=1e-4)
    assert "oxidation limit 1.754 V sits on a plateau exchanging only 0.01 Li" in row["note"]
    row = window_row(engine, "Li0.33La0.56TiO3", li_tolerance=0.01)
    assert row["oxidation_limit"] == pytest.approx(3.7094, abs=1e-4)
    assert _config(li_tolerance=0.01).li_tolerance == 0.01


def test_interfaces_note_glass_notation(engine):
    cfg = ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "LCO", "formula": "LiCoO2", "voltage": [4.3, 4.3]}],
            "electrolytes": [{"name": "LPS glass", "formula": "70Li2S-30P2S5"}],
            "coatings": {"formulas": []},
            "hull_reference": True,
        }
    )
    plan = ScreenPlan.build(cfg, pd.DataFrame(columns=["coating", "formula", "origin", "config_key"]))
    summary, _ = compute(engine, list(plan.baseline), cfg.hull_reference)
    assert list(summary["note"]) == [
        "70Li2S-30P2S5: glass/composite notation takes the crystalline entry of the same composition"
    ] * 2  # open at 4.3 V and closed
    assert list(summary["status"]) == ["ok", "ok"]


def test_richards2016_column_and_ranking_lookup(engine):
    cfg = _config()
    cands = pd.DataFrame({"coating": ["Li2S"], "formula": ["Li2S"], "origin": "explicit",
                          "config_key": ["coatings.formulas[0]"]})
    plan = ScreenPlan.build(cfg, cands)
    summary, kinks = compute(engine, list(plan.interfaces), cfg.hull_reference)
    s = summary.set_index("kind")
    base = s[s["voltage"] == 4.3].loc["electrolyte|cathode"]  # Li3PS4 | LiCoO2 at 4.3 V: the cathode (b) held
    ref = engine.react("Li3PS4", "LiCoO2", voltage=4.3, electrode="b")
    assert base["energy_richards2016"] == pytest.approx(ref.min_energy_electrode, abs=1e-12)
    assert base["energy_richards2016"] == pytest.approx(-1.25558, abs=1e-5)
    assert base["energy"] == pytest.approx(-1.34656, abs=1e-5)
    own = engine.decompose("LiCoO2", voltage=4.3).decomposition_energy
    k = kinks[(kinks["interface"] == base["interface"]) & (kinks["x"] == base["x_at_energy_richards2016"])].iloc[0]
    t = next(q.t for q in ref.kinks if q.x == k["x"])  # LiCoO2's fraction of non-Li atoms there
    assert own < 0
    assert k["energy_richards2016"] - k["energy"] == pytest.approx((1 - t) * -own, abs=1e-10)  # b = LiCoO2
    # an interface without an electrode keeps the total
    ly = s.loc[["coating|electrolyte"]]
    assert (ly["energy_richards2016"] == ly["energy"]).all()
    # the ranking reads the configured column
    assert ENERGY_COLUMN["richards2016"] == "energy_richards2016"
    assert RankingOptions.from_dict({"reaction_energy": "richards2016"}).energy_column == "energy_richards2016"


def test_screen_ranks_on_richards2016_and_records_the_exclusion(tmp_path):
    """A whole (small, offline) screen: the ranking's energies are the interfaces' richards2016 minima and the
    exclusion is in provenance.json."""
    from conftest import SMALL_SCREEN

    from screening.api import run_screen

    config = {
        **SMALL_SCREEN,
        "ranking": {"reaction_energy": "richards2016"},
        "exclude": ["Li3N", "Xx9"],
        "coatings": {"formulas": ["LiNbO3", "Li2O", "LiF"]},
    }
    res = run_screen(config, workdir=tmp_path)
    prov = json.loads((res.root / "provenance.json").read_text())
    excluded = prov["source"]["excluded"]
    assert excluded["requested"] == ["Li3N", "Xx9"] and excluded["not_found"] == ["Xx9"]
    assert [d["formula"] for d in excluded["dropped"]] == ["Li3N"]
    itf = res.interfaces.set_index("interface")
    rk = res.rankings
    assert set(rk["reaction_energy_kind"]) == {"richards2016"}
    assert res.energy_column == "energy_richards2016"
    checked = 0
    for col, icol in (("energy_electrode_open_eV_per_nonLi_atom", "interface_electrode_open"),
                      ("energy_electrolyte_open_eV_per_nonLi_atom", "interface_electrolyte_open")):
        if col not in rk:
            continue
        for e, i in rk[[col, icol]].dropna().itertuples(index=False, name=None):
            assert e == pytest.approx(itf.loc[int(i), "energy_richards2016"], abs=1e-12)
            checked += 1
    assert checked > 0
    opened = itf[(itf["open_to_li"]) & (itf["b_role"] == "cathode") & (itf["status"] == "ok")]
    assert (opened["energy_richards2016"] >= opened["energy"] - 1e-12).all()  # the electrode's own part removed
