"""The typed plan: which interfaces a screen computes, their ids and chunks, and that close potentials stay apart."""

from __future__ import annotations

import pandas as pd
import pytest

from screening.plan import ScreenConfig, ScreenPlan, baseline_interfaces
from screening.screen.interfaces import compute


def _config() -> ScreenConfig:
    return ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "CAT", "formula": "LiCoO2", "voltage": [3.0, 4.3], "charged": "Li0.5CoO2"}],
            "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
            "electrolytes": [{"name": "SE", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["LiNbO3", "Al2O3", "LiF", "Li3PO4"]},
            "chunk_size": 2,
            "hull_reference": True,
        }
    )


def _candidates(*formulas: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "coating": list(formulas),
            "formula": list(formulas),
            "origin": "explicit",
            "config_key": [f"coatings.formulas[{i}]" for i in range(len(formulas))],
        }
    )


def test_plan_covers_every_interface() -> None:
    cfg = _config()
    cands = _candidates("LiNbO3", "Al2O3", "LiF", "Li3PO4")
    plan = ScreenPlan.build(cfg, cands)
    mine = [(i.kind, i.b.name, i.b.formula, i.voltage) for i in plan.interfaces if i.a.name == "LiNbO3"]
    assert mine == [
        ("coating|cathode", "CAT", "LiCoO2", 3.0),
        ("coating|cathode", "CAT", "LiCoO2", 4.3),
        ("coating|cathode", "CAT", "LiCoO2", None),  # the discharged cathode, closed (Xiao 2019)
        ("coating|cathode_charged", "CAT", "Li0.5CoO2", None),
        ("coating|anode", "Li", "Li", None),  # Li metal: closed mixing
        ("coating|electrolyte", "SE", "Li3PS4", 0.0),  # electrolyte at every electrode potential
        ("coating|electrolyte", "SE", "Li3PS4", 3.0),
        ("coating|electrolyte", "SE", "Li3PS4", 4.3),
        ("coating|electrolyte", "SE", "Li3PS4", None),  # and closed (Xiao 2019)
    ]
    base = [(i.id, i.kind, i.a.name, i.b.name, i.voltage) for i in baseline_interfaces(cfg)]
    assert base == [
        (0, "electrolyte|cathode", "SE", "CAT", 3.0),
        (1, "electrolyte|cathode", "SE", "CAT", 4.3),
        (2, "electrolyte|cathode", "SE", "CAT", None),
        (3, "electrolyte|cathode_charged", "SE", "CAT", None),
        (4, "electrolyte|anode", "SE", "Li", None),
    ]
    # ids are positions; the baseline comes first and the plan file gives the same plan back
    assert [i.id for i in plan.interfaces] == list(range(5 + 4 * 9))
    back = ScreenPlan.from_frame(cfg, cands, plan.frame())
    assert back.interfaces == plan.interfaces and back.chunks == plan.chunks
    # chunk_size 2: two coatings per chunk
    assert [plan.chunks[i.id] for i in plan.interfaces[5::9]] == [0, 0, 1, 1]


def test_plan_keeps_potentials_closer_than_a_millivolt_apart() -> None:
    """Issue #11: two cathodes at 1.6001 V and 1.6004 V are four interfaces per electrolyte, not two."""
    cfg = ScreenConfig.from_dict(
        {
            "cathodes": [
                {"name": "A", "formula": "LiTiS2", "voltage": [1.6001, 1.6004]},
                {"name": "B", "formula": "LiTiS2", "voltage": [1.6, 1.6004]},
            ],
            "electrolytes": [{"name": "SE", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["LiNbO3"]},
            "chunk_size": 8,
            "hull_reference": True,
        }
    )
    plan = ScreenPlan.build(cfg, _candidates("LiNbO3"))
    ly = sorted(i.voltage for i in plan.interfaces if i.kind == "coating|electrolyte" and i.voltage is not None)
    assert ly == [1.6, 1.6001, 1.6004]  # 1.6004 V is shared by both cathodes: computed once
    a, b = plan.stacks
    assert [plan.interfaces[i].voltage for i in plan.stack_ids(a, plan.coatings[0])[1]] == [1.6001, 1.6004, None]
    assert [plan.interfaces[i].voltage for i in plan.stack_ids(b, plan.coatings[0])[1]] == [1.6, 1.6004, None]
    assert len({i.key for i in plan.interfaces}) == len(plan.interfaces)


@pytest.mark.snapshot
def test_close_potentials_keep_their_rows_and_kinks(engine) -> None:
    """Issue #11: interfaces at 1.6001 V and 1.6004 V each keep their summary row and their own kinks."""
    cfg = ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "TiS2", "formula": "LiTiS2", "voltage": [1.6001, 1.6004]}],
            "electrolytes": [{"name": "SE", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["LiNbO3"]},
            "chunk_size": 8,
            "hull_reference": True,
        }
    )
    plan = ScreenPlan.build(cfg, _candidates("LiNbO3"))
    summary, kinks = compute(engine, list(plan.interfaces))
    assert summary["interface"].tolist() == [i.id for i in plan.interfaces]
    open_v = sorted(v for v in summary["voltage"].tolist() if v == v)
    assert open_v == [1.6001, 1.6001, 1.6001, 1.6004, 1.6004, 1.6004]
    for itf in plan.interfaces:
        p = engine.react(itf.a.formula, itf.b.formula, voltage=itf.voltage)
        row = summary.set_index("interface").loc[itf.id]
        assert row["energy_mutual"] == pytest.approx(p.min_energy_mutual, abs=1e-9)
        mine = kinks[kinks["interface"] == itf.id].sort_values("x")
        assert mine["x"].tolist() == pytest.approx(sorted(k.x for k in p.kinks), abs=1e-9)
        assert mine["energy"].tolist() == pytest.approx([k.energy for k in sorted(p.kinks, key=lambda k: k.x)])
    assert len(kinks) == sum(
        len(engine.react(i.a.formula, i.b.formula, voltage=i.voltage).kinks) for i in plan.interfaces
    )


def test_query_that_matches_nothing_is_one_line(exp_engine) -> None:
    from screening.plan import ConfigError
    from screening.screen.candidates import select_candidates

    cfg = ScreenConfig.from_dict(
        {
            "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
            "electrolytes": [{"name": "SE", "formula": "LiI"}],
            "coatings": {"query": {"enabled": True, "require_elements": ["Li", "Xe"], "e_above_hull_max": 0.0}},
        }
    )
    with pytest.raises(ConfigError, match=r"coatings\.query matches no composition of the source .* loosen"):
        select_candidates(exp_engine, cfg)
