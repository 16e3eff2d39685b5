"""Ranking of coatings: Pareto front, weighted score, window margin and one stack on hand-made data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from screening.errors import InputError
from screening.plan import ScreenPlan
from screening.screen.config import ConfigError, Material, ScreenConfig
from screening.screen.funnel import cheap_stages, run_plan, survivors
from screening.screen.ranking import (
    B_CLOSED,
    B_OPEN,
    E_EL_CLOSED,
    E_EL_OPEN,
    E_LY_OPEN,
    RANK_COLUMNS,
    RANK_RULE,
    dominates,
    objective_scores,
    pareto_ranks,
    rank_all,
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
def _config(**extra) -> ScreenConfig:
    return ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "CAT", "formula": "LiCoO2", "voltage": [3.0, 4.3], "charged": "Li0.5CoO2"}],
            "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
            "electrolytes": [{"name": "SE", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["LiNbO3", "Al2O3", "LiF", {"name": "ZZ", "formula": "Tc2O7"}, "LiCl"]},
            "chunk_size": 2,
            "hull_reference": True,
            "thresholds": {"e_above_hull": 0.025, "reaction_energy": 0.05, **extra.pop("thresholds", {})},
            **extra,
        }
    )


def _window(name, e_hull, red, ox, status="ok", note="") -> dict:
    ok = status == "ok"
    return {
        "role": "coating",
        "name": name,
        "status": status,
        "note": note,
        "e_above_hull": e_hull,
        "has_entry": True if ok else pd.NA,
        "virtual": False if ok else pd.NA,
        "reduction_limit": red,
        "oxidation_limit": ox,
    }


WINDOWS = pd.DataFrame(
    [
        _window("LiNbO3", 0.0, 1.5, 4.6),
        _window("Al2O3", 0.0, 1.2, math.nan),
        _window("LiF", 0.04, 0.0, 6.4),
        _window("ZZ", math.nan, math.nan, math.nan, "skipped", "element(s) Tc have no entries"),
        _window("LiCl", 0.0, 1.2, math.nan),
    ]
)
#: mutual energies of each coating with the cathode at 3.0 V, 4.3 V, charged (closed), SE at 3.0 V, 4.3 V
ENERGIES = {
    "LiNbO3": (0.0, -0.01, -0.02, -0.03, -0.06),
    "Al2O3": (0.0, -0.04, 0.0, -0.01, -0.02),
    "LiF": (0.0, 0.0, 0.0, 0.0, -0.15),
    "LiCl": (0.0, -0.04, 0.0, -0.01, -0.02),  # the same numbers as Al2O3: a tie when Al2O3 may pass
}


def _candidates(cfg: ScreenConfig) -> pd.DataFrame:
    names = [m.name for m in cfg.coatings]
    return pd.DataFrame(
        {
            "coating": names,
            "formula": [m.formula for m in cfg.coatings],
            "origin": "explicit",
            "config_key": [m.key for m in cfg.coatings],
        }
    )


def _interfaces(plan: ScreenPlan) -> pd.DataFrame:
    """Made-up results of every planned interface of the cathode stack (total energy = mutual - 0.5)."""
    stack = plan.stacks[0]
    rows = []
    for c in plan.coatings:
        el_ids, ly_ids = plan.stack_ids(stack, c)
        for i, e in zip(el_ids + ly_ids, ENERGIES.get(c.name, (math.nan,) * 5), strict=True):
            if i is None:
                continue
            bad = c.name == "ZZ"
            rows.append((i, "skipped" if bad else "ok", e - 0.5, e, "element(s) Tc have no entries" if bad else ""))
    for i in plan.baseline_ids(stack):
        rows.append((i, "ok", -1.0, -0.7 if plan.interfaces[i].voltage == 4.3 else -0.4, ""))
    return pd.DataFrame(rows, columns=["interface", "status", "energy", "energy_mutual", "note"])


def _rank(cfg: ScreenConfig, funnel: bool = False) -> tuple[ScreenPlan, pd.DataFrame]:
    cands = _candidates(cfg)
    plan0 = ScreenPlan.build(cfg, cands)
    stages = cheap_stages(plan0.stacks, plan0.coatings, WINDOWS, cfg.thresholds, cfg.ranking.window_margin_cap)
    plan = ScreenPlan.build(cfg, cands, keep=survivors(stages)) if funnel else plan0
    df = rank_all(plan, stages, WINDOWS, _interfaces(plan))
    return plan, df[df["stack"] == "CAT | SE"].set_index("coating")


def test_rank_hand_made_stack() -> None:
    plan, df = _rank(_config())

    # every number behind the rank is there, open [eV per non-Li atom] and closed [eV/atom] apart
    nb = df.loc["LiNbO3"]
    assert nb[E_EL_OPEN] == pytest.approx(-0.01)
    assert nb[E_EL_CLOSED] == pytest.approx(-0.02)
    charged = plan.interfaces[nb["interface_electrode_closed"]]
    assert (charged.kind, charged.a.name, charged.b.formula, charged.voltage) == (
        "coating|cathode_charged",
        "LiNbO3",
        "Li0.5CoO2",
        None,
    )
    assert plan.interfaces[nb["interface_electrode_open"]].voltage == 4.3
    assert nb[E_LY_OPEN] == pytest.approx(-0.06)
    assert nb[B_OPEN] == pytest.approx(-0.7) and nb[B_CLOSED] == pytest.approx(-0.4)
    base = plan.interfaces[nb["baseline_interface_open"]]
    assert (base.kind, base.a.name, base.b.name, base.voltage) == ("electrolyte|cathode", "SE", "CAT", 4.3)
    assert nb["window_margin"] == pytest.approx(0.3)  # min(3.0 - 1.5, 4.6 - 4.3)
    assert nb["stage"] == "reaction" and not nb["passes"] and nb["pass_electrode"] and not nb["pass_electrolyte"]
    assert "SE 0.060 > 0.050 eV per non-Li atom" in nb["fail_reasons"]
    # LiNbO3 (1 - 0.02/0.1, 1 - 0.06/0.1, 0.3, 1): the electrode objective is the worse of open and closed
    assert nb["score"] == pytest.approx((0.8 + 0.4 + 0.5 * 0.3 + 0.5 * 1.0) / 3, abs=1e-6)

    # Li-free Al2O3 leaves at the Li-conduction stage (Xiao 2019), with its numbers
    al = df.loc["Al2O3"]
    assert al["stage"] == "li_conduction" and al["li_free"] and pd.isna(al["rank"])
    assert "Li-free" in al["fail_reasons"]
    assert al["window_margin"] == pytest.approx(1.8)  # unbounded oxidation side

    lif = df.loc["LiF"]
    assert lif["stage"] == "e_above_hull" and not lif["pass_e_above_hull"] and pd.isna(lif["rank"])
    assert "e_above_hull 0.040 > 0.025 eV/atom" in lif["fail_reasons"]

    zz = df.loc["ZZ"]
    assert zz["status"] == "skipped" and zz["stage"] == "skipped" and pd.isna(zz["rank"]) and "Tc" in zz["note"]

    # LiCl passes (same numbers as Al2O3): rank 1, LiNbO3 (fails the electrolyte filter) rank 2
    assert df.loc["LiCl", "stage"] == "passed" and df.loc["LiCl", "rank"] == 1
    assert nb["rank"] == 2
    assert df.loc["LiCl", "pareto_rank"] == 1
    assert (df["rank_rule"] == RANK_RULE).all() and RANK_RULE.startswith("filters, then score, then Pareto")
    # the uncoated stack reacts beyond the thresholds: a coating is needed
    assert df["coating_needed"].all() and (df["stack_note"] == "").all()


def test_li_conduction_off_still_flags_li_free_and_ties_share_a_rank() -> None:
    _, df = _rank(_config(thresholds={"li_conduction": False}))
    al, cl = df.loc["Al2O3"], df.loc["LiCl"]
    assert al["stage"] == "passed" and al["li_free"] and "Li-free: conducts no Li" in al["note"]
    assert not cl["li_free"] and "Li-free" not in cl["note"]
    # Al2O3 and LiCl: equal in filters, score and Pareto rank -> equal rank; the next one is third
    assert al["score"] == cl["score"] == pytest.approx((0.6 + 0.8 + 0.5 + 0.5) / 3, abs=1e-6)
    assert al["rank"] == cl["rank"] == 1
    assert df.loc["LiNbO3", "rank"] == 3


def test_thresholds_per_energy_kind() -> None:
    # closed interfaces (eV/atom) get their own threshold: LiNbO3's charged-cathode -0.02 now fails
    _, df = _rank(_config(thresholds={"reaction_energy_closed": 0.01, "reaction_energy_open": 0.1}))
    nb = df.loc["LiNbO3"]
    assert not nb["pass_electrode"] and nb["pass_electrolyte"] and nb["stage"] == "reaction"
    assert "(closed) 0.020 > 0.010 eV/atom" in nb["fail_reasons"]
    assert df.loc["LiCl", "stage"] == "passed"


def test_total_energy_option() -> None:
    _, df = _rank(_config(ranking={"reaction_energy": "total"}))
    assert df.loc["LiCl", E_EL_OPEN] == pytest.approx(-0.54)
    assert (df["reaction_energy_kind"] == "total").all()
    assert not df["passes"].any()


def test_funnel_and_exhaustive_rank_the_survivors_identically() -> None:
    cfg = _config(thresholds={"li_conduction": False})
    plan_f, funnel = _rank(cfg, funnel=True)
    plan_e, exhaustive = _rank(cfg, funnel=False)
    assert len(plan_f.interfaces) < len(plan_e.interfaces)  # LiF (e_above_hull) was not computed
    assert not any(i.a.name == "LiF" for i in plan_f.interfaces)
    pd.testing.assert_series_equal(funnel["stage"], exhaustive["stage"])
    survivors_ = funnel.index[funnel["stage"].isin(["passed", "reaction"])]
    cols = [c for c in RANK_COLUMNS if c not in ("coating",) and not c.startswith(("interface_", "baseline_interface"))]
    ids = r" \(interface \d+\)"  # interface ids differ between the two plans; the numbers may not
    for df in (funnel, exhaustive):
        df["fail_reasons"] = df["fail_reasons"].str.replace(ids, "", regex=True)
    pd.testing.assert_frame_equal(funnel.loc[survivors_, cols], exhaustive.loc[survivors_, cols])
    # the candidate that left early keeps its row and the number that decided it in both modes
    assert funnel.loc["LiF", "e_above_hull_used"] == exhaustive.loc["LiF", "e_above_hull_used"] == 0.04
    assert math.isnan(funnel.loc["LiF", E_LY_OPEN]) and exhaustive.loc["LiF", E_LY_OPEN] == pytest.approx(-0.15)


def test_window_filter_per_stack_plans_interfaces_only_where_it_passes() -> None:
    """LiCl (window 0.0-4.3 V here) fails the window of a 3.0-4.5 V cathode but passes a 0.6 V anode."""
    cfg = ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "HV", "formula": "LiCoO2", "voltage": [3.0, 4.5]}],
            "anodes": [{"name": "LiIn", "formula": "LiIn", "potential": 0.62}],
            "electrolytes": [{"name": "SE", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["LiCl"]},
        }
    )
    cands = _candidates(cfg)
    wins = pd.DataFrame([_window("LiCl", 0.0, 0.0, 4.3)])
    stages = cheap_stages(
        ScreenPlan.build(cfg, cands).stacks, ScreenPlan.build(cfg, cands).coatings, wins, cfg.thresholds, 5.0
    )
    assert stages["cheap_stage"].tolist() == ["window", ""]
    plan = ScreenPlan.build(cfg, cands, keep=survivors(stages))
    mine = [(i.kind, i.b.name, i.voltage) for i in plan.interfaces if i.a.name == "LiCl"]
    assert mine == [("coating|anode", "LiIn", 0.62), ("coating|electrolyte", "SE", 0.62)]


def test_exclusion_of_the_stack_materials() -> None:
    cfg = ScreenConfig.from_dict(
        {
            "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
            "electrolytes": [{"name": "Li3N", "formula": "Li3N"}, {"name": "glass", "formula": "70Li2S-30P2S5"}],
            "coatings": {"formulas": ["Li3N", "Li7P3S11"]},
        }
    )
    wins = pd.DataFrame([_window("Li3N", 0.0, 0.0, 0.44), _window("Li7P3S11", 0.0, 2.28, 2.31)])
    plan = ScreenPlan.build(cfg, _candidates(cfg))
    stages = cheap_stages(plan.stacks, plan.coatings, wins, cfg.thresholds, 5.0)
    got = {
        (plan.stacks[s].name, plan.coatings[c].name): (st, ex)
        for s, c, st, ex in stages[["stack", "candidate", "cheap_stage", "excluded_as"]].itertuples(index=False)
    }
    assert got[("Li | Li3N", "Li3N")] == ("excluded", "electrolyte Li3N")
    assert got[("Li | glass", "Li7P3S11")] == ("excluded", "electrolyte glass")  # same composition
    assert got[("Li | glass", "Li3N")][0] != "excluded"


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


# ---------------------------------------------------------------------------------------------- bad input
def test_top_n_below_one_is_one_line() -> None:
    for bad in (0, -3):
        with pytest.raises(ConfigError, match=rf"report\.top_n = {bad} must be an integer >= 1"):
            _config(report={"top_n": bad})


def test_a_stage_that_removes_every_candidate_warns_and_keeps_explicit_rows(tmp_path, caplog) -> None:
    cfg = _config(thresholds={"window_margin": 3.0})  # no window reaches 3 V beyond the electrodes
    cands = tmp_path / "candidates.csv"
    _candidates(cfg).to_csv(cands, index=False)
    wins = tmp_path / "windows.parquet"
    WINDOWS.to_parquet(wins)
    with caplog.at_level("WARNING"):
        plan = run_plan(cands, wins, cfg.raw, tmp_path / "plan.parquet", tmp_path / "funnel.parquet")
    assert "stack CAT | SE: no candidate passes the cheap filters" in caplog.text
    assert not plan.chunks  # nothing to compute but the baseline
    stages = pd.read_parquet(tmp_path / "funnel.parquet")
    df = rank_all(plan, stages, WINDOWS, _interfaces(plan))
    cat = df[df["stack"] == "CAT | SE"]
    assert len(cat) == len(cfg.coatings)  # every candidate keeps its row, with its stage
    assert set(cat["stage"]) == {"window", "li_conduction", "e_above_hull", "skipped"}
    assert cat["rank"].isna().all()
    assert cat["stack_note"].str.contains("no candidate passes the cheap filters").all()


def _pareto_brute_force(v: np.ndarray) -> list[int]:
    """Layer by layer with every pair compared (the definition)."""
    n = len(v)
    ranks = [0] * n
    left = set(range(n))
    level = 0
    while left:
        level += 1
        front = [i for i in left if not any(dominates(v[j], v[i]) for j in left if j != i)]
        for i in front:
            ranks[i] = level
        left -= set(front)
    return ranks


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pareto_sort_equals_the_definition_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    v = rng.integers(0, 4, size=(300, 4)).astype(float)  # few distinct values: many ties and duplicates
    assert pareto_ranks(v).tolist() == _pareto_brute_force(v)
    w = rng.normal(size=(200, 4))
    assert pareto_ranks(w).tolist() == _pareto_brute_force(w)
