"""Entry sources: one class per source behind one interface, and the loaders of the file sources.

:class:`EntrySource` is what the rest of the package holds: :class:`Mp2019Source` (the packaged Materials
Project 2019 snapshot, the default), :class:`ExperimentalSource` (pymatgen's experimental formation
enthalpies), :class:`FileSource` (a snapshot file) and :class:`MPSource` (Materials Project through mp-api,
:mod:`screening.entries.mp`). :func:`entry_source` makes one from its command-line/config name, as
:func:`screening.mlip.model.get_model` makes an :class:`~screening.mlip.model.EnergyModel`.

Every source returns an :class:`~screening.entries.table.EntryTable` of formation energies per atom
with the elements at 0 and a provenance record (kind, file, sha256, version, and for Materials Project
data its licence and citations). Snapshot files and pymatgen's experimental table are parsed once per
machine and then read from the binary cache of :mod:`screening.entries.cache`. Nothing is read at import
time.
"""

from __future__ import annotations

import abc
import csv
import gzip
import importlib.util
import io
import json
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np

from screening.composition.parse import parse_formula
from screening.data import DEFAULT_SOURCE, MP2019_FILE, MP2019_LABEL, MP2019_PROVENANCE, NAMED_SOURCES
from screening.entries.cache import cached_table
from screening.entries.computed import ALLOWED_CLASSES, check_classes, entries_to_table, foreign_class
from screening.entries.files import dist_version, sha256_of
from screening.entries.table import EntryTable
from screening.errors import FormulaError, SourceError

#: Column names accepted for the formation energy in a CSV snapshot [eV/atom].
ENERGY_COLUMNS = ("target", "e_form", "formation_energy_per_atom", "formation_energy", "e_form_per_atom")
#: Column names accepted for an identifier in a CSV snapshot.
ID_COLUMNS = ("material_id", "id", "entry_id", "mpid")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(
            f"snapshot file {str(path)!r} does not exist; give the path of an existing snapshot file (CSV or "
            "JSON, optionally gzipped) or a named source: mp2019 (the default, packaged Materials Project "
            "2019 snapshot), experimental (pymatgen's measured formation enthalpies) or mp (Materials Project, "
            "needs an API key)"
        ) from None
    except IsADirectoryError:
        raise SourceError(f"snapshot path {str(path)!r} is a directory; give the file itself") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise SourceError(f"snapshot file {str(path)!r} is a corrupt gzip file ({exc}); fetch it again") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(f"snapshot file {str(path)!r} is not UTF-8 text (CSV or JSON, optionally gzipped)") from None


def _snapshot_kind(path: Path, text: str) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv"):
        return "csv"
    return "json" if text.lstrip()[:1] in "[{" else "csv"


def load_snapshot(path: str | os.PathLike) -> EntryTable:
    """Load a snapshot file: CSV(.gz) of formation energies or JSON(.gz) of ComputedEntry dicts.

    CSV: a header with a ``formula`` column and one formation-energy column [eV/atom] (``target`` as in
    matbench's ``mp_e_form``, or one of :data:`ENERGY_COLUMNS`), optionally an id column. Rows get ids
    ``<stem>:row<N>`` (N = file line number - 1, i.e. the data row when there are no blank lines) when no
    id column exists.

    JSON: a list of pymatgen ``ComputedEntry``/``ComputedStructureEntry`` dicts (what mp-api returns),
    or ``{"entries": [...], "provenance": {...}}`` as written by ``screening mp export``. Total
    energies are turned into formation energies against the lowest-energy elemental entry of the same
    file (never another functional's; pymatgen issue #3319).

    Raises:
        SourceError: missing, empty or malformed file, with the line or entry at fault.
    """
    p = Path(path).expanduser()
    return _load_snapshot_cached(str(p.resolve()), *_stat_key(p))


def _stat_key(p: Path) -> tuple[int, int]:
    try:
        st = p.stat()
    except FileNotFoundError:
        _read_text(p)  # raises the friendly error
        raise
    return st.st_size, st.st_mtime_ns


@lru_cache(maxsize=8)
def _load_snapshot_cached(path: str, _size: int, _mtime: int) -> EntryTable:
    table = _read_snapshot(Path(path))
    table.provenance["path"] = path  # the cache may have been built from a copy elsewhere
    return table


