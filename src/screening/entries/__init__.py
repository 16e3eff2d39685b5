"""Entry sources reduced to one table of (composition, formation energy, id, provenance)."""

from __future__ import annotations

from screening.entries.exclude import Exclusion, exclude_entries, parse_exclude
from screening.entries.sources import (
    DEFAULT_SOURCE,
    NAMED_SOURCES,
    EntrySource,
    entries_to_table,
    entry_source,
    load_experimental,
    load_mp2019,
    load_snapshot,
    load_source,
    sha256_of,
)
from screening.entries.table import EntryTable

__all__ = [
    "DEFAULT_SOURCE",
    "NAMED_SOURCES",
    "EntrySource",
    "EntryTable",
    "Exclusion",
    "entries_to_table",
    "entry_source",
    "exclude_entries",
    "load_experimental",
    "load_mp2019",
    "load_snapshot",
    "load_source",
    "parse_exclude",
    "sha256_of",
]
