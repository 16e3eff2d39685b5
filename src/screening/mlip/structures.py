"""Reading structure files (CIF, POSCAR/CONTCAR, pymatgen JSON) with one-line errors.

A structure is identified by its file name and the sha256 of the file's bytes: the same content
gives the same identifier (and cache key) wherever the file lives.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from screening.errors import ScreeningError

#: File name endings read as structures (case-insensitive); POSCAR*/CONTCAR* names are too.
STRUCTURE_SUFFIXES = (".cif", ".vasp", ".poscar", ".contcar", ".cif.gz", ".vasp.gz", ".json", ".json.gz")
_READABLE = "a CIF, POSCAR/CONTCAR (.vasp) or pymatgen Structure JSON file"
#: Closest allowed distance between two atoms [A]; closer means overlapping atoms (a broken file).
MIN_DISTANCE = 0.5
#: Most atoms in one structure by default (``--max-atoms``, config ``mlip.max_atoms``): a relaxation needs
#: about :func:`relax_memory_mb` of memory (0.6 GB for 12 atoms, 1.5 GB for 64, 4.5 GB for 256; a
#: 2,000-atom cell was killed at 24 GB), so a big cell must be asked for explicitly.
MAX_ATOMS = 200
#: Allowed volume per atom [A^3/atom]: solids lie within ~5-60; outside means a wrong lattice or POSCAR
#: scale (a scale of 1e6 gave a MemoryError in the model, 1e300 an endless run).
VOLUME_PER_ATOM = (0.5, 200.0)
#: Memory of one relaxation [MB] = base + per atom (fit to 12/64/96/256-atom CHGNet relaxations on CPU,
#: 0.64/1.5/2.1/4.5 GB, plus 0.5 GB headroom); the relax_structures rule asks for this per chunk.
RELAX_MEM_BASE_MB = 1000
RELAX_MEM_PER_ATOM_MB = 16


def relax_memory_mb(n_atoms: int) -> int:
    """Memory [MB] to ask for a relaxation of a cell of ``n_atoms`` (see :data:`RELAX_MEM_BASE_MB`)."""
    return RELAX_MEM_BASE_MB + RELAX_MEM_PER_ATOM_MB * int(n_atoms)


class StructureFileError(ScreeningError, ValueError):
    """A structure file that is missing, empty, unreadable or not a structure the model can relax."""


@dataclass(frozen=True)
class StructureFile:
    """A structure read from a file.

    Attributes:
        path: The path as given.
        name: File name (no folders).
        sha256: Hex sha256 of the file's bytes.
        structure: pymatgen ``Structure`` as read.
    """

    path: str
    name: str
    sha256: str
    structure: object

    @property
    def short_id(self) -> str:
        """``<file name>:<first 12 hex digits of sha256>``: the structure's identifier."""
        return f"{self.name}:{self.sha256[:12]}"


def looks_like_structure_path(arg: str) -> bool:
    """Whether a command-line argument names a structure file rather than a formula.

    True for an existing file, a name with a structure suffix, or a POSCAR/CONTCAR name; formulas such
    as ``Li6.4La3Zr1.4Ta0.6O12`` (dots, but no known suffix) are not paths.
    """
    name = os.path.basename(arg).lower()
    if name.endswith(STRUCTURE_SUFFIXES) or name.startswith(("poscar", "contcar")):
        return True
    return os.sep in arg and os.path.isfile(arg)


def _parse(path: Path, text: str):
    from pymatgen.core import Structure

    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".json"):
        import json

        from screening.entries.sources import foreign_class

        doc = json.loads(text)
        found = foreign_class(doc)  # Structure.from_dict decodes site properties with monty: nothing may import
        if found is not None:
            raise StructureFileError(
                f"structure file {str(path)!r} asks for class {found[1]!r} (at {found[0]}), which is not allowed; "
                "a structure JSON may only hold pymatgen Structure/Lattice/site dicts and plain values"
            )
        return Structure.from_dict(doc)
    if name.endswith(".cif") or "_cell_length_a" in text:
        from pymatgen.io.cif import CifParser

        structures = CifParser.from_str(text).parse_structures(primitive=False, on_error="raise")
        if not structures:
            raise ValueError("no structure in the CIF")
        return structures[0]
    return Structure.from_str(text, fmt="poscar")


def directory_error(path: str | os.PathLike) -> StructureFileError:
    """The one error for a directory given as a structure file (command line and config alike)."""
    return StructureFileError(
        f"structure path {str(path)!r} is a directory; give the file itself or a glob such as "
        f"{os.path.join(str(path), '*.cif')!r}"
    )


