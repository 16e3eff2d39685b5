"""An error bar on interface reaction energies: per-entry uncertainties, first-order propagation, Monte Carlo.

DFT formation energies (GGA/GGA+U with fitted corrections) err by ~35 meV/atom on compound-to-compound reaction
energies and ~70 meV/atom on decomposition energies against experiment (Bartel et al., npj Comput. Mater. 5, 4
(2019)). This module turns a per-entry standard deviation into one on every kink of a reaction profile.

At a fixed optimal basis (the same product phases) a kink's reaction energy is linear in the entry energies:

    dE = sum_j c_j N_j e_j / N_norm   (+ a Li term -mu_Li n_Li / N_norm open to Li, exact, no error)

with ``c_j`` the net formula units of entry j per reaction as written (products +, reactants' own
decomposition -), ``N_j`` its atoms per formula unit, ``e_j`` its formation energy [eV/atom] and ``N_norm`` the
atoms (closed) or non-Li atoms (open to Li) of the reaction as written, which is how the profile's energy is
normalised. First-order propagation with independent errors is then exact until the products change:

    sigma(dE) = sqrt(sum_j (c_j N_j sigma_j)^2) / N_norm   [eV/atom closed, eV per non-Li atom open]

``N_j sigma_j`` is the entry's error per formula unit [eV/f.u.]. Open to Li the reservoir's chemical potential is
set by the voltage, so it carries no error. :func:`monte_carlo` checks the formula by perturbing every entry of
the chemical system and recomputing the minimum (the basis may then change). See ``docs/uncertainty.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from screening.composition.parse import ATOMIC_NUMBER, canonical_formula_and_amounts
from screening.entries.table import EntryTable
from screening.errors import InputError
from screening.thermo.engine import RAW_FORMATION_TOL, Engine, voltage_to_mu
from screening.thermo.reactants import LI, _reactant
from screening.thermo.results import REACTION_ENERGIES, Kink, ReactionProfile

#: Default standard deviation of a compound's formation energy [eV/atom]: the 35 meV/atom error of DFT
#: (GGA/GGA+U with fitted corrections, as in the mp2019 snapshot) on compound-to-compound reaction energies
#: against experiment (Bartel et al., npj Comput. Mater. 5, 4 (2019)), taken as an independent error per compound.
DEFAULT_SIGMA = 0.035
#: Standard deviation of an element's entry [eV/atom]: 0, the reference of formation energies by definition.
ELEMENT_SIGMA = 0.0
#: Largest per-entry standard deviation accepted [eV/atom]; beyond it a number is a unit error (eV/f.u., meV).
MAX_SIGMA = 1.0
#: Reconstructing a kink's energy from its coefficients must agree with the engine's to this [eV/atom].
RECONSTRUCTION_TOL = 1e-7


def _check_sigma(value, what: str) -> float:
    """``value`` as a float standard deviation [eV/atom]; a one-line :class:`InputError` naming ``what`` if it is
    not a number, NaN/infinite, negative or above :data:`MAX_SIGMA`."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"uncertainty of {what} {value!r} is not a number; give a standard deviation in eV/atom"
        ) from None
    if not math.isfinite(v) or v < 0 or v > MAX_SIGMA:
        why = "not a finite number" if not math.isfinite(v) else "negative" if v < 0 else f"above {MAX_SIGMA:g} eV/atom"
        raise InputError(
            f"uncertainty of {what} {value!r} eV/atom is {why}; give a standard deviation between 0 and "
            f"{MAX_SIGMA:g} eV/atom (DFT formation energies err by ~0.035)"
        )
    return v


