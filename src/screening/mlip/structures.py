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
        return Structure.from_str(text, fmt="json")
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


def read_structure(path: str | os.PathLike) -> StructureFile:
    """Read and check one structure file.

    Raises:
        StructureFileError: missing, empty or unreadable file; no atoms; partial occupancies; atoms
            closer than :data:`MIN_DISTANCE`. The message names the file and the fix.
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
    except Exception as exc:  # noqa: BLE001 - pymatgen raises many types on malformed files
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise StructureFileError(
            f"cannot read structure file {str(path)!r} ({reason}); give {_READABLE}"
        ) from None
    check_structure(structure, str(path))
    return StructureFile(str(path), p.name, sha, structure)


def check_structure(structure, label: str) -> None:
    """Reject structures no relaxation can handle, with a one-line reason naming ``label``."""
    import numpy as np

    if len(structure) == 0:
        raise StructureFileError(f"structure {label!r} has no atoms; give a file with atomic positions")
    if not structure.is_ordered:
        raise StructureFileError(
            f"structure {label!r} has partial occupancies; give an ordered structure (e.g. an ordering from "
            "pymatgen's OrderDisorderedStructureTransformation)"
        )
    vol = float(structure.lattice.volume)
    if not np.isfinite(vol) or vol <= 1e-3 or not np.all(np.isfinite(structure.cart_coords)):
        raise StructureFileError(f"structure {label!r} has a degenerate or non-finite cell; fix its lattice")
    if len(structure) > 1:
        d = structure.distance_matrix
        np.fill_diagonal(d, np.inf)
        if d.min() < MIN_DISTANCE:
            raise StructureFileError(
                f"structure {label!r} has atoms {d.min():.2f} A apart (overlapping); fix the coordinates"
            )
    elif min(structure.lattice.abc) < MIN_DISTANCE:
        raise StructureFileError(f"structure {label!r} has a lattice vector shorter than {MIN_DISTANCE} A")


__all__ = ["STRUCTURE_SUFFIXES", "StructureFile", "StructureFileError", "looks_like_structure_path",
           "read_structure", "check_structure"]