def _read_snapshot(p: Path) -> EntryTable:
    """The parsed table of snapshot file ``p``: from the binary cache, or parsed (and cached)."""
    try:
        sha = sha256_of(p)
    except OSError:
        _read_text(p)  # raises the friendly error (missing file, directory)
        raise
    return cached_table(sha, p.name, lambda: _parse_snapshot(p, sha))


def _parse_snapshot(p: Path, sha: str) -> EntryTable:
    path = str(p)
    text = _read_text(p)
    if not text.strip():
        raise SourceError(f"snapshot file {path!r} is empty; point --source at a non-empty snapshot")
    kind = _snapshot_kind(p, text)
    provenance = {
        "source": "snapshot",
        "format": kind,
        "path": path,
        "file": p.name,
        "sha256": sha,
    }
    if kind == "csv":
        return _parse_csv(text, provenance)
    return _parse_entries_json(text, provenance)


@lru_cache(maxsize=1)
def load_mp2019() -> EntryTable:
    """The Materials Project snapshot shipped with the package (source ``mp2019``, the default).

    ``screening/data/mp_e_form_2019.csv.gz``: ``formula,target`` for 132,752 Materials Project
    structures, target = formation energy per atom [eV/atom] with MP's legacy corrections, retrieved in
    2019 for the matbench v0.1 ``mp_e_form`` task (Dunn et al., npj Comput. Mater. 6, 138 (2020)).
    Materials Project data is licensed CC BY 4.0 (cite Jain et al., APL Mater. 1, 011002 (2013)); the
    licence and both citations are in the provenance record. Entry ids are ``mp_e_form_2019:row<N>``
    (N = data row), the same as when the file is given as a path.

    Raises:
        SourceError: the packaged file is missing (a broken installation).
    """
    if not MP2019_FILE.is_file():
        raise SourceError(f"the packaged snapshot {MP2019_FILE} is missing; reinstall the package (pip install -e .)")
    table = _read_snapshot(MP2019_FILE)
    prov = table.provenance
    prov.pop("path", None)  # this machine's install path: not part of the data's identity
    prov.update(source="mp2019", file=MP2019_LABEL, **MP2019_PROVENANCE)
    return table


def _parse_csv(text: str, provenance: dict) -> EntryTable:
    path = provenance["path"]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise SourceError(f"snapshot file {path!r} is empty") from None
    lower = [h.lower() for h in header]
    if "formula" not in lower:
        raise SourceError(
            f"snapshot CSV {path!r} has no 'formula' column (header: {','.join(header)}); "
            "expected 'formula,<formation energy per atom>' such as matbench's 'formula,target'"
        )
    f_col = lower.index("formula")
    e_candidates = [i for i, h in enumerate(lower) if h in ENERGY_COLUMNS]
    if not e_candidates:
        numeric = [i for i, h in enumerate(lower) if i != f_col and h not in ID_COLUMNS]
        if len(numeric) != 1:
            raise SourceError(
                f"snapshot CSV {path!r}: cannot tell which column is the formation energy per atom; "
                f"name it one of {', '.join(ENERGY_COLUMNS)}"
            )
        e_candidates = numeric
    e_col = e_candidates[0]
    id_col = next((i for i, h in enumerate(lower) if h in ID_COLUMNS), None)
    stem = Path(provenance["file"]).name.split(".")[0]
    formulas, energies, ids = [], [], []
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise SourceError(f"snapshot CSV {path!r} line {lineno}: expected {len(header)} fields, got {len(row)}")
        formula = row[f_col].strip()
        try:
            energy = float(row[e_col])
        except ValueError:
            raise SourceError(
                f"snapshot CSV {path!r} line {lineno}: energy {row[e_col]!r} is not a number"
            ) from None
        try:
            parse_formula(formula)
        except FormulaError as exc:
            raise SourceError(f"snapshot CSV {path!r} line {lineno}: {exc}") from None
        formulas.append(formula)
        energies.append(energy)
        ids.append(row[id_col].strip() if id_col is not None else f"{stem}:row{lineno - 1}")
    if not formulas:
        raise SourceError(f"snapshot CSV {path!r} has a header but no data rows")
    provenance.update(n_entries=len(formulas), energy_column=header[e_col], energy_kind="formation_energy_per_atom")
    return EntryTable.from_records(formulas, np.array(energies), ids, provenance)


