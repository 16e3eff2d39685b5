"""Ranking of coatings: Pareto front, weighted score, window margin and one stack on hand-made data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.errors import InputError
from screening.plan import ScreenPlan
from screening.screen.config import ConfigError, Material, ScreenConfig
from screening.screen.funnel import cheap_stages, run_plan, survivors
from screening.screen.ranking import (
    RANK_RULE,
    dominates,
    objective_scores,
    pareto_ranks,
    rank_all,
    weighted_score,
    window_margin,
)
from screening.screen.slots import energy_column

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
            "coatings": {
                "formulas": ["LiNbO3", "Al2O3", "LiF", {"name": "ZZ", "formula": "Tc2O7"}, "LiCl", "Li3PO4"]
            },
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
        _window("Li3PO4", 0.0, 0.7, 4.2),
    ]
)
#: mutual energies of each coating's interfaces in the cathode stack, in the plan's slot order: the cathode
#: open at 3.0 and 4.3 V, closed, the charged cathode (closed), SE open at 3.0 and 4.3 V, SE closed
ENERGIES = {
    "LiNbO3": (0.0, -0.01, -0.005, -0.02, -0.03, -0.06, -0.146),
    "Al2O3": (0.0, -0.04, 0.0, 0.0, -0.01, -0.02, 0.0),
    "LiF": (0.0, 0.0, 0.0, 0.0, 0.0, -0.15, 0.0),
    "LiCl": (0.0, -0.04, 0.0, 0.0, -0.01, -0.02, -0.01),
    "Li3PO4": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}


def _candidates(cfg: ScreenConfig, origin: str = "explicit") -> pd.DataFrame:
    names = [m.name for m in cfg.coatings]
    return pd.DataFrame(
        {
            "coating": names,
            "formula": [m.formula for m in cfg.coatings],
            "origin": origin,
            "config_key": [m.key for m in cfg.coatings],
        }
    )


def _interfaces(plan: ScreenPlan, energies: dict | None = None) -> pd.DataFrame:
    """Made-up results of every planned interface of the cathode stack (total energy = mutual - 0.5)."""
    energies = energies or ENERGIES
    stack = plan.stacks[0]
    rows = []
    for c in plan.coatings:
        el_ids, ly_ids = plan.stack_ids(stack, c)
        for i, e in zip(el_ids + ly_ids, energies.get(c.name, (math.nan,) * 7), strict=True):
            if i is None:
                continue
            bad = c.name == "ZZ"
            rows.append((i, "skipped" if bad else "ok", e - 0.5, e, "element(s) Tc have no entries" if bad else ""))
    for i in plan.baseline_ids(stack):
        v = plan.interfaces[i].voltage
        rows.append((i, "ok", -1.0, -0.7 if v == 4.3 else -0.4, ""))
    return pd.DataFrame(rows, columns=["interface", "status", "energy", "energy_mutual", "note"])


def _rank(
    cfg: ScreenConfig, funnel: bool = False, origin: str = "explicit", energies: dict | None = None
) -> tuple[ScreenPlan, pd.DataFrame]:
    cands = _candidates(cfg, origin)
    plan0 = ScreenPlan.build(cfg, cands)
    stages = cheap_stages(plan0.stacks, plan0.coatings, WINDOWS, cfg.criteria, funnel)
    plan = ScreenPlan.build(cfg, cands, keep=survivors(stages))
    df = rank_all(plan, stages, WINDOWS, _interfaces(plan, energies))
    return plan, df[df["stack"] == "CAT | SE"].set_index("coating")


def test_rank_hand_made_stack_under_xiao2019() -> None:
    plan, df = _rank(_config())
    assert (df["criteria"] == "xiao2019").all()

    # every number behind the rank is there, open [eV per non-Li atom] and closed [eV/atom] apart
    nb = df.loc["LiNbO3"]
    assert nb[energy_column("electrode_open")] == pytest.approx(-0.01)
    assert nb[energy_column("electrode_closed")] == pytest.approx(-0.005)
    assert nb[energy_column("charged_closed")] == pytest.approx(-0.02)
    assert nb[energy_column("electrolyte_closed")] == pytest.approx(-0.146)
    charged = plan.interfaces[nb["interface_charged_closed"]]
    assert (charged.kind, charged.a.name, charged.b.formula, charged.voltage) == (
        "coating|cathode_charged", "LiNbO3", "Li0.5CoO2", None,
    )
    closed = plan.interfaces[nb["interface_electrolyte_closed"]]
    assert (closed.kind, closed.b.name, closed.voltage) == ("coating|electrolyte", "SE", None)
    assert plan.interfaces[nb["interface_electrode_open"]].voltage == 4.3
    assert nb[energy_column("electrode_open", True)] == pytest.approx(-0.7)
    base = plan.interfaces[nb["baseline_interface_electrode_open"]]
    assert (base.kind, base.a.name, base.b.name, base.voltage) == ("electrolyte|cathode", "SE", "CAT", 4.3)
    assert nb["window_margin"] == pytest.approx(0.3)  # min(3.0 - 1.5, 4.6 - 4.3)

    # a value and a tier per gate; LiNbO3 fails on reactivity with the electrolyte (closed, Xiao 2019)
    assert nb["gate_reaction_electrolyte"] == pytest.approx(0.146) and nb["tier_reaction_electrolyte"] == "fail"
    assert nb["tier_oxidation_limit"] == "pass" and nb["tier_polyanion"] == "marginal"
    assert nb["stage"] == "fails" and nb["n_failed"] == 1 and nb["worst_tier"] == "fail"
    assert "reaction_electrolyte 0.146 > 0.1 eV/atom (fail)" in nb["fail_reasons"]
    # shortfall: (0.146 - 0.1) / 0.1 for the reaction, 1 for the polyanion preference
    assert nb["shortfall"] == pytest.approx(0.46 + 1.0)

    # Li3PO4 passes every gate: rank 1, and the stack's verdict says so
    assert df.loc["Li3PO4", "stage"] == "passed" and df.loc["Li3PO4", "rank"] == 1
    # marginal ones next, fewer shortfall first: LiCl (polyanion) before Li-free Al2O3 (polyanion, Li content)
    assert df.loc["LiCl", "stage"] == "marginal" and df.loc["LiCl", "rank"] == 2
    al = df.loc["Al2O3"]
    assert al["stage"] == "marginal" and al["rank"] == 3 and al["li_free"] and al["tier_li_content"] == "marginal"
    assert al["window_margin"] == pytest.approx(1.8) and pd.isna(al["gate_oxidation_limit"])  # no Li: no limit
    # named coatings that fail are ranked after those that do not: LiNbO3 (1.46) before LiF (e_above_hull)
    lif = df.loc["LiF"]
    assert lif["tier_e_above_hull"] == "fail" and lif["stage"] == "fails"
    assert lif["shortfall"] == pytest.approx((0.04 - 0.005) / 0.025 + 1.0)
    assert nb["rank"] == 4 and lif["rank"] == 5

    zz = df.loc["ZZ"]
    assert zz["status"] == "skipped" and zz["stage"] == "skipped" and pd.isna(zz["rank"]) and "Tc" in zz["note"]
    assert (df["rank_rule"] == RANK_RULE).all() and RANK_RULE.startswith("criteria gates, then score")
    # the uncoated stack reacts beyond the electrode's gates: a coating is needed
    assert df["coating_needed"].all()
    assert (df["stack_note"] == "1 of 5 ranked coatings pass every xiao2019 gate: Li3PO4").all()


def test_no_coating_passes_says_so_with_the_closest() -> None:
    cfg = _config(coatings={"formulas": ["LiNbO3", "LiCl", "LiF"]})
    _, df = _rank(cfg)
    assert not df["passes"].any() and df["rank"].notna().all()
    note = df["stack_note"].iloc[0]
    assert note == (
        "no coating passes every xiao2019 gate: closest LiCl, marginal on polyanion: not a polyanion oxide (marginal)"
    )
    assert (df["stack_note"] == note).all()


def test_custom_criteria_are_the_config_thresholds() -> None:
    """criteria: custom judges the open energies at the electrode's potentials against `thresholds`."""
    _, df = _rank(_config(criteria="custom"))
    nb = df.loc["LiNbO3"]
    assert nb["tier_reaction_electrolyte_open"] == "fail"  # 0.06 > 0.05 eV per non-Li atom at 4.3 V
    assert nb["tier_reaction_electrode_open"] == "pass" and nb["tier_reaction_charged"] == "pass"
    assert "reaction_electrolyte_open 0.060 > 0.05 eV per non-Li atom (fail)" in nb["fail_reasons"]
    # Li-free Al2O3 fails (thresholds.li_conduction), LiF fails e_above_hull; LiCl passes
    assert df.loc["Al2O3", "tier_li_content"] == "fail" and df.loc["LiF", "tier_e_above_hull"] == "fail"
    assert df.loc["LiCl", "stage"] == "passed"
    _, off = _rank(_config(criteria="custom", thresholds={"li_conduction": False}))
    al, cl = off.loc["Al2O3"], off.loc["LiCl"]
    assert al["stage"] == "passed" and "gate_li_content" not in off.columns
    # Al2O3 and LiCl: the same numbers but LiCl's closed -0.01 with SE; equal tiers, the score decides
    assert al["rank"] < cl["rank"] or al["score"] == cl["score"]


