"""The data the interactive report embeds, kept small.

* tables: every row and column of ``rankings`` (names once, rows as arrays; a column with one value in
  a stack is stored once for that stack);
* profiles: every kink of the interfaces of the top ``top_n`` coatings of each stack (by rank), of every
  named (not database) coating that reached the reaction energies, and of each stack's uncoated baseline;
  other coatings show their minima from the ranking table only;
* windows of the materials, and the provenance.

Floats are rounded to 6 decimals (the tables' precision) and the JSON is written with sorted keys, so
the same results give the same bytes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from screening.report.results import ScreenResults

#: Ranking columns shown first (in this order) when present; the rest follow in table order.
LEAD_COLUMNS = (
    "rank",
    "coating",
    "stage",
    "passes",
    "worst_tier",
    "fail_reasons",
    "score",
    "energy_electrolyte_closed_eV_per_atom",
    "energy_electrode_closed_eV_per_atom",
    "energy_charged_closed_eV_per_atom",
    "energy_electrode_open_eV_per_nonLi_atom",
    "energy_electrolyte_open_eV_per_nonLi_atom",
    "baseline_energy_electrode_closed_eV_per_atom",
    "baseline_energy_electrode_open_eV_per_nonLi_atom",
    "coating_needed",
    "stack_note",
    "reduction_limit",
    "oxidation_limit",
    "window_margin",
    "e_above_hull",
)
#: Interface columns embedded for the profiles.
INTERFACE_COLUMNS = (
    "interface",
    "kind",
    "a_name",
    "b_role",
    "b_name",
    "voltage",
    "open_to_li",
    "energy",
    "energy_mutual",
    "energy_richards2016",
    "x_at_energy",
    "x_at_energy_mutual",
    "x_at_energy_richards2016",
    "status",
    "interphase",
    "conducting_products",
    "note",
)
#: Kink columns embedded for the profiles.
KINK_COLUMNS = (
    "x",
    "x_molar",
    "energy",
    "energy_mutual",
    "energy_richards2016",
    "li_exchanged",
    "reaction",
    "products",
    "interphase",
    "conducting_products",
)
WINDOW_COLUMNS = ("role", "name", "formula", "virtual", "e_above_hull", "reduction_limit", "oxidation_limit", "status")


def _cell(v):
    """A JSON-safe cell: None for missing/NaN, rounded floats, plain ints and bools."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return round(f, 6) + 0.0 if math.isfinite(f) else None
    return str(v)


def _rows(df: pd.DataFrame, columns: list[str]) -> list[list]:
    cols = [df[c].tolist() for c in columns]
    return [[_cell(v) for v in row] for row in zip(*cols, strict=True)] if columns else []


def _label(labels: dict, i) -> str | None:
    if i is None or i is pd.NA or (isinstance(i, float) and math.isnan(i)):
        return None
    i = int(i)
    return labels.get(i, "not computed (left the funnel)" if i < 0 else f"#{i}")


def _stages() -> list[str]:
    """The funnel's stages in order (empty if this version has no funnel)."""
    try:
        from screening.screen.funnel import STAGES
    except ImportError:  # pragma: no cover - depends on the version
        return []
    return list(STAGES)


def _columns(df: pd.DataFrame, wanted) -> list[str]:
    return [c for c in wanted if c in df.columns]


def _table_rows(sub: pd.DataFrame, budget: int | None, top_n: int) -> pd.DataFrame:
    """The rows of one stack the table embeds: all of them within the budget; otherwise the ranked ones
    (those that reached the reaction energies), best first, at least ``top_n``."""
    if budget is None or len(sub) <= budget:
        return sub
    ranked = sub[sub["rank"].notna()] if "rank" in sub else sub
    return ranked.head(max(budget, top_n))