def _parse_entries_json(text: str, provenance: dict) -> EntryTable:
    path = provenance["path"]
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"snapshot JSON {path!r} is malformed: {exc}") from None
    extra_prov = {}
    if isinstance(doc, dict) and "entries" in doc:
        extra_prov = doc.get("provenance", {}) or {}
        doc = doc["entries"]
    if not isinstance(doc, list) or not doc:
        raise SourceError(
            f"snapshot JSON {path!r} must be a non-empty list of ComputedEntry dicts "
            "(or {'entries': [...]} as written by 'screening mp export')"
        )
    table = entries_to_table(doc, provenance | {"upstream": extra_prov} if extra_prov else provenance)
    return table


#: Where pymatgen keeps its experimental formation enthalpies (inside the installed package).
EXPERIMENTAL_FILE = "pymatgen/analysis/compatibility/exp_compounds.json.gz"


def _experimental_path() -> Path:
    """The installed ``exp_compounds.json.gz``, found without importing pymatgen (seconds of CPU)."""
    spec = importlib.util.find_spec("pymatgen")
    for root in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(root).parent / EXPERIMENTAL_FILE
        if path.exists():
            return path
    raise SourceError(
        f"pymatgen's experimental data file {EXPERIMENTAL_FILE} is missing; reinstall pymatgen (pip install -e .)"
    )


@lru_cache(maxsize=1)
def load_experimental() -> EntryTable:
    """The experimental formation enthalpies shipped with pymatgen (no network, no file of ours).

    ``pymatgen/analysis/compatibility/exp_compounds.json.gz`` holds 2,135 compounds with formation
    enthalpies in eV per formula unit (the fitting set of MP's anion corrections, Wang et al., Sci. Rep.
    11, 15496 (2021)); they are converted to eV/atom with the elements at 0. The parsed table is cached
    like a snapshot's (:mod:`screening.entries.cache`), keyed by the file's sha256 and pymatgen's version.
    """
    path = _experimental_path()
    sha = sha256_of(path)
    version = dist_version("pymatgen")
    return cached_table(sha, f"{path.name}|pymatgen {version}", lambda: _parse_experimental(path, sha, version))


def _parse_experimental(path: Path, sha: str, version: str | None) -> EntryTable:
    with gzip.open(path, "rt") as fh:
        records = json.load(fh)
    formulas, energies, ids = [], [], []
    for rec in records:
        comp = parse_formula(rec["formula"])
        formulas.append(rec["formula"])
        energies.append(rec["exp energy"] / sum(comp.values()))
        ids.append(f"exp:{rec['formula']}" + (f"({rec['mpid']})" if rec.get("mpid") else ""))
    provenance = {
        "source": "experimental",
        "file": EXPERIMENTAL_FILE,
        "sha256": sha,
        "pymatgen_version": version,
        "n_entries": len(formulas),
        "energy_kind": "experimental formation enthalpy per atom (298 K)",
    }
    return EntryTable.from_records(formulas, np.array(energies), ids, provenance)


# ---------------------------------------------------------------------------------------------- sources
class EntrySource(abc.ABC):
    """A source of formation energies: its name, what it needs to be asked, and its table.

    Attributes:
        name: Kind of the source (``mp2019``, ``experimental``, ``file``, ``mp``).
        per_system: True when the source is fetched per chemical system (Materials Project): it needs a
            bounded element set, and the workflow fetches its systems in a step of their own first.
        has_band_gaps: True when the source also offers band gaps (the Materials Project summary endpoint).
    """

    name: str = ""
    per_system: bool = False
    has_band_gaps: bool = False

    @property
    def spec(self) -> str:
        """How the source is named on the command line and in configs."""
        return self.name

    @property
    def files(self) -> tuple[Path, ...]:
        """The data files of ours or the user's that the source reads (a changed file reruns a screen)."""
        return ()

    @abc.abstractmethod
    def load(self, elements: Iterable[str] | None = None) -> EntryTable:
        """The formation-energy table; ``elements``: what the caller will ask about (file sources hold
        everything they hold and ignore it; a per-system source fetches exactly that chemical system)."""

    def load_systems(self, systems: Iterable[Iterable[str]]) -> EntryTable:
        """One table that covers every chemical system in ``systems`` (file sources: their whole table)."""
        return self.load(sorted({el for s in systems for el in s}))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"


