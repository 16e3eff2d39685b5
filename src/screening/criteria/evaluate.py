"""Gates applied to arrays of candidates: the values of the cheap quantities, each gate's tier and
shortfall, and the order that never rewards reacting.

Order of the candidates of a stack (:func:`order_keys`):

1. the worst tier over the gates (pass and n/a < marginal < fail);
2. the number of failed gates;
3. the summed normalised shortfall, uncapped: sum over gates of how far the value lies beyond the gate's
   ``pass`` threshold, over the quantity's scale (:data:`screening.criteria.quantities.QUANTITIES`);
4. the score (higher first).

Every key is monotone in each reaction energy: making one candidate's reaction more negative never
moves it up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from screening.criteria.gates import TIER_LEVEL, Criteria, Gate
from screening.criteria.quantities import QUANTITIES, is_polyanion_oxide

#: How a failed yes/no quantity reads.
BOOL_FAILS = {
    "li_content": "no Li",
    "polyanion_oxide": "not a polyanion oxide",
    "has_entry": "no data entry (virtual)",
    "interphase": "mixed-conducting interphase",
}
#: Tolerance of the threshold comparisons (the tables are rounded to 1e-6).
TOL = 1e-9


def cheap_values(
    windows: Mapping[str, np.ndarray],
    formulas: Sequence[str],
    potential_low: np.ndarray,
    potential_high: np.ndarray,
    li_free: np.ndarray,
) -> dict[str, np.ndarray]:
    """The cheap quantities of candidates, from their windows-table columns.

    Args:
        windows: Columns of the candidates' window rows, aligned with ``formulas``: ``status``,
            ``has_entry``, ``virtual``, ``e_above_hull``, ``reduction_limit``, ``oxidation_limit`` and,
            when the screen classifies phases, ``band_gap`` and ``conducting``.
        formulas: The candidates' formulas.
        potential_low: The stack's electrode bottom potential per row [V].
        potential_high: The stack's electrode top potential per row [V].
        li_free: True where the candidate has no Li.

    Returns:
        Quantity -> float array (NaN: unknown). A missing window limit is unbounded (+inf oxidation,
        -inf reduction); a rule-insulating phase with no number has an infinite gap, a conductor 0.
    """
    ok = np.asarray(windows["status"]) == "ok"
    has_entry = np.asarray(windows["has_entry"], dtype=object)
    has_entry = np.array([False if v is None or v is pd.NA or v != v else bool(v) for v in has_entry], dtype=bool)
    e_hull = np.asarray(windows["e_above_hull"], dtype=float)
    e_hull = np.where(has_entry, e_hull, 0.0)
    red = np.asarray(windows["reduction_limit"], dtype=float)
    ox = np.asarray(windows["oxidation_limit"], dtype=float)
    red = np.where(np.isnan(red), -np.inf, red)
    ox = np.where(np.isnan(ox), np.inf, ox)
    lo, hi = np.asarray(potential_low, dtype=float), np.asarray(potential_high, dtype=float)
    gap = np.asarray(windows.get("band_gap", np.full(len(ok), np.nan)), dtype=float)
    conducting = np.asarray(windows.get("conducting", np.full(len(ok), "unknown", dtype=object)), dtype=object)
    gap = np.where(np.isnan(gap) & (conducting == "conducting"), 0.0, gap)
    gap = np.where(np.isnan(gap) & (conducting == "insulating"), np.inf, gap)
    nan = np.where(ok, 0.0, np.nan)  # unknown where the window could not be computed
    out = {
        "band_gap": gap + nan,
        "e_above_hull": e_hull + nan,
        "has_entry": has_entry.astype(float) + nan,
        "li_content": (~np.asarray(li_free, dtype=bool)).astype(float),
        "polyanion_oxide": np.array([float(is_polyanion_oxide(f)) for f in formulas]),
        "oxidation_limit": ox + nan,
        "reduction_limit": red + nan,
        "oxidation_margin": ox - hi + nan,
        "reduction_margin": lo - red + nan,
    }
    out["window_margin"] = np.minimum(out["oxidation_margin"], out["reduction_margin"])
    return out


def gate_tiers(gate: Gate, values: np.ndarray, applies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tier and normalised shortfall of every row for one gate.

    Args:
        gate: The gate.
        values: The gate's quantity per row (NaN: unknown).
        applies: Rows the gate applies to (elsewhere ``n/a``).

    Returns:
        (tiers: object array of ``pass``/``n/a``/``marginal``/``fail``, shortfall >= 0 in units of the
        quantity's scale; 0 where the gate passes, does not apply or the value is unknown).
    """
    v = np.asarray(values, dtype=float)
    applies = np.asarray(applies, dtype=bool)
    unknown = np.isnan(v)
    sign = 1.0 if gate.direction == "max" else -1.0
    with np.errstate(invalid="ignore"):
        beyond = sign * (v - gate.threshold)
        within = beyond <= TOL
        if gate.marginal is None:
            within_m = within
        else:
            within_m = sign * (v - gate.marginal) <= TOL
    tier = np.where(within, "pass", np.where(within_m, "marginal", "fail")).astype(object)
    tier[unknown] = gate.missing
    tier[~applies] = "n/a"
    with np.errstate(invalid="ignore"):
        short = np.where(applies & ~unknown & ~within, beyond / gate.scale, 0.0)
    short = np.where(np.isfinite(short), short, np.where(np.isnan(short), 0.0, 1e6))
    return tier, short


def tier_level(tiers: np.ndarray) -> np.ndarray:
    """Ordering level of each tier (0 pass or n/a, 1 marginal, 2 fail)."""
    return np.array([TIER_LEVEL[t] for t in tiers], dtype=np.int64)


def applies_to(criteria: Criteria, roles: np.ndarray) -> dict[str, np.ndarray]:
    """Gate name -> rows (by electrode role) it applies to."""
    roles = np.asarray(roles, dtype=object)
    return {g.name: np.isin(roles, g.electrodes) for g in criteria.gates}


def describe_shortfall(gate: Gate, value: float, tier: str) -> str:
    """A failed or marginal gate in words: ``reaction_electrolyte 0.146 > 0.1 eV/atom (fail)``."""
    q = QUANTITIES[gate.quantity]
    op = ">" if gate.direction == "max" else "<"
    if q.units == "bool":
        return f"{gate.name}: {BOOL_FAILS.get(gate.quantity, 'no')} ({tier})"
    if np.isnan(value):
        return f"{gate.name}: unknown ({tier})"
    return f"{gate.name} {value:.3f} {op} {gate.threshold:g} {q.units} ({tier})"


__all__ = ["TOL", "applies_to", "cheap_values", "describe_shortfall", "gate_tiers", "tier_level"]
