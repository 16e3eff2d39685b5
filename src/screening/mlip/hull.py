"""Placing machine-learned entries on a data source's hull.

The hull is the data's own (the candidate excluded), so the signed distance

    dE_hull = E_f(model) - E_hull,data(c)      [eV/atom]

says how far the candidate sits above (> 0) or below (< 0, a would-be new stable phase) the known
phases; ``e_above_hull = max(dE_hull, 0)``. E_f(model) is on the model's scale (CHGNet: Materials
Project MP2020 corrections) and E_hull on the source's (the 2019 snapshot: MP legacy corrections;
experimental enthalpies; MP's current GGA/GGA+U data: MP2020), so dE_hull carries the systematic
offset between the two scales; docs/mlip.md gives the measured size. Below-hull values of a few tens
of meV/atom are within that offset and not evidence of a new phase.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.entries.table import EntryTable
from screening.errors import MissingElementError
from screening.mlip.energies import MLIP_NOTE, StructureEnergy


@dataclass(frozen=True)
class Placement:
    """A machine-learned entry against a source's hull.

    Attributes:
        entry: The structure's energy record.
        hull_energy: E_hull of the data at the entry's composition [eV/atom].
        distance: Signed E_f - E_hull [eV/atom] (< 0: below the data's hull).
        e_above_hull: max(distance, 0) [eV/atom].
        decomposition: Data phases at the hull point, (reduced formula, entry id, formula units per
            formula unit of the entry's reduced formula).
        data_entry_id: Id of the data's own lowest entry of the same composition, if any.
        data_entry_energy: Its formation energy [eV/atom].
    """

    entry: StructureEnergy
    hull_energy: float
    distance: float
    e_above_hull: float
    decomposition: tuple[tuple[str, str, float], ...]
    data_entry_id: str | None
    data_entry_energy: float | None

    def as_dict(self) -> dict:
        return {
            "entry": self.entry.record(),
            "hull_energy": self.hull_energy,
            "distance_to_hull": self.distance,
            "e_above_hull": self.e_above_hull,
            "decomposition": [{"formula": f, "entry_id": i, "amount": a} for f, i, a in self.decomposition],
            "data_entry_id": self.data_entry_id,
            "data_entry_energy": self.data_entry_energy,
            "units": "eV/atom",
            "mlip": True,
            "note": MLIP_NOTE,
        }


def place(entry: StructureEnergy, engine) -> Placement:
    """E_hull, signed distance and decomposition of ``entry`` against ``engine``'s data (entry excluded).

    Args:
        entry: A relaxed structure's energy.
        engine: :class:`screening.thermo.Engine` on the data source alone.

    Raises:
        MissingElementError: an element the source has no data for (message names the element).
    """
    try:
        dec = engine.decompose(entry.reduced_formula)
    except MissingElementError as exc:
        raise MissingElementError(f"structure {entry.file!r}: {exc}") from None
    distance = entry.formation_energy_per_atom - dec.hull_energy
    return Placement(
        entry=entry,
        hull_energy=float(dec.hull_energy),
        distance=float(distance),
        e_above_hull=float(max(distance, 0.0)),
        decomposition=tuple((p.formula, p.entry_id, float(p.amount)) for p in dec.phases),
        data_entry_id=dec.entry_id,
        data_entry_energy=dec.entry_energy,
    )


def with_mlip_entries(table: EntryTable, entries: list[StructureEnergy]) -> EntryTable:
    """``table`` plus the machine-learned entries (flagged virtual, ids ``mlip:...``).

    Their records (file, sha256, model, settings, flags, the note) go into the provenance under ``mlip``.
    Elements the table lacks are rejected by the caller's element check, naming the file.
    """
    if not entries:
        return table
    out = table.with_entries(
        [e.formula for e in entries], [e.formation_energy_per_atom for e in entries], [e.id for e in entries],
        virtual=True,
    )
    out.provenance["mlip"] = list(table.provenance.get("mlip", [])) + [e.record() for e in entries]
    return out


def with_mlip_records(table: EntryTable, records: list[dict]) -> EntryTable:
    """``table`` plus machine-learned entries given as :meth:`StructureEnergy.record` dicts (workflow)."""
    if not records:
        return table
    out = table.with_entries(
        [r["formula"] for r in records], [r["formation_energy_per_atom"] for r in records],
        [r["id"] for r in records], virtual=True,
    )
    out.provenance["mlip"] = list(table.provenance.get("mlip", [])) + list(records)
    return out


__all__ = ["Placement", "place", "with_mlip_entries", "with_mlip_records"]