class Mp2019Source(EntrySource):
    """The Materials Project 2019 snapshot shipped with the package (the default; :func:`load_mp2019`)."""

    name = "mp2019"

    @property
    def files(self) -> tuple[Path, ...]:
        return (MP2019_FILE,)

    def load(self, elements=None) -> EntryTable:
        return load_mp2019()


class ExperimentalSource(EntrySource):
    """pymatgen's experimental formation enthalpies (:func:`load_experimental`)."""

    name = "experimental"

    def load(self, elements=None) -> EntryTable:
        return load_experimental()


class FileSource(EntrySource):
    """A snapshot file (CSV or JSON, optionally gzipped; :func:`load_snapshot`). Nothing is read until
    :meth:`load`."""

    name = "file"

    def __init__(self, path: str | os.PathLike):
        self.path = path

    @property
    def spec(self) -> str:
        return str(self.path)

    @property
    def files(self) -> tuple[Path, ...]:
        return (Path(self.path),)

    def load(self, elements=None) -> EntryTable:
        return load_snapshot(self.path)


class MPSource(EntrySource):
    """Materials Project through mp-api, per chemical system, cached (:mod:`screening.entries.mp`).

    Args:
        options: An :class:`~screening.entries.mp.options.MPOptions`, a mapping of its fields, or None for
            the defaults.
    """

    name = "mp"
    per_system = True
    has_band_gaps = True

    def __init__(self, options=None):
        from screening.entries.mp.options import MPOptions

        self.options = MPOptions.build(options)

    def load(self, elements=None) -> EntryTable:
        from screening.entries.mp.fetch import load_mp

        return load_mp(elements, options=self.options)

    def load_systems(self, systems) -> EntryTable:
        from screening.entries.mp.fetch import load_mp_systems

        return load_mp_systems(systems, options=self.options)


#: The named sources (the ``source`` setting) and their classes; anything else is a snapshot path.
SOURCES: dict[str, type[EntrySource]] = {"mp2019": Mp2019Source, "experimental": ExperimentalSource, "mp": MPSource}


def entry_source(spec: str | os.PathLike | EntrySource | None = None, options: Mapping | None = None) -> EntrySource:
    """The source named ``spec``: ``"mp2019"`` (default, ``None``), ``"experimental"``, ``"mp"``, or a path
    to a snapshot file (an :class:`EntrySource` is returned as it is).

    Args:
        spec: The command-line/config name, or a path.
        options: Settings of the Materials Project source (an ``MPOptions`` or a mapping of its fields);
            ignored by the other sources.
    """
    if isinstance(spec, EntrySource):
        return spec
    name = DEFAULT_SOURCE if spec is None else str(spec)
    if name == MPSource.name:
        return MPSource(options)
    cls = SOURCES.get(name)
    return cls() if cls is not None else FileSource(spec)


def load_source(
    spec: str | os.PathLike | EntrySource | None = None, elements: list[str] | None = None, **options
) -> EntryTable:
    """Load an entry source from its command-line/config name: ``entry_source(spec, options).load(elements)``.

    Args:
        spec: ``"mp2019"`` (default, ``None``) for the packaged Materials Project snapshot,
            ``"experimental"`` for pymatgen's embedded experimental data, ``"mp"`` for Materials
            Project through mp-api (see :mod:`screening.entries.mp`), or a path to a snapshot file.
        elements: The elements the caller will ask about. File sources ignore it (they hold
            everything they hold); the Materials Project source fetches exactly that chemical system.
        **options: passed to the Materials Project source (fields of ``MPOptions``: thermo type, cache
            directory, ...).

    Raises:
        SourceError: unknown source or unreadable file.
    """
    return entry_source(spec, options).load(elements)


__all__ = [
    "ALLOWED_CLASSES",
    "DEFAULT_SOURCE",
    "NAMED_SOURCES",
    "SOURCES",
    "EntrySource",
    "ExperimentalSource",
    "FileSource",
    "MPSource",
    "Mp2019Source",
    "check_classes",
    "entries_to_table",
    "entry_source",
    "foreign_class",
    "load_experimental",
    "load_mp2019",
    "load_snapshot",
    "load_source",
    "sha256_of",
]
