"""Band gaps from the Materials Project summary endpoint, cached per chemical system like the entries.

``load_mp_gaps([["Li", "Ge", "P", "S"]])`` returns, for every composition of the system (all subsystems),
the band gap and ``is_metal`` of its lowest-energy material (lowest ``formation_energy_per_atom``, ties by
``energy_above_hull`` and material id) from ``MPRester.materials.summary.search``. It shares everything
with the entries (:mod:`screening.entries.mp`): the options (:class:`~screening.entries.mp.options.MPOptions`),
the key (``MP_API_KEY`` only, never saved), the endpoint (``MP_API_ENDPOINT``, recorded without
credentials), the client session with its heartbeat, retries on HTTP 429/5xx and time-outs with exponential
backoff, the one-line errors, and the cache root. Summary documents are written once to
``<cache_dir>/summary/<chemsys>.json.gz`` (atomically) with the database version, retrieval time, endpoint,
the fields asked for and two checksums (documents; every other field); later runs for the system or any
subsystem read the file and make no request.
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from screening.entries.files import canonical_sha256, dist_version, sha256_of, utc_now, write_json_atomic
from screening.entries.gaps import GapRecord, composition_key
from screening.entries.mp.client import _Client
from screening.entries.mp.fetch import minimal_cover
from screening.entries.mp.options import MPOptions, chemsys_of, normalise_elements, public_endpoint
from screening.errors import ScreeningError, SourceError

logger = logging.getLogger(__name__)

SUMMARY_DIR = "summary"
#: /2: ``metadata_sha256`` over every field but the documents (database version, counts, ...).
SUMMARY_FORMAT = "screening.mp_summary/2"
#: Summary fields fetched (emmet ``SummaryDoc``).
FIELDS = (
    "material_id",
    "formula_pretty",
    "composition_reduced",
    "band_gap",
    "is_metal",
    "formation_energy_per_atom",
    "energy_above_hull",
)
_CHEMSYS_PER_QUERY = 256


@dataclass(frozen=True)
class SummaryCache:
    """One summary cache file: the summary documents of a chemical system and all its subsystems."""

    path: Path
    chemsys: str
    database_version: str | None
    retrieved_at: str
    endpoint: str
    docs: list[dict]
    from_cache: bool = True

    def subset(self, elements: Iterable[str]) -> list[dict]:
        """Documents whose elements all lie within ``elements``."""
        allowed = set(elements)
        return [d for d in self.docs if set(d.get("composition_reduced") or {}) <= allowed]

    def meta(self) -> dict:
        return {"file": self.path.name, "chemsys": self.chemsys, "database_version": self.database_version,
                "retrieved_at": self.retrieved_at, "sha256": sha256_of(self.path)}


def docs_checksum(chemsys: str, docs: list) -> str:
    """sha256 of a summary file's chemical system and documents (canonical JSON), as
    :func:`screening.entries.mp.cache.entries_checksum` for the entries: stored as ``docs_sha256`` and verified
    on every read, so a hand-edited band gap or a renamed file is refused."""
    return canonical_sha256({"chemsys": chemsys, "docs": docs})


def _metadata_checksum(doc: dict) -> str:
    return canonical_sha256({k: v for k, v in doc.items() if k not in ("docs", "metadata_sha256")})


def summary_path(cache_dir: str | os.PathLike, chemsys: str) -> Path:
    """Where the summary cache file of one chemical system lives."""
    return Path(cache_dir).expanduser() / SUMMARY_DIR / f"{chemsys}.json.gz"


def read_summary_file(path: str | os.PathLike) -> SummaryCache:
    """Read one summary cache file and verify both its checksums.

    Raises:
        SourceError: unreadable, not a summary cache file (or of an older format), or modified after
            download (names the file and the fix).
    """
    p = Path(path)
    fix = "delete it and fetch again"
    try:
        doc = json.loads(gzip.decompress(p.read_bytes()).decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"Materials Project summary cache file {str(p)!r} is unreadable ({exc}); {fix}") from None
    if not isinstance(doc, dict) or doc.get("format") != SUMMARY_FORMAT or not isinstance(doc.get("docs"), list):
        raise SourceError(f"{str(p)!r} is not a Materials Project summary cache file of this version; {fix}")
    if (
        doc.get("docs_sha256") != docs_checksum(doc["chemsys"], doc["docs"])
        or doc.get("metadata_sha256") != _metadata_checksum(doc)
        or p.name != f"{doc['chemsys']}.json.gz"
    ):
        raise SourceError(f"Materials Project summary cache file {str(p)!r} was modified after download; {fix}")
    return SummaryCache(p, doc["chemsys"], doc.get("database_version"), doc.get("retrieved_at", ""),
                        public_endpoint(str(doc.get("endpoint", ""))), doc["docs"])


def find_summary(cache_dir: str | os.PathLike, elements: Iterable[str]) -> SummaryCache | None:
    """The smallest cached summary system containing ``elements`` (itself or a superset), or None."""
    folder = Path(cache_dir).expanduser() / SUMMARY_DIR
    if not folder.is_dir():
        return None
    wanted = set(elements)
    best = None
    for p in sorted(folder.glob("*.json.gz")):
        if p.name.startswith("."):
            continue
        els = set(p.name[: -len(".json.gz")].split("-"))
        if wanted <= els:
            cand = (len(els), p.name, p)
            best = cand if best is None or cand < best else best
    return read_summary_file(best[2]) if best else None


def _subsystems(elements: tuple[str, ...]) -> list[str]:
    return [chemsys_of(c) for k in range(1, len(elements) + 1) for c in itertools.combinations(elements, k)]


def _plain(doc: dict) -> dict:
    """JSON-plain document with only :data:`FIELDS` (material ids as strings)."""
    out = {k: doc.get(k) for k in FIELDS}
    out["material_id"] = None if out["material_id"] is None else str(out["material_id"])
    comp = out.get("composition_reduced")
    if comp is not None and not isinstance(comp, dict):
        comp = comp.as_dict() if hasattr(comp, "as_dict") else dict(comp)
    out["composition_reduced"] = {str(k): float(v) for k, v in (comp or {}).items()}
    return json.loads(json.dumps(out, default=str))


def fetch_summary(
    elements: str | Iterable[str],
    cache_dir: str | os.PathLike | None = None,
    *,
    options: MPOptions | None = None,
    **settings,
) -> SummaryCache:
    """Make sure the summary documents of a chemical system are cached; return the covering cache file.

    Args: as :func:`screening.entries.mp.fetch.fetch` (the thermo type and the query size do not apply: band
        gaps are per material).

    Raises:
        SourceError: missing/rejected key, no network, persistent 429/5xx, or (offline) not cached.
    """
    opts = MPOptions.build(options, cache_dir=cache_dir, **settings)
    els = normalise_elements(elements)
    root = opts.root
    if not opts.refresh:
        hit = find_summary(root, els)
        if hit is not None:
            return hit
    chemsys = chemsys_of(els)
    if opts.offline:
        raise SourceError(
            f"band gaps of {chemsys} are not in the Materials Project cache {str(root)!r}; "
            "run the same command once where the API is reachable"
        )
    client = _Client(opts.key(), opts.url(), MPOptions().thermo_type, opts.policy())
    try:
        mpr = client.rester()
        systems = _subsystems(els)
        docs: dict[str, dict] = {}
        for start in range(0, len(systems), _CHEMSYS_PER_QUERY):
            batch = systems[start : start + _CHEMSYS_PER_QUERY]
            logger.info("fetching band gaps of %s (%d systems) from %s", chemsys, len(batch), client.endpoint)
            got = client._retrying(
                lambda batch=batch: mpr.materials.summary.search(chemsys=batch, deprecated=False, fields=list(FIELDS)),
                f"band gaps of {chemsys}",
            )
            for d in got:
                d = _plain(d if isinstance(d, dict) else d.model_dump())
                docs.setdefault(d["material_id"] or json.dumps(d, sort_keys=True), d)
        version = client.database_version
    finally:
        client.close()
    path = summary_path(root, chemsys)
    sorted_docs = [docs[k] for k in sorted(docs)]
    record = {
        "format": SUMMARY_FORMAT,
        "chemsys": chemsys,
        "elements": list(els),
        "database_version": version,
        "retrieved_at": utc_now(),
        "endpoint": client.endpoint,
        "fields": list(FIELDS),
        "mp_api_version": dist_version("mp-api"),
        "n_docs": len(docs),
        "docs_sha256": docs_checksum(chemsys, sorted_docs),
    }
    record["metadata_sha256"] = _metadata_checksum(record)
    record["docs"] = sorted_docs
    write_json_atomic(path, record)
    return SummaryCache(path, chemsys, version, record["retrieved_at"], client.endpoint, sorted_docs, False)


def lowest_energy_gaps(docs: Iterable[dict]) -> dict:
    """Composition key -> :class:`~screening.entries.gaps.GapRecord` of its lowest-energy material."""

    def rank(d: dict) -> tuple:
        e = d.get("formation_energy_per_atom")
        h = d.get("energy_above_hull")
        return (float("inf") if e is None else e, float("inf") if h is None else h, str(d.get("material_id")))

    best: dict[tuple, dict] = {}
    for d in docs:
        try:
            key = composition_key(d.get("formula_pretty") or "")
        except ScreeningError:
            continue  # a formula we cannot read has no place in our compositions
        if key not in best or rank(d) < rank(best[key]):
            best[key] = d
    out = {}
    for key, d in best.items():
        gap = d.get("band_gap")
        out[key] = GapRecord(
            formula=d["formula_pretty"],
            band_gap=None if gap is None else float(gap),
            is_metal=d.get("is_metal"),
            material_id=d.get("material_id"),
            detail=str(d.get("material_id")),
        )
    return out


def load_mp_gaps(
    systems: Iterable[Iterable[str] | str],
    cache_dir: str | os.PathLike | None = None,
    *,
    options: MPOptions | None = None,
    **settings,
) -> tuple[dict, dict]:
    """Band gaps of every composition in some chemical systems, from the cache or the summary endpoint.

    Args:
        systems: Chemical systems (element lists or ``"Li-Ge-P-S"``); each is covered with all subsystems.
        cache_dir: Cache root (default ``resources/mp_cache``, as the entries).
        options, **settings: as :func:`fetch_summary` (``offline``, ``api_key``, ``endpoint``, ``refresh``,
            ``retries``, ``backoff``, ``timeout``, ``budget``).

    Returns:
        (composition key -> ``GapRecord``, provenance: fields, database version(s), cache files + sha256).
    """
    opts = MPOptions.build(options, cache_dir=cache_dir, **settings)
    cover = minimal_cover(normalise_elements(s) for s in systems)
    docs: list[dict] = []
    files = {}
    versions = set()
    for els in cover:
        rec = fetch_summary(els, options=opts)
        docs.extend(rec.subset(els))
        files[rec.chemsys] = rec.meta()
        versions.add(str(rec.database_version))
    provenance = {
        "source": "mp summary",
        "fields": list(FIELDS),
        "selection": "lowest formation_energy_per_atom per composition",
        "database_versions": sorted(versions),
        "systems": [chemsys_of(e) for e in cover],
        "cache_files": files,
    }
    return lowest_energy_gaps(docs), provenance


__all__ = ["FIELDS", "SummaryCache", "fetch_summary", "find_summary", "load_mp_gaps", "lowest_energy_gaps",
           "read_summary_file", "summary_path"]