def read_structure(path: str | os.PathLike, max_atoms: int = MAX_ATOMS) -> StructureFile:
    """Read and check one structure file (before any model is loaded).

    Args:
        path: The file.
        max_atoms: Most atoms allowed (:data:`MAX_ATOMS` by default).

    Raises:
        StructureFileError: missing, empty or unreadable file; no atoms; a non-finite lattice or
            coordinates; more than ``max_atoms`` atoms; a volume per atom outside :data:`VOLUME_PER_ATOM`;
            partial occupancies; atoms closer than :data:`MIN_DISTANCE`. The message names the file and the fix.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise StructureFileError(f"structure file {str(path)!r} does not exist; give {_READABLE}") from None
    except IsADirectoryError:
        raise directory_error(path) from None
    except OSError as exc:
        raise StructureFileError(f"cannot read structure file {str(path)!r} ({exc.strerror})") from None
    if not raw.strip():
        raise StructureFileError(f"structure file {str(path)!r} is empty; give {_READABLE}")
    sha = hashlib.sha256(raw).hexdigest()
    if raw[:2] == b"\x1f\x8b":
        import gzip

        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            raise StructureFileError(f"structure file {str(path)!r} is a corrupt gzip file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StructureFileError(f"structure file {str(path)!r} is not a text file; give {_READABLE}") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            structure = _parse(p, text)
    except StructureFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - pymatgen raises many types on malformed files
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise StructureFileError(
            f"cannot read structure file {str(path)!r} ({reason}); give {_READABLE}"
        ) from None
    check_structure(structure, str(path), max_atoms)
    return StructureFile(str(path), p.name, sha, structure)


def check_structure(structure, label: str, max_atoms: int = MAX_ATOMS) -> None:
    """Reject structures no relaxation can handle, with a one-line reason naming ``label``.

    The bounds (atoms, volume per atom, finite numbers) come first and cost nothing: they stop a cell
    that would take the machine's memory before any model is loaded.
    """
    import numpy as np

    n = len(structure)
    if n == 0:
        raise StructureFileError(f"structure {label!r} has no atoms; give a file with atomic positions")
    with np.errstate(all="ignore"):
        matrix = np.asarray(structure.lattice.matrix, dtype=float)
        finite = bool(np.all(np.isfinite(matrix)) and np.all(np.isfinite(structure.frac_coords)))
        vol = abs(float(np.linalg.det(matrix))) if finite else float("nan")
    if not finite or not np.isfinite(vol):
        raise StructureFileError(
            f"structure {label!r} has a non-finite lattice, coordinates or volume (inf or nan, e.g. an "
            "overflowing POSCAR scale); fix its lattice and the scale line (the second line of a POSCAR)"
        )
    if n > max_atoms:
        raise StructureFileError(
            f"structure {label!r} has {n} atoms, more than the {max_atoms} allowed (a relaxation needs about "
            f"{relax_memory_mb(n) / 1000:.1f} GB for it); use a smaller cell, or raise the bound with --max-atoms "
            f"{n} (config mlip.max_atoms)"
        )
    lo, hi = VOLUME_PER_ATOM
    if not lo <= vol / n <= hi:
        raise StructureFileError(
            f"structure {label!r} has {vol / n:.3g} A^3 per atom, outside {lo:g}-{hi:g} A^3/atom; fix its lattice "
            "or the POSCAR scale line (the second line)"
        )
    if not structure.is_ordered:
        raise StructureFileError(
            f"structure {label!r} has partial occupancies; give an ordered structure (e.g. an ordering from "
            "pymatgen's OrderDisorderedStructureTransformation)"
        )
    if len(structure) > 1:
        d = structure.distance_matrix
        np.fill_diagonal(d, np.inf)
        if d.min() < MIN_DISTANCE:
            raise StructureFileError(
                f"structure {label!r} has atoms {d.min():.2f} A apart (overlapping); fix the coordinates"
            )
    elif min(structure.lattice.abc) < MIN_DISTANCE:
        raise StructureFileError(f"structure {label!r} has a lattice vector shorter than {MIN_DISTANCE} A")


__all__ = ["MAX_ATOMS", "STRUCTURE_SUFFIXES", "VOLUME_PER_ATOM", "StructureFile", "StructureFileError",
           "check_structure", "looks_like_structure_path", "read_structure", "relax_memory_mb"]
