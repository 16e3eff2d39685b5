"""Band gaps from the Materials Project summary endpoint: now :mod:`screening.entries.mp.summary`.

Kept so ``from screening.entries.mp_summary import load_mp_gaps`` (and every other public name) still works.
"""

from __future__ import annotations

from screening.entries.mp.summary import (
    FIELDS,
    SUMMARY_DIR,
    SUMMARY_FORMAT,
    SummaryCache,
    docs_checksum,
    fetch_summary,
    find_summary,
    load_mp_gaps,
    lowest_energy_gaps,
    read_summary_file,
    summary_path,
)

__all__ = ["FIELDS", "SUMMARY_DIR", "SUMMARY_FORMAT", "SummaryCache", "docs_checksum", "fetch_summary",
           "find_summary", "load_mp_gaps", "lowest_energy_gaps", "read_summary_file", "summary_path"]
