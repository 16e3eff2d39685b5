"""Candidate coatings: explicit formulas, user-defined candidates and a query over the data source."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from screening.composition import canonical_formula
from screening.screen.config import ConfigError, ScreenConfig
from screening.screen.entries import load_entries, parse_material
from screening.screen.io import write_table
from screening.thermo import Engine

log = logging.getLogger(__name__)

#: Columns of the candidates table; ``candidate`` is the coating's integer id (its row number).
CANDIDATE_COLUMNS = [
    "candidate",
    "coating",
    "formula",
    "reduced_formula",
    "origin",
    "config_key",
    "formation_energy",
    "on_hull",
    "query_entry_id",
    "query_e_above_hull",
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


def _empty_query_reason(engine: Engine, query: dict) -> str:
    """Which filter of an empty query removed the last composition (applied in the order of the schema)."""
    table = engine.table
    rows = [i for i in range(len(table)) if not table.virtual[i] and not table.ids[i].startswith("ref:")]
    comps = {i: set(table.composition(i)) for i in rows}
    require = set(query.get("require_elements") or [])
    missing = sorted(require - set(table.elements))
    if missing:
        return f"require_elements {sorted(require)}: the source has no entry with {', '.join(missing)}"
    steps = [
        (f"require_elements {sorted(require)}", lambda els: require <= els),
        (f"exclude_elements {sorted(query.get('exclude_elements') or [])}",
         lambda els: not els & set(query.get("exclude_elements") or [])),
        (f"elements {query.get('elements')}", lambda els: not query.get("elements") or els <= set(query["elements"])),
        (f"min_elements {query.get('min_elements', 2)} / max_elements {query.get('max_elements', 4)}",
         lambda els: int(query.get("min_elements", 2)) <= len(els) <= int(query.get("max_elements", 4))),
    ]
    for label, keep in steps:
        before = len(rows)
        rows = [i for i in rows if keep(comps[i])]
        if not rows:
            return f"{label} leaves none of the {before} entries left by the filters before it"
    lowest = float(min(engine.e_above_hull_rows(rows)))
    return (
        f"e_above_hull_max {query.get('e_above_hull_max', 0.025)} eV/atom: the {len(rows)} entries left by the other "
        f"filters lie at least {lowest:.4g} eV/atom above the hull"
    )


def select_candidates(engine: Engine, cfg: ScreenConfig) -> pd.DataFrame:
    """All candidate coatings in a fixed order, numbered (``candidate``) in that order.

    Order: explicit formulas and user-defined candidates as in the config, structure candidates
    (origin ``structure``, machine-learned energies, ``query_entry_id`` their ``mlip:`` id) in file
    order, then query results by formula. A query result with the same composition as an earlier
    coating is left out (the earlier one's origin gains ``+query``).
    """
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
    from screening.mlip.screen import coating_name

    taken = {r["coating"] for r in records}
    for rec in engine.table.provenance.get("mlip", []):  # structure candidates (coatings.structures)
        name = coating_name(rec, taken)
        taken.add(name)
        records.append(
            {
                "coating": name,
                "formula": rec["reduced_formula"],
                "reduced_formula": rec["reduced_formula"],
                "origin": "structure",
                "config_key": "coatings.structures",
                "formation_energy": rec["formation_energy_per_atom"],
                "on_hull": False,
                "query_entry_id": rec["id"],
                "query_e_above_hull": None,
            }
        )
        seen.setdefault(rec["reduced_formula"], len(records) - 1)
    if cfg.query.get("enabled"):
        q = query_candidates(engine, cfg.query)
        log.info("query over the source: %d compositions pass", len(q))
        if q.empty:
            why = _empty_query_reason(engine, cfg.query)
            raise ConfigError(
                f"config key coatings.query matches no composition of the source ({why}); "
                "loosen that filter or set coatings.query.enabled: false"
            )
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
    df.insert(0, "candidate", range(len(df)))
    df["candidate"] = df["candidate"].astype("int64")
    df["formation_energy"] = df["formation_energy"].astype(float)
    df["query_e_above_hull"] = df["query_e_above_hull"].astype(float)
    return df[CANDIDATE_COLUMNS]


def load_candidates(candidates_csv: str | Path) -> pd.DataFrame:
    from screening.screen.io import csv_unescape

    return csv_unescape(
        pd.read_csv(candidates_csv, keep_default_na=False, na_values=[""], dtype={"query_entry_id": str})
    )


def run_candidates(entries_csv, provenance_json, config: dict, out_csv) -> pd.DataFrame:
    """Workflow step: select the candidate coatings and write them (``candidates.csv``)."""
    cfg = ScreenConfig.from_dict(config)
    df = select_candidates(Engine(load_entries(entries_csv, provenance_json, cfg)), cfg)
    write_table(df, csv_path=out_csv)
    log.info("%d candidate coatings", len(df))
    return df


__all__ = [
    "CANDIDATE_COLUMNS",
    "load_candidates",
    "query_candidates",
    "run_candidates",
    "select_candidates",
]
