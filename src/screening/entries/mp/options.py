"""Settings of the Materials Project source: constants, input checks and the one options record.

:class:`MPOptions` holds everything a fetch or load can be told (thermo type, cache root, key, endpoint,
refresh/offline, the retry policy and the query size); :func:`~screening.entries.mp.fetch.fetch`,
:func:`~screening.entries.mp.fetch.load_mp` and :func:`~screening.entries.mp.summary.fetch_summary` take one
(or its fields as keywords), so the settings are declared and checked in one place.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from screening.composition.parse import ATOMIC_NUMBER
from screening.errors import InputError, SourceError

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
_KEY_LENGTH = 32


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
    """The endpoint requests go to (as given, credentials included: the HTTP client needs them)."""
    url = (endpoint or os.environ.get(ENV_ENDPOINT) or DEFAULT_ENDPOINT).strip()
    return url if url.endswith("/") else url + "/"


def public_endpoint(url: str) -> str:
    """``url`` without user name and password (``https://user:pw@host/`` -> ``https://host/``).

    The only form of the endpoint that is ever recorded: cache files, snapshots, provenance, log lines
    and error messages (issue 26, S2).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return url.rsplit("@", 1)[-1] if "@" in url else url
    if "@" not in parts.netloc or host is None:
        return url
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit(parts._replace(netloc=netloc))


# ---------------------------------------------------------------------------------------------- retries
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


# ---------------------------------------------------------------------------------------------- options
@dataclass(frozen=True)
class MPOptions:
    """Everything a Materials Project fetch or load can be told.

    Attributes:
        thermo_type: ``GGA_GGA+U`` (default; MP2020-corrected GGA/GGA+U), ``R2SCAN``, or the mixed
            ``GGA_GGA+U_R2SCAN`` (served by mp-api from MP's pre-built phase diagrams, which it reads from
            MP's public S3 bucket, not from ``endpoint``).
        cache_dir: Cache root; default ``resources/mp_cache`` under the working directory.
        api_key: Programmatic use only; by default (and in configs) the key comes from ``MP_API_KEY``.
            Never shown (``repr``) and never saved.
        endpoint: API base URL; default ``MP_API_ENDPOINT`` or ``https://api.materialsproject.org/``.
        refresh: Fetch again even if the system is cached (the new file replaces the old one).
        offline: Never contact the API; raise if the system is not cached (cluster jobs).
        retries: Extra attempts per query on HTTP 429/5xx and time-outs.
        backoff: First retry delay [s], doubled every attempt (capped at 60 s).
        timeout: Heartbeat time-out [s].
        budget: Total time [s] for talking to the API in one call (requests, retries, back-off); a hung
            server ends with a one-line error after at most this long. None: no limit.
        max_elements_per_query: Largest system fetched in one ``get_entries_in_chemsys`` call (mp-api: 9).
    """

    thermo_type: str = DEFAULT_THERMO_TYPE
    cache_dir: str | os.PathLike | None = None
    api_key: str | None = field(default=None, repr=False)
    endpoint: str | None = None
    refresh: bool = False
    offline: bool = False
    retries: int = 3
    backoff: float = 2.0
    timeout: float = 30.0
    budget: float | None = None
    max_elements_per_query: int = MAX_ELEMENTS_PER_QUERY

    @classmethod
    def build(cls, options: MPOptions | Mapping | None = None, **settings) -> MPOptions:
        """``options`` (an :class:`MPOptions`, a mapping of its fields, or None for the defaults) with
        ``settings`` applied on top; ``thermo_type=None`` and ``cache_dir=None`` leave the value as is.

        Raises:
            TypeError: a name that is not a field (as a misspelt keyword argument would).
        """
        if options is None:
            base = cls()
        elif isinstance(options, MPOptions):
            base = options
        else:
            base = cls.build(None, **dict(options))
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(settings) - names)
        if unknown:
            raise TypeError(f"unknown Materials Project option(s): {', '.join(unknown)}")
        changes = {k: v for k, v in settings.items() if not (k in ("thermo_type", "cache_dir") and v is None)}
        return dataclasses.replace(base, **changes) if changes else base

    @classmethod
    def from_config(cls, config: Mapping | None, **settings) -> MPOptions:
        """The ``mp:`` block of a screen config (``thermo_type``, ``cache_dir``; other keys ignored)."""
        block = dict(config or {})
        return cls.build(None, thermo_type=block.get("thermo_type"), cache_dir=block.get("cache_dir"), **settings)

    @property
    def root(self) -> Path:
        """The cache root."""
        return Path(self.cache_dir).expanduser() if self.cache_dir is not None else DEFAULT_CACHE_DIR

    def checked_thermo_type(self) -> str:
        """The canonical thermo type (raises InputError for an unknown one)."""
        return normalise_thermo_type(self.thermo_type)

    def policy(self) -> RetryPolicy:
        """The checked retry policy (raises InputError for out-of-range numbers)."""
        return _policy(self.retries, self.backoff, self.timeout, self.budget)

    def url(self) -> str:
        """The endpoint requests go to (credentials included; never record it, see :func:`public_endpoint`)."""
        return _endpoint(self.endpoint)

    def key(self) -> str:
        """The API key (raises SourceError when missing or malformed)."""
        return _api_key(self.api_key)


__all__ = [
    "DEFAULT_CACHE_DIR",
    "DEFAULT_ENDPOINT",
    "DEFAULT_THERMO_TYPE",
    "ENV_API_KEY",
    "ENV_ENDPOINT",
    "MAX_ELEMENTS_PER_QUERY",
    "MIXED_THERMO_TYPE",
    "THERMO_TYPES",
    "MPOptions",
    "RetryPolicy",
    "chemsys_of",
    "normalise_elements",
    "normalise_thermo_type",
    "public_endpoint",
]
