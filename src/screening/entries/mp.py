"""Materials Project entries through the official client (mp-api), cached per chemical system.

``load_mp(["Li", "Co", "O"])`` returns the formation-energy table of the whole Li-Co-O system (all its
subsystems) from ``MPRester.get_entries_in_chemsys``. Every fetched chemical system is written once to
``<cache_dir>/<thermo type>/<chemsys>.json.gz`` (default ``resources/mp_cache``) with the database
version, the thermo type, the retrieval time (UTC) and the entries; later requests for that system or
any of its subsystems are served from the cache without touching the network. ``export_cache`` turns
the cache into a snapshot file that the ``snapshot`` source reads, so a ranking can be reproduced
without an API key.

Network behaviour:

* The API key is read from the ``MP_API_KEY`` environment variable only. It is handed to ``MPRester``
  and never written to a cache file, a snapshot, a provenance record or a log message.
* The endpoint is ``https://api.materialsproject.org/`` unless ``endpoint=`` or ``MP_API_ENDPOINT``
  says otherwise (tests point it at a local server).
* mp-api's own session retries HTTP 429, 502 and 504 three times (urllib3 ``Retry``, backoff 0.1 s,
  honouring ``Retry-After``); it does not retry 500 or 503, and its heartbeat request has no retry and
  no timeout. On top of that every query here is retried on 429/5xx and read time-outs with
  exponential backoff (``retries``, ``backoff``), after a heartbeat check with a time-out.
* mp-api refuses more than :data:`MAX_ELEMENTS_PER_QUERY` (9) distinct elements in one
  ``get_entries_in_chemsys`` call (its URI length limit: 2^9 - 1 = 511 subsystems). Larger systems are
  assembled from the 9-element subsystems (each fetched and cached once) plus one ``get_entries``
  query for the chemical systems with more than 9 elements, de-duplicated by entry id.
* Cache files are written atomically (temporary file + ``os.replace``): an interrupted download never
  leaves a file that looks complete.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import logging
import math
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from screening.composition.parse import ATOMIC_NUMBER
from screening.entries.sources import entries_to_table, foreign_class
from screening.entries.table import EntryTable
from screening.errors import InputError, ScreeningError, SourceError

logger = logging.getLogger(__name__)

#: Thermo types (MP's hull/mixing schemes) a user can choose.
THERMO_TYPES = ("GGA_GGA+U", "R2SCAN", "GGA_GGA+U_R2SCAN")
DEFAULT_THERMO_TYPE = "GGA_GGA+U"
MIXED_THERMO_TYPE = "GGA_GGA+U_R2SCAN"
DEFAULT_ENDPOINT = "https://api.materialsproject.org/"
#: Default cache location, relative to the working directory (the project root in the workflow).
DEFAULT_CACHE_DIR = Path("resources") / "mp_cache"
ENV_API_KEY = "MP_API_KEY"
ENV_ENDPOINT = "MP_API_ENDPOINT"
#: ``MPRester.get_entries_in_chemsys`` raises for more distinct elements than this (mp-api 0.46).
MAX_ELEMENTS_PER_QUERY = 9
CACHE_FORMAT = "screening.mp_cache/2"  # /2: entries_sha256 over chemsys, thermo type, entries
SNAPSHOT_FORMAT = "screening.mp_snapshot/1"
_KEY_LENGTH = 32
_CHEMSYS_PER_QUERY = 256  # chemical systems per get_entries call when assembling > 9-element systems
_CACHE_SUFFIX = ".json.gz"
EXIT_ERROR = 2  # as screening.cli for bad input
_sleep = time.sleep  # replaced in tests to record backoff delays


# ---------------------------------------------------------------------------------------------- inputs
def normalise_elements(elements: str | Iterable[str] | None) -> tuple[str, ...]:
    """Element symbols of a chemical system, de-duplicated and sorted alphabetically (MP's chemsys order).

    Args:
        elements: ``["Li", "Co", "O"]``, ``"Li-Co-O"`` or ``"Li Co O"`` (items may themselves be
            dash-joined).

    Raises:
        InputError: no elements, or a symbol that is not an element.
    """
    if elements is None:
        raise InputError(
            "the Materials Project source needs the chemical system: pass the elements (e.g. Li Co O)"
        )
    items = [elements] if isinstance(elements, str) else list(elements)
    symbols = [s for item in items for s in re.split(r"[\s,\-]+", str(item).strip()) if s]
    if not symbols:
        raise InputError("no elements given for the Materials Project source; pass e.g. Li Co O")
    bad = [s for s in symbols if s not in ATOMIC_NUMBER]
    if bad:
        raise InputError(f"unknown element symbol(s) {', '.join(map(repr, bad))}; write symbols like Li Co O")
    return tuple(sorted(set(symbols)))


def chemsys_of(elements: Iterable[str]) -> str:
    """MP's chemical system string: alphabetically sorted symbols joined by dashes (``Co-Li-O``)."""
    return "-".join(sorted(set(elements)))


def normalise_thermo_type(thermo_type: str | None) -> str:
    """Canonical thermo type name (case-insensitive input).

    Raises:
        InputError: if it is not one of :data:`THERMO_TYPES`.
    """
    if thermo_type is None:
        return DEFAULT_THERMO_TYPE
    for name in THERMO_TYPES:
        if str(thermo_type).strip().upper() == name.upper():
            return name
    raise InputError(f"unknown thermo type {thermo_type!r}; choose one of {', '.join(THERMO_TYPES)}")


def _api_key(api_key: str | None) -> str:
    key = api_key if api_key is not None else os.environ.get(ENV_API_KEY, "")
    key = key.strip()
    if not key:
        raise SourceError(
            f"no Materials Project API key: set the {ENV_API_KEY} environment variable (key from "
            "https://materialsproject.org/api), or use an exported snapshot with --source PATH"
        )
    if len(key) != _KEY_LENGTH:
        raise SourceError(
            f"{ENV_API_KEY} has {len(key)} characters but Materials Project keys have {_KEY_LENGTH}; "
            "copy the key again from https://materialsproject.org/api"
        )
    return key


def _endpoint(endpoint: str | None) -> str:
    url = (endpoint or os.environ.get(ENV_ENDPOINT) or DEFAULT_ENDPOINT).strip()
    return url if url.endswith("/") else url + "/"


# ---------------------------------------------------------------------------------------------- cache
@dataclass(frozen=True)
class CachedSystem:
    """One cache file: the entries of a chemical system and all its subsystems.

    Attributes:
        path: The cache file.
        chemsys: Its chemical system (``Co-Li-O``).
        thermo_type: MP thermo type of the entries.
        database_version: MP database version reported by the server.
        retrieved_at: Retrieval time, UTC ISO 8601.
        endpoint: The API endpoint the data came from.
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
            "endpoint": self.endpoint,
            "file": self.path.name,
        }


def _entry_elements(entry: dict) -> set[str]:
    return {el for el, amt in entry["composition"].items() if amt > 0}


def _entry_key(entry: dict) -> str:
    eid = entry.get("entry_id")
    return str(eid) if eid is not None else json.dumps([entry["composition"], entry["energy"]], sort_keys=True)


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
    canon = json.dumps(
        {"chemsys": chemsys, "thermo_type": thermo_type, "entries": entries},
        sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=True,
    )
    return hashlib.sha256(canon.encode("ascii")).hexdigest()


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


def read_cache_file(path: str | os.PathLike, thermo_type: str | None = None) -> CachedSystem:
    """Read and verify one cache file.

    Checks, in order: the file is a gzipped JSON cache document; its thermo type is the one asked for;
    the chemical system in the file is the one in its name; every entry is a dict with a composition
    within that system and a finite energy; and the stored ``entries_sha256`` matches the entries
    (:func:`entries_checksum`). Files of the older format without a checksum are refused too.

    Raises:
        SourceError: one line naming the file, what is wrong, and the ``screening mp fetch --refresh``
            command that rewrites it.
    """
    p = Path(path)
    fix = _refresh_fix(p, None, thermo_type)
    what = f"Materials Project cache file {str(p)!r}"
    try:
        doc = json.loads(gzip.decompress(p.read_bytes()).decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"{what} is unreadable ({exc}); {fix}") from None
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
    return CachedSystem(
        path=p,
        chemsys=chemsys,
        thermo_type=tt,
        database_version=doc["database_version"],
        retrieved_at=doc["retrieved_at"],
        endpoint=doc.get("endpoint", ""),
        entries=entries,
        queries=list(doc.get("queries", [])),
    )


def _write_json_atomic(path: Path, obj: dict) -> None:
    """Write JSON (gzipped if the name ends in .gz) via a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _write_cache(cache_dir: Path, record: CachedSystem) -> CachedSystem:
    path = cache_path(cache_dir, record.thermo_type, record.chemsys)
    doc = {
        "format": CACHE_FORMAT,
        "chemsys": record.chemsys,
        "elements": list(record.elements),
        "thermo_type": record.thermo_type,
        "database_version": record.database_version,
        "retrieved_at": record.retrieved_at,
        "endpoint": record.endpoint,
        "queries": record.queries,
        "mp_api_version": _dist_version("mp-api"),
        "n_entries": len(record.entries),
        "entries_sha256": entries_checksum(record.chemsys, record.thermo_type, record.entries),
        "entries": record.entries,
    }
    _write_json_atomic(path, doc)
    logger.info("cached %d %s entries of %s in %s", len(record.entries), record.thermo_type, record.chemsys, path)
    return CachedSystem(**{**record.__dict__, "path": path})


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------- network
@dataclass(frozen=True)
class RetryPolicy:
    """Our retry layer on top of mp-api's.

    Attributes:
        retries: Extra attempts after the first for HTTP 429, 5xx and read time-outs.
        backoff: First delay [s]; doubles with every attempt.
        max_delay: Cap on one delay [s].
        timeout: Time-out of the heartbeat check [s].
        budget: Total time [s] one load/fetch may spend talking to the API (requests, retries and
            back-off delays together); a hung server ends with an error after at most this long.
            None: no limit.
    """

    retries: int = 3
    backoff: float = 2.0
    max_delay: float = 60.0
    timeout: float = 30.0
    budget: float | None = None

    def delay(self, attempt: int) -> float:
        """Delay [s] after failed attempt number ``attempt`` (1-based)."""
        return min(self.backoff * 2 ** (attempt - 1), self.max_delay)


_STATUS = re.compile(r"status code (\d{3})|too many (\d{3}) error responses")
_NETWORK = re.compile(
    r"NewConnectionError|Connection refused|Failed to establish|Name or service not known|"
    r"Temporary failure in name resolution|nodename nor servname|No route to host|Network is unreachable",
)


def _classify(exc: BaseException) -> tuple[str, int | None]:
    """(kind, HTTP status) of a failed request: kind is transient, auth, network or other."""
    import requests

    text = str(exc)
    if isinstance(exc, _HTTPStatus):
        status = exc.status
    else:
        m = _STATUS.search(text)
        status = int(m.group(1) or m.group(2)) if m else None
    if status is not None:
        if status == 429 or status >= 500:
            return "transient", status
        if status in (401, 403):
            return "auth", status
        return "other", status
    if isinstance(exc, requests.Timeout) or "timed out" in text.lower():
        return "transient", None
    if isinstance(exc, requests.ConnectionError) or _NETWORK.search(text):
        return "network", None
    return "other", None


class _HTTPStatus(Exception):
    def __init__(self, status: int, what: str):
        super().__init__(f"HTTP {status} from {what}")
        self.status = status


class _Client:
    """One MPRester session for one load/fetch call (the key lives here, never in anything saved)."""

    def __init__(self, api_key: str, endpoint: str, thermo_type: str, policy: RetryPolicy):
        self._api_key = api_key
        self.endpoint = endpoint
        self.thermo_type = thermo_type
        self.policy = policy
        self._mpr = None
        self._started = time.monotonic()

    def __repr__(self) -> str:  # never show the key
        return f"_Client({self.endpoint!r}, {self.thermo_type!r})"

    def close(self) -> None:
        if self._mpr is not None:
            with suppress(Exception):
                self._mpr.session.close()
            self._mpr = None

    # -------------------------------------------------------------- plumbing
    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def _remaining(self) -> float:
        """Seconds left of the time budget (inf without one)."""
        if self.policy.budget is None:
            return float("inf")
        return self.policy.budget - (time.monotonic() - self._started)

    def _over_budget(self, what: str) -> SourceError:
        return SourceError(
            f"the Materials Project API at {self.endpoint} did not answer {what} within the time budget of "
            f"{self.policy.budget:g} s; nothing was cached, check the server (https://status.materialsproject.org) "
            "or raise --budget"
        )

    def _bounded(self, call: Callable, what: str):
        """``call()``, abandoned (its thread left to finish as a daemon) when the budget runs out."""
        left = self._remaining()
        if left == float("inf"):
            return call()
        if left <= 0:
            raise self._over_budget(what)
        box: dict = {}

        def run() -> None:
            try:
                box["value"] = call()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=run, name=f"mp-api {what}", daemon=True)
        worker.start()
        worker.join(left)
        if worker.is_alive():
            raise self._over_budget(what)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _retrying(self, call: Callable, what: str):
        attempts = self.policy.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._bounded(call, what)
            except ScreeningError:
                raise
            except Exception as exc:  # noqa: BLE001 - classified and re-raised as SourceError below
                kind, status = _classify(exc)
                if kind == "transient" and attempt < attempts:
                    delay = self.policy.delay(attempt)
                    logger.warning(
                        "Materials Project %s for %s (attempt %d of %d); retrying in %.1f s",
                        f"HTTP {status}" if status else "time-out", what, attempt, attempts, delay,
                    )
                    if delay >= self._remaining():
                        raise self._over_budget(what) from None
                    _sleep(delay)
                    continue
                raise self._error(kind, status, exc, what, attempt) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, kind: str, status: int | None, exc: BaseException, what: str, attempts: int) -> SourceError:
        where = f"the Materials Project API at {self.endpoint}"
        if kind == "auth":
            return SourceError(
                f"{where} rejected the API key (HTTP {status}); check {ENV_API_KEY} (a valid key from "
                "https://materialsproject.org/api, 32 characters)"
            )
        if kind == "network":
            return SourceError(
                f"cannot reach {where} (no network or connection refused); check the connection and "
                f"{ENV_ENDPOINT}, or use an exported snapshot with --source PATH"
            )
        if kind == "transient":
            label = "rate limit (HTTP 429)" if status == 429 else (f"HTTP {status}" if status else "time-out")
            return SourceError(
                f"{where} kept failing with {label} for {what} after {attempts} attempts; nothing was cached, "
                "try again later (https://status.materialsproject.org) or raise --retries"
            )
        detail = self._redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200]
        return SourceError(f"Materials Project query for {what} failed: {detail}")

    def _heartbeat(self) -> None:
        """Check the endpoint answers, with a time-out (mp-api's own heartbeat has none)."""
        import requests

        resp = requests.get(self.endpoint + "heartbeat", timeout=min(self.policy.timeout, max(self._remaining(), 0.1)))
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _HTTPStatus(resp.status_code, "heartbeat")

    def rester(self):
        """The MPRester (created on first use, after a heartbeat check)."""
        if self._mpr is None:
            try:
                from mp_api.client import MPRester
            except ImportError as exc:  # pragma: no cover - depends on the installation
                raise SourceError(f"the Materials Project source needs mp-api ({exc}); run pip install -e .") from None

            def connect():
                import warnings

                self._heartbeat()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    return MPRester(
                        api_key=self._api_key,
                        endpoint=self.endpoint,
                        mute_progress_bars=True,
                        use_document_model=False,  # halves client-side parsing; entries are the same
                    )

            self._mpr = self._retrying(connect, "the heartbeat")
        return self._mpr

    @property
    def database_version(self) -> str | None:
        mpr = self.rester()
        version = getattr(mpr, "db_version", None)
        if not version:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                version = mpr.get_database_version()
        return version or None

    # -------------------------------------------------------------- queries
    def entries_in_chemsys(self, elements: Sequence[str]) -> list[dict]:
        """``MPRester.get_entries_in_chemsys`` for the whole system (all subsystems), as sorted dicts."""
        mpr = self.rester()
        chemsys = chemsys_of(elements)
        logger.info("fetching %s (%s) from %s", chemsys, self.thermo_type, self.endpoint)
        entries = self._retrying(
            lambda: mpr.get_entries_in_chemsys(
                list(elements), additional_criteria={"thermo_types": [self.thermo_type]}
            ),
            chemsys,
        )
        return _as_dicts(entries)

    def entries_of_systems(self, systems: Sequence[str]) -> list[dict]:
        """``MPRester.get_entries`` for exactly these chemical systems (no subsystems), in batches."""
        mpr = self.rester()
        out: list[dict] = []
        for start in range(0, len(systems), _CHEMSYS_PER_QUERY):
            batch = list(systems[start : start + _CHEMSYS_PER_QUERY])
            what = f"{len(batch)} chemical system(s) such as {batch[0]}"
            entries = self._retrying(
                lambda batch=batch: mpr.get_entries(batch, additional_criteria={"thermo_types": [self.thermo_type]}),
                what,
            )
            out.extend(_as_dicts(entries))
        return out


