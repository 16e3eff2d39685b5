"""Materials Project entries and band gaps through the official client (mp-api), cached per chemical system.

One module per job:

* :mod:`~screening.entries.mp.options`: constants, input checks and :class:`MPOptions`, the one record of
  every setting (thermo type, cache root, key, endpoint, refresh/offline, retries, budget, query size);
* :mod:`~screening.entries.mp.cache`: the verified cache files (``<cache_dir>/<thermo type>/<chemsys>.json.gz``);
* :mod:`~screening.entries.mp.client`: the HTTP session (heartbeat, retries with backoff, time budget);
* :mod:`~screening.entries.mp.fetch`: fetching into the cache, loading tables, exporting snapshots;
* :mod:`~screening.entries.mp.summary`: band gaps from the summary endpoint, cached the same way;
* :mod:`~screening.entries.mp.cli`: ``screening mp fetch|export`` and the shared network options.

The source as the rest of the package sees it is :class:`screening.entries.sources.MPSource`
(``entry_source("mp", options)``). The key is read from ``MP_API_KEY`` only and never saved; the endpoint is
``MP_API_ENDPOINT`` or ``https://api.materialsproject.org/`` and is recorded without credentials.
Every name this package had as one module is importable from here.
"""

from __future__ import annotations

from screening.entries.files import dist_version as _dist_version
from screening.entries.files import utc_now as _utc_now
from screening.entries.files import write_json_atomic as _write_json_atomic
from screening.entries.mp.cache import (
    CACHE_FORMAT,
    CachedSystem,
    _sha256,
    _write_cache,
    cache_path,
    entries_checksum,
    find_cached,
    metadata_checksum,
    read_cache_file,
)
from screening.entries.mp.cli import (
    CLI_BUDGET,
    EXIT_ERROR,
    add_network_options,
    cmd_export,
    cmd_fetch,
    main,
    network_options,
    options_from_args,
    register_cli,
)
from screening.entries.mp.client import _Client
from screening.entries.mp.fetch import SNAPSHOT_FORMAT, export_cache, fetch, load_mp, load_mp_systems, minimal_cover
from screening.entries.mp.options import (
    DEFAULT_CACHE_DIR,
    DEFAULT_ENDPOINT,
    DEFAULT_THERMO_TYPE,
    ENV_API_KEY,
    ENV_ENDPOINT,
    MAX_ELEMENTS_PER_QUERY,
    MIXED_THERMO_TYPE,
    THERMO_TYPES,
    MPOptions,
    RetryPolicy,
    _api_key,
    _endpoint,
    chemsys_of,
    normalise_elements,
    normalise_thermo_type,
    public_endpoint,
)

__all__ = [
    "CACHE_FORMAT",
    "CLI_BUDGET",
    "DEFAULT_CACHE_DIR",
    "DEFAULT_ENDPOINT",
    "DEFAULT_THERMO_TYPE",
    "ENV_API_KEY",
    "ENV_ENDPOINT",
    "EXIT_ERROR",
    "MAX_ELEMENTS_PER_QUERY",
    "MIXED_THERMO_TYPE",
    "SNAPSHOT_FORMAT",
    "THERMO_TYPES",
    "CachedSystem",
    "MPOptions",
    "RetryPolicy",
    "_Client",
    "_api_key",
    "_dist_version",
    "_endpoint",
    "_sha256",
    "_utc_now",
    "_write_cache",
    "_write_json_atomic",
    "add_network_options",
    "cache_path",
    "chemsys_of",
    "cmd_export",
    "cmd_fetch",
    "entries_checksum",
    "export_cache",
    "fetch",
    "find_cached",
    "load_mp",
    "load_mp_systems",
    "main",
    "metadata_checksum",
    "minimal_cover",
    "network_options",
    "normalise_elements",
    "normalise_thermo_type",
    "options_from_args",
    "public_endpoint",
    "read_cache_file",
    "register_cli",
]
