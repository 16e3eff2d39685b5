"""pymatgen ``ComputedEntry`` objects and dicts turned into a formation-energy table, safely.

The one home of the rules every JSON source shares (snapshot files, ``screening mp export`` snapshots,
the Materials Project cache, structure candidates): which ``@module``/``@class`` a data file may name
(:data:`ALLOWED_CLASSES`, checked before anything is decoded; issue 26, S1), how one entry is checked
(:func:`_as_entry`), and how total energies become formation energies against the elemental entries of
the same list (:func:`entries_to_table`; never another functional's, pymatgen issue #3319).
"""

from __future__ import annotations

import math

import numpy as np

from screening.composition.parse import parse_formula
from screening.entries.table import EntryTable
from screening.errors import FormulaError, SourceError


def entries_to_table(entries: list, provenance: dict) -> EntryTable:
    """Turn pymatgen ComputedEntry objects or their dicts into a formation-energy table.

    Energies are corrected total energies (``entry.energy``, i.e. with the corrections the source
    applied); formation energies use the lowest-energy-per-atom elemental entry of the same list as
    reference. Entries containing an element with no elemental entry are dropped and listed in the
    provenance (``dropped_no_reference``), so asking for that element later names the problem.

    Args:
        entries: ComputedEntry/ComputedStructureEntry objects or ``as_dict()`` dicts.
        provenance: Source description, extended with counts.
    """
    where = provenance.get("path", "the entry list")
    objs = [_as_entry(e, i, where) for i, e in enumerate(entries)]
    refs: dict[str, float] = {}
    for e in objs:
        if e.composition.is_element:
            el = e.composition.elements[0].symbol
            refs[el] = min(refs.get(el, np.inf), e.energy_per_atom)
    if not refs:
        raise SourceError(
            f"{where!r} has no elemental entries (e.g. Li, O2): total energies become formation energies only "
            "against elemental entries of the same calculations; add them, or give formation energies per atom "
            "in a CSV 'formula,e_form'"
        )
    formulas, energies, ids, dropped = [], [], [], set()
    for i, e in enumerate(objs):
        comp = e.composition
        els = [el.symbol for el in comp.elements]
        if any(el not in refs for el in els):
            dropped.update(el for el in els if el not in refs)
            continue
        e_form = (e.energy - sum(comp[el] * refs[el] for el in els)) / comp.num_atoms
        formulas.append(comp.formula.replace(" ", ""))
        energies.append(e_form)
        ids.append(str(e.entry_id) if e.entry_id is not None else f"entry{i}")
    provenance = dict(provenance)
    provenance.update(
        n_entries=len(formulas),
        energy_kind="formation_energy_per_atom (from corrected total energies, same-file elemental refs)",
        elemental_references_eV_per_atom={k: round(v, 6) for k, v in sorted(refs.items())},
    )
    if dropped:
        provenance["dropped_no_reference"] = sorted(dropped)
    if not formulas:
        raise SourceError(
            f"no entry of {where!r} has elemental references for all its elements (missing: "
            f"{', '.join(sorted(dropped))}); add the elemental entries of the same calculations"
        )
    return EntryTable.from_records(formulas, np.array(energies), ids, provenance, add_element_references=False)


_ENTRY_MODULES = ("pymatgen.entries.computed_entries", "pymatgen.core.entries")  # the module moved in 2025
_ENTRY_CLASSES = (
    "ComputedEntry", "ComputedStructureEntry", "EnergyAdjustment", "ConstantEnergyAdjustment",
    "ManualEnergyAdjustment", "CompositionEnergyAdjustment", "TemperatureEnergyAdjustment",
)
#: The only ``(@module, @class)`` pairs a JSON entry (or structure) may name, at any depth. pymatgen's
#: ``from_dict`` hands ``data``, ``parameters``, ``energy_adjustments`` and site properties to monty's
#: decoder, which imports whatever module a nested ``{"@module": M, "@class": C}`` names: a data file
#: must never make this program import (i.e. run) anything, so everything else is refused before decoding.
ALLOWED_CLASSES = frozenset(
    {(m, c) for m in _ENTRY_MODULES for c in _ENTRY_CLASSES}
    | {
        ("pymatgen.core.composition", "Composition"),
        ("pymatgen.core.structure", "Structure"),
        ("pymatgen.core.lattice", "Lattice"),
        ("pymatgen.core.sites", "PeriodicSite"),
        ("pymatgen.core.periodic_table", "Element"),
        ("pymatgen.core.periodic_table", "Species"),
        ("pymatgen.core.periodic_table", "DummySpecies"),
    }
)
_CLASSES_FIX = (
    "entries may only hold pymatgen ComputedEntry/ComputedStructureEntry, EnergyAdjustment, Composition and "
    "Structure/Lattice dicts and plain values (nothing a data file names is imported); remove it, or write the "
    "file again from the entries (e.g. 'screening mp export')"
)


