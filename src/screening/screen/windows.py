"""Electrochemical stability window, e_above_hull and entry status of every material of the screen.

Windows follow Zhu, He & Mo, ACS AMI 7, 23685 (2015) and pymatgen's ``PhaseDiagram.get_element_profile``
(see :meth:`screening.thermo.Engine.window`).
"""

from __future__ import annotations

import logging

import pandas as pd

from screening.composition import canonical_formula, parse_formula
from screening.errors import InputError, ScreeningError
from screening.interphase import ElectronicModel, classify_window
from screening.interphase import tables as interphase_tables
from screening.screen.candidates import load_candidates
from screening.screen.config import ScreenConfig
from screening.screen.electronic import electronic_model
from screening.screen.entries import load_entries
from screening.screen.io import write_table
from screening.screen.provenance import provenance_record
from screening.thermo import Engine

log = logging.getLogger(__name__)


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
    *interphase_tables.WINDOW_COLUMNS,
    "note",
]


def window_row(
    engine: Engine, formula: str, electronic: ElectronicModel | None = None, li_tolerance: float = 0.0
) -> dict:
    """Window, stability and entry status of one composition (errors become a ``skipped`` row); with
    ``electronic``, also its own band gap and the interphase classes of its window's products.

    The note says when glass notation took a crystalline entry, when a limit sits on a plateau shorter
    than :data:`screening.thermo.engine.SHORT_PLATEAU` and when ``li_tolerance`` [Li per non-Li atom] moved
    a limit (docs/conventions.md).
    """
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
    elif dec.entry_id and dec.entry_id.startswith("mlip:"):
        notes.append(MLIP_MARK)
    elif dec.virtual:
        notes.append("user-defined entry (virtual)")
    if dec.glass_as_crystal:
        notes.append(f"glass/composite notation: takes the crystalline entry {dec.entry_id} of the same composition")
    try:
        w = engine.window(formula, li_tolerance=li_tolerance)
    except InputError as exc:
        notes.append(f"no window: {exc}")
    except ScreeningError as exc:
        out.update(status="skipped")
        notes.append(str(exc))
    else:
        if electronic is not None:
            out.update(interphase_tables.window_columns(formula, classify_window(w, electronic), electronic))
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
        notes.extend(w.warnings)
    out["note"] = "; ".join(notes)
    return out


MLIP_MARK = "mlip: machine-learned energy (structure candidate), a screening estimate"


def _structure_status(engine: Engine, formula: str, judged, note: str) -> dict:
    """A candidate's entry status from its machine-learned energy (``judged``,
    :class:`screening.mlip.screen.Judged`) against the hull: e_above_hull is signed (negative: below the
    data's hull, noted), unless the entry joined the hull (``mlip.join_hull``)."""
    from screening.mlip.screen import below_hull_note

    distance = judged.energy - engine.hull_energy(formula)
    e_above = max(distance, 0.0) if judged.joined else distance
    keep = [n for n in note.split("; ") if n and not n.startswith(("mlip:", "user-defined", "no entry in the source"))]
    below = [below_hull_note(distance)] if e_above < 0 else []
    return {"has_entry": True, "virtual": True, "entry_id": judged.entry_id, "e_above_hull": e_above,
            "note": "; ".join([MLIP_MARK, *below, *judged.notes, *keep])}


def compute_windows(
    engine: Engine, cfg: ScreenConfig, candidates: pd.DataFrame, electronic: ElectronicModel | None = None
) -> pd.DataFrame:
    """Stability window of every material, one row per (role, name); each composition computed once."""
    cache: dict[str, dict] = {}
    rows = []
    mats = material_rows(cfg, candidates)
    from screening.mlip.screen import judged_candidates

    judged = judged_candidates(candidates, cfg.raw)  # machine-learned energies (structures, mlip.precedence)
    for k, m in enumerate(mats, start=1):
        if m["formula"] not in cache:
            cache[m["formula"]] = window_row(engine, m["formula"], electronic, cfg.li_tolerance)
        row = {**m, **cache[m["formula"]]}
        j = judged.get(m["name"]) if m["role"] == "coating" else None
        if j is not None and row["status"] == "ok":
            if j.energy is not None:
                row.update(_structure_status(engine, m["formula"], j, row["note"]))
            else:
                row["note"] = "; ".join([n for n in (row["note"], *j.notes) if n])
        rows.append(row)
        if k % 25 == 0 or k == len(mats):
            log.info("windows: %d/%d materials", k, len(mats))
    df = pd.DataFrame.from_records(rows)
    for col in WINDOW_COLUMNS:
        if col not in df:
            df[col] = None
    for col in ("e_above_hull", "reduction_limit", "oxidation_limit", "width", "band_gap"):
        df[col] = df[col].astype(float)
    for col in ("has_entry", "virtual", "is_metal"):
        df[col] = df[col].astype("boolean")
    role_order = {"cathode": 0, "cathode_charged": 1, "anode": 2, "electrolyte": 3, "coating": 4}
    df = df.assign(_r=df["role"].map(role_order)).sort_values(["_r", "name"], kind="stable").drop(columns="_r")
    return df[WINDOW_COLUMNS].reset_index(drop=True)


def run_windows(entries_csv, provenance_json, candidates_csv, config: dict, out_csv, out_parquet) -> None:
    """Workflow step: windows of every material -> ``windows.csv`` / ``windows.parquet``."""
    cfg = ScreenConfig.from_dict(config)
    engine = Engine(load_entries(entries_csv, provenance_json, cfg))
    df = compute_windows(engine, cfg, load_candidates(candidates_csv), electronic_model(cfg))
    write_table(df, out_csv, out_parquet, provenance_record(provenance_json, config))
    log.info("windows of %d materials (%d skipped)", len(df), int((df["status"] == "skipped").sum()))


__all__ = [
    "WINDOW_COLUMNS",
    "compute_windows",
    "format_phases",
    "material_rows",
    "run_windows",
    "window_row",
]
