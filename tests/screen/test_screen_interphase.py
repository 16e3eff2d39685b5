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
    assert lgps_li.conducting_products == "Li15Ge4" and lgps_li.interphase_evidence == "conducting: Li15Ge4 [rule]"
    lps_li = by[("LPS", "Li", None)]
    assert (lps_li.interphase_b, lps_li.interphase_min) == (PASSIVATING, PASSIVATING)  # Li2S + Li3P, gaps from table
    assert lps_li.interphase == "unknown"  # next to Li3PS4 the first product is elemental P (no gap)
    lps_lco = by[("LPS", "LCO", 4.3)]
    assert lps_lco.interphase_min == MIXED and "CoS2" in lps_lco.conducting_products.split(";")
    assert "CoS2 [table gaps.csv row 3: band gap 0.00 eV, is_metal]" in lps_lco.interphase_evidence
    assert lps_lco.interphase_evidence.count("CoS2") == 1  # named once, though at the minimum and next to LPS
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
    # LGPS has no gap in the table: the closed-shell rule (Li+ Ge4+ P5+ S2-) calls it insulating
    assert w.loc[("electrolyte", "LGPS"), "conducting"] == "insulating"
    assert w.loc[("electrolyte", "LGPS"), "gap_evidence"] == "closed-shell rule: Li+ Ge4+ P5+ S2-"
    # Li2S, Li4GeS4 (closed-shell) and elemental P (no evidence) at 1.72 V
    assert w.loc[("electrolyte", "LGPS"), "reduction_interphase"] == "unknown"
    assert w.loc[("electrolyte", "LGPS"), "window_interphase_evidence"].startswith("reduction: no evidence: P")


def test_electronic_config_is_typed_and_checked(tmp_path):
    cfg = _config(gap_threshold=0.3, coating_min_gap=None)
    assert cfg.electronic.gap_threshold == 0.3 and cfg.electronic.coating_min_gap is None
    assert _config().electronic.coating_min_gap == 0.5
    with pytest.raises(ConfigError, match="electronic.weight"):
        _config(weight=-1)
    # issue 26, F3: a 1e308 tolerance passed every coating, a 1e308 weight zeroed every score
    for key, value, span in [("reaction_tolerance", 1e308, "0 to 1 eV/atom"), ("weight", 1e308, "0 to 100"),
                             ("gap_threshold", 21, "0 to 20 eV"), ("coating_min_gap", 1e308, "0 to 20 eV"),
                             ("reaction_tolerance", -5, "0 to 1 eV/atom")]:
        with pytest.raises(ConfigError, match=f"config key electronic.{key} = .*: give a number from {span}") as e:
            _config(**{key: value})
        assert "\n" not in str(e.value)
    bad = tmp_path / "bad.csv"
    bad.write_text("formula,band_gap\nLi2S,-3\n")
    with pytest.raises(ElectronicTableError, match="row 1") as exc:
        electronic_model(_config(table=str(bad)))
    assert "\n" not in str(exc.value)


# ---------------------------------------------------------------------------------------------- ranking
COATINGS = ("LiNbO3", "LiF", "Li3PO4", "Li2SiO3")


def _rank(engine, electronic: dict):
    from screening.plan import ScreenPlan
    from screening.screen.funnel import cheap_stages
    from screening.screen.ranking import rank_all

    raw = {
        "cathodes": [{"name": "LCO", "formula": "LiCoO2", "voltage": [3.0, 4.3]}],
        "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
        "electrolytes": [{"name": "LPS", "formula": "Li3PS4"}],
        "coatings": {"formulas": list(COATINGS)},
        "chunk_size": 10,
        "hull_reference": True,
        "source": "mp2019",
        # lenient energy filters: only the electronic filters decide who passes
        "thresholds": {"e_above_hull": 1.0, "reaction_energy": 10.0, "window_margin": -100.0},
        "electronic": electronic,
        "criteria": "custom",
    }
    cfg = ScreenConfig.from_dict(raw)
    cands = pd.DataFrame({"coating": list(COATINGS), "formula": list(COATINGS), "origin": "explicit",
                          "config_key": [f"coatings.formulas[{i}]" for i in range(len(COATINGS))]})
    plan = ScreenPlan.build(cfg, cands)
    model = electronic_model(cfg)
    windows = compute_windows(engine, cfg, cands, model)
    stages = cheap_stages(plan.stacks, plan.coatings, windows, cfg.criteria)
    planned = {i.id for i in plan.interfaces}
    extra = [i for i in baseline_interfaces(cfg) if i.id not in planned]  # the plan may hold the baseline already
    summary, _ = compute(engine, [*plan.interfaces, *extra], True, model)
    r = rank_all(plan, stages, windows, summary)
    return {(s, c): row for s, c, row in zip(r["stack"], r["coating"], r.to_dict("records"), strict=True)}


