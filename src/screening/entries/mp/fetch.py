"""Fetching Materials Project entries into the cache, loading them as tables, exporting snapshots.

``load_mp(["Li", "Co", "O"])`` returns the formation-energy table of the whole Li-Co-O system (all its
subsystems) from ``MPRester.get_entries_in_chemsys``. Every fetched chemical system is written once to the
cache (:mod:`screening.entries.mp.cache`); later requests for that system or any of its subsystems are
served from the cache without touching the network. mp-api refuses more than
:data:`~screening.entries.mp.options.MAX_ELEMENTS_PER_QUERY` (9) distinct elements in one
``get_entries_in_chemsys`` call (its URI length limit: 2^9 - 1 = 511 subsystems); larger systems are
assembled from the 9-element subsystems (each fetched and cached once) plus one ``get_entries`` query for
the chemical systems with more than 9 elements, de-duplicated by entry id. :func:`export_cache` turns the
cache into a snapshot file that the snapshot source reads, so a ranking can be reproduced without a key.

Every function takes its settings as one :class:`~screening.entries.mp.options.MPOptions` (``options=``)
and/or as keywords naming its fields.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from screening.entries.computed import entries_to_table
from screening.entries.files import dist_version, sha256_of, utc_now, write_json_atomic
from screening.entries.mp.cache import CachedSystem, _cached_systems, _dedup, _write_cache, find_cached, read_cache_file
from screening.entries.mp.client import _Client
from screening.entries.mp.options import (
    DEFAULT_THERMO_TYPE,
    MIXED_THERMO_TYPE,
    THERMO_TYPES,
    MPOptions,
    chemsys_of,
    normalise_elements,
    normalise_thermo_type,
    public_endpoint,
)
from screening.entries.table import EntryTable
from screening.errors import InputError, SourceError

SNAPSHOT_FORMAT = "screening.mp_snapshot/1"


@dataclass
class _Fetch:
    cache_dir: Path
    thermo_type: str
    make_client: Callable[[], _Client]
    refresh: bool
    offline: bool
    max_elements: int
    written: set = field(default_factory=set)
    client: _Client | None = None

    def get_client(self) -> _Client:
        if self.client is None:
            self.client = self.make_client()
        return self.client

    def cached(self, elements: Sequence[str]) -> CachedSystem | None:
        stale = (lambda p: p not in self.written) if self.refresh else None
        return find_cached(self.cache_dir, self.thermo_type, elements, exclude=stale)

    def ensure(self, elements: tuple[str, ...]) -> CachedSystem:
        """The cache file covering ``elements``, fetched (and written) if needed."""
        hit = self.cached(elements)
        if hit is not None:
            return hit
        chemsys = chemsys_of(elements)
        if self.offline:
            raise SourceError(
                f"chemical system {chemsys} ({self.thermo_type}) is not in the Materials Project cache "
                f"{str(self.cache_dir)!r}; run 'screening mp fetch {' '.join(elements)}' where the API is reachable"
            )
        if len(elements) <= self.max_elements:
            record = self._fetch_direct(elements)
        else:
            record = self._fetch_assembled(elements)
        if not record.entries:
            raise SourceError(
                f"Materials Project returned no {self.thermo_type} entries for {chemsys}; check the element "
                "symbols, or choose another thermo type"
            )
        written = _write_cache(self.cache_dir, record)
        self.written.add(written.path)
        return written

    def _fetch_direct(self, elements: tuple[str, ...]) -> CachedSystem:
        client = self.get_client()
        entries = client.entries_in_chemsys(elements)
        return self._record(elements, entries, [chemsys_of(elements)], client.database_version)

    def _fetch_assembled(self, elements: tuple[str, ...]) -> CachedSystem:
        chemsys = chemsys_of(elements)
        if self.thermo_type == MIXED_THERMO_TYPE:
            raise SourceError(
                f"{chemsys} has {len(elements)} elements, more than the {self.max_elements} one mp-api query "
                f"allows, and mixed {MIXED_THERMO_TYPE} entries of different queries are on different energy "
                "scales (mp-api issue #1104); use thermo type GGA_GGA+U or R2SCAN for this system"
            )
        entries: list[dict] = []
        queries: list[str] = []
        versions: set = set()
        for sub in itertools.combinations(elements, self.max_elements):
            part = self.ensure(sub)
            entries.extend(part.subset(sub))
            queries.append(chemsys_of(sub))
            versions.add(part.database_version)
        sizes = range(self.max_elements + 1, len(elements) + 1)
        higher = [chemsys_of(c) for k in sizes for c in itertools.combinations(elements, k)]
        client = self.get_client()
        entries.extend(client.entries_of_systems(higher))
        queries.extend(higher)
        versions.add(client.database_version)
        if len(versions) > 1:
            raise SourceError(
                f"the cached subsystems of {chemsys} come from different Materials Project database versions "
                f"({', '.join(sorted(map(str, versions)))}); fetch again with --refresh"
            )
        return self._record(elements, _dedup(entries), queries, versions.pop())

    def _record(self, elements, entries, queries, version) -> CachedSystem:
        client = self.get_client()
        return CachedSystem(
            path=Path(),
            chemsys=chemsys_of(elements),
            thermo_type=self.thermo_type,
            database_version=version,
            retrieved_at=utc_now(),
            endpoint=client.endpoint,
            entries=entries,
            queries=queries,
            from_cache=False,
        )


def fetch(
    elements: str | Iterable[str],
    thermo_type: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    *,
    options: MPOptions | None = None,
    **settings,
) -> CachedSystem:
    """Make sure the chemical system is in the cache; return the cache file that covers it.

    Args:
        elements: The chemical system (``["Li", "Co", "O"]`` or ``"Li-Co-O"``); all subsystems are included.
        thermo_type, cache_dir, options, **settings: the :class:`MPOptions` to use (``options``, default
            the defaults) with these fields replaced.

    Returns:
        The covering :class:`CachedSystem` (the system itself, or a cached superset).

    Raises:
        SourceError: missing/rejected key, no network, persistent 429/5xx, an empty result, or (offline)
            a system that is not cached.
        InputError: unknown element or thermo type.
    """
    opts = MPOptions.build(options, thermo_type=thermo_type, cache_dir=cache_dir, **settings)
    els = normalise_elements(elements)
    tt = opts.checked_thermo_type()
    if opts.max_elements_per_query < 1:
        raise InputError("max_elements_per_query must be at least 1")
    policy = opts.policy()
    url = opts.url()

    def make_client() -> _Client:
        return _Client(opts.key(), url, tt, policy)

    job = _Fetch(opts.root, tt, make_client, opts.refresh, opts.offline, opts.max_elements_per_query)
    try:
        return job.ensure(els)
    finally:
        if job.client is not None:
            job.client.close()


def load_mp(
    elements: str | Iterable[str] | None,
    thermo_type: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    *,
    options: MPOptions | None = None,
    **settings,
) -> EntryTable:
    """Formation-energy table of a whole chemical system from the Materials Project (cached).

    Args:
        elements: The chemical system (``["Li", "Co", "O"]`` or ``"Li-Co-O"``); all subsystems are included.
        thermo_type, cache_dir, options, **settings: as :func:`fetch` (fields of :class:`MPOptions`).

    Returns:
        An :class:`EntryTable` of formation energies [eV/atom] against the elemental entries of the same
        data (corrected total energies), with provenance: source, thermo type, database version,
        retrieval time, endpoint (without credentials), cache file and its sha256.

    Raises:
        SourceError: see :func:`fetch`.
        InputError: unknown element or thermo type.
    """
    els = normalise_elements(elements)
    record = fetch(els, thermo_type, cache_dir, options=options, **settings)
    provenance = {
        "source": "mp",
        "chemsys": chemsys_of(els),
        "thermo_type": record.thermo_type,
        "database_version": record.database_version,
        "retrieved_at": record.retrieved_at,
        "endpoint": public_endpoint(record.endpoint),
        "path": str(record.path),
        "cache_chemsys": record.chemsys,
        "sha256": sha256_of(record.path),
        "from_cache": record.from_cache,
        "mp_api_version": dist_version("mp-api"),
    }
    return entries_to_table(record.subset(els), provenance)


def minimal_cover(systems: Iterable[Iterable[str]]) -> list[tuple[str, ...]]:
    """The chemical systems that are not subsets of another one (sorted, deterministic).

    Fetching these covers every system given: a cached system serves all its subsystems.
    """
    sets = {frozenset(normalise_elements(s)) for s in systems}
    maximal = [s for s in sets if not any(s < other for other in sets)]
    return sorted((normalise_elements(s) for s in maximal), key=lambda t: (len(t), chemsys_of(t)))


def load_mp_systems(
    systems: Iterable[Iterable[str]],
    thermo_type: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    *,
    options: MPOptions | None = None,
    **settings,
) -> EntryTable:
    """One formation-energy table from several chemical systems (e.g. every interface of a screen).

    A screen's materials span far more elements than one query (or a 9-element assembly) can hold, but
    each interface only needs its own chemical system. This fetches (or reads from the cache) each of
    ``minimal_cover(systems)`` and joins their entries, de-duplicated by entry id; all come from the
    same database and thermo type, so their energies share one scale and one set of elemental references.

    Args:
        systems: Chemical systems, each an iterable of element symbols or a ``"Li-Co-O"`` string.
        thermo_type, cache_dir, options, **settings: as :func:`fetch`.

    Raises:
        SourceError: as :func:`fetch`; also when the cached systems come from different database versions.
    """
    opts = MPOptions.build(options, thermo_type=thermo_type, cache_dir=cache_dir, **settings)
    cover = minimal_cover(systems)
    if not cover:
        raise InputError("no chemical system to load from the Materials Project")
    entries: list[dict] = []
    records = []
    for els in cover:
        record = fetch(els, options=opts)
        entries.extend(record.subset(els))
        records.append(record)
    versions = sorted({str(r.database_version) for r in records})
    if len(versions) > 1:
        raise SourceError(
            f"the cached Materials Project systems come from different database versions ({', '.join(versions)}); "
            "fetch again with refresh (screening mp fetch --refresh ...)"
        )
    provenance = {
        "source": "mp",
        "thermo_type": records[0].thermo_type,
        "database_version": records[0].database_version,
        "systems": [chemsys_of(e) for e in cover],
        "cache_files": {r.chemsys: {"file": Path(r.path).name, "sha256": sha256_of(Path(r.path)),
                                    "retrieved_at": r.retrieved_at} for r in records},
        "endpoint": public_endpoint(records[0].endpoint),
        "mp_api_version": dist_version("mp-api"),
    }
    return entries_to_table(_dedup(entries), provenance)


# ---------------------------------------------------------------------------------------------- export
def export_cache(
    cache_dir: str | os.PathLike | None,
    out_path: str | os.PathLike,
    elements: str | Iterable[str] | None = None,
    thermo_type: str = DEFAULT_THERMO_TYPE,
) -> tuple[Path, int]:
    """Write cached entries as a snapshot file that ``load_snapshot`` (``--source PATH``) reads.

    The file is ``{"entries": [ComputedStructureEntry dicts], "provenance": {...}}``, gzipped when
    ``out_path`` ends in ``.gz``, written atomically. It holds no API key and no endpoint credentials.

    Args:
        cache_dir: Cache root (default ``resources/mp_cache``).
        out_path: Snapshot file to write (``.json`` or ``.json.gz``).
        elements: Export only this chemical system (and its subsystems); default every cached system of
            the thermo type (their union, de-duplicated by entry id).
        thermo_type: Which cached thermo type to export.

    Returns:
        (path written, number of entries).

    Raises:
        SourceError: nothing cached, the system not cached, or mixed-thermo-type systems that cannot be
            pooled.
    """
    root = MPOptions.build(cache_dir=cache_dir).root
    tt = normalise_thermo_type(thermo_type)
    out = Path(out_path).expanduser()
    if not out.name.lower().removesuffix(".gz").endswith(".json"):
        raise InputError(f"snapshot file name {out.name!r} must end in .json or .json.gz")
    if elements is not None:
        els = normalise_elements(elements)
        rec = find_cached(root, tt, els)
        if rec is None:
            raise SourceError(
                f"chemical system {chemsys_of(els)} ({tt}) is not in the Materials Project cache {str(root)!r}; "
                f"run 'screening mp fetch {' '.join(els)}' first"
            )
        records, entries = [rec], rec.subset(els)
    else:
        records = _maximal_records(root, tt)
        entries = _dedup(e for r in records for e in r.entries)
    provenance = {
        "format": SNAPSHOT_FORMAT,
        "source": "mp",
        "thermo_type": tt,
        "chemsys": chemsys_of(els) if elements is not None else None,
        "database_versions": sorted({str(r.database_version) for r in records}),
        "systems": [r.meta() for r in records],
        "exported_at": utc_now(),
        "mp_api_version": dist_version("mp-api"),
        "n_entries": len(entries),
    }
    write_json_atomic(out, {"entries": entries, "provenance": provenance})
    return out, len(entries)


def _maximal_records(root: Path, thermo_type: str) -> list[CachedSystem]:
    systems = _cached_systems(root, thermo_type)
    if not systems:
        others = [tt for tt in THERMO_TYPES if tt != thermo_type and _cached_systems(root, tt)]
        hint = f" (cached thermo types: {', '.join(others)}; pass --thermo-type)" if others else ""
        raise SourceError(
            f"no {thermo_type} systems in the Materials Project cache {str(root)!r}{hint}; "
            "run 'screening mp fetch' first"
        )
    sets = {cs: set(cs.split("-")) for cs in (c for c, _ in systems)}
    maximal = [(cs, p) for cs, p in systems if not any(sets[cs] < sets[o] for o in sets)]
    if thermo_type == MIXED_THERMO_TYPE and len(maximal) > 1:
        raise SourceError(
            f"the cache holds {len(maximal)} separate {MIXED_THERMO_TYPE} systems whose mixed energies are on "
            "different scales (mp-api issue #1104); export one system with --elements"
        )
    return [read_cache_file(p, thermo_type) for _, p in maximal]


__all__ = ["SNAPSHOT_FORMAT", "export_cache", "fetch", "load_mp", "load_mp_systems", "minimal_cover"]
