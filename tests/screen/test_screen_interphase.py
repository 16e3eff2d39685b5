"""Interphase classes in the screen's tables: baseline rows (electrolyte | electrode without coating), every
kink of the reactions table, the windows table, and the typed ``electronic:`` config."""

from __future__ import annotations

import pandas as pd
import pytest

from screening.interphase import MIXED, PASSIVATING, ElectronicTableError
from screening.plan import ScreenConfig, baseline_interfaces
from screening.screen.config import ConfigError
from screening.screen.electronic import electronic_model
from screening.screen.interfaces import compute
from screening.screen.windows import compute_windows

pytestmark = pytest.mark.snapshot


def _config(**electronic) -> ScreenConfig:
    return ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "LCO", "formula": "LiCoO2", "voltage": [4.3, 4.3]}],
            "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
            "electrolytes": [{"name": "LGPS", "formula": "Li10GeP2S12"}, {"name": "LPS", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["LiNbO3"]},
            "chunk_size": 2,
            "hull_reference": True,
            "source": "mp2019",
            "electronic": electronic,
        }
    )


def test_baseline_rows_carry_classes_with_evidence(engine, tmp_path):
    table = tmp_path / "gaps.csv"
    table.write_text("formula,band_gap,is_metal\nLi2S,3.37,false\nLi3P,0.70,false\nCoS2,0,true\n")
    cfg = _config(table=str(table))
    summary, kinks = compute(engine, list(baseline_interfaces(cfg)), True, electronic_model(cfg))
    by = {(r.a_name, r.b_name, r.voltage if r.voltage == r.voltage else None): r for r in summary.itertuples()}
    lgps_li = by[("LGPS", "Li", None)]
    assert (lgps_li.interphase, lgps_li.interphase_b) == (MIXED, MIXED)  # next to Li metal: Li15Ge4
    assert lgps_li.conducting_products == "Li15Ge4" and "Li15Ge4 conducting (rule" in lgps_li.interphase_evidence
    lps_li = by[("LPS", "Li", None)]
    assert (lps_li.interphase_b, lps_li.interphase_min) == (PASSIVATING, PASSIVATING)  # Li2S + Li3P, gaps from table
    assert lps_li.interphase == "unknown"  # next to Li3PS4 the first product is elemental P (no gap)
    lps_lco = by[("LPS", "LCO", 4.3)]
    assert lps_lco.interphase_min == MIXED and "CoS2" in lps_lco.conducting_products.split(";")
    assert "CoS2 conducting (table: gaps.csv row 3" in lps_lco.interphase_evidence
    # every kink of the reactions table has a class; the reacting ones of LGPS | Li name the Li-Ge alloys
    assert kinks["interphase"].notna().all()
    lgps = kinks[kinks["interface"] == lgps_li.interface]
    assert set(lgps.loc[lgps["interphase"] == MIXED, "conducting_products"]) == {"LiGe", "Li9Ge4", "Li15Ge4"}


def test_windows_table_has_gap_and_classes(engine, tmp_path):
    table = tmp_path / "gaps.csv"
    table.write_text("formula,band_gap\nLiNbO3,3.4\n")
    cfg = _config(table=str(table))
    cands = pd.DataFrame({"coating": ["LiNbO3"], "formula": ["LiNbO3"], "origin": ["explicit"],
                          "config_key": ["coatings.formulas[0]"]})
    w = compute_windows(engine, cfg, cands, electronic_model(cfg)).set_index(["role", "name"])
    assert w.loc[("coating", "LiNbO3"), "band_gap"] == 3.4
    assert w.loc[("coating", "LiNbO3"), "gap_evidence"] == "table: gaps.csv row 1: band gap 3.40 eV"
    assert w.loc[("electrolyte", "LGPS"), "conducting"] == "unknown"
    assert w.loc[("electrolyte", "LGPS"), "reduction_interphase"] == "unknown"  # Li2S, Li4GeS4, P at 1.72 V


def test_electronic_config_is_typed_and_checked(tmp_path):
    cfg = _config(gap_threshold=0.3, coating_min_gap=None)
    assert cfg.electronic.gap_threshold == 0.3 and cfg.electronic.coating_min_gap is None
    assert _config().electronic.coating_min_gap == 0.5
    with pytest.raises(ConfigError, match="electronic.weight"):
        _config(weight=-1)
    bad = tmp_path / "bad.csv"
    bad.write_text("formula,band_gap\nLi2S,-3\n")
    with pytest.raises(ElectronicTableError, match="row 1") as exc:
        electronic_model(_config(table=str(bad)))
    assert "\n" not in str(exc.value)