def test_overrides_and_bad_presets_are_one_line() -> None:
    _, df = _rank(_config(criteria={"preset": "xiao2019", "gates": {"polyanion": {"enabled": False}}}))
    assert "tier_polyanion" not in df.columns and df.loc["LiCl", "stage"] == "passed"
    with pytest.raises(ConfigError, match="unknown criteria preset 'xiao'; choose one of xiao2019"):
        _config(criteria="xiao")
    with pytest.raises(ConfigError, match="preset nolan2021 has no such gate; its gates are reaction_electrolyte"):
        _config(criteria={"preset": "nolan2021", "gates": {"band_gap": {"pass": 1.0}}})
    with pytest.raises(ConfigError, match="marginal = 0.01 must be >= pass = 0.1"):
        _config(criteria={"preset": "xiao2019", "gates": {"reaction_electrolyte": {"marginal": 0.01}}})


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    who=st.sampled_from(["LiNbO3", "Al2O3", "LiF", "LiCl", "Li3PO4"]),
    slot=st.integers(0, 6),
    delta=st.floats(0.001, 0.5),
    preset=st.sampled_from(["xiao2019", "nolan2021", "kim2026", "custom"]),
)
def test_reacting_more_never_moves_a_candidate_up(who, slot, delta, preset) -> None:
    cfg = _config(criteria=preset)
    _, before = _rank(cfg)
    energies = {k: list(v) for k, v in ENERGIES.items()}
    energies[who][slot] -= delta
    _, after = _rank(cfg, energies=energies)
    assert after.loc[who, "rank"] >= before.loc[who, "rank"]
    assert after.loc[who, "shortfall"] >= before.loc[who, "shortfall"] - 1e-9


