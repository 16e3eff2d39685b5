"""A candidate against its competing phases on the model's own scale.

The data's hull tells which phases compete with a candidate (its decomposition products, see
:func:`screening.mlip.hull.place`); when the source carries their structures (Materials Project: the
cached ComputedStructureEntry dicts; a JSON snapshot written by ``screening mp export``), the same model
relaxes them too, and

    dE_model = E_f(candidate) - sum_i f_i E_f,model(phase_i)      [eV/atom]

(f_i the atomic fractions of the products) compares model with model: the scale offset between the
model (MP2020) and the data set (legacy corrections, experiment, r2SCAN) cancels. The products are the
data's; a phase the model would put elsewhere does not change them (a screening estimate).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from screening.entries.sources import check_classes
from screening.errors import ScreeningError
from screening.mlip.energies import MLIPCalculator
from screening.mlip.hull import Placement
from screening.mlip.structures import StructureFile, check_structure


@dataclass(frozen=True)
class ModelScale:
    """A candidate against its competing phases, all energies from the model.

    Attributes:
        hull_energy: sum_i f_i E_f,model(phase_i) [eV/atom] over the data's decomposition products.
        distance: E_f(candidate) - hull_energy [eV/atom] (< 0: below its competing phases).
        phases: (formula, entry id, atomic fraction, model E_f [eV/atom], model id) per product.
    """

    hull_energy: float
    distance: float
    phases: tuple[tuple[str, str, float, float, str], ...]

    def as_dict(self) -> dict:
        return {
            "hull_energy": self.hull_energy,
            "distance_to_hull": self.distance,
            "e_above_hull": max(self.distance, 0.0),
            "phases": [
                {"formula": f, "entry_id": i, "atomic_fraction": a, "model_formation_energy": e, "model_id": m}
                for f, i, a, e, m in self.phases
            ],
            "units": "eV/atom",
            "reference": "the model's energies of the data's competing phases",
        }


def structures_of_source(provenance: dict) -> dict[str, dict]:
    """Entry id -> structure dict of the source's entries, when the source carries structures.

    Materials Project (``source: mp``): the cache file the table was read from; a JSON snapshot of
    ComputedStructureEntry dicts: the file itself. Other sources (CSV, experimental) have none.
    """
    path = provenance.get("path")
    if not path or not Path(path).is_file():
        return {}
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}  # a CSV snapshot
    entries = doc.get("entries", []) if isinstance(doc, dict) else doc
    out = {}
    for i, e in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(e, dict) and isinstance(e.get("structure"), dict) and e.get("entry_id") is not None:
            check_classes(e["structure"], f"the structure of entry {i} of {str(path)!r}")  # before from_dict
            out[str(e["entry_id"])] = e["structure"]
    return out


def against_competing_phases(placement: Placement, structures: dict[str, dict], calc: MLIPCalculator) -> ModelScale:
    """Relax the data's competing phases of ``placement`` with the model and compare on its scale.

    Args:
        placement: The candidate on the data's hull (its decomposition names the phases).
        structures: Entry id -> pymatgen Structure dict (:func:`structures_of_source`).
        calc: The calculator that relaxed the candidate (same model and settings).

    Raises:
        ScreeningError: a competing phase without a structure in the source (names it and the fix).
    """
    from pymatgen.core import Structure

    from screening.composition import parse_formula

    e = placement.entry
    n_cand = sum(parse_formula(e.reduced_formula).values())
    phases, total = [], 0.0
    for formula, entry_id, amount in placement.decomposition:
        if entry_id not in structures:
            raise ScreeningError(
                f"competing phase {formula} ({entry_id}) of {e.file} has no structure in the source; reference "
                "against the model's energies needs a source with structures (source mp, or a JSON export of it)"
            )
        s = Structure.from_dict(structures[entry_id])
        check_structure(s, f"{formula} ({entry_id})", calc.max_atoms)
        text = json.dumps(structures[entry_id], sort_keys=True).encode()
        sf = StructureFile(entry_id, f"{entry_id}.json", hashlib.sha256(text).hexdigest(), s)
        rel = calc.energy_of(sf)
        frac = amount * sum(parse_formula(formula).values()) / n_cand
        total += frac * rel.formation_energy_per_atom
        phases.append((formula, entry_id, float(frac), float(rel.formation_energy_per_atom), rel.id))
    return ModelScale(float(total), float(e.formation_energy_per_atom - total), tuple(phases))


__all__ = ["ModelScale", "against_competing_phases", "structures_of_source"]
