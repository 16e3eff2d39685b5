"""Hull energies, decompositions, interface reaction profiles and stability windows.

Everything follows ``SCIENCE.md`` (shared with the project):

* closed hull: E_hull(c) = min sum_i n_i E_i s.t. sum_i n_i c_i = c (a linear program, :mod:`.lp`);
* open to Li at mu_Li = -e V (Li metal of the same data set at 0): grand potential per non-Li atom
  Phi = (E - x_Li mu_Li) / (1 - x_Li) (Richards et al., Chem. Mater. 28, 266 (2016), eq. 3-4;
  pymatgen ``GrandPotentialPhaseDiagram``);
* pseudo-binary reaction energy dE(x) = E_hull(x c_A + (1-x) c_B) - x E_A - (1-x) E_B, minimum over x
  (Richards 2016 eq. 2), with reactants hull-referenced by default (Zhu, He, Mo, ACS AMI 7, 23685
  (2015)); open to Li both the total (reactants' own decomposition at mu_Li included, pymatgen
  ``include_no_mixing_energy=True``) and the mutual value (reactants referenced to their own
  decomposition at mu_Li);
* electrochemical window: reduction limit = highest V at which taking up Li lowers the energy,
  oxidation limit = lowest V at which giving up Li does (Zhu/He/Mo 2015; Nolan et al., Joule 2, 2016
  (2018); pymatgen ``PhaseDiagram.get_element_profile``).

No phase diagram of the whole union chemical system is ever triangulated: each quantity is an exact
parametric LP along a line (:mod:`.segment`), so 8-10 element interfaces cost about as much as ternaries.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from screening.composition.parse import ATOMIC_NUMBER, is_composite
from screening.entries.table import EntryTable
from screening.errors import InputError
from screening.thermo.lp import AMOUNT_TOL, HullLP, Solution
from screening.thermo.reactants import (
    LI,
    _balanced,
    _clean,
    _Reactant,
    _reactant,
    _reaction_string,
    balance_frame,
)
from screening.thermo.results import (
    REACTION_ENERGIES,
    Decomposition,
    Kink,
    Phase,
    Plateau,
    ReactionProfile,
    StabilityWindow,
)
from screening.thermo.segment import Point, hull_breakpoints, hull_profile
from screening.thermo.subsets import exact_rows, lowest_per_composition, select

#: A raw reactant energy (``hull_reference=False``) is used only below this formation energy [eV/atom]:
#: pymatgen's ``PhaseDiagram`` keeps entries with ``form_e < -formation_energy_tol`` (1e-11 eV/atom).
RAW_FORMATION_TOL = 1e-11


def _raw_usable(row: int | None, e_form: float | None) -> bool:
    """Whether a reactant's lowest entry (``row``, formation energy ``e_form`` [eV/atom]) is its raw energy:
    it has one and it lies below its elements (as pymatgen's ``InterfacialReactivity._get_entry_energy``)."""
    return row is not None and e_form is not None and e_form < -RAW_FORMATION_TOL


#: Highest potential accepted [V vs Li/Li+]; every electrolyte and cathode is oxidised well below it.
MAX_VOLTAGE = 10.0
#: Compositions closer than this (per-atom fractions) are the same composition.
COMP_TOL = 1e-6
#: Conventions of the decomposition energy (:meth:`Engine.decompose`).
DECOMPOSITION_CONVENTIONS = ("hull", "zhu2015")
#: A stability limit whose plateau exchanges less Li than this [Li per non-Li atom] gets a warning.
SHORT_PLATEAU = 0.01


# ---------------------------------------------------------------------------------------------- helpers
def voltage_to_mu(voltage: float) -> float:
    """mu_Li [eV] at a potential V [V vs Li/Li+]: mu_Li(V) = mu_Li(metal) - eV with mu_Li(metal) = 0."""
    try:
        v = float(voltage)
    except (TypeError, ValueError):
        raise InputError(f"voltage {voltage!r} is not a number; give a potential in V vs Li/Li+") from None
    if not np.isfinite(v):
        raise InputError(f"voltage {voltage!r} is not a finite number; give a potential in V vs Li/Li+")
    if v < 0:
        raise InputError(
            f"voltage {v} V is negative; give a potential vs Li/Li+ >= 0 (0 V is Li metal, cathodes 3-5 V)"
        )
    if v > MAX_VOLTAGE:
        raise InputError(
            f"voltage {v:g} V is above {MAX_VOLTAGE:g} V vs Li/Li+; give a potential between 0 and "
            f"{MAX_VOLTAGE:g} V (0 V is Li metal, cathodes 3-5 V)"
        )
    return -v + 0.0  # + 0.0: no -0.0 for 0 V


def _own_energy(energy: float, hull: float, hull_reference: bool) -> float:
    """Reactant energy [eV/atom] of an entry that is not part of the hull: lowered onto the hull (when
    hull-referenced) only if above it; below the hull it keeps its own energy."""
    if not np.isfinite(energy):
        raise InputError(f"reactant energy {energy!r} is not a finite number (eV/atom)")
    return min(energy, hull) if hull_reference else energy


# ---------------------------------------------------------------------------------------------- engine
#: Below this many elements numpy sums a row of fractions one element after the other, so the zeros of the
#: elements a row lacks change nothing: a row's fractions in a larger system, restricted to its own elements,
#: are bit for bit the ones computed in the smaller system (:func:`_rows_within`).
_SEQUENTIAL_SUM_ELEMENTS = 8


def _rows_within(
    selected: tuple[np.ndarray, np.ndarray], within: tuple[str, ...], elements: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray] | None:
    """The hull candidates of ``elements`` taken from those of a larger system ``within`` (rows, fractions).

    A hull candidate is one of the whole table (the lowest entry of its composition), so the candidates of a
    sub-system are the rows of the larger system without the other elements, in the same (sorted) order, and
    their fractions are the larger system's columns of ``elements``. None when ``within`` has too many
    elements for the fractions to be the same floats (the caller then selects from the table).
    """
    if len(within) >= _SEQUENTIAL_SUM_ELEMENTS or not set(elements) <= set(within):
        return None
    rows, frac = selected
    cols = [within.index(el) for el in elements]
    other = [i for i, el in enumerate(within) if el not in elements]
    if other:  # fractions are >= 0: a row lacks the other elements when their sum is exactly 0
        keep = (np.add.reduce(frac[:, other], axis=1) == 0).nonzero()[0]
        rows, frac = rows[keep], frac[keep]
    return rows, frac[:, cols]


class Engine:
    """Thermodynamics on one entry table, with hulls cached per chemical system and Li potential.

    Per formula it also keeps a reactant's own lowest entry and its closed hull energy in its own system, so
    an interface job that meets a material in hundreds of interfaces solves its own hull once.

    Args:
        table: Entries (formation energies per atom, elements at 0).
        cache_size: How many hull LPs (chemical system x mu_Li) to keep.

    Example:
        >>> eng = Engine(load_experimental())
        >>> eng.react("LiCoO2", "Li3PS4", voltage=4.3).min_energy  # doctest: +SKIP
    """

    def __init__(self, table: EntryTable, cache_size: int = 256):
        self.table = table
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = cache_size
        self._selected: dict = {}
        self._row_info: dict[int, tuple] = {}
        self._own: dict[str, tuple[int | None, float | None]] = {}  # formula -> lowest entry of it
        self._own_hull: dict[str, float] = {}  # formula -> closed hull energy in its own system [eV/atom]

    # ------------------------------------------------------------------ hull construction
    def _elements_of(self, *reactants: _Reactant) -> tuple[str, ...]:
        els = set()
        for r in reactants:
            els.update(r.amounts)
        return tuple(sorted(els, key=ATOMIC_NUMBER.__getitem__))

    def _subset(
        self, elements: tuple[str, ...], within: tuple[str, ...] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Entries within ``elements`` that a hull LP can use: (row indices, per-atom fractions).

        ``within``: a larger system whose entries this Engine selected already; those of ``elements`` are taken
        from them (see :func:`_rows_within`) instead of from the table.
        """
        if elements not in self._selected:
            sel = None
            if within is not None and within in self._selected:
                sel = _rows_within(self._selected[within], within, elements)
            self._selected[elements] = sel if sel is not None else select(self.table, elements, hull_only=True)
            if len(self._selected) > 4 * self._cache_size:
                self._selected.pop(next(iter(self._selected)))
        return self._selected[elements]

    def _lp(self, elements: tuple[str, ...], mu_li: float | None, within: tuple[str, ...] | None = None) -> HullLP:
        """The hull LP of ``elements``, closed (``mu_li`` None) or open to Li [eV]; ``within`` as for
        :meth:`_subset`."""
        key = (elements, None if mu_li is None else round(mu_li, 12))
        lp = self._cache.get(key)
        if lp is not None:
            self._cache.move_to_end(key)
            return lp
        idx, frac = self._subset(elements, within)
        energies = self.table.energy_per_atom[idx]
        if mu_li is None:
            lp = HullLP(frac, energies, idx, pruned=True)  # hull candidates only (subsets.select)
        else:  # grand potential per non-Li atom; of the points at one non-Li composition only the lowest
            li = elements.index(LI)
            x_li = frac[:, li]
            keep = (x_li < 1 - 1e-12).nonzero()[0]  # Li metal itself is the reservoir
            scale = 1.0 - x_li[keep]
            phi = (energies[keep] - x_li[keep] * mu_li) / scale
            below = phi <= 1e-9  # above zero: never on a hull with the element references
            keep, scale, phi = keep[below], scale[below], phi[below]
            low = lowest_per_composition(self.table, idx[keep], phi, drop=LI)
            keep, scale, phi = keep[low], scale[low], phi[low]
            coords = frac[keep][:, [i for i in range(len(elements)) if i != li]] / scale[:, None]
            lp = HullLP(coords, phi, idx[keep], pruned=True)
        self._cache[key] = lp
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return lp

    @staticmethod
    def _vector(amounts: dict[str, float], elements: tuple[str, ...], drop_li: bool = False) -> np.ndarray:
        vals = [float(amounts.get(e, 0.0)) for e in elements if not (drop_li and e == LI)]
        total = sum(vals)  # in order, as numpy sums a handful of floats
        if total <= 0:
            raise InputError("composition has no atoms in this space")
        return np.array(vals) / total

    def _phases(self, lp: HullLP, sol: Solution, per_atoms: float = 1.0, open_li: bool = False) -> list[Phase]:
        """Phases of an LP solution; amounts in formula units of each product's reduced formula.

        ``per_atoms`` scales from one normalisation atom to the basis of the caller (e.g. atoms of one
        formula unit of the reactant).
        """
        return [ph for ph, _ in self._phase_rows(lp, sol, per_atoms, open_li)]

    def _phase_rows(
        self, lp: HullLP, sol: Solution, per_atoms: float, open_li: bool
    ) -> list[tuple[Phase, dict[str, float]]]:
        """:meth:`_phases` with each product's atoms per formula unit of its reduced formula."""
        out = []
        for row, amt in zip(lp.labels[sol.index].tolist(), sol.amount.tolist(), strict=True):
            info = self._row_info.get(row)
            if info is None:  # (name, id, atoms, Li atoms, virtual, composition) of a product, once per Engine
                name, comp = self.table.name_and_composition(row)
                n_all, n_li, virtual = sum(comp.values()), comp.get(LI, 0.0), bool(self.table.virtual[row])
                info = self._row_info[row] = (name, self.table.ids[row], n_all, n_li, virtual, comp)
            name, entry_id, n_all, n_li, virtual, comp = info
            n_norm = n_all - n_li if open_li else n_all
            phase = Phase(formula=name, entry_id=entry_id, amount=float(amt * per_atoms / n_norm), virtual=virtual)
            out.append((phase, comp))
        out.sort(key=lambda pc: (-round(pc[0].amount, 9), pc[0].formula))  # rounded: ties by name, not by noise
        return out

    def _own_entry(
        self, r: _Reactant, within: tuple[HullLP, np.ndarray] | None = None
    ) -> tuple[int | None, float | None]:
        """Lowest entry with exactly the composition of ``r`` (None if it has no entry: virtual); the lowest
        row on equal energies.

        ``within``: a closed hull LP whose space holds ``r``, and ``r``'s composition in its coordinates. Its
        point at that composition, if it has one, is the entry: a hull point is the lowest entry of its
        composition, the lowest row on ties. Otherwise (an entry above 0 eV/atom, or none) the rows of exactly
        ``r``'s system are searched.
        """
        hit = self._own.get(r.formula)
        if hit is None:
            if within is not None:
                lp, c = within
                at = np.flatnonzero(np.abs(lp.coords - c).max(axis=1) < COMP_TOL)
                if len(at) == 1:
                    row = int(lp.labels[at[0]])
                    hit = (row, float(self.table.energy_per_atom[row]))
            if hit is None:
                hit = self._own_entry_of_rows(r)
            self._own[r.formula] = hit
        return hit

    def _own_entry_of_rows(self, r: _Reactant) -> tuple[int | None, float | None]:
        own = self._elements_of(r)
        idx, frac = exact_rows(self.table, own)
        target = self._vector(r.amounts, own)
        match = np.flatnonzero(np.abs(frac - target).max(axis=1) < COMP_TOL) if len(idx) else idx
        if len(match) == 0:
            return None, None
        rows = idx[match]
        e = self.table.energy_per_atom[rows]
        j = int(np.lexsort((rows, e))[0])
        return int(rows[j]), float(e[j])

    def _own_lp(self, r: _Reactant, within: tuple[str, ...] | None = None) -> tuple[HullLP, np.ndarray]:
        """The closed hull LP of ``r``'s own system and ``r``'s composition in it; ``within`` as for
        :meth:`_subset`."""
        own = self._elements_of(r)
        return self._lp(own, None, within), self._vector(r.amounts, own)

    def _hull_of_own(self, r: _Reactant, own: tuple[HullLP, np.ndarray] | None = None) -> float:
        """Closed hull energy of ``r`` in its own chemical system [eV/atom] (one LP solve per formula); ``own``:
        :meth:`_own_lp` of ``r`` if the caller has it."""
        e = self._own_hull.get(r.formula)
        if e is None:
            lp, c = own if own is not None else self._own_lp(r)
            e = self._own_hull[r.formula] = lp.solve(c).value
        return e

    def _entry_status(
        self, r: _Reactant, hull_value: float, within: tuple[HullLP, np.ndarray] | None = None
    ) -> tuple[int | None, float | None, bool, bool, float | None]:
        """(row, entry energy, has_entry, virtual, e_above_hull) of ``r`` given its hull energy [eV/atom];
        ``within`` as for :meth:`_own_entry`."""
        row, e_entry = self._own_entry(r, within)
        has_entry = row is not None
        virtual = (not has_entry) or bool(self.table.virtual[row])
        # below 1e-12 eV/atom a difference is the solver's round-off: exactly 0, so that compounds on the hull
        # tie (a query sorted by e_above_hull must not depend on the pivot sequence)
        return row, e_entry, has_entry, virtual, (_clean(max(e_entry - hull_value, 0.0)) if has_entry else None)

    # ------------------------------------------------------------------ public API
    def hull_energy(self, formula: str, voltage: float | None = None) -> float:
        """Hull energy of a composition [eV/atom closed; eV per non-Li atom open to Li at ``voltage``]."""
        r = _reactant(formula)
        mu = None if voltage is None else voltage_to_mu(voltage)
        elements = self._elements_of(r) if mu is None else tuple(sorted({*r.amounts, LI}, key=ATOMIC_NUMBER.get))
        self.table.check_elements(elements, formula)
        if mu is None:
            return self._lp(elements, None).solve(self._vector(r.amounts, elements)).value
        if set(r.amounts) == {LI}:
            raise InputError(f"{formula} is pure Li: open to Li it is the reservoir itself and has no grand potential")
        return self._lp(elements, mu).solve(self._vector(r.amounts, elements, drop_li=True)).value

    def e_above_hull_rows(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """e_above_hull [eV/atom] of table entries, one hull LP per chemical system.

        Args:
            rows: Row indices into ``self.table``.

        Returns:
            (len(rows),) energies above the hull, >= 0 (polymorphs above the lowest included); below 1e-12
            eV/atom exactly 0 (round-off of the LP solve).
        """
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows))
        groups: dict[tuple[str, ...], list[int]] = {}
        for k, row in enumerate(rows):
            comp = self.table.composition(int(row))
            els = tuple(sorted(comp, key=ATOMIC_NUMBER.__getitem__))
            groups.setdefault(els, []).append(k)
        for els, ks in groups.items():
            lp = self._lp(els, None)
            fr = self.table.fractions(rows[ks], els)
            for k, c in zip(ks, fr, strict=True):
                out[k] = _clean(max(self.table.energy_per_atom[rows[k]] - lp.solve(c).value, 0.0))  # see _entry_status
        return out

    def decompose(self, formula: str, voltage: float | None = None, convention: str = "hull") -> Decomposition:
        """Hull energy, e_above_hull and decomposition of a composition, optionally open to Li.

        Args:
            formula: Any composition :func:`~screening.composition.parse_formula` reads.
            voltage: Potential vs Li/Li+ [V]; if given, also the decomposition open to Li at
                mu_Li = -eV, with the Li taken up (+) or released (-) per formula unit.
            convention: How ``decomposition_energy`` is reported (:data:`DECOMPOSITION_CONVENTIONS`):

                * ``"hull"`` (default): open to Li, grand potential of the products minus that of the
                  compound lowered onto the hull, per non-Li atom [eV per non-Li atom] (Richards et al.,
                  Chem. Mater. 28, 266 (2016), eq. 3-4); closed, not reported (0 by construction).
                * ``"zhu2015"``: the compound's own (raw) lowest entry energy, per atom of the compound,
                  Li included [eV/atom]: E_D = [Phi_products - Phi_compound] (1 - x_Li), the E_D of Zhu, He &
                  Mo, ACS AMI 7, 23685 (2015), Tables 2-3 (at 0 V and 5 V). Closed, E_hull - E_entry
                  (= -e_above_hull). A composition without an entry falls back to its hull energy.

        Returns:
            :class:`Decomposition`. Closed phases' amounts are formula units per formula unit of the
            input; ``e_above_hull`` [eV/atom] is None when the composition has no entry (virtual).

        Raises:
            InputError: an unknown convention, a negative voltage, or pure Li open to Li.
        """
        if convention not in DECOMPOSITION_CONVENTIONS:
            raise InputError(
                f"unknown decomposition convention {convention!r}; use one of {', '.join(DECOMPOSITION_CONVENTIONS)}"
            )
        r = _reactant(formula)
        elements = self._elements_of(r)
        self.table.check_elements(elements, formula)
        lp = self._lp(elements, None)
        c = self._vector(r.amounts, elements)
        sol = lp.solve(c)
        row, e_entry, has_entry, virtual, e_above = self._entry_status(r, sol.value, (lp, c))
        dec = Decomposition(
            formula=formula,
            reduced_formula=r.reduced,
            voltage=None if voltage is None else float(voltage),
            mu_li=None,
            has_entry=has_entry,
            virtual=virtual,
            entry_id=self.table.ids[row] if has_entry else None,
            entry_energy=e_entry,
            hull_energy=sol.value,
            e_above_hull=e_above,
            phases=self._phases(lp, sol, per_atoms=r.n_atoms),
            convention=convention,
            glass_as_crystal=has_entry and is_composite(formula),
        )
        zhu = convention == "zhu2015"
        e_reactant = e_entry if zhu and has_entry else sol.value  # [eV/atom]
        if voltage is None:
            if zhu:
                dec.decomposition_energy = _clean(min(sol.value - e_reactant, 0.0))
            return dec
        mu = voltage_to_mu(voltage)
        dec.mu_li = mu
        if set(r.amounts) == {LI}:
            raise InputError(f"{formula} is pure Li: open to Li it is the reservoir itself; omit --voltage")
        g_elements = tuple(sorted({*elements, LI}, key=ATOMIC_NUMBER.__getitem__))
        self.table.check_elements(g_elements, formula)
        glp = self._lp(g_elements, mu)
        gsol = glp.solve(self._vector(r.amounts, g_elements, drop_li=True))
        n_non_li = r.n_atoms - r.n_li
        x_li = r.n_li / r.n_atoms
        phi_reactant = (e_reactant - x_li * mu) / (1 - x_li)
        rows = self._phase_rows(glp, gsol, n_non_li, open_li=True)
        phases = [ph for ph, _ in rows]
        li_products = sum(ph.amount * comp.get(LI, 0.0) for ph, comp in rows)
        dec.phases = phases
        dec.open_hull_energy = gsol.value
        dec.open_reactant_energy = phi_reactant
        if zhu:  # per atom of the compound, Li included (Zhu, He & Mo 2015)
            dec.decomposition_energy = _clean(min((gsol.value - phi_reactant) * (1 - x_li), 0.0))
            dec.units = "closed: eV/atom; open: eV per non-Li atom; decomposition_energy: eV/atom of the compound"
        else:
            dec.decomposition_energy = _clean(min(gsol.value - phi_reactant, 0.0))
            dec.units = "closed: eV/atom; open: eV per non-Li atom"
        dec.li_exchanged = li_products - r.n_li
        return dec

    def react(
        self,
        a: str,
        b: str,
        voltage: float | None = None,
        hull_reference: bool = True,
        electrode: str = "a",
        energy_a: float | None = None,
        energy_b: float | None = None,
    ) -> ReactionProfile:
        """Interface reaction profile of A | B, closed or open to Li at ``voltage``.

        Args:
            a: Reactant A (x = 1 end).
            b: Reactant B (x = 0 end).
            voltage: Potential vs Li/Li+ [V]; None for the closed (chemical mixing) reaction.
            hull_reference: Reactant energies lowered onto the hull (default, Zhu/He/Mo 2015, Richards
                2016, Xiao 2019); False uses the lowest entry of each reactant's composition (raw),
                falling back to the hull for a composition without an entry or whose lowest entry has a
                formation energy >= 0 eV/atom (as pymatgen's ``use_hull_energy=False``).
            electrode: ``"a"`` or ``"b"``: the reactant held in its own equilibrium at the potential in the
                ``richards2016`` energy (Richards et al., Chem. Mater. 28, 266 (2016)): it is referenced to
                its own decomposition at mu_Li while the other reactant's decomposition counts. Open to Li,
                ``richards2016 - total = t_electrode * (Phi_electrode - Phi_electrode_decomposed) >= 0`` at
                every x (t_electrode: the electrode's fraction of non-Li atoms).
            energy_a, energy_b: A reactant's own formation energy [eV/atom] instead of its composition's
                entry: an entry judged against the hull but not part of it (a machine-learned candidate,
                docs/mlip.md). Hull-referenced it is lowered onto the hull only when above it (one below the
                hull keeps its own energy: the hull is the data's, without it); raw it is used as given. The
                reactant is flagged virtual.

        Returns:
            :class:`ReactionProfile` with every kink (x, molar ratio, energy, balanced reaction), the
            minimum, and open to Li the total, mutual and richards2016 reaction energies. Every kink's
            reaction balances to round-off, except that a product below the hull LP's resolution (1e-8 of
            the reaction's atoms, :data:`~screening.thermo.lp.AMOUNT_TOL`) is not reported: only a reactant
            with an element at the ppm level (``Li999999P``) can lose one.

        Raises:
            InputError: negative voltage, Li metal as a reactant when open to Li, or an unknown electrode.
            MissingElementError: an element the source has no data for.
        """
        if electrode not in ("a", "b"):
            raise InputError(f"electrode must be 'a' (first reactant) or 'b' (second), not {electrode!r}")
        ra, rb = _reactant(a), _reactant(b)
        mu = None if voltage is None else voltage_to_mu(voltage)
        closed_elements = self._elements_of(ra, rb)
        elements = closed_elements if mu is None else tuple(sorted({*closed_elements, LI}, key=ATOMIC_NUMBER.get))
        self.table.check_elements(elements, f"{a} | {b}")
        if mu is not None:
            for r in (ra, rb):
                if set(r.amounts) == {LI}:
                    raise InputError(
                        f"{r.formula} is pure Li: open to Li it is the reservoir itself; compute the Li-metal "
                        "interface closed (no --voltage), or the other reactant's decomposition at 0 V"
                    )
        if mu is None:
            lp, open_li = self._lp(closed_elements, None), False
            c_a, c_b = self._vector(ra.amounts, elements), self._vector(rb.amounts, elements)
            norm_a, norm_b = ra.n_atoms, rb.n_atoms
        else:
            lp, open_li = self._lp(elements, mu), True
            c_a = self._vector(ra.amounts, elements, drop_li=True)
            c_b = self._vector(rb.amounts, elements, drop_li=True)
            norm_a, norm_b = ra.n_atoms - ra.n_li, rb.n_atoms - rb.n_li
        start = lp.n_solves
        if np.abs(c_a - c_b).max() < COMP_TOL:
            points = [p for p in hull_breakpoints(lp, c_a, c_b) if p.t in (0.0, 1.0)]
        else:
            points = hull_breakpoints(lp, c_a, c_b)
        f1, f0 = points[-1].value, points[0].value
        if mu is None:  # the closed hull of the union at a reactant's composition is the one of its own system
            hull_a, hull_b = f1, f0
            (row_a, e_entry_a), (row_b, e_entry_b) = self._own_entry(ra, (lp, c_a)), self._own_entry(rb, (lp, c_b))
        else:
            own_a, own_b = [  # each reactant's own system, from this interface's selection
                None if r.formula in self._own_hull and r.formula in self._own else self._own_lp(r, elements)
                for r in (ra, rb)
            ]
            hull_a, hull_b = self._hull_of_own(ra, own_a), self._hull_of_own(rb, own_b)
            (row_a, e_entry_a), (row_b, e_entry_b) = self._own_entry(ra, own_a), self._own_entry(rb, own_b)
        virt_a = row_a is None or bool(self.table.virtual[row_a])
        virt_b = row_b is None or bool(self.table.virtual[row_b])
        glass_a = row_a is not None and is_composite(ra.formula)
        glass_b = row_b is not None and is_composite(rb.formula)
        # raw, as pymatgen's InterfacialReactivity(use_hull_energy=False): the lowest entry of the composition,
        # unless it has none or it lies at or above its elements (formation energy >= 0, which pymatgen's
        # PhaseDiagram leaves out of its qhull_entries): then the hull (docs/conventions.md)
        e_a = hull_a if hull_reference or not _raw_usable(row_a, e_entry_a) else e_entry_a
        e_b = hull_b if hull_reference or not _raw_usable(row_b, e_entry_b) else e_entry_b
        if energy_a is not None:  # judged against the hull, not part of it
            e_a, virt_a, glass_a = _own_energy(float(energy_a), hull_a, hull_reference), True, False
        if energy_b is not None:
            e_b, virt_b, glass_b = _own_energy(float(energy_b), hull_b, hull_reference), True, False
        if mu is None:
            tot_a, tot_b = e_a, e_b
        else:
            xa, xb = ra.n_li / ra.n_atoms, rb.n_li / rb.n_atoms
            tot_a = (e_a - xa * mu) / (1 - xa)  # Phi of the reactant itself [eV per non-Li atom]
            tot_b = (e_b - xb * mu) / (1 - xb)
        # richards2016: the electrode at its own equilibrium (mutual reference), the other one total
        el_a, el_b = (f1, tot_b) if electrode == "a" else (tot_a, f0)
        if not open_li:
            el_a, el_b = tot_a, tot_b
        frame = balance_frame(ra.amounts, rb.amounts, open_li)
        kinks = [
            self._kink(lp, p, ra, rb, norm_a, norm_b, tot_a, tot_b, f1, f0, open_li, el_a, el_b, frame)
            for p in points
        ]
        i_min = min(range(len(kinks)), key=lambda i: (kinks[i].energy, kinks[i].x))
        i_mut = min(range(len(kinks)), key=lambda i: (kinks[i].energy_mutual, kinks[i].x))
        i_el = min(range(len(kinks)), key=lambda i: (kinks[i].energy_electrode, kinks[i].x))
        units = "eV/atom" if not open_li else "eV per non-Li atom"
        return ReactionProfile(
            a=a,
            b=b,
            voltage=None if voltage is None else float(voltage),
            mu_li=mu,
            open_to_li=open_li,
            reference="hull" if hull_reference else "raw",
            units=units,
            elements=list(elements),
            reactant_energies={
                "a_closed_eV_per_atom": e_a,
                "b_closed_eV_per_atom": e_b,
                "a_total": tot_a,
                "b_total": tot_b,
                "a_mutual": f1,
                "b_mutual": f0,
            },
            virtual={a: virt_a, b: virt_b},
            kinks=kinks,
            min_energy=kinks[i_min].energy,
            min_x=kinks[i_min].x,
            min_energy_mutual=kinks[i_mut].energy_mutual,
            min_x_mutual=kinks[i_mut].x,
            n_lp_solves=lp.n_solves - start,
            electrode=electrode,
            min_energy_electrode=kinks[i_el].energy_electrode,
            min_x_electrode=kinks[i_el].x,
            glass_as_crystal={a: glass_a, b: glass_b},
        )

    def _kink(
        self,
        lp: HullLP,
        p: Point,
        ra: _Reactant,
        rb: _Reactant,
        norm_a: float,
        norm_b: float,
        tot_a: float,
        tot_b: float,
        f1: float,
        f0: float,
        open_li: bool,
        el_a: float,
        el_b: float,
        frame: tuple | None = None,
    ) -> Kink:
        t = p.t
        mol_a, mol_b = t / norm_a, (1.0 - t) / norm_b
        mol = mol_a + mol_b
        x_molar = mol_a / mol
        x = mol_a * ra.n_atoms / (mol_a * ra.n_atoms + mol_b * rb.n_atoms)
        # products per reaction as written (x_molar A + (1 - x_molar) B): one normalisation atom = 1/mol
        rows = self._phase_rows(lp, p.solution, 1.0 / mol, open_li)
        comps = [c for _, c in rows]
        products, x_bal = _balanced(
            [ph for ph, _ in rows], comps, ra.amounts, rb.amounts, float(x_molar), open_li, frame
        )
        li_in = x_bal * ra.n_li + (1 - x_bal) * rb.n_li
        li_out = sum(ph.amount * c.get(LI, 0.0) for ph, c in zip(products, comps, strict=True))
        li_exchange = li_out - li_in if open_li else 0.0
        # x_molar counts formula units as written; the string names reduced formulas, so rescale
        # (Li2Nb2O6 is 2 LiNbO3, O is 0.5 O2): every reaction string balances whatever the spelling.
        reactants = [(ra.label, x_bal * ra.per_reduced), (rb.label, (1 - x_bal) * rb.per_reduced)]
        prods = [(ph.formula, ph.amount) for ph in products]
        if li_exchange > AMOUNT_TOL:
            reactants.append((LI, li_exchange))
        elif li_exchange < -AMOUNT_TOL:
            prods.append((LI, -li_exchange))
        energy = p.value - t * tot_a - (1 - t) * tot_b
        mutual = p.value - t * f1 - (1 - t) * f0
        electrode = p.value - t * el_a - (1 - t) * el_b
        return Kink(
            x=float(x),
            x_molar=float(x_molar),
            t=float(t),
            energy=_clean(energy),
            energy_mutual=_clean(mutual),
            reaction=_reaction_string(reactants, prods),
            products=products,
            li_exchanged=float(li_exchange),
            energy_electrode=_clean(electrode),
            reactants=[(f, float(c)) for f, c in reactants if c > AMOUNT_TOL],
        )

    def window(self, formula: str, li_tolerance: float = 0.0) -> StabilityWindow:
        """Electrochemical stability window of a composition (hull-referenced), vs Li/Li+.

        Walks the closed hull along the line from the fully delithiated composition (t = 0) to Li metal
        (t = 1), t being the Li atomic fraction. On each linear segment mu_Li is the segment's
        extrapolation to t = 1 (the derivative of the total energy with respect to Li content); the
        reduction limit is -mu_Li of the segment above the compound's own Li fraction, the oxidation
        limit -mu_Li of the one below (Zhu/He/Mo 2015; pymatgen ``get_element_profile``).

        A composition that is not a phase of its own (e.g. a virtual composition that is not charge
        balanced, ``Li0.33La0.56TiO3``) can sit a hair away from a hull vertex, so that a limit is a plateau
        exchanging almost no Li. A limit whose plateau exchanges less than :data:`SHORT_PLATEAU` Li per
        non-Li atom gets a warning in ``warnings`` naming the next plateau.

        Args:
            formula: The composition.
            li_tolerance: Li per non-Li atom [dimensionless]: steps from the composition are skipped until
                this much Li has been exchanged, so each limit is the voltage of the plateau on which the
                cumulative exchange reaches it (0: the usual definition).

        Raises:
            InputError: for pure Li (no window defined), or a negative or non-finite ``li_tolerance``.
        """
        tol = float(li_tolerance)
        if not (np.isfinite(tol) and tol >= 0):
            raise InputError(f"li_tolerance {li_tolerance!r} must be a finite number >= 0 (Li per non-Li atom)")
        r = _reactant(formula)
        if set(r.amounts) == {LI}:
            raise InputError(f"{formula} is pure Li: its potential is 0 V by definition and it has no window")
        elements = tuple(sorted({*r.amounts, LI}, key=ATOMIC_NUMBER.__getitem__))
        self.table.check_elements(elements, formula)
        lp = self._lp(elements, None)
        c_li = self._vector({LI: 1.0}, elements)
        c_del = self._vector(r.amounts, elements, drop_li=True)
        c_del = np.insert(c_del, elements.index(LI), 0.0)
        t_c = r.n_li / r.n_atoms
        points, interiors = hull_profile(lp, c_li, c_del, extra=(t_c,) if 0 < t_c < 1 else ())
        ts = np.array([p.t for p in points])
        li = elements.index(LI)
        mus = np.array([m.solution.mu[li] for m in interiors])  # facet chemical potential of Li [eV]
        i_c = int(np.argmin(np.abs(ts - t_c)))
        n_non_li = r.n_atoms - r.n_li

        def li_per_fu(t: float) -> float:
            return n_non_li * t / (1 - t) if t < 1 else np.inf

        def phases_at(i: int) -> list[Phase]:
            t = ts[i]
            per = n_non_li / (1 - t) if t < 1 else 1.0  # atoms at t per formula unit of non-Li part
            return self._phases(lp, points[i].solution, per_atoms=per)

        def li_from_c(i: int) -> float:
            """Li exchanged per formula unit between the composition and point i."""
            return abs(float(li_per_fu(ts[i]) - r.n_li))

        def walk(step: int, need: float) -> int | None:
            """Segment of the limit going down (-1) or up (+1) in Li: the first one on which the Li
            exchanged from the composition reaches ``need`` [Li per formula unit] (or the last one)."""
            i = i_c if step > 0 else i_c - 1
            if i < 0 or i >= len(points) - 1:
                return None
            while 0 <= i + step < len(points) - 1 and li_from_c(i + (step > 0)) < need:
                i += step
            return i

        def plateau_end(i: int, step: int) -> tuple[int, float]:
            """(last segment at the voltage of segment i, Li exchanged from the composition to its end)."""
            while 0 <= i + step < len(points) - 1 and abs(mus[i + step] - mus[i]) < 1e-9:
                i += step
            return i, li_from_c(i + (step > 0))

        need = tol * n_non_li
        limits: dict[str, tuple[float, list[Phase], float] | None] = {}
        warnings_: list[str] = []
        for name, step in (("reduction", +1), ("oxidation", -1)):
            i0, i = walk(step, 0.0), walk(step, need)
            if i is None:
                limits[name] = None
                continue
            end = i + (step > 0)
            limits[name] = (_clean(-mus[i]), phases_at(end), li_from_c(end))
            j, li0 = plateau_end(i0, step)
            if li0 < SHORT_PLATEAU * n_non_li:
                nxt = j + step
                after = f"; the next plateau is at {-mus[nxt]:.3f} V" if 0 <= nxt < len(points) - 1 else ""
                warnings_.append(
                    f"{name} limit {-mus[i0]:.3f} V sits on a plateau exchanging only {li0:.4g} Li per formula unit "
                    f"({li0 / n_non_li:.2g} per non-Li atom, below {SHORT_PLATEAU:g}){after}; the composition is "
                    "probably not a phase of its own (e.g. not charge balanced); li_tolerance skips such steps"
                )
            if i != i0:
                warnings_.append(
                    f"li_tolerance {tol:g}: {name} limit moved from {-mus[i0]:.3f} V to {-mus[i]:.3f} V"
                )
        red, red_products, li_red = limits["reduction"] or (None, [], None)
        if li_red is not None and not np.isfinite(li_red):
            li_red = None  # the first step goes straight to Li metal: unbounded uptake, no number to report
        ox, ox_products, li_ox = limits["oxidation"] or (None, [], None)
        profile = _merge_plateaus([
            Plateau(
                voltage=_clean(-mus[i]),
                li_start=float(li_per_fu(ts[i])),
                li_end=float(li_per_fu(ts[i + 1])) if ts[i + 1] < 1 else float("inf"),
                phases=sorted({ph.formula for ph in phases_at(i)} | {ph.formula for ph in phases_at(i + 1)}),
            )
            for i in range(len(points) - 1)
        ])
        # the profile already holds the hull energy at the compound's own composition (t = t_c)
        c_r = self._vector(r.amounts, elements)
        _, _, has_entry, virtual, e_above = self._entry_status(r, points[i_c].value, (lp, c_r))
        return StabilityWindow(
            formula=formula,
            reduced_formula=r.reduced,
            has_entry=has_entry,
            virtual=virtual,
            e_above_hull=e_above,
            reduction_limit=red,
            oxidation_limit=ox,
            reduction_products=red_products,
            oxidation_products=ox_products,
            li_reduction=li_red,
            li_oxidation=li_ox,
            profile=profile,
            li_tolerance=tol,
            warnings=warnings_,
            glass_as_crystal=has_entry and is_composite(formula),
        )


    def average_voltage(self, discharged: str, charged: str, hull_reference: bool = True):
        """Average voltage [V vs Li/Li+] of an electrode between two Li contents of one host, from this
        engine's data; see :func:`screening.thermo.voltage.average_voltage` (returns its
        :class:`~screening.thermo.voltage.AverageVoltage`)."""
        from screening.thermo.voltage import average_voltage

        return average_voltage(self, discharged, charged, hull_reference=hull_reference)


def _merge_plateaus(plateaus: list[Plateau]) -> list[Plateau]:
    """Join neighbouring plateaus at the same voltage (the compound's own Li content splits one)."""
    out: list[Plateau] = []
    for pl in plateaus:
        if out and abs(out[-1].voltage - pl.voltage) < 1e-9:
            prev = out[-1]
            out[-1] = Plateau(prev.voltage, prev.li_start, pl.li_end, sorted(set(prev.phases) | set(pl.phases)))
        else:
            out.append(pl)
    return out


__all__ = [
    "DECOMPOSITION_CONVENTIONS",
    "REACTION_ENERGIES",
    "Decomposition",
    "Engine",
    "Kink",
    "Phase",
    "Plateau",
    "ReactionProfile",
    "StabilityWindow",
    "voltage_to_mu",
]