def test_funnel_screens_only_database_candidates() -> None:
    cfg = _config()
    plan_q, query = _rank(cfg, funnel=True, origin="query")
    plan_e, exhaustive = _rank(cfg, funnel=False, origin="query")
    assert any(i.a.name == "LiF" for i in plan_e.interfaces)
    # LiF (e_above_hull 0.04 > 0.025 eV/atom: fail) is a cheap failure: not computed, not ranked
    assert not any(i.a.name == "LiF" for i in plan_q.interfaces)
    assert query.loc["LiF", "stage"] == "screened" and pd.isna(query.loc["LiF", "rank"])
    assert query.loc["LiF", "screened_by"] == "e_above_hull"
    assert "database candidate stopped by the cheap gates: e_above_hull" in query.loc["LiF", "fail_reasons"]
    # the others rank the same in both modes
    others = ["LiNbO3", "Al2O3", "LiCl", "Li3PO4"]
    pd.testing.assert_series_equal(query.loc[others, "rank"], exhaustive.loc[others, "rank"])
    # exhaustively (funnel: false), every candidate is computed and ranked (no NA rank but the skipped one)
    assert exhaustive.drop(index="ZZ")["rank"].notna().all() and exhaustive.loc["LiF", "stage"] == "fails"
    # named coatings are never screened out: LiF is computed and ranked with the funnel on
    plan_n, named = _rank(cfg, funnel=True, origin="explicit")
    assert any(i.a.name == "LiF" for i in plan_n.interfaces) and named.loc["LiF", "rank"] == 5


