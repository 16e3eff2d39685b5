"""Entry sources: the packaged MP 2019 snapshot, snapshot files, pymatgen's experimental data, (Materials
Project in ``mp.py``).

Every loader returns an :class:`~screening.entries.table.EntryTable` of formation energies per atom
with the elements at 0 and a provenance record (kind, file, sha256, version, and for Materials Project
data its licence and citations). Snapshot files are parsed once per machine and then read from the
binary cache of :mod:`screening.entries.cache`. Nothing is read at import time.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from screening.composition.parse import parse_formula
from screening.data import DEFAULT_SOURCE, MP2019_FILE, MP2019_LABEL, MP2019_PROVENANCE, NAMED_SOURCES
from screening.entries.cache import cached_table
from screening.entries.table import EntryTable
from screening.errors import FormulaError, ScreeningError, SourceError

#: Column names accepted for the formation energy in a CSV snapshot [eV/atom].
ENERGY_COLUMNS = ("target", "e_form", "formation_energy_per_atom", "formation_energy", "e_form_per_atom")
#: Column names accepted for an identifier in a CSV snapshot.
ID_COLUMNS = ("material_id", "id", "entry_id", "mpid")


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file (streamed)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


@lru_cache(maxsize=1)
def load_experimental() -> EntryTable:
    """The experimental formation enthalpies shipped with pymatgen (no network, no file of ours).

    ``pymatgen/analysis/compatibility/exp_compounds.json.gz`` holds 2,135 compounds with formation
    enthalpies in eV per formula unit (the fitting set of MP's anion corrections, Wang et al., Sci. Rep.
    11, 15496 (2021)); they are converted to eV/atom with the elements at 0.
    """
    import pymatgen
    import pymatgen.analysis.compatibility as compat

    path = Path(compat.__file__).parent / "exp_compounds.json.gz"
    if not path.exists():
        raise SourceError(
            f"pymatgen's experimental data file {path} is missing; reinstall pymatgen (pip install -e .)"
        )
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
        "file": "pymatgen/analysis/compatibility/exp_compounds.json.gz",
        "sha256": sha256_of(path),
        "pymatgen_version": getattr(pymatgen, "__version__", None) or _dist_version("pymatgen"),
        "n_entries": len(formulas),
        "energy_kind": "experimental formation enthalpy per atom (298 K)",
    }
    return EntryTable.from_records(formulas, np.array(energies), ids, provenance)


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def load_source(
    spec: str | os.PathLike | None = None, elements: list[str] | None = None, **options
) -> EntryTable:
    """Load an entry source from its command-line/config name.

    Args:
        spec: ``"mp2019"`` (default, ``None``) for the packaged Materials Project snapshot,
            ``"experimental"`` for pymatgen's embedded experimental data, ``"mp"`` for Materials
            Project through mp-api (see :mod:`screening.entries.mp`), or a path to a snapshot file.
        elements: The elements the caller will ask about. File sources ignore it (they hold
            everything they hold); the Materials Project source fetches exactly that chemical system.
        **options: passed to the Materials Project source (thermo type, cache directory, ...).

    Raises:
        SourceError: unknown source or unreadable file.
    """
    if spec is None or str(spec) == "mp2019":
        return load_mp2019()
    if str(spec) == "experimental":
        return load_experimental()
    if str(spec) == "mp":
        try:
            from screening.entries import mp
        except ImportError as exc:  # pragma: no cover - depends on installation
            raise ScreeningError(f"the Materials Project source needs mp-api: {exc}; run pip install -e .") from None
        return mp.load_mp(elements=elements, **options)
    return load_snapshot(spec)


__all__ = [
    "ALLOWED_CLASSES",
    "DEFAULT_SOURCE",
    "NAMED_SOURCES",
    "check_classes",
    "entries_to_table",
    "foreign_class",
    "load_experimental",
    "load_mp2019",
    "load_snapshot",
    "load_source",
    "sha256_of",
]
