"""Interface reactions open to any set of elements (co-sintering in air, CO2, N2), and gas chemical potentials.

The engine's open-to-Li profile (:meth:`screening.thermo.Engine.react`) generalises to any set of open elements
{i} held at chemical potentials mu_i by a reservoir (docs/science.md, "Open elements beyond Li"). Each entry of
composition n (atoms per formula unit) and formation energy E [eV per formula unit] becomes a point of a closed
space (the other elements) with grand potential

    Phi = (E - sum_i mu_i n_i) / N_closed      [eV per closed atom],

(Richards et al., Chem. Mater. 28, 266 (2016), eq. 3-4; pymatgen ``GrandPotentialPhaseDiagram``). The lower
convex hull of those points is the grand-potential hull; a reaction profile A | B is then the same exact
parametric LP walk (:mod:`.segment`) as the closed profile, on the line between the closed compositions of A
and B. Conventions follow pymatgen's ``GrandPotentialInterfacialReactivity`` (``norm=True``):

* ``t``: fraction of the closed atoms that come from A (pymatgen's mixing ratio on the comp1-comp2 line); the
  profile is piecewise linear in t;
* ``x``: pymatgen's reported mixing ratio, the atomic fraction of A over all atoms of A and B as written
  (open elements included): x = t f_B / ((1 - t) f_A + t f_B), f = closed atoms / all atoms of a reactant;
* ``energy`` (total, ``include_no_mixing_energy=True``): Phi_hull(t) - t Phi_A - (1 - t) Phi_B, where Phi_A
  is A's own (closed) hull energy turned into a grand potential, so the reactants' own reaction with the
  reservoir counts; ``energy_mutual`` (``include_no_mixing_energy=False``): reactants referenced to the
  grand-potential hull at their own closed compositions.

Energies and chemical potentials are relative to the elements' reference energies in the data (formation
energies, elements at 0). :func:`gas_chemical_potential` gives mu of a diatomic gas's element from
temperature and pressure (pymatgen ``InterfacialReactivity.get_chempot_correction``, NIST-JANAF data).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from screening.composition.parse import ATOMIC_NUMBER
from screening.entries.table import EntryTable
from screening.errors import InputError
from screening.thermo.engine import COMP_TOL, Engine, _raw_usable
from screening.thermo.lp import AMOUNT_TOL, HullLP
from screening.thermo.reactants import _clean, _reactant, _reaction_string
from screening.thermo.results import Phase
from screening.thermo.segment import hull_breakpoints
from screening.thermo.subsets import select

#: Gases :func:`gas_chemical_potential` knows: gas -> its element (all diatomic; pymatgen's data).
GASES = {"O2": "O", "N2": "N", "H2": "H", "F2": "F", "Cl2": "Cl"}
#: Temperature range accepted by :func:`gas_chemical_potential` [K].
T_RANGE_K = (300.0, 2000.0)
#: Partial pressure of O2 in dry air [bar].
P_O2_AIR_BAR = 0.21


def gas_chemical_potential(gas: str, temperature_K: float, pressure_bar: float) -> float:
    """Chemical potential of a gas's element at temperature T and partial pressure p [eV/atom].

    mu(T, p) = Delta mu(T, p) relative to the element's reference energy in the data (the 0 K DFT/fitted
    energy of the gas), with Delta mu from the ideal gas with a constant heat capacity referenced to the
    standard state (298.15 K, 1 bar): pymatgen ``InterfacialReactivity.get_chempot_correction`` (NIST-JANAF
    Cp and S; the Materials Project's gas correction). O in air (p_O2 = 0.21 bar): -0.855 eV/O at 973 K,
    -1.255 eV/O at 1273 K.

    Args:
        gas: One of :data:`GASES` (``"O2"``, ``"N2"``, ``"H2"``, ``"F2"``, ``"Cl2"``).
        temperature_K: Temperature [K], in :data:`T_RANGE_K`.
        pressure_bar: Partial pressure of the gas [bar], > 0.

    Returns:
        mu of one atom of the element [eV/atom], e.g. the value for ``{"O": mu}`` in :func:`react_open`.

    Raises:
        InputError: an unknown gas, a temperature outside 300-2000 K, or a pressure that is not > 0.
    """
    if gas not in GASES:
        raise InputError(f"unknown gas {gas!r}; use one of {', '.join(GASES)}")
    try:
        t, p = float(temperature_K), float(pressure_bar)
    except (TypeError, ValueError):
        raise InputError(f"temperature {temperature_K!r} K and pressure {pressure_bar!r} bar must be numbers") from None
    if not (math.isfinite(t) and T_RANGE_K[0] <= t <= T_RANGE_K[1]):
        raise InputError(f"temperature {temperature_K!r} K is outside {T_RANGE_K[0]:g}-{T_RANGE_K[1]:g} K")
    if not (math.isfinite(p) and p > 0):
        raise InputError(f"pressure {pressure_bar!r} bar must be a finite number > 0 (bar)")
    from pymatgen.analysis.interface_reactions import InterfacialReactivity

    return float(InterfacialReactivity.get_chempot_correction(GASES[gas], t, p * 1e5))  # pymatgen takes Pa


@dataclass
class OpenKink:
    """One breakpoint of a reaction profile open to several elements.

    Attributes:
        x: pymatgen's mixing ratio: atomic fraction of A over all atoms of A and B (open elements included).
        x_molar: Mole fraction of A formula units, A/(A+B).
        t: Fraction of the closed atoms that come from A (the profile is piecewise linear in t).
        energy: Total reaction energy [eV per closed atom] (pymatgen ``include_no_mixing_energy=True``).
        energy_mutual: Mutual reaction energy [eV per closed atom] (``include_no_mixing_energy=False``).
        reaction: ``x_molar A + (1-x_molar) B (+ open elements) -> products (+ open elements)``.
        products: Products, formula units per reaction as written.
        exchanged: Atoms of each open element taken from (+) or given to (-) the reservoir per reaction as
            written.
    """

    x: float
    x_molar: float
    t: float
    energy: float
    energy_mutual: float
    reaction: str
    products: list[Phase]
    exchanged: dict[str, float] = field(default_factory=dict)


@dataclass
class OpenProfile:
    """Pseudo-binary reaction profile A | B open to the elements of ``mu``.

    Attributes:
        a, b: The reactants (A at x = 1, B at x = 0).
        mu: Chemical potential of each open element [eV/atom, relative to its reference in the data].
        closed_elements: Coordinates of the hull (all elements of A, B and ``mu`` but the open ones).
        units: Unit of every energy: eV per closed atom.
        reference: ``"hull"`` or ``"raw"`` (reactant energies, as :meth:`Engine.react`).
        reactant_energies: Grand potentials of A and B [eV per closed atom]: ``a_total`` (own closed
            energy, open elements at mu) and ``a_mutual`` (grand-potential hull at A's closed composition).
        kinks: Every breakpoint, sorted by t.
        min_energy, min_x: Most negative total energy and its x.
        min_energy_mutual, min_x_mutual: Most negative mutual energy and its x.
    """

    a: str
    b: str
    mu: dict[str, float]
    closed_elements: list[str]
    units: str
    reference: str
    reactant_energies: dict[str, float]
    kinks: list[OpenKink]
    min_energy: float
    min_x: float
    min_energy_mutual: float
    min_x_mutual: float

    def as_dict(self) -> dict:
        return asdict(self)


def _check_mu(mu: dict[str, float]) -> dict[str, float]:
    if not isinstance(mu, dict) or not mu:
        raise InputError(f"mu {mu!r} must be a non-empty dict element -> chemical potential (eV/atom)")
    out = {}
    for el, v in mu.items():
        if el not in ATOMIC_NUMBER:
            raise InputError(f"open element {el!r} is not an element symbol")
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise InputError(f"mu[{el}] = {v!r} is not a number (eV/atom)") from None
        if not math.isfinite(f):
            raise InputError(f"mu[{el}] = {v!r} is not a finite number (eV/atom)")
        out[el] = f
    return out


def _open_lp(eng: Engine, elements: tuple[str, ...], mu: dict[str, float]) -> tuple[HullLP, tuple[str, ...]]:
    """Grand-potential hull LP of ``elements`` open to ``mu`` (cached in the engine) and its closed elements."""
    closed = tuple(el for el in elements if el not in mu)
    key = (elements, ("open", tuple(sorted((el, round(v, 12)) for el, v in mu.items()))))
    lp = eng._cache.get(key)
    if lp is not None:
        return lp, closed
    if max(mu.values()) <= 0:  # an entry above its elements has Phi >= 0: never on the hull
        rows, frac = eng._subset(elements)
    else:
        rows, frac = select(eng.table, elements, hull_only=False)
    open_cols = [elements.index(el) for el in mu if el in elements]
    closed_cols = [elements.index(el) for el in closed]
    mu_vec = np.array([mu[elements[j]] for j in open_cols])
    x_open = frac[:, open_cols].sum(axis=1) if open_cols else np.zeros(len(rows))
    keep = x_open < 1 - 1e-12  # the pure open elements are the reservoir
    scale = 1.0 - x_open[keep]
    energy = eng.table.energy_per_atom[rows[keep]]
    phi = (energy - frac[keep][:, open_cols] @ mu_vec) / scale
    coords = frac[keep][:, closed_cols] / scale[:, None]
    lp = HullLP(coords, phi, rows[keep])  # prunes Phi > 0 and all but the lowest per closed composition
    eng._cache[key] = lp
    if len(eng._cache) > eng._cache_size:
        eng._cache.popitem(last=False)
    return lp, closed


def react_open(
    engine_or_table: Engine | EntryTable, a: str, b: str, mu: dict[str, float], hull_reference: bool = True
) -> OpenProfile:
    """Interface reaction profile of A | B open to any set of elements at fixed chemical potentials.

    The grand potential per closed atom, Phi = (E - sum_i mu_i N_i) / N_closed (Richards et al., Chem. Mater.
    28, 266 (2016)), is minimised along the line between A's and B's closed compositions by the engine's exact
    parametric LP; the numbers are those of pymatgen's ``GrandPotentialInterfacialReactivity`` (``norm=True``)
    with ``include_no_mixing_energy=True`` (``energy``) and ``False`` (``energy_mutual``). Open to Li alone
    (``mu={"Li": mu_Li}``) the energies are the engine's open-to-Li ``energy`` and ``energy_mutual``.

    Args:
        engine_or_table: An :class:`Engine` (its hull cache is reused) or an entry table.
        a: Reactant A (x = 1 end).
        b: Reactant B (x = 0 end).
        mu: Open element -> chemical potential [eV/atom, relative to the element's reference energy in the
            data], e.g. ``{"O": gas_chemical_potential("O2", 973, 0.21)}``. An open element need not be in A
            or B (a sulfide in air: ``{"O": ...}`` lets O in).
        hull_reference: Reactants' closed energies lowered onto the hull (default, pymatgen
            ``use_hull_energy=True``); False uses the lowest entry of each composition if it lies below its
            elements, else the hull (pymatgen ``use_hull_energy=False``).

    Returns:
        :class:`OpenProfile`, energies in eV per closed atom.

    Raises:
        InputError: an empty or non-finite ``mu``, or a reactant made only of open elements.
        MissingElementError: an element the data has no entries for.
    """
    eng = engine_or_table if isinstance(engine_or_table, Engine) else Engine(engine_or_table)
    mu = _check_mu(mu)
    ra, rb = _reactant(a), _reactant(b)
    elements = tuple(sorted({*ra.amounts, *rb.amounts, *mu}, key=ATOMIC_NUMBER.__getitem__))
    eng.table.check_elements(elements, f"{a} | {b}")
    n_closed = {}
    for r in (ra, rb):
        n_closed[r.formula] = sum(v for el, v in r.amounts.items() if el not in mu)
        if n_closed[r.formula] <= 0:
            raise InputError(f"{r.formula} has only open elements ({', '.join(mu)}): it is the reservoir itself")
    lp, closed = _open_lp(eng, elements, mu)

    def closed_vector(r):
        v = np.array([r.amounts.get(el, 0.0) for el in closed])
        return v / v.sum()

    c_a, c_b = closed_vector(ra), closed_vector(rb)
    if np.abs(c_a - c_b).max() < COMP_TOL:
        points = [p for p in hull_breakpoints(lp, c_a, c_b) if p.t in (0.0, 1.0)]
    else:
        points = hull_breakpoints(lp, c_a, c_b)
    f1, f0 = points[-1].value, points[0].value

    def total(r) -> float:
        """Grand potential of a reactant from its own closed energy [eV per closed atom]."""
        e = eng.hull_energy(r.formula)  # closed hull energy in its own system [eV/atom]
        if not hull_reference:
            row, e_entry = eng._own_entry(r)
            if _raw_usable(row, e_entry):
                e = e_entry
        open_atoms = sum(mu[el] * v for el, v in r.amounts.items() if el in mu)
        return (e * r.n_atoms - open_atoms) / n_closed[r.formula]

    tot_a, tot_b = total(ra), total(rb)
    na, nb = n_closed[ra.formula], n_closed[rb.formula]
    fa, fb = na / ra.n_atoms, nb / rb.n_atoms
    kinks = []
    for p in points:
        t = p.t
        mol_a, mol_b = t / na, (1.0 - t) / nb
        mol = mol_a + mol_b
        x_molar = mol_a / mol
        x = t * fb / ((1 - t) * fa + t * fb)
        products, comps = [], []
        for row, amt in zip(lp.labels[p.solution.index].tolist(), p.solution.amount.tolist(), strict=True):
            name, comp = eng.table.name_and_composition(row)
            n_c = sum(v for el, v in comp.items() if el not in mu)
            products.append(Phase(name, eng.table.ids[row], float(amt / mol / n_c), bool(eng.table.virtual[row])))
            comps.append(comp)
        order = sorted(range(len(products)), key=lambda i: (-round(products[i].amount, 9), products[i].formula))
        products, comps = [products[i] for i in order], [comps[i] for i in order]
        exchanged = {}
        for el in sorted(mu, key=ATOMIC_NUMBER.__getitem__):
            out = sum(ph.amount * c.get(el, 0.0) for ph, c in zip(products, comps, strict=True))
            into = x_molar * ra.amounts.get(el, 0.0) + (1 - x_molar) * rb.amounts.get(el, 0.0)
            exchanged[el] = _clean(out - into)
        lhs = [(ra.label, x_molar * ra.per_reduced), (rb.label, (1 - x_molar) * rb.per_reduced)]
        rhs = [(ph.formula, ph.amount) for ph in products]
        for el, n in exchanged.items():  # a diatomic gas's element written as the gas (2.3 O2, not 4.6 O)
            gas, per = (el + "2", 0.5) if el in GASES.values() else (el, 1.0)
            (lhs if n > AMOUNT_TOL else rhs).append((gas, abs(n) * per))
        kinks.append(
            OpenKink(
                x=float(x),
                x_molar=float(x_molar),
                t=float(t),
                energy=_clean(p.value - t * tot_a - (1 - t) * tot_b),
                energy_mutual=_clean(p.value - t * f1 - (1 - t) * f0),
                reaction=_reaction_string(lhs, rhs),
                products=products,
                exchanged=exchanged,
            )
        )
    k_min = min(kinks, key=lambda k: (k.energy, k.x))
    k_mut = min(kinks, key=lambda k: (k.energy_mutual, k.x))
    return OpenProfile(
        a=a,
        b=b,
        mu=dict(mu),
        closed_elements=list(closed),
        units="eV per closed atom",
        reference="hull" if hull_reference else "raw",
        reactant_energies={"a_total": tot_a, "b_total": tot_b, "a_mutual": f1, "b_mutual": f0},
        kinks=kinks,
        min_energy=k_min.energy,
        min_x=k_min.x,
        min_energy_mutual=k_mut.energy_mutual,
        min_x_mutual=k_mut.x,
    )


__all__ = ["GASES", "P_O2_AIR_BAR", "OpenKink", "OpenProfile", "gas_chemical_potential", "react_open"]