def test_window_gate_per_stack_plans_interfaces_only_where_it_passes() -> None:
    """custom: LiCl (window 0.0-4.3 V here) fails the window of a 3.0-4.5 V cathode but passes a 0.6 V anode."""
    cfg = ScreenConfig.from_dict(
        {
            "cathodes": [{"name": "HV", "formula": "LiCoO2", "voltage": [3.0, 4.5]}],
            "anodes": [{"name": "LiIn", "formula": "LiIn", "potential": 0.62}],
            "electrolytes": [{"name": "SE", "formula": "Li3PS4"}],
            "coatings": {"formulas": ["LiCl"]},
            "criteria": "custom",
        }
    )
    cands = _candidates(cfg, "query")
    wins = pd.DataFrame([_window("LiCl", 0.0, 0.0, 4.3)])
    plan0 = ScreenPlan.build(cfg, cands)
    stages = cheap_stages(plan0.stacks, plan0.coatings, wins, cfg.criteria)
    assert stages["cheap_stage"].tolist() == ["screened", ""]
    assert stages["screened_by"].tolist() == ["window", ""]
    plan = ScreenPlan.build(cfg, cands, keep=survivors(stages))
    mine = [(i.kind, i.b.name, i.voltage) for i in plan.interfaces if i.a.name == "LiCl"]
    assert mine == [
        ("coating|anode", "LiIn", 0.62), ("coating|anode", "LiIn", None),
        ("coating|electrolyte", "SE", 0.62), ("coating|electrolyte", "SE", None),
    ]


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
    stages = cheap_stages(plan.stacks, plan.coatings, wins, cfg.criteria)
    got = {
        (plan.stacks[s].name, plan.coatings[c].name): (st_, ex)
        for s, c, st_, ex in stages[["stack", "candidate", "cheap_stage", "excluded_as"]].itertuples(index=False)
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


def test_a_stage_that_removes_every_candidate_warns_and_keeps_its_rows(tmp_path, caplog) -> None:
    cfg = _config(criteria="custom", thresholds={"window_margin": 3.0})  # no window reaches 3 V beyond
    cands = tmp_path / "candidates.csv"
    _candidates(cfg, "query").to_csv(cands, index=False)
    wins = tmp_path / "windows.parquet"
    WINDOWS.to_parquet(wins)
    with caplog.at_level("WARNING"):
        plan = run_plan(cands, wins, cfg.raw, tmp_path / "plan.parquet", tmp_path / "funnel.parquet")
    assert "stack CAT | SE: no candidate passes the cheap gates" in caplog.text
    assert not plan.chunks  # nothing to compute but the baseline
    stages = pd.read_parquet(tmp_path / "funnel.parquet")
    df = rank_all(plan, stages, WINDOWS, _interfaces(plan))
    cat = df[df["stack"] == "CAT | SE"]
    assert len(cat) == len(cfg.coatings)  # every candidate keeps its row, with its stage
    assert set(cat["stage"]) == {"screened", "skipped"}
    assert cat["rank"].isna().all()
    assert cat["stack_note"].str.contains("no candidate reaches the reaction energies under custom").all()


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
