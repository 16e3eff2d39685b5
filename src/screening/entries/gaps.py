"""Band gap records: what a source (a user table, the Materials Project summary endpoint) says of one
composition's band gap, keyed by the composition normalised to one atom.

The home of :class:`GapRecord` and :func:`composition_key`, below both the Materials Project band gap
cache (:mod:`screening.entries.mp.summary`) and the electronic model that reads it
(:mod:`screening.interphase.electronic`), so neither imports the other's module for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.composition.parse import formula_key, parse_formula


@dataclass(frozen=True)
class GapRecord:
    """A band gap of one composition from some evidence (user table row or Materials Project material).

    Attributes:
        formula: Formula as given by the evidence.
        band_gap: [eV], >= 0; None if only ``is_metal`` is known.
        is_metal: True/False, or None if not given.
        material_id: Materials Project id (None for a user table).
        detail: Where it comes from (file and row, or material id).
    """

    formula: str
    band_gap: float | None
    is_metal: bool | None
    material_id: str | None = None
    detail: str = ""


def composition_key(formula: str) -> tuple:
    """The lookup key of a formula: its composition normalised to one atom (``Li4S2`` == ``Li2S``)."""
    return formula_key(parse_formula(formula))


__all__ = ["GapRecord", "composition_key"]