@dataclass(frozen=True)
class EntryUncertainty:
    """Standard deviation of each entry's formation energy [eV/atom], errors independent between entries.

    The defaults suit the mp2019 snapshot and file sources of DFT (GGA/GGA+U) formation energies: every compound
    :data:`DEFAULT_SIGMA` (0.035 eV/atom, Bartel et al., npj Comput. Mater. 5, 4 (2019)), every element
    :data:`ELEMENT_SIGMA` (0). A user entry (e.g. a candidate added with ``EntryTable.with_entries``, or a
    Materials Project entry whose ``correction_uncertainty`` per atom is known, MaterialsProject2020Compatibility)
    takes its own value through ``overrides``.

    Attributes:
        default: sigma of every compound without an override [eV/atom].
        element: sigma of every single-element entry without an override [eV/atom].
        overrides: entry id -> sigma [eV/atom].

    Raises:
        InputError: a sigma that is not a number, NaN, negative or above :data:`MAX_SIGMA` (one line, naming it).
    """

    default: float = DEFAULT_SIGMA
    element: float = ELEMENT_SIGMA
    overrides: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "default", _check_sigma(self.default, "the default (compounds)"))
        object.__setattr__(self, "element", _check_sigma(self.element, "the elements"))
        if not isinstance(self.overrides, Mapping):
            raise InputError(
                f"uncertainty overrides must map entry ids to eV/atom, not {type(self.overrides).__name__}"
            )
        object.__setattr__(
            self, "overrides", {str(k): _check_sigma(v, f"entry {k!r}") for k, v in self.overrides.items()}
        )

    def sigma(self, table: EntryTable, row: int) -> float:
        """sigma of entry ``row`` of ``table`` [eV/atom]."""
        hit = self.overrides.get(table.ids[row])
        if hit is not None:
            return hit
        return self.element if len(table.composition(row)) == 1 else self.default

    def sigmas(self, table: EntryTable, rows: np.ndarray | None = None) -> np.ndarray:
        """sigma [eV/atom] of ``rows`` of ``table`` (all rows if None), vectorised."""
        rows = np.arange(len(table)) if rows is None else np.asarray(rows, dtype=np.int64)
        n_el = np.diff(table.amounts.indptr)[rows]
        out = np.where(n_el == 1, self.element, self.default).astype(float)
        if self.overrides:
            for k, row in enumerate(rows.tolist()):
                hit = self.overrides.get(table.ids[row])
                if hit is not None:
                    out[k] = hit
        return out


@dataclass
class ReactionUncertainty:
    """First-order standard deviation of one kink's reaction energy.

    Attributes:
        x: The kink's x (atomic fraction of A).
        energy: The kink's reaction energy in the chosen convention [eV/atom closed, eV per non-Li atom open].
        sigma: Its standard deviation, same units.
        coefficients: entry id -> net formula units (of the entry's reduced formula) per reaction as written,
            products positive, the reactants' decomposition negative; an entry on both sides appears once.
        sigma_per_fu: entry id -> N_j sigma_j, the entry's error per formula unit [eV/f.u.].
        n_norm: Atoms (closed) or non-Li atoms (open) of the reaction as written, the energy's normalisation.
        units: Units of ``energy`` and ``sigma``.
    """

    x: float
    energy: float
    sigma: float
    coefficients: dict[str, float]
    sigma_per_fu: dict[str, float]
    n_norm: float
    units: str


@dataclass
class ProfileUncertainty:
    """Analytic standard deviations of every kink of a profile and of its minimum.

    Attributes:
        energy: Convention (:data:`~screening.thermo.results.REACTION_ENERGIES`).
        kinks: One :class:`ReactionUncertainty` per kink, in the profile's order.
        min_energy: The profile's minimum in that convention.
        min_sigma: Standard deviation of the minimum (that of the minimum's kink, basis fixed).
        units: Units of the energies.
    """

    energy: str
    kinks: list[ReactionUncertainty]
    min_energy: float
    min_sigma: float
    units: str


# ---------------------------------------------------------------------------------------------- analytic
_ROWS: dict[int, tuple[EntryTable, dict[str, int]]] = {}


def _row_of(table: EntryTable) -> dict[str, int]:
    """entry id -> row of ``table`` (the first row of an id), built once per table."""
    hit = _ROWS.get(id(table))
    if hit is None or hit[0] is not table:
        ids: dict[str, int] = {}
        for i, e in enumerate(table.ids):
            ids.setdefault(e, i)
        if len(_ROWS) > 8:
            _ROWS.clear()
        hit = _ROWS[id(table)] = (table, ids)
    return hit[1]


def _atoms(table: EntryTable, row: int) -> tuple[float, float]:
    """(atoms, Li atoms) per formula unit of entry ``row``'s reduced formula, as the engine names products."""
    _, comp = canonical_formula_and_amounts(table.composition(row))
    return float(sum(comp.values())), float(comp.get(LI, 0.0))


