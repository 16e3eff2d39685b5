"""pymatgen interop, both ways.

* in: an :class:`~screening.thermo.Engine` from a list of pymatgen entries (``ComputedEntry``,
  ``ComputedStructureEntry``, ``PDEntry``) or from a ``PhaseDiagram``; formation energies use the
  elemental references of the same entries (never another functional's; docs/science.md, pymatgen #3319);
* out: compositions as pymatgen ``Composition`` and a profile's kinks as pymatgen ``BalancedReaction``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from screening.entries import EntryTable
from screening.errors import InputError
from screening.thermo import Engine
from screening.thermo.engine import Kink, Phase, ReactionProfile

#: Amounts below this (formula units) are left out of a reaction.
AMOUNT_TOL = 1e-9


def _formula(comp) -> str:
    return comp.formula.replace(" ", "")


def table_from_entries(entries: Iterable, label: str = "pymatgen entries") -> EntryTable:
    """An entry table of formation energies [eV/atom] from pymatgen entries.

    Each entry's ``energy`` (corrected total energy for ComputedEntry) minus the lowest elemental entry
    per atom of the same list, per atom. Every element present needs an elemental entry.

    Raises:
        InputError: empty list, or an element without an elemental entry.
    """
    entries = list(entries)
    if not entries:
        raise InputError("no entries given; pass a non-empty list of pymatgen entries")
    refs: dict[str, float] = {}
    for e in entries:
        if e.composition.is_element:
            el = e.composition.elements[0].symbol
            refs[el] = min(refs.get(el, np.inf), e.energy_per_atom)
    formulas, energies, ids = [], [], []
    for i, e in enumerate(entries):
        els = [el.symbol for el in e.composition.elements]
        missing = [el for el in els if el not in refs]
        if missing:
            raise InputError(
                f"entry {i} ({_formula(e.composition)}) has no elemental reference for {', '.join(missing)}; "
                "add the elemental entries of the same calculation set"
            )
        comp = e.composition
        formulas.append(_formula(comp))
        energies.append((e.energy - sum(comp[el] * refs[el] for el in els)) / comp.num_atoms)
        ident = getattr(e, "entry_id", None) or getattr(e, "name", None)
        ids.append(f"{label}:{ident}" if ident is not None else f"{label}:{i}")
    prov = {"source": "pymatgen", "label": label, "n_entries": len(formulas),
            "energy_kind": "formation_energy_per_atom (entries' own elemental references)"}
    return EntryTable.from_records(formulas, np.array(energies), ids, prov, add_element_references=False)


def engine_from_entries(entries: Iterable, label: str = "pymatgen entries") -> Engine:
    """An :class:`~screening.thermo.Engine` on a list of pymatgen entries (see :func:`table_from_entries`)."""
    return Engine(table_from_entries(entries, label))


def engine_from_phase_diagram(phase_diagram, label: str = "PhaseDiagram") -> Engine:
    """An :class:`~screening.thermo.Engine` on the entries of a pymatgen ``PhaseDiagram``.

    Formation energies are the diagram's own (``get_form_energy_per_atom``, against its ``el_refs``), so
    hulls, decompositions and reaction energies agree with pymatgen on the same diagram.
    """
    entries = list(phase_diagram.all_entries)
    formulas = [_formula(e.composition) for e in entries]
    energies = np.array([phase_diagram.get_form_energy_per_atom(e) for e in entries])
    ids = [
        f"{label}:{getattr(e, 'entry_id', None) or getattr(e, 'name', None) or i}" for i, e in enumerate(entries)
    ]
    prov = {"source": "pymatgen", "label": label, "n_entries": len(entries),
            "energy_kind": "formation_energy_per_atom (PhaseDiagram.get_form_energy_per_atom)"}
    return Engine(EntryTable.from_records(formulas, energies, ids, prov, add_element_references=True))


def to_composition(item: str | Phase):
    """A pymatgen ``Composition`` of a formula or a :class:`~screening.thermo.engine.Phase`."""
    from pymatgen.core import Composition

    from screening.composition import parse_formula

    formula = item.formula if isinstance(item, Phase) else str(item)
    return Composition(parse_formula(formula))


def to_reaction(profile: ReactionProfile, kink: Kink | None = None):
    """The balanced reaction of one kink as a pymatgen ``BalancedReaction``.

    Coefficients are those of the engine's ``Kink.reactants`` (``x_molar`` A + (1 - ``x_molar``) B in
    formula units of the reduced formulas, + Li taken from the reservoir) -> products (+ Li given to it);
    pymatgen checks the element balance (it raises if the two sides differ).

    Args:
        profile: A profile from :meth:`screening.thermo.Engine.react`.
        kink: One of its kinks (default: the minimum of the total energy).
    """
    from pymatgen.analysis.reaction_calculator import BalancedReaction
    from pymatgen.core import Composition

    k = kink if kink is not None else profile.minimum
    reactants: dict = {}
    products: dict = {}

    def add(side: dict, comp, amount: float) -> None:
        if amount > AMOUNT_TOL:
            side[comp] = side.get(comp, 0.0) + amount

    li = Composition("Li")
    if getattr(k, "reactants", None):  # the engine's own left side (reduced formulas, Li from the reservoir)
        for formula, amount in k.reactants:
            add(reactants, to_composition(formula), amount)
    else:
        add(reactants, to_composition(profile.a), k.x_molar)
        add(reactants, to_composition(profile.b), 1.0 - k.x_molar)
        if k.li_exchanged > 0:
            add(reactants, li, k.li_exchanged)
    if k.li_exchanged < 0:
        add(products, li, -k.li_exchanged)
    for p in k.products:
        add(products, to_composition(p), p.amount)
    return BalancedReaction(reactants, products)


def reactions(profile: ReactionProfile) -> list:
    """Every kink of a profile as a pymatgen ``BalancedReaction`` (see :func:`to_reaction`)."""
    return [to_reaction(profile, k) for k in profile.kinks]


__all__ = [
    "engine_from_entries",
    "engine_from_phase_diagram",
    "reactions",
    "table_from_entries",
    "to_composition",
    "to_reaction",
]