def _json_default(obj):
    if hasattr(obj, "as_dict"):
        return obj.as_dict()
    if isinstance(obj, datetime):
        return obj.isoformat()
    return str(obj)


def _as_dicts(entries: Iterable) -> list[dict]:
    """Plain-JSON entry dicts (mp-api returns emmet ``EntryID`` objects as ids), sorted by entry id."""
    out = []
    for e in entries:
        d = e.as_dict()
        d["entry_id"] = None if e.entry_id is None else str(e.entry_id)
        out.append(json.loads(json.dumps(d, default=_json_default)))
    return sorted(out, key=_entry_key)


def _dedup(entries: Iterable[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for e in entries:
        seen.setdefault(_entry_key(e), e)
    return [seen[k] for k in sorted(seen)]


# ---------------------------------------------------------------------------------------------- fetching
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
            retrieved_at=_utc_now(),
            endpoint=client.endpoint,
            entries=entries,
            queries=queries,
            from_cache=False,
        )


def _policy(retries, backoff, timeout, budget) -> RetryPolicy:
    """A checked :class:`RetryPolicy` (one-line errors for out-of-range numbers)."""
    def number(name: str, value, lo: float, hi: float) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise InputError(f"--{name} {value!r} is not a number") from None
        if not (lo <= v <= hi):
            raise InputError(f"--{name} {value!r} is out of range; give a value between {lo:g} and {hi:g}")
        return v

    r = number("retries", retries, 0, 100)
    if r != int(r):
        raise InputError(f"--retries {retries!r} must be a whole number between 0 and 100")
    return RetryPolicy(
        retries=int(r),
        backoff=number("backoff", backoff, 0, 3600),
        timeout=number("timeout", timeout, 0.1, 3600),
        budget=None if budget is None else number("budget", budget, 0.1, 7 * 86400),
    )


def fetch(
    elements: str | Iterable[str],
    thermo_type: str = DEFAULT_THERMO_TYPE,
    cache_dir: str | os.PathLike | None = None,
    api_key: str | None = None,
    endpoint: str | None = None,
    *,
    refresh: bool = False,
    offline: bool = False,
    retries: int = 3,
    backoff: float = 2.0,
    timeout: float = 30.0,
    budget: float | None = None,
    max_elements_per_query: int = MAX_ELEMENTS_PER_QUERY,
) -> CachedSystem:
    """Make sure the chemical system is in the cache; return the cache file that covers it.

    Args: as :func:`load_mp`.

    Returns:
        The covering :class:`CachedSystem` (the system itself, or a cached superset).

    Raises:
        SourceError: missing/rejected key, no network, persistent 429/5xx, an empty result, or (offline)
            a system that is not cached.
        InputError: unknown element or thermo type.
    """
    els = normalise_elements(elements)
    tt = normalise_thermo_type(thermo_type)
    if max_elements_per_query < 1:
        raise InputError("max_elements_per_query must be at least 1")
    root = Path(cache_dir).expanduser() if cache_dir is not None else DEFAULT_CACHE_DIR
    policy = _policy(retries, backoff, timeout, budget)
    url = _endpoint(endpoint)

    def make_client() -> _Client:
        return _Client(_api_key(api_key), url, tt, policy)

    job = _Fetch(root, tt, make_client, refresh, offline, max_elements_per_query)
    try:
        return job.ensure(els)
    finally:
        if job.client is not None:
            job.client.close()


def load_mp(
    elements: str | Iterable[str] | None,
    thermo_type: str = DEFAULT_THERMO_TYPE,
    cache_dir: str | os.PathLike | None = None,
    api_key: str | None = None,
    endpoint: str | None = None,
    *,
    refresh: bool = False,
    offline: bool = False,
    retries: int = 3,
    backoff: float = 2.0,
    timeout: float = 30.0,
    budget: float | None = None,
    max_elements_per_query: int = MAX_ELEMENTS_PER_QUERY,
) -> EntryTable:
    """Formation-energy table of a whole chemical system from the Materials Project (cached).

    Args:
        elements: The chemical system (``["Li", "Co", "O"]`` or ``"Li-Co-O"``); all subsystems are included.
        thermo_type: ``GGA_GGA+U`` (default; MP2020-corrected GGA/GGA+U), ``R2SCAN``, or the mixed
            ``GGA_GGA+U_R2SCAN`` (served by mp-api from MP's pre-built phase diagrams, which it reads from
            MP's public S3 bucket, not from ``endpoint``).
        cache_dir: Cache root; default ``resources/mp_cache`` under the working directory.
        api_key: Programmatic use only; by default (and in configs) the key comes from ``MP_API_KEY``.
        endpoint: API base URL; default ``MP_API_ENDPOINT`` or ``https://api.materialsproject.org/``.
        refresh: Fetch again even if the system is cached (the new file replaces the old one).
        offline: Never contact the API; raise if the system is not cached (cluster jobs).
        retries: Extra attempts per query on HTTP 429/5xx and time-outs.
        backoff: First retry delay [s], doubled every attempt (capped at 60 s).
        timeout: Heartbeat time-out [s].
        budget: Total time [s] for talking to the API in this call (requests, retries, back-off); a hung
            server ends with a one-line error after at most this long. None: no limit.
        max_elements_per_query: Largest system fetched in one ``get_entries_in_chemsys`` call (mp-api: 9).

    Returns:
        An :class:`EntryTable` of formation energies [eV/atom] against the elemental entries of the same
        data (corrected total energies), with provenance: source, thermo type, database version,
        retrieval time, endpoint, cache file and its sha256.

    Raises:
        SourceError: see :func:`fetch`.
        InputError: unknown element or thermo type.
    """
    els = normalise_elements(elements)
    record = fetch(
        els, thermo_type, cache_dir, api_key, endpoint, refresh=refresh, offline=offline, retries=retries,
        backoff=backoff, timeout=timeout, budget=budget, max_elements_per_query=max_elements_per_query,
    )
    provenance = {
        "source": "mp",
        "chemsys": chemsys_of(els),
        "thermo_type": record.thermo_type,
        "database_version": record.database_version,
        "retrieved_at": record.retrieved_at,
        "endpoint": record.endpoint,
        "path": str(record.path),
        "cache_chemsys": record.chemsys,
        "sha256": _sha256(record.path),
        "from_cache": record.from_cache,
        "mp_api_version": _dist_version("mp-api"),
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
    thermo_type: str = DEFAULT_THERMO_TYPE,
    cache_dir: str | os.PathLike | None = None,
    *,
    offline: bool = False,
    **options,
) -> EntryTable:
    """One formation-energy table from several chemical systems (e.g. every interface of a screen).

    A screen's materials span far more elements than one query (or a 9-element assembly) can hold, but
    each interface only needs its own chemical system. This fetches (or reads from the cache) each of
    ``minimal_cover(systems)`` and joins their entries, de-duplicated by entry id; all come from the
    same database and thermo type, so their energies share one scale and one set of elemental references.

    Args:
        systems: Chemical systems, each an iterable of element symbols or a ``"Li-Co-O"`` string.
        thermo_type, cache_dir, offline, **options: as :func:`load_mp`.

    Raises:
        SourceError: as :func:`fetch`; also when the cached systems come from different database versions.
    """
    cover = minimal_cover(systems)
    if not cover:
        raise InputError("no chemical system to load from the Materials Project")
    entries: list[dict] = []
    records = []
    for els in cover:
        record = fetch(els, thermo_type, cache_dir, offline=offline, **options)
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
        "cache_files": {r.chemsys: {"file": Path(r.path).name, "sha256": _sha256(Path(r.path)),
                                    "retrieved_at": r.retrieved_at} for r in records},
        "endpoint": records[0].endpoint,
        "mp_api_version": _dist_version("mp-api"),
    }
    return entries_to_table(_dedup(entries), provenance)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------- export
