"""Ranking of coatings: Pareto front, weighted score, window margin and one stack on hand-made data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from screening.errors import InputError
from screening.plan import ScreenPlan
from screening.screen.config import ConfigError, Material, ScreenConfig
from screening.screen.ranking import (
    dominates,
    objective_scores,
    pareto_ranks,
    rank_stack,
    weighted_score,
    window_margin,
)

# ---------------------------------------------------------------------------------------------- Pareto


def test_dominates() -> None:
    assert dominates([1, 2], [1, 1])
    assert not dominates([1, 1], [1, 1])  # equal: nobody dominates
    assert not dominates([2, 0], [1, 1])  # trade-off
    assert dominates([0, 0, 0], [-1, 0, -5])


def test_pareto_front_and_layers() -> None:
    # maximise both: A=(3,1) B=(1,3) are the front, C=(2,2) too (trade-off with both),
    # D=(1,1) is dominated by all three, E=(0,0) by D as well
    values = np.array([[3, 1], [1, 3], [2, 2], [1, 1], [0, 0]], dtype=float)
    assert pareto_ranks(values).tolist() == [1, 1, 1, 2, 3]


def test_pareto_ties_share_a_rank() -> None:
    values = np.array([[1, 1], [1, 1], [0, 1]], dtype=float)
    assert pareto_ranks(values).tolist() == [1, 1, 2]


def test_pareto_single_objective_is_a_sort() -> None:
    values = np.array([[0.3], [0.1], [0.2], [0.3]])
    assert pareto_ranks(values).tolist() == [1, 3, 2, 1]


def test_pareto_four_objectives_of_the_ranking() -> None:
    # (-|E_electrode|, -|E_electrolyte|, window margin, -e_above_hull)
    values = np.array(
        [
            [0.00, -0.05, 0.5, 0.000],  # stable, narrow window
            [-0.02, -0.01, 1.5, 0.000],  # slight reaction, wide window: trade-off -> front
            [-0.02, -0.05, 0.5, -0.010],  # worse than the first in every respect
            [0.00, -0.05, 0.5, -0.020],  # worse than the first on e_above_hull only
        ]
    )
    assert pareto_ranks(values).tolist() == [1, 1, 2, 2]


def test_pareto_rejects_bad_input() -> None:
    with pytest.raises(InputError):
        pareto_ranks(np.array([1.0, 2.0]))
    with pytest.raises(InputError):
        pareto_ranks(np.array([[1.0, np.nan]]))


def test_pareto_empty() -> None:
    assert pareto_ranks(np.zeros((0, 4))).tolist() == []


# ---------------------------------------------------------------------------------------------- score
SCALES = {"reaction_energy": 0.1, "window": 1.0, "e_above_hull": 0.05}


def test_objective_scores_hand_computed() -> None:
    parts = objective_scores(
        energy_electrode=np.array([0.0, -0.05, -0.3]),
        energy_electrolyte=np.array([-0.02, 0.0, -0.1]),
        window_margin=np.array([2.0, 0.25, -0.4]),
        e_above_hull=np.array([0.0, 0.01, 0.2]),
        scales=SCALES,
    )
    np.testing.assert_allclose(parts["electrode"], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(parts["electrolyte"], [0.8, 1.0, 0.0])
    np.testing.assert_allclose(parts["window"], [1.0, 0.25, 0.0])
    np.testing.assert_allclose(parts["e_above_hull"], [1.0, 0.8, 0.0])


def test_weighted_score_is_the_weighted_mean() -> None:
    parts = {
        "electrode": np.array([1.0, 0.5]),
        "electrolyte": np.array([0.8, 1.0]),
        "window": np.array([1.0, 0.25]),
        "e_above_hull": np.array([1.0, 0.8]),
    }
    w = {"electrode": 1.0, "electrolyte": 1.0, "window": 0.5, "e_above_hull": 0.5}
    expected = [(1.0 + 0.8 + 0.5 * 1.0 + 0.5 * 1.0) / 3.0, (0.5 + 1.0 + 0.5 * 0.25 + 0.5 * 0.8) / 3.0]
    np.testing.assert_allclose(weighted_score(parts, w), expected)
    # a zero weight drops the objective; one objective alone is that objective
    np.testing.assert_allclose(weighted_score(parts, {"window": 2.0}), parts["window"])


def test_weighted_score_rejects_bad_weights() -> None:
    parts = {k: np.array([1.0]) for k in ("electrode", "electrolyte", "window", "e_above_hull")}
    with pytest.raises(InputError):
        weighted_score(parts, {"electrode": 0.0})
    with pytest.raises(InputError):
        weighted_score(parts, {"electrode": -1.0, "window": 1.0})


def test_window_margin() -> None:
    # window [1.2, 4.5] V around a cathode at [3.0, 4.3] V: tighter side is the top, 0.2 V
    assert window_margin(1.2, 4.5, 3.0, 4.3, cap=5.0) == pytest.approx(0.2)
    # does not reach 4.3 V: negative
    assert window_margin(1.7, 3.8, 3.0, 4.3, cap=5.0) == pytest.approx(-0.5)
    # unbounded oxidation side (no Li to give up): the reduction side decides
    assert window_margin(1.2, math.nan, 3.0, 4.3, cap=5.0) == pytest.approx(1.8)
    assert window_margin(None, None, 3.0, 4.3, cap=5.0) == 5.0
    # Li metal at 0 V: only a compound stable down to 0 V spans it
    assert window_margin(0.0, 0.45, 0.0, 0.0, cap=5.0) == 0.0


# ---------------------------------------------------------------------------------------------- one stack
def _config() -> ScreenConfig:
    return ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "CAT", "formula": "LiCoO2", "voltage": [3.0, 4.3], "charged": "Li0.5CoO2"}],
            "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
            "electrolytes": [{"name": "SE", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["LiNbO3", "Al2O3", "LiF", {"name": "ZZ", "formula": "Tc2O7"}]},
            "chunk_size": 2,
            "hull_reference": True,
        }
    )


def _hand_made(cfg: ScreenConfig) -> tuple[ScreenPlan, dict, dict]:
    """The plan, windows and interface energies made up for one cathode stack."""
    cands = pd.DataFrame(
        {
            "coating": ["LiNbO3", "Al2O3", "LiF", "ZZ"],
            "formula": ["LiNbO3", "Al2O3", "LiF", "Tc2O7"],
            "origin": "explicit",
            "config_key": [f"coatings.formulas[{i}]" for i in range(4)],
        }
    )
    plan = ScreenPlan.build(cfg, cands)
    windows = {
        ("coating", "LiNbO3"): {
            "status": "ok",
            "note": "",
            "e_above_hull": 0.0,
            "has_entry": True,
            "virtual": False,
            "reduction_limit": 1.5,
            "oxidation_limit": 4.6,
        },
        ("coating", "Al2O3"): {
            "status": "ok",
            "note": "",
            "e_above_hull": 0.0,
            "has_entry": True,
            "virtual": False,
            "reduction_limit": 1.2,
            "oxidation_limit": math.nan,
        },
        ("coating", "LiF"): {
            "status": "ok",
            "note": "",
            "e_above_hull": 0.04,
            "has_entry": True,
            "virtual": False,
            "reduction_limit": 0.0,
            "oxidation_limit": 6.4,
        },
        ("coating", "ZZ"): {
            "status": "skipped",
            "note": "element(s) Tc have no entries",
            "e_above_hull": math.nan,
            "has_entry": pd.NA,
            "virtual": pd.NA,
            "reduction_limit": math.nan,
            "oxidation_limit": math.nan,
        },
    }
    energies = {  # mutual energies per coating: (cathode@3.0, cathode@4.3, charged, SE@3.0, SE@4.3)
        "LiNbO3": (0.0, -0.01, -0.02, -0.03, -0.06),
        "Al2O3": (0.0, -0.04, 0.0, -0.01, -0.02),
        "LiF": (0.0, 0.0, 0.0, 0.0, -0.15),
    }
    itf = {}
    stack = plan.stacks[0]
    for c in plan.coatings:
        el_ids, ly_ids = plan.stack_ids(stack, c)
        if c.name == "ZZ":
            for i in el_ids[:2]:
                itf[i] = ("skipped", math.nan, math.nan, "element(s) Tc have no entries")
            continue
        for i, e in zip(el_ids + ly_ids, energies[c.name], strict=True):
            itf[i] = ("ok", e - 0.5, e, "")  # total energies made different on purpose
    for i in plan.baseline_ids(stack):
        v = plan.interfaces[i].voltage
        itf[i] = ("ok", -1.0, -0.7 if v == 4.3 else -0.4, "")
    return plan, windows, itf


THRESHOLDS = {"e_above_hull": 0.025, "reaction_energy": 0.05, "window_margin": 0.0, "allow_virtual": True}
RANKING = {
    "reaction_energy": "mutual",
    "weights": {"electrode": 1.0, "electrolyte": 1.0, "window": 0.5, "e_above_hull": 0.5},
    "scales": SCALES,
    "window_margin_cap": 5.0,
}


def test_rank_stack_hand_made() -> None:
    plan, windows, itf = _hand_made(_config())
    stack = plan.stacks[0]
    assert stack.name == "CAT | SE"
    df = rank_stack(plan, stack, windows, itf, THRESHOLDS, RANKING).set_index("coating")

    # every number behind the rank is there; the worst electrode interface includes the charged cathode
    nb = df.loc["LiNbO3"]
    assert nb["energy_electrode"] == pytest.approx(-0.02)
    charged = plan.interfaces[nb["interface_electrode"]]
    assert (charged.kind, charged.a.name, charged.b.formula, charged.voltage) == (
        "coating|cathode_charged",
        "LiNbO3",
        "Li0.5CoO2",
        None,
    )
    assert nb["energy_electrolyte"] == pytest.approx(-0.06)
    assert nb["baseline_energy"] == pytest.approx(-0.7)
    base = plan.interfaces[nb["baseline_interface"]]
    assert (base.kind, base.a.name, base.b.name, base.voltage) == ("electrolyte|cathode", "SE", "CAT", 4.3)
    assert nb["worst_interface_energy"] == pytest.approx(-0.06)
    assert nb["improvement"] == pytest.approx(0.64)
    assert nb["window_margin"] == pytest.approx(0.3)  # min(3.0 - 1.5, 4.6 - 4.3)
    assert not nb["passes"] and not nb["pass_electrolyte"] and nb["pass_electrode"] and nb["pass_window"]
    assert "SE 0.060 > 0.050" in nb["fail_reasons"]

    al = df.loc["Al2O3"]
    assert al["passes"] and al["fail_reasons"] == ""
    assert al["window_margin"] == pytest.approx(1.8)  # unbounded oxidation side
    assert al["pareto_rank"] == 1

    lif = df.loc["LiF"]
    assert not lif["pass_e_above_hull"] and not lif["pass_electrolyte"]

    # the skipped coating is listed with its reason and no rank
    zz = df.loc["ZZ"]
    assert zz["status"] == "skipped" and pd.isna(zz["rank"]) and "Tc" in zz["note"]

    # scores by hand: Al2O3 (1-0.4, 1-0.2, 1, 1) -> (0.6 + 0.8 + 0.5 + 0.5) / 3
    assert al["score"] == pytest.approx((0.6 + 0.8 + 0.5 * 1.0 + 0.5 * 1.0) / 3, abs=1e-6)
    # LiNbO3 (1-0.2, 1-0.6, 0.3, 1)
    assert nb["score"] == pytest.approx((0.8 + 0.4 + 0.5 * 0.3 + 0.5 * 1.0) / 3, abs=1e-6)

    # passing coatings rank first, then by score
    ranked = df[df["status"] == "ok"].sort_values("rank")
    assert ranked.index.tolist()[0] == "Al2O3"
    assert ranked["rank"].tolist() == [1, 2, 3]


def test_rank_stack_total_energy_option() -> None:
    plan, windows, itf = _hand_made(_config())
    ranking = dict(RANKING, reaction_energy="total")
    df = rank_stack(plan, plan.stacks[0], windows, itf, THRESHOLDS, ranking).set_index("coating")
    assert df.loc["Al2O3", "energy_electrode"] == pytest.approx(-0.54)
    assert df.loc["Al2O3", "reaction_energy_kind"] == "total"
    assert not df["passes"].fillna(False).any()


# ---------------------------------------------------------------------------------------------- config
def test_config_checks_name_the_key() -> None:
    raw = {
        "cathodes": [{"name": "X", "formula": "LiCoO2", "voltage": [4.3, 3.0]}],
        "electrolytes": [{"name": "SE", "formula": "Li3PS4"}],
    }
    with pytest.raises(ConfigError, match=r"cathodes\[0\]\.voltage"):
        ScreenConfig.from_dict(raw)
    raw["cathodes"][0]["voltage"] = [3.0, 4.3]
    raw["coatings"] = {"user": [{"formula": "Li3BO3"}]}
    with pytest.raises(ConfigError, match=r"coatings\.user\[0\].*formation_energy"):
        ScreenConfig.from_dict(raw)
    raw["coatings"] = {"formulas": ["LiF", {"name": "LiF", "formula": "LiF"}]}
    with pytest.raises(ConfigError, match="unique"):
        ScreenConfig.from_dict(raw)


def test_material_potentials() -> None:
    m = Material("A", "Li", "anode", "anodes[0]", voltage=(0.0, 0.0))
    assert m.potentials == (0.0,)