def foreign_class(obj) -> tuple[str, str] | None:
    """The first ``@module``/``@class`` in ``obj`` (at any depth) not in :data:`ALLOWED_CLASSES`.

    Returns:
        ``(where, "module.Class")`` with ``where`` a path such as ``data/x`` into ``obj``; None when every
        class it names is allowed. Iterative, so no nesting depth breaks it.
    """
    stack = [(obj, "")]
    while stack:
        o, where = stack.pop()
        if isinstance(o, dict):
            if "@module" in o or "@class" in o:
                pair = (o.get("@module"), o.get("@class"))
                if pair not in ALLOWED_CLASSES:
                    name = ".".join(str(x)[:80] for x in pair if x is not None)
                    return where or "(top level)", name
            stack.extend((v, f"{where}/{k}" if where else str(k)) for k, v in reversed(list(o.items())))
        elif isinstance(o, list):
            stack.extend((v, f"{where}[{j}]") for j, v in reversed(list(enumerate(o))))
    return None


def check_classes(obj, what: str) -> None:
    """Raise :class:`SourceError` (one line naming ``what`` and the class) if ``obj`` names a foreign class."""
    found = foreign_class(obj)
    if found is not None:
        where, name = found
        raise SourceError(f"{what} asks for class {name!r} (at {where}), which is not allowed; {_CLASSES_FIX}")


_ENTRY_FIX = (
    "each entry must be a pymatgen ComputedEntry dict or {'composition': 'Li2O', 'energy': <total eV per "
    "formula unit as written>, 'entry_id': ...}"
)


def _bad_entry(i: int, where: str, why: str) -> SourceError:
    return SourceError(f"entry {i} of {where!r} {why}; {_ENTRY_FIX}")


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _as_entry(e, i: int, where: str):
    """One ComputedEntry from an object or a dict, with the entry and the field at fault named on error.

    Besides pymatgen's own dicts (``@class``), a plain ``{"composition", "energy"}`` dict is accepted:
    ``energy`` is the total energy [eV] of the composition as written, ``correction`` optional [eV].
    """
    from pymatgen.entries.computed_entries import ComputedEntry, ComputedStructureEntry

    if isinstance(e, ComputedEntry):
        entry = e
    else:
        if not isinstance(e, dict):
            raise _bad_entry(i, where, f"is a {type(e).__name__} ({str(e)[:40]}), not a dict")
        check_classes(e, f"entry {i} of {where!r}")  # before anything is decoded (issue 26, S1)
        missing = [k for k in ("composition", "energy") if k not in e]
        if missing:
            raise SourceError(f"entry {i} of {where!r} has no {' or '.join(missing)}; {_ENTRY_FIX}")
        comp = e["composition"]
        try:
            if isinstance(comp, str):
                parse_formula(comp)
            elif isinstance(comp, dict) and comp and all(isinstance(k, str) for k in comp):
                bad = [k for k, v in comp.items() if not _is_number(v) or not 0 <= v <= 1e6 or v != v]
                if bad:
                    raise SourceError(
                        f"entry {i} of {where!r}: amount of {bad[0]!r} is {comp[bad[0]]!r}, not a number in 0..1e6"
                    )
                parse_formula("".join(f"{k}{v:.12g}" for k, v in comp.items() if v > 0))
            else:
                raise SourceError(f"entry {i} of {where!r}: composition {str(comp)[:40]!r} is neither a formula nor "
                                  f"a mapping element -> amount; {_ENTRY_FIX}")
        except FormulaError as exc:
            raise SourceError(f"entry {i} of {where!r}: {exc}") from None
        for key in ("energy", "correction"):
            if key in e and not (_is_number(e[key]) and math.isfinite(e[key])):
                raise SourceError(f"entry {i} of {where!r}: {key} {e[key]!r} is not a finite number [eV]; {_ENTRY_FIX}")
        try:
            if "@class" in e:
                entry = (ComputedStructureEntry if "structure" in e else ComputedEntry).from_dict(e)
            else:
                entry = ComputedEntry(
                    comp, float(e["energy"]), correction=float(e.get("correction", 0.0)),
                    entry_id=e.get("entry_id", e.get("material_id")),
                )
        except Exception as exc:  # noqa: BLE001 - any pymatgen failure is this entry's fault
            raise _bad_entry(i, where, f"is not a valid ComputedEntry dict ({exc!r})") from None
    try:
        energy = float(entry.energy)
        n_atoms = float(entry.composition.num_atoms)
    except Exception as exc:  # noqa: BLE001
        raise _bad_entry(i, where, f"has an unusable energy or composition ({exc!r})") from None
    if not (math.isfinite(energy) and n_atoms > 0):
        raise SourceError(f"entry {i} of {where!r} has energy {energy!r} eV for {n_atoms:g} atoms; {_ENTRY_FIX}")
    return entry


__all__ = ["ALLOWED_CLASSES", "check_classes", "entries_to_table", "foreign_class"]