def _reactant_side(
    engine: Engine, profile: ReactionProfile, side: str, own_equilibrium: bool
) -> list[tuple[str | None, float, float, float]]:
    """One reactant's energy as entries: [(entry id or None for a given energy, atoms of it per formula unit of
    the reactant as written, Li atoms of it, its formation energy [eV/atom])].

    ``own_equilibrium``: open to Li, the reactant referenced to its own decomposition at mu_Li (mutual); otherwise
    its closed hull decomposition (hull reference), its own entry (raw reference, when usable) or the energy it
    was given (``energy_a``/``energy_b``).
    """
    formula = profile.a if side == "a" else profile.b
    table = engine.table
    rows = _row_of(table)
    r = _reactant(formula)
    if own_equilibrium:
        dec = engine.decompose(formula, voltage=profile.voltage)
    else:
        dec = engine.decompose(formula)
    terms = []
    for ph in dec.phases:
        row = rows[ph.entry_id]
        n, n_li = _atoms(table, row)
        terms.append((ph.entry_id, ph.amount * n, ph.amount * n_li, float(table.energy_per_atom[row])))
    if own_equilibrium:
        return terms
    e_used = profile.reactant_energies[f"{side}_closed_eV_per_atom"]
    if profile.reference == "raw" and dec.has_entry and dec.entry_energy < -RAW_FORMATION_TOL:
        terms = [(dec.entry_id, r.n_atoms, r.n_li, float(dec.entry_energy))]
    e_rec = sum(t[1] * t[3] for t in terms) / r.n_atoms
    if abs(e_rec - e_used) > RECONSTRUCTION_TOL:  # a given energy (energy_a/energy_b), not the table's
        terms = [(None, r.n_atoms, r.n_li, float(e_used))]
    return terms


def kink_uncertainty(
    engine: Engine,
    profile: ReactionProfile,
    kink: Kink,
    model: EntryUncertainty | None = None,
    energy: str = "total",
    _sides: dict | None = None,
) -> ReactionUncertainty:
    """First-order standard deviation of one kink's reaction energy (basis fixed, errors independent).

    Args:
        engine: The engine (and table) that computed ``profile``.
        profile: From :meth:`Engine.react`.
        kink: One of ``profile.kinks``.
        model: Per-entry sigma; default :class:`EntryUncertainty` ().
        energy: ``total``, ``mutual`` or ``richards2016`` (closed, all three are the same).

    Returns:
        :class:`ReactionUncertainty`. A reactant given its own energy (``energy_a``) counts as one entry with
        ``model.default``, keyed ``"<formula> (given energy)"``.

    Raises:
        InputError: an unknown convention, or (a bug) coefficients that do not reproduce the kink's energy.
    """
    if energy not in REACTION_ENERGIES:
        raise InputError(f"unknown reaction energy {energy!r}; use one of {', '.join(REACTION_ENERGIES)}")
    model = model or EntryUncertainty()
    table = engine.table
    rows = _row_of(table)
    open_li = profile.open_to_li
    own = {"a": False, "b": False}
    if open_li and energy == "mutual":
        own = {"a": True, "b": True}
    elif open_li and energy == "richards2016":
        own[profile.electrode] = True
    sides = _sides if _sides is not None else {}
    for s in ("a", "b"):
        if (s, own[s]) not in sides:
            sides[(s, own[s])] = _reactant_side(engine, profile, s, own[s])
    ra, rb = _reactant(profile.a), _reactant(profile.b)
    xa, xb = kink.x_molar, 1.0 - kink.x_molar
    if open_li:
        n_norm = xa * (ra.n_atoms - ra.n_li) + xb * (rb.n_atoms - rb.n_li)
    else:
        n_norm = xa * ra.n_atoms + xb * rb.n_atoms
    # per entry: [net formula units, atoms per f.u., Li per f.u., energy per atom, sigma per atom]
    acc: dict[str, list[float]] = {}
    for ph in kink.products:
        row = rows[ph.entry_id]
        n, n_li = _atoms(table, row)
        acc[ph.entry_id] = [ph.amount, n, n_li, float(table.energy_per_atom[row]), model.sigma(table, row)]
    for s, x_s, r in (("a", xa, ra), ("b", xb, rb)):
        for entry_id, atoms, _li, e in sides[(s, own[s])]:
            key = entry_id if entry_id is not None else f"{r.formula} (given energy)"
            if key in acc:  # atoms per f.u. of this entry are known: convert the reactant-side atoms to f.u.
                acc[key][0] -= x_s * atoms / acc[key][1]
                continue
            if entry_id is None:
                n, n_li, sig = r.n_atoms, r.n_li, model.default
            else:
                row = rows[entry_id]
                (n, n_li), sig = _atoms(table, row), model.sigma(table, row)
            acc[key] = [-x_s * atoms / n, n, n_li, e, sig]
    coefficients = {k: v[0] for k, v in acc.items() if abs(v[0]) > 1e-12}
    sigma_fu = {k: acc[k][1] * acc[k][4] for k in coefficients}
    sigma = math.sqrt(sum((coefficients[k] * sigma_fu[k]) ** 2 for k in coefficients)) / n_norm
    value = {"total": kink.energy, "mutual": kink.energy_mutual, "richards2016": kink.energy_electrode}[energy]
    # the coefficients must give back the engine's energy: sum_j c_j N_j e_j (- mu_Li * net Li) per N_norm
    e_rec = sum(c * acc[k][1] * acc[k][3] for k, c in coefficients.items())
    if open_li:
        e_rec -= voltage_to_mu(profile.voltage) * sum(c * acc[k][2] for k, c in coefficients.items())
    e_rec /= n_norm
    if abs(e_rec - value) > RECONSTRUCTION_TOL * max(1.0, abs(value)):
        raise InputError(
            f"the reaction {kink.reaction} of {profile.a} | {profile.b} does not reproduce its energy {value:.6g} from "
            f"its entries ({e_rec:.6g}); was the profile computed with another engine's table?"
        )
    return ReactionUncertainty(
        x=kink.x,
        energy=value,
        sigma=sigma,
        coefficients=coefficients,
        sigma_per_fu=sigma_fu,
        n_norm=n_norm,
        units=profile.units,
    )


