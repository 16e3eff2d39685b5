"""Entry sources reduced to one table of (composition, formation energy, id, provenance)."""

from __future__ import annotations

from screening.entries.sources import entries_to_table, load_experimental, load_snapshot, load_source, sha256_of
from screening.entries.table import EntryTable

__all__ = ["EntryTable", "entries_to_table", "load_experimental", "load_snapshot", "load_source", "sha256_of"]
