"""Provenance of the screen's results: data source (file, sha256), config, software versions.

No timestamps and no absolute paths of the machine: the same inputs give the same record, so it can sit
inside the Parquet tables without breaking their byte-reproducibility. The results folder (``results_dir``)
is recorded in ``provenance.json`` only: the tables of a screen are the same bytes wherever they are written.
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


#: Config keys that say where results go, not what they are: recorded in ``provenance.json`` only, never
#: hashed nor embedded in a table, so a screen reproduced in another folder gives the same bytes.
LOCATION_KEYS = ("results_dir",)


def hashed_config(config: dict) -> dict:
    """``config`` without :data:`LOCATION_KEYS` (the part that determines the results)."""
    return {k: v for k, v in config.items() if k not in LOCATION_KEYS}


def config_sha256(config: dict) -> str:
    """sha256 of the config as deterministic JSON (sorted keys), without ``results_dir``."""
    return hashlib.sha256(dumps(hashed_config(config)).encode()).hexdigest()


def provenance_record(entries_provenance_json: str | Path, config: dict) -> dict:
    """The provenance record every result table carries.

    Args:
        entries_provenance_json: The record written by :func:`screening.screen.entries.build_entries`
            (source kind, file, sha256, elements written and missing).
        config: The validated config (with defaults); its ``results_dir`` is left out (the record is
            embedded in the tables, which must not depend on where they are written).
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
        "config": hashed_config(config),
        "config_sha256": config_sha256(config),
        "energy_reference": "hull" if config.get("hull_reference", True) else "raw",
    }


def write_manifest(entries_provenance_json, config: dict, files: list[str | Path], out_json) -> dict:
    """Write ``provenance.json``: the provenance record plus the sha256 of every result file.

    Unlike the record in the tables, its ``config`` keeps ``results_dir`` (``screening verify`` resolves the
    recorded file paths with it); ``config_sha256`` is still the hash without it.
    """
    record = provenance_record(entries_provenance_json, config)
    record["config"] = config
    record["files"] = {str(f): sha256_of(f) for f in sorted(map(str, files))}
    atomic_write_json(out_json, record)
    return record


__all__ = [
    "LOCATION_KEYS",
    "RESULTS_FORMAT",
    "config_sha256",
    "hashed_config",
    "provenance_record",
    "software_versions",
    "write_manifest",
]