def profile_uncertainty(
    engine: Engine, profile: ReactionProfile, model: EntryUncertainty | None = None, energy: str = "total"
) -> ProfileUncertainty:
    """Analytic standard deviation of every kink of ``profile`` and of its minimum (see :func:`kink_uncertainty`).

    Example:
        >>> p = eng.react("LiNbO3", "Li3PS4")  # doctest: +SKIP
        >>> profile_uncertainty(eng, p).min_sigma  # eV/atom  # doctest: +SKIP
    """
    min_e, min_x = profile.min_of(energy)
    sides: dict = {}
    kinks = [kink_uncertainty(engine, profile, k, model, energy, _sides=sides) for k in profile.kinks]
    at = [u for u in kinks if u.x == min_x and u.energy == min_e] or [min(kinks, key=lambda u: u.energy)]
    return ProfileUncertainty(energy=energy, kinks=kinks, min_energy=min_e, min_sigma=at[0].sigma, units=profile.units)


# ---------------------------------------------------------------------------------------------- Monte Carlo
@dataclass
class MonteCarloResult:
    """Spread of a profile's minimum when every entry of its chemical system is perturbed.

    Attributes:
        nominal: The unperturbed minimum [eV/atom closed, eV per non-Li atom open].
        analytic_sigma: :func:`profile_uncertainty`'s ``min_sigma`` of the unperturbed profile.
        samples: (n,) the perturbed minima.
        same_basis: (n,) True where the perturbed minimum's products and the reactants' own decompositions
            (the phases they are referenced to) are the nominal ones, by formula: the draws in which the
            analytic sigma's linear model holds.
        seed: The seed of ``numpy.random.default_rng``.
        n_entries: Entries perturbed (those of the chemical system).
    """

    nominal: float
    analytic_sigma: float
    samples: np.ndarray
    same_basis: np.ndarray
    seed: int
    n_entries: int

    @property
    def sigma(self) -> float:
        """Sample standard deviation of all perturbed minima (ddof=1)."""
        return float(np.std(self.samples, ddof=1))

    @property
    def sigma_same_basis(self) -> float:
        """Sample standard deviation of the minima whose products did not change (NaN below 2 of them)."""
        s = self.samples[self.same_basis]
        return float(np.std(s, ddof=1)) if len(s) > 1 else float("nan")

    @property
    def ratio(self) -> float:
        """Monte Carlo sigma over analytic sigma."""
        return self.sigma / self.analytic_sigma if self.analytic_sigma > 0 else float("nan")


def system_table(table: EntryTable, elements) -> EntryTable:
    """The entries of ``table`` within ``elements`` as a table of their own (same ids, energies, flags)."""
    rows = table.select(elements)
    return _sub_table(table, rows, table.energy_per_atom[rows])


def _sub_table(table: EntryTable, rows: np.ndarray, energies: np.ndarray) -> EntryTable:
    return EntryTable(
        table.elements,
        table.amounts[rows],
        np.asarray(energies, dtype=float),
        tuple(table.formulas[i] for i in rows.tolist()),
        tuple(table.ids[i] for i in rows.tolist()),
        table.virtual[rows],
        dict(table.provenance),
    )


