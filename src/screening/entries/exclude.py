"""Control of the data the hull uses: drop entries by identifier or by formula.

Snapshots carry artefacts that set published limits differently. In the 2019 Materials Project snapshot,
LiS4 sits on the hull and makes Li2S oxidise at 2.14 V; S8O and Mg149Cl are similar. A user reproducing a
paper excludes them, and the exclusion is recorded in the table's provenance (``provenance["excluded"]``)
so every result says which data it was computed without.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from screening.composition.parse import ATOMIC_NUMBER, parse_formula
from screening.entries.table import EntryTable
from screening.errors import FormulaError, InputError, ScreeningWarning

#: Two compositions whose per-atom fractions differ by less than this are the same composition.
_COMP_TOL = 1e-6


@dataclass(frozen=True)
class Exclusion:
    """What an exclusion asked for and what it did.

    Attributes:
        requested: The identifiers and formulas asked for, de-duplicated, in the order given.
        dropped: ``(id, formula)`` of every entry removed, in table order.
        not_found: Requested items that matched no entry id and no entry composition.
    """

    requested: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]
    not_found: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "requested": list(self.requested),
            "dropped": [{"id": i, "formula": f} for i, f in self.dropped],
            "not_found": list(self.not_found),
        }


def parse_exclude(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Items of ``--exclude``/``exclude:``: strings, comma-separated or repeated, de-duplicated in order.

    Raises:
        InputError: an item that is not a string or is empty.
    """
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for v in values:
        if not isinstance(v, str):
            raise InputError(f"exclude: {v!r} is not a string; give entry ids or formulas, e.g. ['LiS4', 'S8O']")
        for item in v.split(","):
            item = item.strip()
            if not item:
                raise InputError(f"exclude: empty item in {v!r}; give entry ids or formulas separated by commas")
            if item not in out:
                out.append(item)
    return tuple(out)


def _rows_of_formula(table: EntryTable, item: str) -> np.ndarray:
    """Rows whose composition equals the formula ``item`` (any multiple: ``Li2O2`` matches ``LiO``)."""
    try:
        amounts = parse_formula(item)
    except FormulaError:
        return np.zeros(0, dtype=np.int64)
    elements = tuple(sorted(amounts, key=ATOMIC_NUMBER.__getitem__))
    if set(elements) - set(table.elements):
        return np.zeros(0, dtype=np.int64)
    idx = table.select(elements)
    frac = table.fractions(idx, elements)
    target = np.array([amounts[e] for e in elements]) / sum(amounts.values())
    return idx[np.abs(frac - target).max(axis=1) < _COMP_TOL]


def exclude_entries(table: EntryTable, items: Iterable[str] | str | None) -> tuple[EntryTable, Exclusion]:
    """Drop entries by identifier or formula; report what was dropped and what did not exist.

    An item equal to an entry id drops that entry only (e.g. ``mp_e_form_2019:row48881``); otherwise it is
    read as a formula and drops every entry of that composition, all polymorphs and multiples
    (``LiS4``). An item that matches nothing warns once (:class:`~screening.errors.ScreeningWarning`),
    naming it. Elements left without any entry disappear from the table, so a question that needs them
    stops with the usual missing-element error.

    Args:
        table: The entries.
        items: Entry ids and/or formulas (see :func:`parse_exclude`).

    Returns:
        ``(table without those entries, Exclusion)``; the new table's provenance holds
        ``excluded = Exclusion.as_dict()``. With nothing to exclude the table is returned unchanged.

    Raises:
        InputError: an empty item, or an exclusion that removes the reference state (every elemental
            entry) of an element while compounds of it remain: formation energies need it.
    """
    requested = parse_exclude(items)
    if not requested:
        return table, Exclusion((), (), ())
    id_row = {i: r for r, i in enumerate(table.ids)}
    drop = np.zeros(len(table), dtype=bool)
    not_found: list[str] = []
    for item in requested:
        if item in id_row:
            drop[id_row[item]] = True
            continue
        rows = _rows_of_formula(table, item)
        if len(rows) == 0:
            not_found.append(item)
        drop[rows] = True
    src = table.provenance.get("path") or table.provenance.get("source", "the entry source")
    for item in not_found:
        warnings.warn(
            f"exclude: {item!r} is neither an entry id nor the formula of an entry in {src}; nothing dropped for it",
            ScreeningWarning,
            stacklevel=2,
        )
    keep = np.flatnonzero(~drop)
    counts = np.asarray((table.amounts[keep] > 0).sum(axis=0)).ravel()
    n_atoms = table.n_atoms
    touched = np.flatnonzero(np.asarray((table.amounts[np.flatnonzero(drop)] > 0).sum(axis=0)).ravel())
    for c in touched:
        el = table.elements[c]
        if counts[c] == 0:
            continue
        col = table.amounts[:, c].toarray().ravel()
        elemental = np.flatnonzero((col > 0) & (np.abs(col - n_atoms) < 1e-12))
        if len(elemental) and drop[elemental].all():
            raise InputError(
                f"exclude: dropping every elemental entry of {el} removes its reference state (0 eV/atom) while "
                f"{int(counts[c])} entries still contain {el}; keep the element, or exclude every entry of {el}"
            )
    cols = np.flatnonzero(counts > 0)
    dropped = tuple((table.ids[r], table.formulas[r]) for r in np.flatnonzero(drop))
    exclusion = Exclusion(requested, dropped, tuple(not_found))
    provenance = dict(table.provenance)
    provenance["excluded"] = exclusion.as_dict()
    new = EntryTable(
        tuple(table.elements[c] for c in cols),
        table.amounts[keep][:, cols].tocsr(),
        table.energy_per_atom[keep],
        tuple(table.formulas[r] for r in keep),
        tuple(table.ids[r] for r in keep),
        table.virtual[keep],
        provenance,
    )
    return new, exclusion


__all__ = ["Exclusion", "exclude_entries", "parse_exclude"]
