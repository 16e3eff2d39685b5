"""Crystal structures of compounds of the review, built from published lattice parameters and Wyckoff
positions with pymatgen ``Structure.from_spacegroup`` (no files, no downloads).

Each entry: (space group, lattice, species, fractional coordinates, reference). The primitive cell is
returned (fewer atoms, faster relaxations).
"""

from __future__ import annotations

from pymatgen.core import Lattice, Structure

#: name -> (space group, lattice, species, coordinates, source of the data)
REVIEW = {
    "Li2O": ("Fm-3m", Lattice.cubic(4.6114), ["Li", "O"], [[0.25, 0.25, 0.25], [0, 0, 0]],
             "antifluorite; Farley et al., J. Nucl. Mater. 160, 1 (1988)"),
    "LiF": ("Fm-3m", Lattice.cubic(4.0263), ["Li", "F"], [[0, 0, 0], [0.5, 0.5, 0.5]], "rock salt"),
    "LiCl": ("Fm-3m", Lattice.cubic(5.1295), ["Li", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]], "rock salt"),
    "Li2S": ("Fm-3m", Lattice.cubic(5.7080), ["Li", "S"], [[0.25, 0.25, 0.25], [0, 0, 0]], "antifluorite"),
    "Li3N": ("P6/mmm", Lattice.hexagonal(3.648, 3.875), ["N", "Li", "Li"],
             [[0, 0, 0], [0, 0, 0.5], [1 / 3, 2 / 3, 0]],
             "alpha-Li3N; Rabenau & Schultz, J. Less-Common Met. 50, 155 (1976)"),
    "LiCoO2": ("R-3m", Lattice.hexagonal(2.8156, 14.0542), ["Li", "Co", "O"],
               [[0, 0, 0.5], [0, 0, 0], [0, 0, 0.2396]], "Akimoto et al., J. Solid State Chem. 141, 298 (1998)"),
    "LiNbO3": ("R3c", Lattice.hexagonal(5.1483, 13.8631), ["Nb", "Li", "O"],
               [[0, 0, 0], [0, 0, 0.2829], [0.0492, 0.3446, 0.0647]],
               "Abrahams et al., J. Phys. Chem. Solids 27, 1013 (1966)"),
    "LiTaO3": ("R3c", Lattice.hexagonal(5.1543, 13.7835), ["Ta", "Li", "O"],
               [[0, 0, 0], [0, 0, 0.2790], [0.0534, 0.3396, 0.0695]],
               "Abrahams & Bernstein, J. Phys. Chem. Solids 28, 1685 (1967)"),
    "Li3PO4": ("Pmn2_1", Lattice.orthorhombic(6.1150, 5.2394, 4.8554), ["Li", "Li", "P", "O", "O", "O"],
               [[0.248, 0.328, 0.986], [0.5, 0.843, 0.989], [0, 0.825, 0.0], [0.208, 0.687, 0.896],
                [0, 0.105, 0.900], [0.5, 0.181, 0.817]], "beta-Li3PO4; Keffer et al., Inorg. Chem. 6, 119 (1967)"),
    "Li3PS4": ("Pmn2_1", Lattice.orthorhombic(7.708, 6.535, 6.136), ["Li", "Li", "P", "S", "S", "S"],
               [[0.248, 0.328, 0.986], [0.5, 0.843, 0.989], [0, 0.825, 0.0], [0.208, 0.687, 0.896],
                [0, 0.105, 0.900], [0.5, 0.181, 0.817]],
               "gamma-Li3PS4 (beta-Li3PO4 type), lattice of Homma et al., Solid State Ionics 182, 53 (2011)"),
    "Li2SiO3": ("Cmc2_1", Lattice.orthorhombic(9.392, 5.397, 4.660), ["Li", "Si", "O", "O"],
                [[0.1737, 0.3449, -0.0013], [0, 0.1706, 0.4924], [0.1446, 0.3077, 0.4108], [0, 0.1142, 0.8453]],
                "Hesse, Z. Kristallogr. 163, 259 (1977)"),
    "Al2O3": ("R-3c", Lattice.hexagonal(4.7589, 12.9912), ["Al", "O"], [[0, 0, 0.35216], [0.30624, 0, 0.25]],
              "corundum; Lewis et al., Z. Kristallogr. 162, 179 (1982)"),
}


def build(name: str) -> Structure:
    """Primitive cell of compound ``name`` of :data:`REVIEW`."""
    sg, lat, species, coords, _ = REVIEW[name]
    return Structure.from_spacegroup(sg, lat, species, coords).get_primitive_structure()


def write_all(folder) -> dict:
    """Write every structure as ``<name>.cif`` into ``folder``; returns {name: path}."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in REVIEW:
        path = folder / f"{name}.cif"
        build(name).to(filename=str(path))
        out[name] = path
    return out


def require_mlip() -> None:
    """Skip when the 'mlip' extra is missing on a developer machine; fail under CI=true."""
    import importlib.util
    import os

    import pytest

    if importlib.util.find_spec("chgnet") is not None and importlib.util.find_spec("torch") is not None:
        return
    msg = "the 'mlip' extra (chgnet, torch) is not installed: pip install -e '.[mlip]'"
    if os.environ.get("CI") == "true":
        pytest.fail(msg + "; CI must install it", pytrace=False)
    pytest.skip(msg)