def monte_carlo(
    source: Engine | EntryTable,
    a: str,
    b: str,
    voltage: float | None = None,
    model: EntryUncertainty | None = None,
    n: int = 200,
    seed: int = 0,
    energy: str = "total",
    hull_reference: bool = True,
    electrode: str = "a",
) -> MonteCarloResult:
    """Perturb every entry of the A | B chemical system (Gaussian, its sigma) and recompute the profile's minimum.

    Each draw adds ``sigma_j * z_c`` [eV/atom] to entry j's formation energy, ``z_c ~ N(0, 1)`` drawn once per
    composition (reduced formula) of the system: polymorphs share their composition's error, as a DFT error
    of a chemistry (the anion and +U corrections of MaterialsProject2020Compatibility) does; independent draws
    per polymorph would let the lowest of several near-degenerate polymorphs switch and narrow the spread
    (a minimum of Gaussians), which no reaction's first-order error describes. Draws come from
    ``numpy.random.default_rng(seed)``, one vector per draw over the sorted compositions; each builds an
    :class:`Engine` on the system's entries only and reacts A and B as :meth:`Engine.react` does. The same seed
    gives the same samples.

    Args:
        source: The engine or table of the nominal profile.
        a, b, voltage, hull_reference, electrode: As for :meth:`Engine.react`.
        model: Per-entry sigma; default :class:`EntryUncertainty` ().
        n: Draws (>= 2).
        seed: Seed of the generator.
        energy: The minimum's convention (:data:`~screening.thermo.results.REACTION_ENERGIES`).

    Returns:
        :class:`MonteCarloResult`.

    Raises:
        InputError: ``n`` below 2, or as :meth:`Engine.react`.
    """
    if int(n) < 2:
        raise InputError(f"Monte Carlo needs at least 2 draws, not {n!r}")
    model = model or EntryUncertainty()
    table = source.table if isinstance(source, Engine) else source
    els = {*_reactant(a).amounts, *_reactant(b).amounts}
    if voltage is not None:
        els.add(LI)
    elements = tuple(sorted(els, key=ATOMIC_NUMBER.__getitem__))
    rows = table.select(elements)
    base = table.energy_per_atom[rows]
    sig = model.sigmas(table, rows)
    nominal_engine = Engine(_sub_table(table, rows, base))
    kw = {"voltage": voltage, "hull_reference": hull_reference, "electrode": electrode}
    nominal = nominal_engine.react(a, b, **kw)
    unc = profile_uncertainty(nominal_engine, nominal, model, energy)
    min_e, min_x = nominal.min_of(energy)

    own_open = voltage is not None and energy != "total"

    def basis(eng: Engine, p: ReactionProfile) -> tuple:
        """The minimum's products and the reactants' own decompositions (their reference), by formula."""
        x = p.min_of(energy)[1]
        k = next(k for k in p.kinks if k.x == x)
        key = [frozenset(ph.formula for ph in k.products)]
        for f in (a, b):
            key.append(frozenset(ph.formula for ph in eng.decompose(f).phases))
            if own_open:
                key.append(frozenset(ph.formula for ph in eng.decompose(f, voltage=voltage).phases))
        return tuple(key)

    ref = basis(nominal_engine, nominal)
    # one draw per composition: polymorphs share it (see the docstring)
    _, group = np.unique([table.name(i) for i in rows.tolist()], return_inverse=True)
    n_groups = int(group.max()) + 1 if len(group) else 0
    rng = np.random.default_rng(seed)
    samples, same = np.empty(int(n)), np.zeros(int(n), dtype=bool)
    for i in range(int(n)):
        z = rng.standard_normal(n_groups)[group]
        eng = Engine(_sub_table(table, rows, base + sig * z))
        p = eng.react(a, b, **kw)
        samples[i] = p.min_of(energy)[0]
        same[i] = basis(eng, p) == ref
    return MonteCarloResult(
        nominal=min_e,
        analytic_sigma=unc.min_sigma,
        samples=samples,
        same_basis=same,
        seed=int(seed),
        n_entries=len(rows),
    )


__all__ = [
    "DEFAULT_SIGMA",
    "ELEMENT_SIGMA",
    "MAX_SIGMA",
    "EntryUncertainty",
    "MonteCarloResult",
    "ProfileUncertainty",
    "ReactionUncertainty",
    "kink_uncertainty",
    "monte_carlo",
    "profile_uncertainty",
    "system_table",
]
