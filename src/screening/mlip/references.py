"""Elemental reference energies computed by the model itself.

A formation energy from a machine-learned total energy needs elemental chemical potentials on the
same scale (docs/mlip.md, "Placing it on a data set's hull"): never a database's elemental
energies, which belong to another functional or correction scheme. This module builds each element's
ground-state structure in code (no downloads), relaxes it with the model and keeps the lowest energy
per atom; results are cached per model and version.

Structures (room-temperature ground states as in Materials Project's elemental references):

* metals: the prototype and lattice parameter of ASE's reference states (bcc, fcc, hcp, diamond, ...);
  for elements whose ground state is complex (B, Mn, Ga, ...) the lowest of fcc/bcc/hcp/simple cubic
  after relaxation, flagged ``approximate`` in the record;
* molecular elements: H2, N2, O2, F2, Cl2, Br2, I2 as dimers and S as the S8 crown ring in a 12 A box
  (positions relaxed, box fixed);
* alpha-rhombohedral B12; black phosphorus (Cmce, Brown & Rundqvist, Acta Cryst. 19, 684 (1965)); trigonal Se and Te
  (P3_121, Cherin & Unger, Acta Cryst. 23, 670 (1967); Inorg. Chem. 3, 641 (1964)); graphite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from screening.errors import ScreeningError
from screening.mlip.model import EnergyModel, RelaxSettings

#: Elements whose reference state is a molecule: bond length [A] of the dimer.
DIMERS = {"H": 0.74, "N": 1.10, "O": 1.21, "F": 1.42, "Cl": 1.99, "Br": 2.28, "I": 2.67}
#: Box edge for molecules [A] (larger than CHGNet's 5 A atom-graph cutoff plus the molecule).
BOX = 12.0


@dataclass(frozen=True)
class ElementReference:
    """Model energy of one element's reference state.

    Attributes:
        element: Symbol.
        energy_per_atom: Relaxed total energy per atom [eV/atom], model scale.
        prototype: Which structure gave the lowest energy.
        approximate: True when the true ground state was not built (a simple prototype stands in).
        converged: Whether that relaxation converged.
    """

    element: str
    energy_per_atom: float
    prototype: str
    approximate: bool
    converged: bool

    def as_dict(self) -> dict:
        return {"element": self.element, "energy_per_atom": self.energy_per_atom, "prototype": self.prototype,
                "approximate": self.approximate, "converged": self.converged}


def _molecule(symbols: list[str], coords: list[list[float]]):
    from pymatgen.core import Lattice, Structure

    c = np.asarray(coords, dtype=float)
    c = c - c.mean(axis=0) + BOX / 2
    return Structure(Lattice.cubic(BOX), symbols, c, coords_are_cartesian=True)


def _s8():
    """S8 crown ring (D4d): S-S 2.05 A, S-S-S 108 deg; relaxation refines it."""
    r, h = 2.345, 0.495
    coords = [[r * math.cos(k * math.pi / 4), r * math.sin(k * math.pi / 4), h if k % 2 else -h] for k in range(8)]
    return _molecule(["S"] * 8, coords)


def _spacegroup(sg: str, lattice, species, coords):
    from pymatgen.core import Structure

    return Structure.from_spacegroup(sg, lattice, species, coords).get_primitive_structure()


def _special(symbol: str) -> list[tuple[str, object]]:
    from pymatgen.core import Lattice

    if symbol in DIMERS:
        d = DIMERS[symbol]
        return [(f"{symbol}2 molecule", _molecule([symbol, symbol], [[0, 0, 0], [0, 0, d]]))]
    if symbol == "S":
        return [("S8 ring", _s8())]
    if symbol == "P":
        lat = Lattice.orthorhombic(3.3136, 10.478, 4.3763)
        return [("black P (Cmce)", _spacegroup("Cmce", lat, ["P"], [[0, 0.10168, 0.08056]]))]
    if symbol in ("Se", "Te"):
        a, c, x = (4.366, 4.954, 0.2254) if symbol == "Se" else (4.457, 5.929, 0.2636)
        s = _spacegroup("P3_121", Lattice.hexagonal(a, c), [symbol], [[x, 0, 1 / 3]])
        return [(f"trigonal {symbol} (P3_121)", s)]
    if symbol == "B":  # alpha-rhombohedral B12 (Will & Kiefer, Z. Anorg. Allg. Chem. 627, 2100 (2001))
        lat = Lattice.hexagonal(4.908, 12.567)
        coords = [[0.11886, 0.88114, 0.89133], [0.19686, 0.80314, 0.02432]]
        return [("alpha-B12 (R-3m)", _spacegroup("R-3m", lat, ["B", "B"], coords))]
    if symbol == "C":
        lat = Lattice.hexagonal(2.464, 6.711)
        return [("graphite (P6_3/mmc)", _spacegroup("P6_3/mmc", lat, ["C", "C"], [[0, 0, 0.25], [1 / 3, 2 / 3, 0.25]]))]
    return []


_SIMPLE = ("bcc", "fcc", "hcp", "diamond", "bct", "rhombohedral", "sc")


def candidate_structures(symbol: str) -> tuple[list[tuple[str, object]], bool]:
    """Structures to relax for ``symbol`` and whether the result is only approximate.

    Returns:
        ([(prototype name, pymatgen Structure)], approximate).
    """
    from ase.build import bulk
    from ase.data import atomic_numbers, covalent_radii, reference_states
    from pymatgen.io.ase import AseAtomsAdaptor

    special = _special(symbol)
    if special:
        return special, False
    z = atomic_numbers.get(symbol)
    if z is None:
        raise ScreeningError(f"{symbol!r} is not an element symbol")
    state = reference_states[z] or {}
    out = []
    if state.get("symmetry") in _SIMPLE:
        try:
            out.append((f"{state['symmetry']} (ASE reference state)", AseAtomsAdaptor.get_structure(bulk(symbol))))
        except Exception:  # noqa: BLE001 - some reference states need extra parameters
            out = []
    if out:
        return out, False
    r = float(covalent_radii[z])
    for kind, a in (("fcc", 2 * math.sqrt(2) * r), ("bcc", 4 * r / math.sqrt(3)), ("hcp", 2 * r), ("sc", 2 * r)):
        out.append((f"{kind} (stand-in)", AseAtomsAdaptor.get_structure(bulk(symbol, kind, a=a))))
    return out, True


def compute_reference(model: EnergyModel, symbol: str, settings: RelaxSettings) -> ElementReference:
    """Relax the candidate structures of ``symbol`` with ``model``; keep the lowest energy per atom."""
    structures, approximate = candidate_structures(symbol)
    best = None
    for name, s in structures:
        molecular = name.endswith(("molecule", "ring"))
        run = RelaxSettings(settings.fmax, max(settings.steps, 300), relax_cell=not molecular, threads=settings.threads)
        res = model.relax(s, run)
        if best is None or res.energy_per_atom < best[1].energy_per_atom:
            best = (name, res)
    name, res = best
    return ElementReference(symbol, float(res.energy_per_atom), name, approximate, res.converged)


__all__ = ["DIMERS", "ElementReference", "candidate_structures", "compute_reference"]
