"""Reference implementations the engine is checked against (tests and benchmarks share them).

* :class:`PmgReference` builds pymatgen ``PhaseDiagram`` / ``GrandPotentialPhaseDiagram`` objects for an
  element set from the *same* entry table the engine uses (``PDEntry(composition, E_form/atom * n_atoms)``,
  the element references at 0 included), cached per element set (and voltage), and reads pymatgen's
  ``InterfacialReactivity`` / ``GrandPotentialInterfacialReactivity`` kinks and
  ``PhaseDiagram.get_element_profile`` windows into plain numbers.
* :class:`LinprogHull` is an independent hull: ``scipy.optimize.linprog(method="highs")`` on the same
  entries, with its own entry selection and its own grand-potential transform. It checks interfaces
  whose union chemical system is too large for pymatgen's full triangulation.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

LI = "Li"
#: A change of slope of dE(t) smaller than this [eV per normalisation atom per unit t] is no kink.
KINK_SLOPE_TOL = 1e-5
#: Phases below this atomic fraction of a decomposition are ignored (pymatgen's barycentric noise).
PHASE_FRACTION_TOL = 1e-6
#: Two kink parameters closer than this are the same point.
T_MERGE = 1e-9


@dataclass
class RefKink:
    """One point of a reference reaction profile.

    Attributes:
        t: Mixing fraction of A in the normalisation of the energies (all atoms closed, non-Li atoms
            open to Li); dE is piecewise linear in t, not in x.
        x: Atomic fraction of A over all atoms (pymatgen's reported mixing ratio).
        energy: Reaction energy [eV/atom closed, eV per non-Li atom open].
        products: Reduced formulas of the equilibrium phases at this point (Li reservoir excluded).
    """

    t: float
    x: float
    energy: float
    products: frozenset[str]


@dataclass
class RefWindow:
    """Stability window read from pymatgen's ``get_element_profile``."""

    reduction: float | None
    oxidation: float | None
    reduction_products: frozenset[str]
    oxidation_products: frozenset[str]


def significant_kinks(points: list, slope_tol: float = KINK_SLOPE_TOL) -> list:
    """Endpoints and the points where the slope of energy vs t changes by more than ``slope_tol``.

    ``points`` are objects with ``t`` and ``energy`` (RefKink or the engine's Kink), sorted by t.
    pymatgen's ``get_critical_compositions`` reports every crossing of the tie line with a simplex of
    the triangulation, including crossings inside a flat region where dE(t) does not bend (two coplanar
    facets, or a degenerate simplex); those are not reactions. The slope is taken in t, the variable in
    which the profile is piecewise linear (open to Li, x is a non-linear function of t), so three
    collinear points stay collinear. Points closer than ``T_MERGE`` in t are merged first.
    """
    pts = []
    for p in sorted(points, key=lambda p: p.t):
        if pts and p.t - pts[-1].t <= T_MERGE:
            continue
        pts.append(p)
    if len(pts) <= 2:
        return pts
    t = np.array([p.t for p in pts])
    e = np.array([p.energy for p in pts])
    slopes = np.diff(e) / np.diff(t)
    keep = [pts[0]]
    for i in range(1, len(pts) - 1):
        if abs(slopes[i] - slopes[i - 1]) > slope_tol:
            keep.append(pts[i])
    keep.append(pts[-1])
    return keep


def interpolate(points: list, t: np.ndarray) -> np.ndarray:
    """The piecewise-linear profile through ``points`` (t, energy) evaluated at ``t``."""
    pts = sorted(points, key=lambda p: p.t)
    return np.interp(t, [p.t for p in pts], [p.energy for p in pts])


def composition(formula):
    """pymatgen ``Composition`` of a formula: pymatgen's own parser for ordinary formulas; glass notation
    (``70Li2S-30P2S5``), which pymatgen cannot read, through the package's parser."""
    from pymatgen.core import Composition

    if not isinstance(formula, str):
        return Composition(formula)
    try:
        return Composition(formula)
    except ValueError:
        from screening.composition.parse import parse_formula

        return Composition(parse_formula(formula))


def _names(decomposition: dict) -> frozenset[str]:
    total = sum(decomposition.values())
    return frozenset(e.name for e, amt in decomposition.items() if amt > PHASE_FRACTION_TOL * total)


class PmgReference:
    """pymatgen phase diagrams of one entry table, cached per element set (and Li potential)."""

    def __init__(self, table):
        self.table = table
        self._entries: dict = {}
        self._pd: dict = {}
        self._gpd: dict = {}

    # ----------------------------------------------------------------- construction
    def entries(self, elements) -> list:
        """``PDEntry`` objects for every table entry within ``elements`` (energies per formula unit)."""
        from pymatgen.analysis.phase_diagram import PDEntry
        from pymatgen.core import Composition

        key = frozenset(elements)
        if key not in self._entries:
            idx = self.table.select(key)
            out = []
            for i in idx:
                comp = self.table.composition(int(i))
                out.append(PDEntry(Composition(comp), float(self.table.energy_per_atom[i]) * sum(comp.values())))
            self._entries[key] = out
        return self._entries[key]

    def pd(self, elements):
        """pymatgen ``PhaseDiagram`` of the chemical system ``elements``."""
        from pymatgen.analysis.phase_diagram import PhaseDiagram

        key = frozenset(elements)
        if key not in self._pd:
            self._pd[key] = PhaseDiagram(self.entries(key))
        return self._pd[key]

    def gpd(self, elements, voltage: float):
        """pymatgen ``GrandPotentialPhaseDiagram`` open to Li at mu_Li = -e V (Li metal of the data at 0)."""
        from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram
        from pymatgen.core import Element

        key = (frozenset(elements), float(voltage))
        if key not in self._gpd:
            self._gpd[key] = GrandPotentialPhaseDiagram(self.entries(key[0]), {Element(LI): -float(voltage)})
        return self._gpd[key]

    @staticmethod
    def chemsys(*formulas, open_li: bool = False) -> frozenset[str]:
        els = {el.symbol for f in formulas for el in composition(f).elements}
        return frozenset(els | ({LI} if open_li else set()))

    # ----------------------------------------------------------------- interface reactions
    def reactivity(
        self,
        a: str,
        b: str,
        voltage: float | None = None,
        include_no_mixing_energy: bool = True,
        use_hull_energy: bool = True,
    ):
        """pymatgen's (GrandPotential)InterfacialReactivity of A | B (reactants on the hull by default)."""
        from pymatgen.analysis.interface_reactions import (
            GrandPotentialInterfacialReactivity,
            InterfacialReactivity,
        )

        ca, cb = composition(a), composition(b)
        els = self.chemsys(a, b, open_li=voltage is not None)
        pd = self.pd(els)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if voltage is None:
                return InterfacialReactivity(ca, cb, pd, norm=True, use_hull_energy=use_hull_energy)
            return GrandPotentialInterfacialReactivity(
                ca,
                cb,
                self.gpd(els, voltage),
                pd,
                include_no_mixing_energy=include_no_mixing_energy,
                norm=True,
                use_hull_energy=use_hull_energy,
            )

    def profile(
        self,
        a: str,
        b: str,
        voltage: float | None = None,
        include_no_mixing_energy: bool = True,
        use_hull_energy: bool = True,
    ) -> list[RefKink]:
        """Every point pymatgen's ``get_kinks`` reports, with t, x, energy and the phases there."""
        ir = self.reactivity(a, b, voltage, include_no_mixing_energy, use_hull_energy)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kinks = ir.get_kinks()
        out = []
        for _, x, energy, _rxn, _ in kinks:
            # get_kinks converts the mixing ratio m on the comp1-comp2 line (non-Li atoms when open)
            # to x on the c1-c2 line (all atoms); undo it to get the variable dE is linear in.
            m = ir._reverse_convert(x, ir.factor1, ir.factor2) if ir.grand else x
            decomp = ir.pd.get_decomposition(ir.comp1 * m + ir.comp2 * (1 - m))
            out.append(RefKink(t=float(m), x=float(x), energy=float(energy), products=_names(decomp)))
        return sorted(out, key=lambda k: k.t)

    # ----------------------------------------------------------------- stability windows
    def window(self, formula: str) -> RefWindow:
        """Reduction/oxidation limits [V] and products from ``PhaseDiagram.get_element_profile``.

        ``get_element_profile`` lists the critical compositions cc on the line from Li metal to the
        delithiated compound, each with the Li chemical potential just on the Li-rich side of cc (i.e.
        of the segment [cc, next cc towards Li]). With f = Li fraction and f_c that of the compound:
        the reduction limit is -mu of the last cc with f <= f_c (the segment the compound sits on or
        starts), its products the phases at the first cc with f > f_c (Li metal if none); the
        oxidation limit is -mu of the last cc with f < f_c, its products the phases at that cc.
        Critical compositions at which mu does not change (no kink) are dropped first.
        """
        from pymatgen.core import Element

        comp = composition(formula)
        li = Element(LI)
        f_c = comp.get_atomic_fraction(li)
        pd = self.pd(self.chemsys(formula, open_li=True))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prof = pd.get_element_profile(li, comp)
        pts = sorted(
            (
                (
                    float(p["critical_composition"].get_atomic_fraction(li)),
                    -float(p["chempot"]),
                    _names(pd.get_decomposition(p["critical_composition"])),
                )
                for p in prof
            ),
            key=lambda p: p[0],
        )
        real = []  # drop ccs whose segment has the same mu as the segment below (no kink)
        for p in pts:
            if real and abs(p[1] - real[-1][1]) < 1e-6:
                continue
            real.append(p)
        tol = 1e-6
        below_eq = [p for p in real if p[0] <= f_c + tol]
        above = [p for p in real if p[0] > f_c + tol]
        below = [p for p in real if p[0] < f_c - tol]
        return RefWindow(
            reduction=below_eq[-1][1] if below_eq else None,
            oxidation=below[-1][1] if below else None,
            reduction_products=above[0][2] if above else frozenset({LI}),
            oxidation_products=below[-1][2] if below else frozenset(),
        )


class LinprogHull:
    """Hull energy by ``scipy.optimize.linprog(method="highs")`` on the entries of one chemical system.

    Independent of the engine: its own entry selection (straight from the table's sparse amounts), its
    own normalisation and grand-potential transform, scipy's HiGHS wrapper instead of highspy.

    Args:
        table: The entry table.
        elements: Coordinates, in this order.
        voltage: None for the closed hull; else open to Li at mu_Li = -e V: coordinates are the non-Li
            elements and energies Phi = (E - x_Li mu_Li) / (1 - x_Li) per non-Li atom.
    """

    def __init__(self, table, elements, voltage: float | None = None):
        elements = list(elements)
        cols = [table.elements.index(el) for el in elements]
        other = [j for j in range(len(table.elements)) if j not in cols]
        amounts = table.amounts.tocsc()
        outside = np.asarray(amounts[:, other].sum(axis=1)).ravel() if other else np.zeros(amounts.shape[0])
        rows = np.flatnonzero(outside == 0)
        sub = amounts[rows][:, cols].toarray()
        frac = sub / sub.sum(axis=1, keepdims=True)
        energy = np.asarray(table.energy_per_atom)[rows]
        if voltage is not None:
            li = elements.index(LI)
            x_li = frac[:, li]
            keep = x_li < 1 - 1e-12
            mu = -float(voltage)
            energy = (energy[keep] - x_li[keep] * mu) / (1 - x_li[keep])
            frac = np.delete(frac[keep], li, axis=1) / (1 - x_li[keep])[:, None]
            elements = [el for el in elements if el != LI]
        self.elements = elements
        self.frac = frac
        self.energy = energy

    def vector(self, amounts: dict[str, float]) -> np.ndarray:
        v = np.array([amounts.get(el, 0.0) for el in self.elements], dtype=float)
        return v / v.sum()

    def __call__(self, composition: np.ndarray) -> float:
        from scipy.optimize import linprog

        res = linprog(
            self.energy,
            A_eq=self.frac.T,
            b_eq=np.asarray(composition, dtype=float),
            bounds=(0, None),
            method="highs",
        )
        if res.status != 0:
            raise RuntimeError(f"linprog failed: {res.message}")
        return float(res.fun)
