"""Entries for the screen: the only step that reads the data source.

:func:`build_entries` loads the configured source for every element the screen needs and writes it as a
snapshot CSV (``formula,e_form,id``) that :func:`screening.entries.load_snapshot` reads back, plus a JSON
provenance record of the original source. Every later job reads that file (:func:`load_entries`), so
only this step ever touches the source (and, for ``mp``, :func:`fetch_systems` the network).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
import warnings
import zipfile
from pathlib import Path

import screening
from screening.composition import parse_formula
from screening.entries import EntryTable, exclude_entries, load_snapshot, sha256_of
from screening.entries.cache import read_table as read_binary_table
from screening.entries.cache import write_table as write_binary_table
from screening.entries.sources import EntrySource, entry_source
from screening.errors import IntegrityError, ScreeningWarning
from screening.screen.config import ConfigError, ScreenConfig
from screening.screen.io import atomic_write, atomic_write_json, corrupt_file_message
from screening.screen.systems import _sorted_elements, needed_elements, parse_material, required_systems

log = logging.getLogger(__name__)

#: Tag of the parsed entries file (``entries.npz``) the entries step writes for the later jobs.
BINARY_KEY = "screening.screen.entries/1"

#: Columns of the entries file (a snapshot CSV that :func:`load_snapshot` reads).
ENTRY_COLUMNS = ("formula", "e_form", "id")


def _source(cfg: ScreenConfig, source: str | EntrySource, offline: bool = True) -> EntrySource:
    """The typed source of a screen; a per-system (Materials Project) one with the config's ``mp:`` settings."""
    block = dict(cfg.raw.get("mp") or {})
    options = {"thermo_type": block.get("thermo_type"), "cache_dir": block.get("cache_dir"), "offline": offline}
    return entry_source(source, options)


def fetch_systems(cfg: ScreenConfig, out_json: str | Path) -> dict:
    """Fetch every chemical system the screen needs from Materials Project into the local cache.

    The only step that talks to the API (the workflow's ``fetch_mp`` rule, run on the submit host); every
    later job reads the cache offline. Writes a manifest of the systems, cache files and their sha256.
    """
    source = _source(cfg, "mp", offline=False)
    needed_elements(cfg, source)  # a query over the whole database is an error for mp
    from screening.entries.mp.fetch import fetch, minimal_cover
    from screening.entries.mp.options import chemsys_of

    cover = minimal_cover(required_systems(cfg))
    systems = {}
    for i, els in enumerate(cover, start=1):
        record = fetch(els, options=source.options)
        log.info(
            "[%d/%d] %s: %d entries (%s)",
            i,
            len(cover),
            chemsys_of(els),
            len(record.entries),
            "cache" if record.from_cache else "fetched",
        )
        systems[chemsys_of(els)] = {
            "cache_file": Path(record.path).name,
            "database_version": record.database_version,
            "retrieved_at": record.retrieved_at,
        }
    manifest = {"thermo_type": source.options.thermo_type, "systems": systems}
    from screening.screen.electronic import fetch_band_gaps  # interphase: loaded only for the fetch

    manifest["band_gaps"] = fetch_band_gaps(cfg)  # the summary endpoint, same cache (docs/interphase.md)
    atomic_write_json(out_json, manifest)
    return manifest


def _load(source: str, cfg: ScreenConfig, elements: list[str] | None) -> EntryTable:
    src = _source(cfg, source, offline=(cfg.raw.get("mp") or {}).get("offline", True))
    if src.per_system:
        if elements is None:
            raise ConfigError("source: mp needs a bounded element set (see coatings.query.elements)")
        return src.load_systems(required_systems(cfg))
    return src.load(elements)


