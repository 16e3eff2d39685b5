"""Provenance of the screen's results: data source (file, sha256), config, software versions.

No timestamps and no absolute paths of the machine: the same inputs give the same record, so it can sit
inside the Parquet tables without breaking their byte-reproducibility.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import screening
from screening.entries import sha256_of
from screening.screen.io import atomic_write_json, dumps

#: Version of the layout of a results folder (tables, their columns, provenance.json). Readers (the
#: interactive report, :mod:`screening.api`) refuse a folder of another format with a one-line error.
#: 2: typed plan, integer interface ids; 3: funnel stages, energies per kind with units; 4: criteria gates and
#: tiers, energies per slot (closed interfaces with the electrolyte and the discharged electrode)
RESULTS_FORMAT = 4

#: Packages whose versions can change the numbers or the bytes of the result files.
SOFTWARE = ("numpy", "scipy", "highspy", "pandas", "pyarrow", "pymatgen", "snakemake")


def software_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"screening": screening.__version__}
    for name in SOFTWARE:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def config_sha256(config: dict) -> str:
    """sha256 of the config as deterministic JSON (sorted keys)."""
    return hashlib.sha256(dumps(config).encode()).hexdigest()


def provenance_record(entries_provenance_json: str | Path, config: dict) -> dict:
    """The provenance record every result table carries.

    Args:
        entries_provenance_json: The record written by :func:`screening.screen.entries.build_entries`
            (source kind, file, sha256, elements written and missing).
        config: The validated config (with defaults).
    """
    entries = json.loads(Path(entries_provenance_json).read_text())
    return {
        "screening_version": screening.__version__,
        "results_format": RESULTS_FORMAT,
        "software": software_versions(),
        "source": entries["source"],
        "elements": entries["elements_written"],
        "missing_elements": entries["missing_elements"],
        "n_entries": entries["n_entries_written"],
        "config": config,
        "config_sha256": config_sha256(config),
        "energy_reference": "hull" if config.get("hull_reference", True) else "raw",
    }


def write_manifest(entries_provenance_json, config: dict, files: list[str | Path], out_json) -> dict:
    """Write ``provenance.json``: the provenance record plus the sha256 of every result file."""
    record = provenance_record(entries_provenance_json, config)
    record["files"] = {str(f): sha256_of(f) for f in sorted(map(str, files))}
    atomic_write_json(out_json, record)
    return record


__all__ = ["RESULTS_FORMAT", "config_sha256", "provenance_record", "software_versions", "write_manifest"]
