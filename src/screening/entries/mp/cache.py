"""The Materials Project cache: one verified file per chemical system and thermo type.

``<cache_dir>/<thermo type>/<chemsys>.json.gz`` holds the entries of a chemical system and all its
subsystems with the database version, the thermo type, the retrieval time (UTC), the endpoint (never with
credentials) and two checksums: ``entries_sha256`` over chemsys, thermo type and entries
(:func:`entries_checksum`), and ``metadata_sha256`` over every other field, ``entries_sha256`` included
(:func:`metadata_checksum`). Both are verified on every read, so neither an edited energy nor an edited
``database_version`` or ``n_entries`` (which go into the provenance) passes in silence. Files are written
atomically (temporary file + ``os.replace``).
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from screening.composition.parse import ATOMIC_NUMBER
from screening.entries.computed import foreign_class
from screening.entries.files import canonical_sha256, dist_version, sha256_of, write_json_atomic
from screening.entries.mp.options import DEFAULT_CACHE_DIR, DEFAULT_THERMO_TYPE, THERMO_TYPES, public_endpoint
from screening.errors import SourceError

logger = logging.getLogger(__name__)

#: /2: entries_sha256 over chemsys, thermo type, entries; /3: metadata_sha256 over everything else.
CACHE_FORMAT = "screening.mp_cache/3"
_CACHE_SUFFIX = ".json.gz"
_METADATA_CHECKSUM = "metadata_sha256"


@dataclass(frozen=True)
class CachedSystem:
    """One cache file: the entries of a chemical system and all its subsystems.

    Attributes:
        path: The cache file.
        chemsys: Its chemical system (``Co-Li-O``).
        thermo_type: MP thermo type of the entries.
        database_version: MP database version reported by the server.
        retrieved_at: Retrieval time, UTC ISO 8601.
        endpoint: The API endpoint the data came from (without credentials).
        entries: ComputedStructureEntry dicts, sorted by entry id.
        queries: The chemical systems queried to build the file (more than one if assembled).
        from_cache: True if read from disk, False if fetched in this call.
    """

    path: Path
    chemsys: str
    thermo_type: str
    database_version: str | None
    retrieved_at: str
    endpoint: str
    entries: list[dict]
    queries: list[str] = field(default_factory=list)
    from_cache: bool = True

    @property
    def elements(self) -> tuple[str, ...]:
        return tuple(self.chemsys.split("-"))

    def subset(self, elements: Iterable[str]) -> list[dict]:
        """Entries whose elements all lie within ``elements``."""
        allowed = set(elements)
        return [e for e in self.entries if _entry_elements(e) <= allowed]

    def meta(self) -> dict:
        """Provenance of this file (no entries, no secrets)."""
        return {
            "chemsys": self.chemsys,
            "thermo_type": self.thermo_type,
            "database_version": self.database_version,
            "retrieved_at": self.retrieved_at,
            "endpoint": public_endpoint(self.endpoint),
            "file": self.path.name,
        }


def _entry_elements(entry: dict) -> set[str]:
    return {el for el, amt in entry["composition"].items() if amt > 0}


def _entry_key(entry: dict) -> str:
    eid = entry.get("entry_id")
    return str(eid) if eid is not None else json.dumps([entry["composition"], entry["energy"]], sort_keys=True)


def _dedup(entries: Iterable[dict]) -> list[dict]:
    """Entries de-duplicated by entry id, sorted by it."""
    seen: dict[str, dict] = {}
    for e in entries:
        seen.setdefault(_entry_key(e), e)
    return [seen[k] for k in sorted(seen)]


def cache_path(cache_dir: str | os.PathLike, thermo_type: str, chemsys: str) -> Path:
    """Where the cache file of one chemical system lives."""
    return Path(cache_dir).expanduser() / thermo_type / f"{chemsys}{_CACHE_SUFFIX}"


def _cached_systems(cache_dir: Path, thermo_type: str) -> list[tuple[str, Path]]:
    folder = Path(cache_dir).expanduser() / thermo_type
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".") or not p.name.endswith(_CACHE_SUFFIX):
            continue  # temporary files of an interrupted write, or foreign files
        out.append((p.name[: -len(_CACHE_SUFFIX)], p))
    return out


def find_cached(
    cache_dir: str | os.PathLike,
    thermo_type: str,
    elements: Iterable[str],
    exclude: Callable[[Path], bool] | None = None,
) -> CachedSystem | None:
    """The smallest cached system that contains ``elements`` (itself or a superset), or None."""
    wanted = set(elements)
    best: tuple[int, str, Path] | None = None
    for chemsys, path in _cached_systems(Path(cache_dir), thermo_type):
        els = set(chemsys.split("-"))
        if wanted <= els and not (exclude and exclude(path)):
            cand = (len(els), chemsys, path)
            best = cand if best is None or cand < best else best
    return read_cache_file(best[2], thermo_type) if best else None


def entries_checksum(chemsys: str, thermo_type: str, entries: list) -> str:
    """sha256 of a cache file's chemical system, thermo type and entries (canonical JSON).

    Stored as ``entries_sha256`` in every cache file and verified on every read, so a hand-edited
    energy or a file renamed to another system is refused instead of answering a question.
    """
    return canonical_sha256({"chemsys": chemsys, "thermo_type": thermo_type, "entries": entries})


def metadata_checksum(doc: dict) -> str:
    """sha256 of every field of a cache document but the entries and this checksum (canonical JSON).

    The fields include ``entries_sha256``, so the checksum also covers the entries; stored as
    ``metadata_sha256`` and verified on every read (database version and entry count go into provenance).
    """
    return canonical_sha256({k: v for k, v in doc.items() if k not in ("entries", _METADATA_CHECKSUM)})


def _refresh_fix(p: Path, chemsys: str | None, thermo_type: str | None) -> str:
    """The command that rewrites a bad cache file."""
    els = (chemsys or p.name.removesuffix(_CACHE_SUFFIX)).replace("-", " ")
    tt = thermo_type or p.parent.name
    cmd = f"screening mp fetch --refresh {els}"
    if tt in THERMO_TYPES and tt != DEFAULT_THERMO_TYPE:
        cmd += f" --thermo-type {tt}"
    if p.parent.parent.resolve() != DEFAULT_CACHE_DIR.resolve():
        cmd += f" --cache-dir {p.parent.parent}"
    return f"run '{cmd}'"


def _bad_entry_reason(entry, allowed: set[str]) -> str | None:
    """Why a cached entry cannot be used (None if it can)."""
    if not isinstance(entry, dict):
        return f"is a {type(entry).__name__}, not an entry dict"
    found = foreign_class(entry)  # before anything could decode it (issue 26, S1)
    if found is not None:
        return f"asks for class {found[1]!r} (at {found[0]}), which is not allowed (a data file never imports code)"
    comp = entry.get("composition")
    if not isinstance(comp, dict) or not comp:
        return "has no composition mapping"
    for el, amt in comp.items():
        if el not in ATOMIC_NUMBER:
            return f"has unknown element {el!r}"
        if not isinstance(amt, int | float) or isinstance(amt, bool) or not (0 <= amt < 1e6):
            return f"has amount {amt!r} of {el}"
    els = {el for el, amt in comp.items() if amt > 0}
    if not els:
        return "has no atoms"
    if not els <= allowed:
        return f"contains {', '.join(sorted(els - allowed))}, outside the file's system"
    energy = entry.get("energy")
    if not isinstance(energy, int | float) or isinstance(energy, bool) or not math.isfinite(energy):
        return f"has energy {energy!r}, not a finite number"
    return None


def _read_doc(p: Path, what: str, fix: str) -> dict:
    import gzip

    try:
        return json.loads(gzip.decompress(p.read_bytes()).decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{what} is unreadable ({exc}); {fix}") from None


def read_cache_file(path: str | os.PathLike, thermo_type: str | None = None) -> CachedSystem:
    """Read and verify one cache file.

    Checks, in order: the file is a gzipped JSON cache document; its thermo type is the one asked for;
    the chemical system in the file is the one in its name; every entry is a dict with a composition
    within that system and a finite energy; the stored ``entries_sha256`` matches the entries
    (:func:`entries_checksum`); and the stored ``metadata_sha256`` matches the other fields
    (:func:`metadata_checksum`). Files of older formats without either checksum are refused too.

    Raises:
        SourceError: one line naming the file, what is wrong, and the ``screening mp fetch --refresh``
            command that rewrites it.
    """
    p = Path(path)
    fix = _refresh_fix(p, None, thermo_type)
    what = f"Materials Project cache file {str(p)!r}"
    doc = _read_doc(p, what, fix)
    required = ("format", "chemsys", "thermo_type", "database_version", "retrieved_at", "entries")
    missing = [k for k in required if not isinstance(doc, dict) or k not in doc]
    if missing or not str(doc.get("format", "")).startswith("screening.mp_cache/"):
        raise SourceError(f"{str(p)!r} is not a Materials Project cache file (missing {', '.join(missing)}); {fix}")
    chemsys, tt = doc["chemsys"], doc["thermo_type"]
    if not isinstance(chemsys, str) or not isinstance(tt, str):
        raise SourceError(f"{what} has a malformed chemsys or thermo_type; {fix}")
    fix = _refresh_fix(p, None, tt)
    if thermo_type is not None and tt != thermo_type:
        raise SourceError(f"cache file {str(p)!r} holds {tt} entries, not {thermo_type}; {fix}")
    if p.name.endswith(_CACHE_SUFFIX) and p.name.removesuffix(_CACHE_SUFFIX) != chemsys:
        raise SourceError(
            f"{what} is named for {p.name.removesuffix(_CACHE_SUFFIX)} but holds the {chemsys} system; {fix}"
        )
    entries = doc["entries"]
    if not isinstance(entries, list) or not entries:
        raise SourceError(f"{what} has no entries; {fix}")
    allowed = set(chemsys.split("-"))
    for i, entry in enumerate(entries):
        why = _bad_entry_reason(entry, allowed)
        if why is not None:
            raise SourceError(f"{what}: entry {i} {why}; {fix}")
    stored = doc.get("entries_sha256")
    if not stored:
        raise SourceError(f"{what} has no entries checksum (written by an older version); {fix}")
    if stored != entries_checksum(chemsys, tt, entries):
        raise SourceError(f"{what} was modified after download (entries checksum mismatch); {fix}")
    stored_meta = doc.get(_METADATA_CHECKSUM)
    if not stored_meta:
        raise SourceError(f"{what} has no metadata checksum (written by an older version); {fix}")
    if stored_meta != metadata_checksum(doc):
        raise SourceError(
            f"{what} was modified after download (metadata checksum mismatch: database_version, n_entries, "
            f"retrieved_at or another field was edited); {fix}"
        )
    return CachedSystem(
        path=p,
        chemsys=chemsys,
        thermo_type=tt,
        database_version=doc["database_version"],
        retrieved_at=doc["retrieved_at"],
        endpoint=public_endpoint(str(doc.get("endpoint", ""))),
        entries=entries,
        queries=list(doc.get("queries", [])),
    )


def _write_cache(cache_dir: Path, record: CachedSystem) -> CachedSystem:
    """Write ``record`` as the cache file of its system (both checksums; the endpoint without credentials)."""
    path = cache_path(cache_dir, record.thermo_type, record.chemsys)
    endpoint = public_endpoint(record.endpoint)
    doc = {
        "format": CACHE_FORMAT,
        "chemsys": record.chemsys,
        "elements": list(record.elements),
        "thermo_type": record.thermo_type,
        "database_version": record.database_version,
        "retrieved_at": record.retrieved_at,
        "endpoint": endpoint,
        "queries": record.queries,
        "mp_api_version": dist_version("mp-api"),
        "n_entries": len(record.entries),
        "entries_sha256": entries_checksum(record.chemsys, record.thermo_type, record.entries),
    }
    doc[_METADATA_CHECKSUM] = metadata_checksum(doc)
    doc["entries"] = record.entries
    write_json_atomic(path, doc)
    logger.info("cached %d %s entries of %s in %s", len(record.entries), record.thermo_type, record.chemsys, path)
    return CachedSystem(**{**record.__dict__, "path": path, "endpoint": endpoint})


def _sha256(path: Path) -> str:
    return sha256_of(path)


__all__ = [
    "CACHE_FORMAT",
    "CachedSystem",
    "cache_path",
    "entries_checksum",
    "find_cached",
    "metadata_checksum",
    "read_cache_file",
]