def export_cache(
    cache_dir: str | os.PathLike | None,
    out_path: str | os.PathLike,
    elements: str | Iterable[str] | None = None,
    thermo_type: str = DEFAULT_THERMO_TYPE,
) -> tuple[Path, int]:
    """Write cached entries as a snapshot file that ``load_snapshot`` (``--source PATH``) reads.

    The file is ``{"entries": [ComputedStructureEntry dicts], "provenance": {...}}``, gzipped when
    ``out_path`` ends in ``.gz``, written atomically. It holds no API key.

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
    root = Path(cache_dir).expanduser() if cache_dir is not None else DEFAULT_CACHE_DIR
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
        "exported_at": _utc_now(),
        "mp_api_version": _dist_version("mp-api"),
        "n_entries": len(entries),
    }
    _write_json_atomic(out, {"entries": entries, "provenance": provenance})
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
    sets = {cs: set(cs.split("-")) for cs, _ in systems}
    maximal = [(cs, p) for cs, p in systems if not any(sets[cs] < sets[o] for o in sets)]
    if thermo_type == MIXED_THERMO_TYPE and len(maximal) > 1:
        raise SourceError(
            f"the cache holds {len(maximal)} separate {MIXED_THERMO_TYPE} systems whose mixed energies are on "
            "different scales (mp-api issue #1104); export one system with --elements"
        )
    return [read_cache_file(p, thermo_type) for _, p in maximal]


# ---------------------------------------------------------------------------------------------- command line
#: Default total time [s] one command may spend on the API (``--budget``).
CLI_BUDGET = 300.0


def add_network_options(p: argparse.ArgumentParser, group: str | None = None) -> None:
    """``--retries``, ``--backoff``, ``--timeout`` and ``--budget`` of the Materials Project source."""
    g = p.add_argument_group(group) if group else p
    g.add_argument("--retries", type=int, default=3, help="extra attempts on HTTP 429/5xx and time-outs (default 3)")
    g.add_argument("--backoff", type=float, default=2.0, help="first retry delay in seconds, doubling (default 2)")
    g.add_argument("--timeout", type=float, default=30.0, help="heartbeat time-out in seconds (default 30)")
    g.add_argument(
        "--budget", type=float, default=CLI_BUDGET,
        help="total seconds for all requests, retries and waits; a hung server ends after this "
        f"(default {CLI_BUDGET:g})",
    )


def network_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`fetch`/:func:`load_mp` from :func:`add_network_options`."""
    return {k: getattr(args, k) for k in ("retries", "backoff", "timeout", "budget") if hasattr(args, k)}


