"""Reactants as the engine reads them and reactions as it writes them (balanced, with exact labels).

A reactant's formula is parsed once (amounts, reduced formula, atoms and Li atoms per formula unit); a
kink's products are re-solved against the reactant atoms so that every written reaction balances to
round-off (:func:`_balanced`), and reaction strings name reduced formulas with their amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from screening.composition.parse import ATOMIC_NUMBER, canonical_formula_and_amounts, parse_formula
from screening.thermo.lp import AMOUNT_TOL
from screening.thermo.results import Phase

LI = "Li"


def _clean(v: float) -> float:
    """A float with numerical noise below 1e-12 set to exactly 0 (no ``-0.0`` in outputs)."""
    v = float(v)
    return 0.0 if abs(v) < 1e-12 else v


def _fmt(c: float) -> str:
    s = f"{c:.4g}"
    return "" if s == "1" else s + " "


def _reaction_string(reactants: list[tuple[str, float]], products: list[tuple[str, float]]) -> str:
    def side(terms):
        return " + ".join(f"{_fmt(c)}{f}" for f, c in terms if c > AMOUNT_TOL) or "0"

    return f"{side(reactants)} -> {side(products)}"


def balance_frame(
    va: dict[str, float], vb: dict[str, float], open_li: bool
) -> tuple[list[str], list[float], list[float], float]:
    """(elements, A's atoms, B's atoms, scale) that :func:`_balanced` checks a kink against: the reactants'
    elements in symbol order (without Li when it is open), once per interface."""
    els = {*va, *vb}
    if open_li:
        els.discard(LI)
    els = sorted(els)
    av = [va.get(el, 0.0) for el in els]
    bv = [vb.get(el, 0.0) for el in els]
    return els, av, bv, max(1.0, *map(abs, av), *map(abs, bv))


def _balanced(
    phases: list[Phase],
    comps: list[dict[str, float]],
    va: dict[str, float],
    vb: dict[str, float],
    x_molar: float,
    open_li: bool,
    frame: tuple[list[str], list[float], list[float], float] | None = None,
) -> tuple[list[Phase], float]:
    """Products and A fraction re-solved exactly so ``x A + (1-x) B -> phases`` balances (Li free if open).

    The LP's amounts and the kink's position are right to its tolerance (~1e-9); its phase set is
    exact. Solving the small linear system of the phases' compositions against the reactant atoms
    makes every written reaction balance to ~1e-13: first with ``x_molar`` fixed, else with the A
    fraction free (it moves by less than 1e-6). Kept only if non-negative and exact; otherwise the
    LP's own amounts are returned unchanged.

    Args:
        phases: Products, amounts per reaction as written.
        comps: Atoms per formula unit of each product (of its reduced formula, as named).
        va, vb: Atoms per formula unit of A and B as written.
        x_molar: Formula units of A per reaction.
        open_li: Li exchanged with the reservoir (not balanced here).
        frame: :func:`balance_frame` of ``va``, ``vb`` and ``open_li`` (computed here if not given). The
            products of a hull LP of the reactants' system have no other element.

    Returns:
        (phases, x_molar) balanced.
    """
    if not phases:
        return phases, x_molar
    if frame is None:  # the products' elements too
        frame = balance_frame({**dict.fromkeys((el for c in comps for el in c), 0.0), **va}, vb, open_li)
    els, av, bv, scale = frame
    # the walk's kinks usually balance already: check that in plain Python (a handful of products)
    amounts = [ph.amount for ph in phases]
    made = dict.fromkeys(els, 0.0)
    for n, c in zip(amounts, comps, strict=True):
        for el, k in c.items():
            if el in made:
                made[el] += n * k
            elif not (open_li and el == LI):  # a product element outside the frame given
                return _balanced(phases, comps, va, vb, x_molar, open_li)
    if all(
        abs(made[el] - (x_molar * a_el + (1 - x_molar) * b_el)) <= 1e-13 * scale
        for el, a_el, b_el in zip(els, av, bv, strict=True)
    ):
        return phases, x_molar
    m = np.array([[c.get(el, 0.0) for c in comps] for el in els])
    a, b = np.array(av), np.array(bv)
    lp_amounts = np.array(amounts)
    target = x_molar * a + (1 - x_molar) * b
    n = np.linalg.lstsq(m, target, rcond=None)[0]
    x = x_molar
    if np.abs(m @ n - target).max() > 1e-12 * scale:  # the kink sits a hair off: let x move
        sol = np.linalg.lstsq(np.column_stack([m, b - a]), b, rcond=None)[0]
        n, x = sol[:-1], float(sol[-1])
        if abs(x - x_molar) > 1e-6 or np.abs(m @ n - (x * a + (1 - x) * b)).max() > 1e-12 * scale:
            return phases, x_molar
    if n.min() < -1e-7 or np.abs(n - lp_amounts).max() > 1e-6 * scale:
        return phases, x_molar
    return [Phase(ph.formula, ph.entry_id, float(max(v, 0.0)), ph.virtual) for ph, v in zip(phases, n, strict=True)], x


@dataclass(frozen=True)
class _Reactant:
    formula: str
    amounts: dict[str, float]
    reduced: str
    n_atoms: float
    n_li: float
    per_reduced: float = 1.0  # formula units of ``label`` in one formula unit as written
    label: str = ""  # formula written in reaction strings: ``reduced`` unless that is rounded


def _exact_label(amounts: dict[str, float], reduced: str, red: dict[str, float]) -> tuple[str, float]:
    """(formula for reaction strings, its formula units per formula unit as written).

    The reduced formula when it holds the composition exactly (``Li2Nb2O6`` -> 2 LiNbO3); otherwise, e.g.
    a composite ``1Li-2O`` whose reduced formula is rounded to 8 digits, the composition itself written
    with full precision, so that the reaction balances to 1e-12 (found by the fuzz test of issue 11). ``red``:
    the atoms per formula unit of ``reduced``.
    """
    per = sum(amounts.values()) / sum(red.values())
    if set(red) == set(amounts) and all(abs(amounts[el] - per * red[el]) <= 1e-12 * per * red[el] for el in red):
        return reduced, per
    els = sorted(amounts, key=ATOMIC_NUMBER.__getitem__)
    return "".join(f"{el}{amounts[el]:.15g}" for el in els), 1.0


@lru_cache(maxsize=8192)
def _reactant(formula: str) -> _Reactant:
    """A reactant parsed once per formula (shared: never modified by its users)."""
    amounts = parse_formula(formula)
    reduced, red = canonical_formula_and_amounts(amounts)
    label, per = _exact_label(amounts, reduced, red)
    n_atoms = sum(amounts.values())
    return _Reactant(
        formula=formula,
        amounts=amounts,
        reduced=reduced,
        n_atoms=n_atoms,
        n_li=amounts.get(LI, 0.0),
        per_reduced=per,
        label=label,
    )
