"""The criteria applied to a screen's rows: every gate's value and tier, the order, the stack verdicts.

One row per (stack, candidate) with its window columns, slot energies
(:mod:`screening.screen.slots`) and interphase columns. :func:`gate_table` gives each gate's value
(``gate_<name>``, in the gate's unit) and tier (``tier_<name>``), the worst tier, the failed and
marginal gates and the summed shortfall; :func:`rank_keys` the order (:mod:`screening.criteria.evaluate`);
:func:`stack_verdicts` one line per stack saying which coatings pass, or which comes closest and why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from screening.criteria import TIER_LEVEL, Criteria
from screening.criteria.evaluate import applies_to, cheap_values, describe_shortfall, gate_tiers, tier_level
from screening.screen.slots import energy_column

#: Reaction quantities -> the slot whose energy they judge (as a magnitude).
QUANTITY_SLOT = {
    "reaction_electrolyte_closed": "electrolyte_closed",
    "reaction_electrolyte_open": "electrolyte_open",
    "reaction_electrode_closed": "electrode_closed",
    "reaction_electrode_open": "electrode_open",
    "reaction_charged_closed": "charged_closed",
}
#: Columns the gating adds (besides ``gate_<name>`` and ``tier_<name>`` of each gate).
GATE_SUMMARY_COLUMNS = ["worst_tier", "n_failed", "n_marginal", "shortfall", "failed_gates", "marginal_gates"]
WORST_NAMES = {0: "pass", 1: "marginal", 2: "fail"}


def gate_values(df: pd.DataFrame, criteria: Criteria, windows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each gate's quantity per row (NaN: unknown), and where the stack has the gate's partner."""
    values = cheap_values(
        windows,
        df["coating_formula"].tolist(),
        df["potential_low"].to_numpy(dtype=float),
        df["potential_high"].to_numpy(dtype=float),
        df["li_free"].to_numpy(dtype=bool),
    )
    for q, slot in QUANTITY_SLOT.items():
        values[q] = np.abs(df[energy_column(slot)].to_numpy(dtype=float))
    ip = df["pass_interphase"].to_numpy(dtype=object)
    values["interphase"] = np.array([np.nan if v is None or v is pd.NA else float(bool(v)) for v in ip])
    return values


def gate_table(
    df: pd.DataFrame, criteria: Criteria, windows: dict[str, np.ndarray], slots_present: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every gate's value and tier per row, with the summary columns.

    Args:
        df: The ranking rows (``coating_formula``, ``potential_low/high``, ``li_free``, ``electrode_role``,
            slot energies, ``pass_interphase``).
        criteria: The gates.
        windows: The rows' window columns (:func:`screening.screen.funnel.coating_window_columns` order).
        slots_present: Per row, a boolean column per slot: the stack has that partner.

    Returns:
        (table of ``gate_<name>``, ``tier_<name>`` and :data:`GATE_SUMMARY_COLUMNS`; values; shortfalls).
    """
    values = gate_values(df, criteria, windows)
    roles = np.where(df["electrode_role"].to_numpy(dtype=object) == "anode", "anode", "cathode")
    applies = applies_to(criteria, roles)
    n = len(df)
    out: dict[str, object] = {}
    worst = np.zeros(n, dtype=np.int64)
    n_fail = np.zeros(n, dtype=np.int64)
    n_marg = np.zeros(n, dtype=np.int64)
    shortfall = np.zeros(n, dtype=float)
    failed: list[list[str]] = [[] for _ in range(n)]
    marginal: list[list[str]] = [[] for _ in range(n)]
    shorts: dict[str, np.ndarray] = {}
    for g in criteria.gates:
        a = applies[g.name]
        slot = QUANTITY_SLOT.get(g.quantity)
        if slot is not None:
            a = a & slots_present[slot].to_numpy(dtype=bool)
        v = values[g.quantity]
        tier, short = gate_tiers(g, v, a)
        shorts[g.name] = short
        level = tier_level(tier)
        worst = np.maximum(worst, level)
        n_fail += level == TIER_LEVEL["fail"]
        n_marg += level == TIER_LEVEL["marginal"]
        shortfall += short
        for k in np.flatnonzero(level > 0):
            (failed if level[k] == 2 else marginal)[k].append(describe_shortfall(g, float(v[k]), tier[k]))
        shown = np.where(np.isfinite(v), v, np.nan)
        out[f"gate_{g.name}"] = np.where(a, np.round(shown, 6), np.nan)
        out[f"tier_{g.name}"] = tier
    out["worst_tier"] = np.array([WORST_NAMES[int(w)] for w in worst], dtype=object)
    out["n_failed"] = n_fail
    out["n_marginal"] = n_marg
    out["shortfall"] = np.round(shortfall, 6)
    out["failed_gates"] = np.array(["; ".join(f) for f in failed], dtype=object)
    out["marginal_gates"] = np.array(["; ".join(m) for m in marginal], dtype=object)
    return pd.DataFrame(out, index=df.index), values, shorts


def rank_keys(worst: np.ndarray, n_failed: np.ndarray, shortfall: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The order's keys, (n, 4), smaller first: worst tier level, failed gates, shortfall, -score."""
    level = np.array([{"pass": 0, "marginal": 1, "fail": 2}[w] for w in worst], dtype=float)
    return np.column_stack([level, n_failed.astype(float), np.round(shortfall, 6), -np.nan_to_num(score, nan=-1.0)])


def stack_verdicts(df: pd.DataFrame, criteria: Criteria) -> dict[int, str]:
    """One line per stack: how many ranked coatings pass every gate and the best, or that none passes,
    the closest and what it fails (:func:`screening.criteria.evaluate.describe_shortfall`)."""
    out: dict[int, str] = {}
    for sid, g in df.groupby("stack_id", sort=False):
        ranked = g[g["rank"].notna()].sort_values(["rank", "coating"], kind="stable")
        if ranked.empty:
            out[sid] = f"no candidate reaches the reaction energies under {criteria.name} (see each row's stage)"
            continue
        passing = ranked[ranked["stage"] == "passed"]
        best = ranked.iloc[0]
        if len(passing):
            names = ", ".join(passing["coating"].head(5).astype(str))
            more = f" (+{len(passing) - 5} more)" if len(passing) > 5 else ""
            out[sid] = (
                f"{len(passing)} of {len(ranked)} ranked coatings pass every {criteria.name} gate: {names}{more}"
            )
            continue
        why = best["failed_gates"] or best["marginal_gates"]
        verb = "fails" if best["failed_gates"] else "marginal on"
        out[sid] = f"no coating passes every {criteria.name} gate: closest {best['coating']}, {verb} {why}"
    return out


__all__ = ["GATE_SUMMARY_COLUMNS", "QUANTITY_SLOT", "gate_table", "gate_values", "rank_keys", "stack_verdicts"]