def register_cli(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``mp fetch`` and ``mp export`` to a command line.

    Each subcommand stores its handler in ``args.handler`` (the convention of :mod:`screening.cli`; also
    ``args.func``); ``args.handler(args)`` returns the exit code: 0 on success, 2 on an error, which is
    reported as one line ``error: <problem>; <fix>`` on stderr.

    Args:
        subparsers: The object returned by ``ArgumentParser.add_subparsers()``.

    Returns:
        The ``mp`` parser.
    """
    mp = subparsers.add_parser(
        "mp",
        help="Materials Project data: fetch into the local cache, export a snapshot",
        description="Fetch Materials Project entries (API key from MP_API_KEY) into a local cache, "
        "or export the cache as a snapshot file for --source PATH.",
    )
    sub = mp.add_subparsers(dest="mp_command", metavar="{fetch,export}")
    sub.required = True

    f = sub.add_parser("fetch", help="fetch a chemical system (and all its subsystems) into the cache")
    f.add_argument("elements", nargs="+", help="element symbols, e.g. 'Li Co O' or 'Li-Co-O'")
    f.add_argument("--thermo-type", default=DEFAULT_THERMO_TYPE, choices=THERMO_TYPES, help="MP thermo type")
    f.add_argument("--cache-dir", default=None, help=f"cache root (default {DEFAULT_CACHE_DIR})")
    f.add_argument("--refresh", action="store_true", help="fetch again even if cached")
    add_network_options(f)
    f.set_defaults(handler=cmd_fetch, func=cmd_fetch)

    e = sub.add_parser("export", help="write cached entries as a snapshot file for --source PATH")
    e.add_argument("out", help="snapshot file to write (.json or .json.gz)")
    e.add_argument("--cache-dir", default=None, help=f"cache root (default {DEFAULT_CACHE_DIR})")
    e.add_argument("--elements", nargs="+", default=None, help="export only this chemical system")
    e.add_argument("--thermo-type", default=DEFAULT_THERMO_TYPE, choices=THERMO_TYPES, help="MP thermo type")
    e.set_defaults(handler=cmd_export, func=cmd_export)
    return mp


def cmd_fetch(args: argparse.Namespace) -> int:
    """``screening mp fetch``: returns the exit code."""
    try:
        rec = fetch(
            args.elements, args.thermo_type, args.cache_dir, refresh=args.refresh, **network_options(args)
        )
    except ScreeningError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    how = "already cached" if rec.from_cache else "fetched"
    print(
        f"{chemsys_of(normalise_elements(args.elements))}: {how} in {rec.path} ({len(rec.entries)} {rec.thermo_type} "
        f"entries of {rec.chemsys}, database {rec.database_version}, retrieved {rec.retrieved_at})"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """``screening mp export``: returns the exit code."""
    try:
        path, n = export_cache(args.cache_dir, args.out, elements=args.elements, thermo_type=args.thermo_type)
    except ScreeningError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"wrote {n} {args.thermo_type} entries to {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m screening.entries.mp fetch|export ...`` (the same as ``screening mp ...``)."""
    parser = argparse.ArgumentParser(prog="python -m screening.entries.mp")
    sub = parser.add_subparsers(dest="command")
    sub.required = True
    register_cli(sub)
    args = parser.parse_args(["mp", *(argv if argv is not None else sys.argv[1:])])
    return args.handler(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__ = [
    "DEFAULT_CACHE_DIR",
    "DEFAULT_THERMO_TYPE",
    "MAX_ELEMENTS_PER_QUERY",
    "THERMO_TYPES",
    "CachedSystem",
    "RetryPolicy",
    "cache_path",
    "export_cache",
    "fetch",
    "find_cached",
    "load_mp",
    "normalise_elements",
    "normalise_thermo_type",
    "read_cache_file",
    "register_cli",
]