def test_gap_filter_and_mixed_conducting_filter_change_the_ranking(engine, tmp_path):
    table = tmp_path / "gaps.csv"
    # PBE-like gaps; Li2SiO3's 0.3 eV is hypothetical (its real gap is wide) to trigger the filter
    table.write_text("formula,band_gap\nLiNbO3,3.4\nLiF,13.6\nLi3PO4,5.9\nLi2SiO3,0.3\n")
    off = _rank(engine, {"table": str(table), "coating_min_gap": None, "no_mixed_conducting": False})
    on = _rank(engine, {"table": str(table)})
    lco = "LCO | LPS"
    # without the gates Li2SiO3 passes and ranks 2nd of 4 on LiCoO2 | Li3PS4; its 0.3 eV gap (< 0.5 eV) sends it last
    assert off[(lco, "Li2SiO3")]["rank"] == 2 and bool(off[(lco, "Li2SiO3")]["passes"])
    assert on[(lco, "Li2SiO3")]["rank"] == 4 and not bool(on[(lco, "Li2SiO3")]["passes"])
    assert on[(lco, "Li2SiO3")]["stage"] == "fails" and on[(lco, "Li2SiO3")]["tier_band_gap"] == "fail"
    assert on[(lco, "Li2SiO3")]["fail_reasons"] == "band_gap 0.300 < 0.5 eV (fail)"
    assert on[(lco, "Li3PO4")]["rank"] < on[(lco, "Li2SiO3")]["rank"]
    assert on[(lco, "LiNbO3")]["coating_band_gap"] == 3.4
    assert "gaps.csv row 1" in on[(lco, "LiNbO3")]["coating_gap_evidence"]
    # against Li metal LiNbO3 is reduced to Nb metal: a mixed-conducting interphase fails the filter, and the
    # interphase objective (0 for mixed-conducting) lowers its score
    li = "Li | LPS"
    row = on[(li, "LiNbO3")]
    assert row["interphase"] == "mixed-conducting" and not bool(row["pass_interphase"])
    assert row["tier_interphase"] == "fail" and "interphase: mixed-conducting interphase (fail)" in row["fail_reasons"]
    assert "conducting: Nb [rule]" in row["interphase_evidence"]
    assert bool(off[(li, "LiNbO3")]["passes"]) and not bool(row["passes"])
    assert row["s_interphase"] == 0.0
    # the baseline rows carry the class too: Li | Li3PS4 without coating
    assert row["baseline_interphase"] == "unknown" and "interface" in row["baseline_interphase_evidence"]
    # weight 0 leaves the score of the other objectives alone; weight 1 mixes in s_interphase (0 here)
    flat = _rank(engine, {"table": str(table), "weight": 0})
    assert flat[(li, "LiNbO3")]["score"] == pytest.approx(row["score"] * 4 / 3, abs=1e-6)  # weights sum to 3


def test_schema_mirrors_the_electronic_bounds():
    """workflow/schemas/config.schema.yaml holds the bounds of ELECTRONIC_BOUNDS (issue 26, F3)."""
    from pathlib import Path

    import yaml

    from screening.interphase.tables import ELECTRONIC_BOUNDS

    schema = yaml.safe_load((Path(__file__).resolve().parents[2] / "workflow/schemas/config.schema.yaml").read_text())
    props = schema["properties"]["electronic"]["properties"]
    for key, (lo, hi, _unit) in ELECTRONIC_BOUNDS.items():
        assert (props[key]["minimum"], props[key]["maximum"]) == (lo, hi), key
