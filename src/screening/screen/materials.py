"""Entries for the screen, candidate coatings and electrochemical windows of every material.

Steps (one workflow rule each):

* :func:`build_entries` loads the configured source for every element the screen needs and writes
  it as a snapshot CSV (``formula,e_form,id``) that :func:`screening.entries.load_snapshot` reads back,
  plus a JSON provenance record of the original source. Every later job reads that file, so only
  this step ever touches the source (and, for ``mp``, the network).
* :func:`select_candidates` lists the coatings: explicit formulas, user-defined candidates and a query
  over the data source, and assigns them to chunks.
* :func:`compute_windows` computes the stability window of every material.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

import screening
from screening.composition import canonical_formula, parse_formula
from screening.composition.parse import ATOMIC_NUMBER
from screening.entries import EntryTable, load_snapshot, load_source
from screening.errors import FormulaError, InputError, ScreeningError, SourceError
from screening.screen.config import ConfigError, ScreenConfig
from screening.screen.io import atomic_write, atomic_write_json, write_table
from screening.screen.provenance import provenance_record
from screening.thermo import Engine

log = logging.getLogger(__name__)

#: Columns of the entries file (a snapshot CSV that :func:`load_snapshot` reads).
ENTRY_COLUMNS = ("formula", "e_form", "id")


def _sorted_elements(elements) -> list[str]:
    return sorted(set(elements), key=lambda e: ATOMIC_NUMBER.get(e, 999))


def parse_material(formula: str, key: str) -> dict[str, float]:
    """Parse a configured formula; the error names its config key."""
    try:
        return parse_formula(formula)
    except FormulaError as exc:
        raise ConfigError(f"config key {key}: {exc}") from None


def needed_elements(cfg: ScreenConfig, source: str) -> list[str] | None:
    """Every element the screen may ask the source about (None: everything the source holds).

    The configured materials' elements plus Li, plus the query's ``elements`` when a query is enabled.
    A query without ``elements`` needs the whole source, which a file source has but Materials Project
    does not: there it is an error.
    """
    els = {"Li"}
    for m in cfg.materials:
        els.update(parse_material(m.formula, m.key + ".formula"))
        if m.charged:
            els.update(parse_material(m.charged, m.key + ".charged"))
    q = cfg.query
    if q.get("enabled"):
        if q.get("elements"):
            els.update(q["elements"])
            els.update(q.get("require_elements") or [])
        elif source == "mp":
            raise ConfigError(
                "config key coatings.query.elements must list the elements the query may use when source is mp "
                "(Materials Project is fetched per chemical system)"
            )
        else:
            return None
    return _sorted_elements(els)


def required_systems(cfg: ScreenConfig) -> list[tuple[str, ...]]:
    """Chemical systems (each with Li) that the screen's windows and interfaces need.

    One per material (its window) and one per interface: coating | electrode, coating | electrolyte
    and the electrolyte | electrode baselines, charged compositions included. With a query over
    ``elements`` Q, also Q + Li and Q + each electrode and electrolyte. A per-system source (Materials
    Project) fetches the minimal cover of these instead of the union of all elements, which no single
    query could hold.
    """

    def els(m) -> frozenset[str]:
        out = set(parse_material(m.formula, m.key + ".formula"))
        if m.charged:
            out |= set(parse_material(m.charged, m.key + ".charged"))
        return frozenset(out | {"Li"})

    partners = [*cfg.electrodes, *cfg.electrolytes]
    systems = {els(m) for m in cfg.materials}
    systems |= {els(e) | els(p) for e in cfg.electrolytes for p in cfg.electrodes}
    systems |= {els(c) | els(p) for c in cfg.coatings for p in partners}
    q = cfg.query
    if q.get("enabled") and q.get("elements"):
        base = frozenset(q["elements"]) | frozenset(q.get("require_elements") or []) | {"Li"}
        systems |= {base} | {base | els(p) for p in partners}
    return sorted((tuple(_sorted_elements(s)) for s in systems), key=lambda t: (len(t), t))


def _mp_module():
    if importlib.util.find_spec("screening.entries.mp") is None:
        raise SourceError(
            "source: mp needs the Materials Project source screening.entries.mp, which this installation does "
            "not have; reinstall with pip install -e . or use a snapshot path (source: snapshot, snapshot: PATH)"
        )
    from screening.entries import mp

    return mp


def fetch_systems(config: dict, out_json: str | Path) -> dict:
    """Fetch every chemical system the screen needs from Materials Project into the local cache.

    The only step that talks to the API (the workflow's ``fetch_mp`` rule, run on the submit host); every
    later job reads the cache offline. Writes a manifest of the systems, cache files and their sha256.
    """
    cfg = ScreenConfig.from_dict(config)
    needed_elements(cfg, "mp")  # a query over the whole database is an error for mp
    mp = _mp_module()
    opts = dict(config.get("mp") or {})
    cover = mp.minimal_cover(required_systems(cfg))
    systems = {}
    for i, els in enumerate(cover, start=1):
        record = mp.fetch(els, opts.get("thermo_type", mp.DEFAULT_THERMO_TYPE), opts.get("cache_dir"))
        log.info("[%d/%d] %s: %d entries (%s)", i, len(cover), mp.chemsys_of(els), len(record.entries),
                 "cache" if record.from_cache else "fetched")
        systems[mp.chemsys_of(els)] = {
            "cache_file": Path(record.path).name,
            "database_version": record.database_version,
            "retrieved_at": record.retrieved_at,
        }
    manifest = {"thermo_type": opts.get("thermo_type", mp.DEFAULT_THERMO_TYPE), "systems": systems}
    atomic_write_json(out_json, manifest)
    return manifest


def _load(source: str, cfg: ScreenConfig, elements: list[str] | None, mp_options: dict) -> EntryTable:
    if source == "mp":
        mp = _mp_module()
        if elements is None:
            raise ConfigError("source: mp needs a bounded element set (see coatings.query.elements)")
        return mp.load_mp_systems(
            required_systems(cfg),
            mp_options.get("thermo_type", mp.DEFAULT_THERMO_TYPE),
            mp_options.get("cache_dir"),
            offline=mp_options.get("offline", True),
        )
    return load_source(source, elements=elements)


def build_entries(
    config: dict,
    source: str,
    out_csv: str | Path,
    out_provenance: str | Path,
    source_label: str | None = None,
) -> dict:
    """Load the configured source for the screen's elements and write it as a snapshot CSV.

    Args:
        config: The validated workflow config.
        source: ``experimental``, ``mp`` or a resolved snapshot path.
        out_csv: Entries file to write (columns :data:`ENTRY_COLUMNS`; element references are left out,
            :func:`load_snapshot` adds them back at 0 eV/atom).
        out_provenance: JSON record of the source (kind, file, sha256, counts), the elements asked for and
            those the source lacks.
        source_label: How the source is named in provenance (default: ``source``); the workflow passes
            the path as written in the config so results do not depend on the working directory.

    Returns:
        The provenance record.
    """
    cfg = ScreenConfig.from_dict(config)
    elements = needed_elements(cfg, source)
    log.info("loading source %s for %s", source_label or source, "all elements" if elements is None else elements)
    table = _load(source, cfg, elements, dict(config.get("mp") or {}))
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
    }
    atomic_write_json(out_provenance, record)
    log.info("wrote %d entries over %d elements to %s", len(rows), len(present), out_csv)
    return record


def load_entries(entries_csv: str | Path, provenance_json: str | Path, config: dict) -> EntryTable:
    """The screen's entry table: the entries file plus the user-defined candidate coatings.

    User candidates with a formation energy join the table as virtual entries (``user:<name>``) and so
    take part in every hull; ``on_hull`` candidates need no entry (the engine places them on the hull).
    The table's provenance is the original source's (see :func:`build_entries`).
    """
    record = json.loads(Path(provenance_json).read_text())
    table = load_snapshot(entries_csv)
    table = dataclasses.replace(table, provenance={**record["source"], "missing_elements": record["missing_elements"]})
    cfg = ScreenConfig.from_dict(config)
    users = [m for m in cfg.coatings if m.origin == "user" and m.formation_energy is not None]
    for m in users:
        parse_material(m.formula, m.key + ".formula")
    if users:
        table = table.with_entries(
            [m.formula for m in users],
            [m.formation_energy for m in users],
            [f"user:{m.name}" for m in users],
            virtual=True,
        )
    return table


# ---------------------------------------------------------------------------------------------- candidates
CANDIDATE_COLUMNS = [
    "coating",
    "formula",
    "reduced_formula",
    "origin",
    "config_key",
    "formation_energy",
    "on_hull",
    "query_entry_id",
    "query_e_above_hull",
    "chunk",
]


def query_candidates(engine: Engine, query: dict) -> pd.DataFrame:
    """Coatings from the data source: one row per composition (lowest polymorph) passing the query.

    Query keys (see the schema): ``require_elements`` (all present), ``exclude_elements`` (none
    present), ``elements`` (all within, optional), ``min_elements``/``max_elements``,
    ``e_above_hull_max`` [eV/atom] (of the lowest polymorph, :meth:`Engine.e_above_hull_rows`),
    ``max_candidates`` (keep the most stable N).
    """
    table = engine.table
    require = set(query.get("require_elements") or [])
    exclude = set(query.get("exclude_elements") or [])
    allowed = set(query["elements"]) if query.get("elements") else None
    lo, hi = int(query.get("min_elements", 2)), int(query.get("max_elements", 4))
    rows = []
    for i in range(len(table)):
        if table.virtual[i] or table.ids[i].startswith("ref:"):
            continue
        els = set(table.composition(i))
        if not (lo <= len(els) <= hi) or not require <= els or els & exclude:
            continue
        if allowed is not None and not els <= allowed:
            continue
        rows.append(i)
    if not rows:
        return pd.DataFrame(columns=["formula", "entry_id", "e_above_hull"])
    e_hull = engine.e_above_hull_rows(rows)
    best: dict[str, tuple[float, float, str]] = {}
    for row, eh in zip(rows, e_hull, strict=True):
        name = table.name(row)
        key = (float(eh), float(table.energy_per_atom[row]), table.ids[row])
        if name not in best or key < best[name]:
            best[name] = key
    df = pd.DataFrame([(f, v[2], v[0]) for f, v in best.items()], columns=["formula", "entry_id", "e_above_hull"])
    df = df[df["e_above_hull"] <= float(query.get("e_above_hull_max", 0.025)) + 1e-9]
    if query.get("max_candidates"):
        df = df.sort_values(["e_above_hull", "formula"]).head(int(query["max_candidates"]))
    return df.sort_values("formula").reset_index(drop=True)


def select_candidates(engine: Engine, config: dict) -> pd.DataFrame:
    """All candidate coatings in a fixed order, each with its chunk number.

    Order: explicit formulas and user-defined candidates as in the config, then query results by
    formula. A query result with the same composition as an earlier coating is left out (the earlier
    one's origin gains ``+query``).
    """
    cfg = ScreenConfig.from_dict(config)
    records = []
    seen: dict[str, int] = {}
    for m in cfg.coatings:
        amounts = parse_material(m.formula, m.key + ".formula")
        red = canonical_formula(amounts)
        records.append(
            {
                "coating": m.name,
                "formula": m.formula,
                "reduced_formula": red,
                "origin": m.origin,
                "config_key": m.key,
                "formation_energy": m.formation_energy,
                "on_hull": m.on_hull,
                "query_entry_id": None,
                "query_e_above_hull": None,
            }
        )
        seen.setdefault(red, len(records) - 1)
    if cfg.query.get("enabled"):
        q = query_candidates(engine, cfg.query)
        log.info("query over the source: %d compositions pass", len(q))
        names = {r["coating"] for r in records}
        for r in q.itertuples(index=False):
            if r.formula in seen:
                rec = records[seen[r.formula]]
                rec["origin"] += "+query"
                rec["query_entry_id"], rec["query_e_above_hull"] = r.entry_id, float(r.e_above_hull)
                continue
            name = r.formula if r.formula not in names else f"{r.formula} (query)"
            records.append(
                {
                    "coating": name,
                    "formula": r.formula,
                    "reduced_formula": r.formula,
                    "origin": "query",
                    "config_key": "coatings.query",
                    "formation_energy": None,
                    "on_hull": False,
                    "query_entry_id": r.entry_id,
                    "query_e_above_hull": float(r.e_above_hull),
                }
            )
            seen[r.formula] = len(records) - 1
    if not records:
        raise ConfigError(
            "no candidate coatings: give coatings.formulas, coatings.user, or enable coatings.query "
            "(and check that its filters leave something)"
        )
    df = pd.DataFrame.from_records(records)
    df["chunk"] = np.arange(len(df)) // cfg.chunk_size
    df["formation_energy"] = df["formation_energy"].astype(float)
    df["query_e_above_hull"] = df["query_e_above_hull"].astype(float)
    return df[CANDIDATE_COLUMNS]


def n_chunks(candidates_csv: str | Path) -> int:
    """Number of interface chunks recorded in a candidates table."""
    df = pd.read_csv(candidates_csv, usecols=["chunk"])
    return int(df["chunk"].max()) + 1 if len(df) else 0


def load_candidates(candidates_csv: str | Path) -> pd.DataFrame:
    return pd.read_csv(candidates_csv, keep_default_na=False, na_values=[""], dtype={"query_entry_id": str})


def run_candidates(entries_csv, provenance_json, config: dict, out_csv) -> pd.DataFrame:
    """Workflow step: select the candidate coatings and write them with their chunk numbers."""
    table = load_entries(entries_csv, provenance_json, config)
    df = select_candidates(Engine(table), config)
    write_table(df, csv_path=out_csv)
    log.info("%d candidate coatings in %d chunk(s)", len(df), int(df["chunk"].max()) + 1)
    return df


# ---------------------------------------------------------------------------------------------- windows
def format_phases(phases) -> str:
    """``1.5 Li2S; 0.5 P`` (amounts to 4 significant digits, as the engine writes reactions)."""
    return "; ".join(f"{p.amount:.4g} {p.formula}" for p in phases)


def material_rows(cfg: ScreenConfig, candidates: pd.DataFrame) -> list[dict]:
    """Every material of the screen (electrodes, charged cathodes, electrolytes, candidate coatings)."""
    rows = []
    for m in cfg.electrodes + cfg.electrolytes:
        rows.append({"role": m.role, "name": m.name, "formula": m.formula, "origin": "config", "config_key": m.key})
        if m.charged:
            rows.append(
                {
                    "role": "cathode_charged",
                    "name": m.name,
                    "formula": m.charged,
                    "origin": "config",
                    "config_key": m.key + ".charged",
                }
            )
    for c in candidates.itertuples(index=False):
        rows.append(
            {"role": "coating", "name": c.coating, "formula": c.formula, "origin": c.origin, "config_key": c.config_key}
        )
    return rows


WINDOW_COLUMNS = [
    "role",
    "name",
    "formula",
    "reduced_formula",
    "origin",
    "config_key",
    "status",
    "has_entry",
    "virtual",
    "entry_id",
    "e_above_hull",
    "reduction_limit",
    "oxidation_limit",
    "width",
    "reduction_products",
    "oxidation_products",
    "hull_decomposition",
    "note",
]


def window_row(engine: Engine, formula: str) -> dict:
    """Window, stability and entry status of one composition (errors become a ``skipped`` row)."""
    out: dict = {"status": "ok", "note": ""}
    try:
        out["reduced_formula"] = canonical_formula(parse_formula(formula))
        dec = engine.decompose(formula)
    except ScreeningError as exc:
        out.update(status="skipped", note=str(exc))
        return out
    out.update(
        has_entry=dec.has_entry,
        virtual=dec.virtual,
        entry_id=dec.entry_id,
        e_above_hull=dec.e_above_hull,
        hull_decomposition=format_phases(dec.phases),
    )
    notes = []
    if not dec.has_entry:
        notes.append("no entry in the source: placed on the hull (virtual)")
    elif dec.virtual:
        notes.append("user-defined entry (virtual)")
    try:
        w = engine.window(formula)
    except InputError as exc:
        notes.append(f"no window: {exc}")
    except ScreeningError as exc:
        out.update(status="skipped")
        notes.append(str(exc))
    else:
        out.update(
            reduction_limit=w.reduction_limit,
            oxidation_limit=w.oxidation_limit,
            width=w.width,
            reduction_products=format_phases(w.reduction_products),
            oxidation_products=format_phases(w.oxidation_products),
        )
        if w.reduction_limit is None:
            notes.append("not reduced by Li (no reduction limit)")
        if w.oxidation_limit is None:
            notes.append("no Li to give up (no oxidation limit)")
    out["note"] = "; ".join(notes)
    return out


def compute_windows(engine: Engine, cfg: ScreenConfig, candidates: pd.DataFrame) -> pd.DataFrame:
    """Stability window of every material, one row per (role, name); each composition computed once."""
    cache: dict[str, dict] = {}
    rows = []
    mats = material_rows(cfg, candidates)
    for k, m in enumerate(mats, start=1):
        if m["formula"] not in cache:
            cache[m["formula"]] = window_row(engine, m["formula"])
        rows.append({**m, **cache[m["formula"]]})
        if k % 25 == 0 or k == len(mats):
            log.info("windows: %d/%d materials", k, len(mats))
    df = pd.DataFrame.from_records(rows)
    for col in WINDOW_COLUMNS:
        if col not in df:
            df[col] = None
    for col in ("e_above_hull", "reduction_limit", "oxidation_limit", "width"):
        df[col] = df[col].astype(float)
    for col in ("has_entry", "virtual"):
        df[col] = df[col].astype("boolean")
    role_order = {"cathode": 0, "cathode_charged": 1, "anode": 2, "electrolyte": 3, "coating": 4}
    df = df.assign(_r=df["role"].map(role_order)).sort_values(["_r", "name"], kind="stable").drop(columns="_r")
    return df[WINDOW_COLUMNS].reset_index(drop=True)


def run_windows(entries_csv, provenance_json, candidates_csv, config: dict, out_csv, out_parquet) -> None:
    """Workflow step: windows of every material -> ``windows.csv`` / ``windows.parquet``."""
    table = load_entries(entries_csv, provenance_json, config)
    cfg = ScreenConfig.from_dict(config)
    df = compute_windows(Engine(table), cfg, load_candidates(candidates_csv))
    write_table(df, out_csv, out_parquet, provenance_record(provenance_json, config))
    log.info("windows of %d materials (%d skipped)", len(df), int((df["status"] == "skipped").sum()))


__all__ = [
    "build_entries",
    "compute_windows",
    "load_candidates",
    "load_entries",
    "n_chunks",
    "needed_elements",
    "query_candidates",
    "run_candidates",
    "run_windows",
    "select_candidates",
]