def build_payload(res: ScreenResults, top_n: int, max_rows: int | None = None) -> dict:
    """Everything the report page shows, as plain JSON-able data.

    Args:
        res: The results.
        top_n: Coatings per stack (best ranks) whose profiles are embedded.
        max_rows: Ranking rows the tables may embed in all (None: every row). Above it, each stack keeps
            its ranked rows (best first, an equal share of ``max_rows``); the candidates that stopped at the
            cheap filters are only counted (funnel line), and the page says how many rows it left out.
    """
    rk = res.rankings
    budget = None if max_rows is None or len(rk) <= max_rows else max(1, int(max_rows) // max(len(res.stacks), 1))
    # integer interface ids in the ranking are shown with their interface: "#16 Li2O | TiS2 (1.60 V)"
    id_cols = [c for c in rk.columns if "interface" in c and pd.api.types.is_integer_dtype(rk[c])]
    labels = res.interface_labels
    columns = _columns(rk, LEAD_COLUMNS) + [c for c in rk.columns if c not in LEAD_COLUMNS]
    stacks = []
    profile_ids: list = []
    for name in res.stacks:
        sub = res.stack(name)
        if id_cols:
            sub = sub.assign(**{c: sub[c].map(lambda i: _label(labels, i)) for c in id_cols})
        head = sub.iloc[0]
        # the best top_n and every named coating (config formulas, user entries, structures) that was computed
        named = sub["origin"].ne("query") & sub["rank"].notna() if "origin" in sub and "rank" in sub else None
        extra = [] if named is None else list(sub["coating"][named])
        ranked = sub["coating"][sub["rank"].notna()] if "rank" in sub else sub["coating"]
        top = list(dict.fromkeys([*ranked.head(top_n), *extra]))
        nb = res.neighbours(name, top)
        ids_of = {str(k): list(g["interface"]) for k, g in nb.groupby("a_name", sort=False)}
        neigh = {c: ids_of.get(c, []) for c in top}
        base = list(res.baseline(name)["interface"])
        profile_ids += [i for ids in neigh.values() for i in ids] + base
        stage_counts = {str(k): int(v) for k, v in sub["stage"].value_counts().items()} if "stage" in sub else {}
        n_all = len(sub)
        sub = _table_rows(sub, budget, top_n)
        # columns with one value in the whole stack (stack, electrode, baseline, ...) are stored once
        same = [c for c in columns if len(sub) and sub[c].nunique(dropna=False) == 1]
        varying = [c for c in columns if c not in same]
        stacks.append(
            {
                "name": name,
                "constant": {c: _cell(sub[c].iloc[0]) for c in same},
                "varying": varying,
                "electrode": str(head["electrode"]),
                "electrolyte": str(head["electrolyte"]),
                "electrode_role": _cell(head.get("electrode_role")),
                "potential_low": _cell(head.get("potential_low")),
                "potential_high": _cell(head.get("potential_high")),
                "rows": _rows(sub, varying),
                "n_candidates": n_all,
                "omitted_rows": n_all - len(sub),
                "funnel": stage_counts,
                "profiles": {c: [_cell(i) for i in ids] for c, ids in neigh.items()},
                "baseline": [_cell(i) for i in base],
            }
        )
    wanted = list(dict.fromkeys(profile_ids))
    itf = res.interfaces[res.interfaces["interface"].isin(wanted)]
    icols = _columns(itf, INTERFACE_COLUMNS)
    kinks = res.reactions[res.reactions["interface"].isin(wanted)].sort_values(["interface", "x"], kind="stable")
    kcols = _columns(kinks, KINK_COLUMNS)
    kink_map = {str(_cell(k)): _rows(g, kcols) for k, g in kinks.groupby("interface", sort=True)}
    win = res.windows
    wcols = _columns(win, WINDOW_COLUMNS)
    prov = res.provenance
    return {
        "energy_kind": res.energy_kind,
        "energy_column": res.energy_column,
        "top_n": int(top_n),
        "stages": _stages(),
        "columns": columns,
        "stacks": stacks,
        "interfaces": {"columns": icols, "rows": _rows(itf, icols)},
        "kinks": {"columns": kcols, "by_interface": kink_map},
        "windows": {"columns": wcols, "rows": _rows(win, wcols)},
        "provenance": {
            "screening_version": prov.get("screening_version"),
            "results_format": prov.get("results_format"),
            "source": prov.get("source"),
            "software": prov.get("software"),
            "config_sha256": prov.get("config_sha256"),
            "energy_reference": prov.get("energy_reference"),
            "config": prov.get("config"),
            "files": prov.get("files"),
        },
    }


__all__ = ["build_payload"]