def build_entries(
    cfg: ScreenConfig,
    source: str,
    out_csv: str | Path,
    out_provenance: str | Path,
    source_label: str | None = None,
    out_binary: str | Path | None = None,
    structures: str | Path | None = None,
) -> dict:
    """Load the configured source for the screen's elements and write it as a snapshot CSV.

    Args:
        cfg: The parsed config.
        source: ``experimental``, ``mp`` or a resolved snapshot path.
        out_csv: Entries file to write (columns :data:`ENTRY_COLUMNS`; element references are left out,
            :func:`load_snapshot` adds them back at 0 eV/atom).
        out_provenance: JSON record of the source (kind, file, sha256, counts), the elements asked for and
            those the source lacks.
        source_label: How the source is named in provenance (default: ``source``); the workflow passes
            the path as written in the config so results do not depend on the working directory.
        out_binary: Parsed copy of the entries file (``.npz``, :mod:`screening.entries.cache` layout) that
            the later jobs load in milliseconds instead of parsing the CSV again (None: not written).
        structures: The structure candidates' record (rule ``structures``, :mod:`screening.mlip.screen`);
            their elements are loaded too and their records are passed on under ``mlip``.

    Returns:
        The provenance record.
    """
    elements = needed_elements(cfg, source)
    from screening.mlip.screen import mlip_records

    mlip = mlip_records(structures)
    if mlip and elements is not None:
        elements = _sorted_elements(set(elements) | {el for r in mlip for el in parse_formula(r["formula"])})
    log.info("loading source %s for %s", source_label or source, "all elements" if elements is None else elements)
    table = _load(source, cfg, elements)
    if cfg.exclude:
        with warnings.catch_warnings():  # items that match nothing: logged once each below
            warnings.simplefilter("ignore", ScreeningWarning)
            table, exclusion = exclude_entries(table, cfg.exclude)
        log.info("exclude: dropped %d entries %s", len(exclusion.dropped), [f"{i} ({f})" for i, f in exclusion.dropped])
        for item in exclusion.not_found:
            log.warning("exclude: %r is neither an entry id nor the formula of an entry; nothing dropped for it", item)
    have = set(table.elements)
    if elements is None:
        present, missing = list(table.elements), []
    else:
        present = [e for e in elements if e in have]
        missing = [e for e in elements if e not in have]
    if missing:
        log.warning("the source has no entries for element(s) %s: materials containing them are skipped", missing)
    idx = table.select(present)
    rows = [int(i) for i in idx if not table.ids[int(i)].startswith("ref:") and not table.virtual[int(i)]]

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(ENTRY_COLUMNS)
            for i in rows:
                w.writerow((table.formulas[i], repr(float(table.energy_per_atom[i])), table.ids[i]))

    atomic_write(out_csv, write)
    if out_binary is not None:  # parsed once here; every later job reads the arrays in milliseconds
        parsed = load_snapshot(out_csv)
        # no machine path inside (load_entries replaces this provenance anyway): the same screen run in
        # another folder, or on a cluster node, writes the same bytes
        portable = {k: v for k, v in parsed.provenance.items() if k != "path"}
        write_binary_table(out_binary, dataclasses.replace(parsed, provenance=portable), BINARY_KEY)
    prov = {k: v for k, v in table.provenance.items() if k != "path"}
    if table.provenance.get("path") is not None:
        prov["path"] = source_label or table.provenance["path"]
    record = {
        "source": prov,
        "elements_requested": elements if elements is not None else "all",
        "elements_written": present,
        "missing_elements": missing,
        "n_entries_written": len(rows),
        "screening_version": screening.__version__,
        # what screening verify checks the entries files against (file name -> sha256)
        "outputs_sha256": {Path(f).name: sha256_of(f) for f in (out_csv, out_binary) if f is not None},
    }
    if mlip:
        record["mlip"] = mlip
    atomic_write_json(out_provenance, record)
    log.info("wrote %d entries over %d elements to %s", len(rows), len(present), out_csv)
    return record


def load_entries(entries_csv: str | Path, provenance_json: str | Path, cfg: ScreenConfig) -> EntryTable:
    """The screen's entry table: the entries file (``entries.npz``, parsed, or ``entries.csv``) plus the
    user-defined candidate coatings.

    User candidates with a formation energy join the table as virtual entries (``user:<name>``) and so
    take part in every hull; structure candidates (machine-learned, ``mlip:<file>``) only with
    ``mlip.join_hull: true`` (default: judged against the hull, never part of it; ``mlip.precedence`` for a
    composition both have, :func:`screening.mlip.screen.table_entries`); ``on_hull`` candidates need no
    entry (the engine places them on the hull). The table's provenance is the original source's (see
    :func:`build_entries`).
    """
    record = json.loads(Path(provenance_json).read_text())
    p = Path(entries_csv)
    try:
        table = read_binary_table(p, BINARY_KEY) if p.suffix == ".npz" else load_snapshot(p)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise IntegrityError(corrupt_file_message(p, exc) + " (rule entries: --forcerun entries)") from None
    table = dataclasses.replace(table, provenance={**record["source"], "missing_elements": record["missing_elements"]})
    users = [m for m in cfg.coatings if m.origin == "user" and m.formation_energy is not None]
    for m in users:
        parse_material(m.formula, m.key + ".formula")
    records = record.get("mlip", [])
    mlip = [r for r in records if set(parse_formula(r["formula"])) <= set(table.elements)]
    joined: list[dict] = []
    if records:  # structure candidates (coatings.structures): machine-learned entries, ids mlip:...
        from screening.mlip.screen import table_entries
        from screening.plan.config import StructureSettings

        # judged against the data's hull, never part of it, unless mlip.join_hull; mlip.precedence decides
        # between a user's formation energy and a machine-learned one of the same composition
        users, joined = table_entries(users, mlip, StructureSettings.from_config(cfg.raw))
    if users:
        table = table.with_entries(
            [m.formula for m in users],
            [m.formation_energy for m in users],
            [f"user:{m.name}" for m in users],
            virtual=True,
        )
    if joined:
        from screening.mlip.hull import with_mlip_records

        table = with_mlip_records(table, joined)
    if len(mlip) < len(records):
        # a structure with an element the source lacks stays a candidate: its rows are skipped, naming it
        for r in records:
            if r not in mlip:
                log.warning("structure %s (%s) has an element the source lacks: its rows are skipped", r["file"],
                            r["reduced_formula"])
    if records:
        table.provenance["mlip"] = list(records)
    return table


def run_entries(
    config: dict, source: str, out_csv, out_provenance, source_label: str | None = None, out_binary=None,
    structures=None,
) -> dict:
    """Workflow step ``entries``: the source for every element the screen needs -> entries.csv (+ .npz)."""
    return build_entries(
        ScreenConfig.from_dict(config), source, out_csv, out_provenance, source_label, out_binary, structures
    )


def run_fetch_mp(config: dict, out_json) -> dict:
    """Workflow step ``fetch_mp``: every chemical system the screen needs, into the local cache."""
    return fetch_systems(ScreenConfig.from_dict(config), out_json)


__all__ = [
    "ENTRY_COLUMNS",
    "build_entries",
    "fetch_systems",
    "load_entries",
    "needed_elements",
    "parse_material",
    "required_systems",
    "run_entries",
    "run_fetch_mp",
]
