"""One coating between one electrode and one electrolyte, judged by a criteria preset with an engine
directly (no workflow): the same quantities and tiers the screen's rankings table holds.

>>> verdict = judge_coating(engine, "LiNbO3", "LiCoO2", "Li3PS4", voltage=(3.0, 4.3), charged="Li0.5CoO2")
>>> verdict.tiers["reaction_electrolyte"]
'fail'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from screening.composition import parse_formula
from screening.criteria.evaluate import cheap_values, gate_tiers
from screening.criteria.gates import TIER_LEVEL, Criteria, resolve_criteria


@dataclass(frozen=True)
class CoatingVerdict:
    """A coating's gates in one stack.

    Attributes:
        coating: Its formula.
        criteria: The preset's name.
        values: Gate name -> value in the gate's unit (NaN: unknown or unbounded).
        tiers: Gate name -> ``pass``, ``marginal``, ``fail`` or ``n/a``.
        worst: The worst tier (``pass``, ``marginal`` or ``fail``).
    """

    coating: str
    criteria: str
    values: dict[str, float]
    tiers: dict[str, str]
    worst: str


def judge_coating(
    engine,
    coating: str,
    electrode: str,
    electrolyte: str,
    voltage: tuple[float, float],
    charged: str | None = None,
    role: str = "cathode",
    criteria: Criteria | str = "xiao2019",
    electronic=None,
) -> CoatingVerdict:
    """Every gate of ``criteria`` for ``coating`` between ``electrode`` and ``electrolyte``.

    Args:
        engine: A :class:`screening.thermo.Engine` (hull-referenced reactants, the screen's default).
        coating, electrode, electrolyte: Formulas.
        voltage: The electrode's (bottom, top) potentials [V vs Li/Li+].
        charged: The charged cathode's formula (None: no charged gate).
        role: ``cathode`` or ``anode``.
        criteria: A preset name or resolved :class:`Criteria`.
        electronic: An :class:`screening.interphase.ElectronicModel` for the band gap (None: unknown).

    Returns:
        :class:`CoatingVerdict`. Reaction energies are the mutual minima (closed: per atom; open: per
        non-Li atom, the worst over ``voltage``), as magnitudes.
    """
    crit = resolve_criteria(criteria) if isinstance(criteria, str) else criteria
    dec = engine.decompose(coating)
    win = engine.window(coating)
    gap, conducting = np.nan, "unknown"
    if electronic is not None:
        ch = electronic.character(coating)
        gap = np.nan if ch.band_gap is None else ch.band_gap
        conducting = {True: "conducting", False: "insulating", None: "unknown"}[ch.conducting]
    windows = {
        "status": np.array(["ok"], dtype=object),
        "has_entry": np.array([dec.has_entry], dtype=object),
        "virtual": np.array([dec.virtual], dtype=object),
        "e_above_hull": np.array([dec.e_above_hull], dtype=float),
        "reduction_limit": np.array([np.nan if win.reduction_limit is None else win.reduction_limit]),
        "oxidation_limit": np.array([np.nan if win.oxidation_limit is None else win.oxidation_limit]),
        "band_gap": np.array([gap]),
        "conducting": np.array([conducting], dtype=object),
    }
    lo, hi = voltage
    values = cheap_values(windows, [coating], np.array([lo]), np.array([hi]),
                          np.array(["Li" not in parse_formula(coating)]))
    values = {k: float(v[0]) for k, v in values.items()}
    pots = sorted({lo, hi})
    values["reaction_electrolyte_closed"] = abs(engine.react(coating, electrolyte).min_energy_mutual)
    values["reaction_electrode_closed"] = abs(engine.react(coating, electrode).min_energy_mutual)
    values["reaction_charged_closed"] = (
        abs(engine.react(coating, charged).min_energy_mutual) if charged else float("nan")
    )
    values["reaction_electrolyte_open"] = max(
        abs(engine.react(coating, electrolyte, voltage=v).min_energy_mutual) for v in pots
    )
    values["reaction_electrode_open"] = max(
        abs(engine.react(coating, electrode, voltage=v).min_energy_mutual) for v in pots
    )
    values["interphase"] = float("nan")
    out_v, out_t = {}, {}
    worst = 0
    for g in crit.gates:
        applies = role in g.electrodes and not (g.quantity == "reaction_charged_closed" and not charged)
        tier, _ = gate_tiers(g, np.array([values[g.quantity]]), np.array([applies]))
        out_v[g.name] = values[g.quantity]
        out_t[g.name] = str(tier[0])
        worst = max(worst, TIER_LEVEL[str(tier[0])])
    return CoatingVerdict(coating, crit.name, out_v, out_t, {0: "pass", 1: "marginal", 2: "fail"}[worst])


__all__ = ["CoatingVerdict", "judge_coating"]
