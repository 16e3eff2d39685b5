"""Ranking of coatings per (electrode, electrolyte) stack: the end of the funnel.

The cheap filters (composition, e_above_hull, Li conduction, window) are applied per stack by the
plan step (:mod:`screening.screen.funnel`); here, for the candidates that survive them:

1. Reaction-energy filters (Xiao, Miara, Wang, Ceder, Joule 3, 1252 (2019)): |reaction energy| with the
   electrode and with the electrolyte within ``thresholds.reaction_energy_open`` [eV per non-Li atom]
   for interfaces open to Li and ``thresholds.reaction_energy_closed`` [eV/atom] for closed ones (the
   charged cathode, Li metal); the worst over the electrode's potentials counts. The two kinds are
   never mixed in one number: they are separate columns, with their units in the column names.
2. A weighted score in [0, 1] (Aykol et al., Nat. Commun. 7, 13779 (2016) style, :func:`weighted_score`).
3. A Pareto rank (non-dominated sorting, :func:`pareto_ranks`) over four objectives: reaction energy with
   the electrode (the larger of open and closed, each over its scale), with the electrolyte, window
   margin (capped), e_above_hull.

:data:`RANK_RULE`: survivors passing every filter first, then by score (higher first), then by Pareto
rank; candidates equal in all three share a rank. Candidates that left the funnel earlier have no rank;
their ``stage`` says where they left and the columns hold the numbers that decided it. A stack whose
uncoated interfaces are already within the thresholds is marked ``coating_needed = False``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from screening.interphase import tables as interphase_tables
from screening.plan import ScreenPlan, Stack
from screening.plan.build import electrode_partners
from screening.plan.config import OBJECTIVES
from screening.screen.candidates import load_candidates
from screening.screen.config import ScreenConfig, slug
from screening.screen.funnel import STAGES, TOL
from screening.screen.io import read_table, write_table
from screening.screen.provenance import provenance_record
from screening.screen.scoring import dominates, objective_scores, pareto_ranks, weighted_score, window_margin

log = logging.getLogger(__name__)

#: How ranks are ordered (also a column of the rankings table and a record of its provenance).
RANK_RULE = (
    "filters, then score, then Pareto: candidates passing every filter first, then higher score, then lower "
    "Pareto rank; equal in all three = equal rank; candidates that left the funnel earlier are not ranked"
)
#: Units of the two kinds of reaction energy, as they appear in column names.
OPEN_UNITS = "eV_per_nonLi_atom"
CLOSED_UNITS = "eV_per_atom"
E_EL_OPEN = f"energy_electrode_open_{OPEN_UNITS}"
E_EL_CLOSED = f"energy_electrode_closed_{CLOSED_UNITS}"
E_LY_OPEN = f"energy_electrolyte_open_{OPEN_UNITS}"
B_OPEN = f"baseline_energy_open_{OPEN_UNITS}"
B_CLOSED = f"baseline_energy_closed_{CLOSED_UNITS}"


# ---------------------------------------------------------------------------------------------- tables
RANK_COLUMNS = [
    "stack_id",
    "stack",
    "electrode",
    "electrode_role",
    "electrolyte",
    "candidate",
    "coating",
    "coating_formula",
    "origin",
    "status",
    "stage",
    "rank",
    "passes",
    "score",
    "pareto_rank",
    "pareto_rank_all",
    "coating_needed",
    "stack_note",
    "reaction_energy_kind",
    E_EL_OPEN,
    "interface_electrode_open",
    E_EL_CLOSED,
    "interface_electrode_closed",
    E_LY_OPEN,
    "interface_electrolyte",
    B_OPEN,
    "baseline_interface_open",
    B_CLOSED,
    "baseline_interface_closed",
    "e_above_hull",
    "e_above_hull_used",
    "has_entry",
    "virtual",
    "li_free",
    "excluded_as",
    "reduction_limit",
    "oxidation_limit",
    "potential_low",
    "potential_high",
    "window_margin",
    "pass_e_above_hull",
    "pass_li_conduction",
    "pass_window",
    "pass_electrode",
    "pass_electrolyte",
    "fail_reasons",
    "s_electrode",
    "s_electrolyte",
    "s_window",
    "s_e_above_hull",
    *interphase_tables.RANK_COLUMNS,
    "rank_rule",
    "note",
]
#: Columns of the funnel-count table: candidates of each stack per stage.
FUNNEL_COUNT_COLUMNS = ["stack_id", "stack", "candidates", *(f"stage_{s}" for s in STAGES)]


def stack_name(electrode: str, electrolyte: str) -> str:
    return f"{electrode} | {electrolyte}"


def stack_slug(electrode: str, electrolyte: str) -> str:
    """File name of a stack's figure: ``LiCoO2__Li3PS4``."""
    return f"{slug(electrode)}__{slug(electrolyte)}"


def _vkey(v) -> float:
    return -1.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _sides(stack: Stack) -> list[tuple[str, bool, str, str, str, float]]:
    """(side, open, kind, b role, b name, voltage key) of a coating's interfaces in a stack."""
    out = [
        ("electrode", v is not None, f"coating|{b.role}", b.role, b.name, _vkey(v))
        for b, v in electrode_partners(stack.electrode)
    ]
    out += [
        ("electrolyte", True, "coating|electrolyte", "electrolyte", stack.electrolyte.name, v)
        for v in stack.electrode.potentials
    ]
    return out


def link_frame(plan: ScreenPlan, pairs: pd.DataFrame) -> pd.DataFrame:
    """Which interface holds each (stack, candidate)'s energy with its electrode and its electrolyte.

    A typed join (candidate id, interface kind, partner, exact voltage) of every pair with the plan's
    interfaces; ``interface`` is -1 where the plan has none (left out by the funnel).

    Returns:
        Columns ``stack_id``, ``candidate``, ``side`` (electrode/electrolyte), ``open``, ``interface``.
    """
    partners: dict[tuple, int] = {}
    rows = []
    for s in plan.stacks:
        for side, is_open, kind, br, bn, vk in _sides(s):
            code = partners.setdefault((kind, br, bn, vk), len(partners))
            rows.append((s.id, side, is_open, code))
    per_stack = pd.DataFrame(rows, columns=["stack_id", "side", "open", "partner"])
    coating_ids = {c.name: i for i, c in enumerate(plan.coatings)}
    planned = [
        (i.id, coating_ids[i.a.name], partners[(i.kind, i.b.role, i.b.name, _vkey(i.voltage))])
        for i in plan.interfaces
        if i.a.role == "coating" and (i.kind, i.b.role, i.b.name, _vkey(i.voltage)) in partners
    ]
    planned_df = pd.DataFrame(planned, columns=["interface", "candidate", "partner"])
    links = pairs[["stack_id", "candidate"]].merge(per_stack, on="stack_id")
    links = links.merge(planned_df, on=["candidate", "partner"], how="left", validate="many_to_one")
    links["interface"] = links["interface"].fillna(-1).astype(np.int64)
    return links[["stack_id", "candidate", "side", "open", "interface"]]


def _worst(links: pd.DataFrame, interfaces: pd.DataFrame, col: str) -> pd.DataFrame:
    """Per (stack, candidate, side, open): the most negative energy, its interface, and what is missing."""
    res = interfaces[["interface", "status", col, "note"]].rename(columns={col: "e", "note": "itf_note"})
    d = links.merge(res, on="interface", how="left")
    d["missing"] = d["interface"] < 0
    d["bad"] = ~d["missing"] & (d["status"] != "ok")
    keys = ["stack_id", "candidate", "side", "open"]
    flags = d.groupby(keys, sort=False).agg(n_missing=("missing", "sum"), n_bad=("bad", "sum")).reset_index()
    bad_notes = d[d["bad"]].drop_duplicates(keys)[[*keys, "itf_note"]].rename(columns={"itf_note": "bad_note"})
    best = d[~d["missing"] & ~d["bad"]].sort_values([*keys, "e", "interface"], kind="stable")
    best = best.drop_duplicates(keys)[[*keys, "e", "interface"]]
    out = flags.merge(best, on=keys, how="left").merge(bad_notes, on=keys, how="left")
    incomplete = (out["n_missing"] > 0) | (out["n_bad"] > 0)
    out.loc[incomplete, "e"] = np.nan
    out.loc[incomplete, "interface"] = np.nan
    return out


def _side_columns(worst: pd.DataFrame) -> pd.DataFrame:
    """The per-side minima as columns of the (stack, candidate) pairs."""
    parts = {
        (E_EL_OPEN, "interface_electrode_open"): ("electrode", True),
        (E_EL_CLOSED, "interface_electrode_closed"): ("electrode", False),
        (E_LY_OPEN, "interface_electrolyte"): ("electrolyte", True),
    }
    out = None
    for (ecol, icol), (side, is_open) in parts.items():
        sub = worst[(worst["side"] == side) & (worst["open"] == is_open)]
        sub = sub[["stack_id", "candidate", "e", "interface", "n_missing", "n_bad", "bad_note"]].rename(
            columns={
                "e": ecol,
                "interface": icol,
                "n_missing": f"_miss_{icol}",
                "n_bad": f"_bad_{icol}",
                "bad_note": f"_note_{icol}",
            }
        )
        out = sub if out is None else out.merge(sub, on=["stack_id", "candidate"], how="outer")
    return out


def _baseline(plan: ScreenPlan, interfaces: pd.DataFrame, col: str) -> pd.DataFrame:
    """Per stack: the uncoated interfaces' most negative open and closed energies, with their ids."""
    res = interfaces.set_index("interface")
    rows = []
    for s in plan.stacks:
        row = {"stack_id": s.id, B_OPEN: np.nan, "baseline_interface_open": pd.NA}
        row.update({B_CLOSED: np.nan, "baseline_interface_closed": pd.NA, "_base_note": ""})
        ids = plan.baseline_ids(s)
        for (_, v), ident in zip(electrode_partners(s.electrode), ids, strict=True):
            ecol, icol = (
                (B_OPEN, "baseline_interface_open") if v is not None else (B_CLOSED, "baseline_interface_closed")
            )
            r = None if ident is None or ident not in res.index else res.loc[ident]
            if r is None or r["status"] != "ok":
                row["_base_note"] = f"baseline interface {ident}: {'not computed' if r is None else r['note']}"
                continue
            if np.isnan(row[ecol]) or float(r[col]) < row[ecol]:
                row[ecol], row[icol] = float(r[col]), int(ident)
        rows.append(row)
    return pd.DataFrame(rows)


def _interphase(
    plan: ScreenPlan, df: pd.DataFrame, links: pd.DataFrame, windows: pd.DataFrame, interfaces: pd.DataFrame
) -> tuple[dict, np.ndarray, list[tuple[str, ...]]]:
    """Per (stack, candidate) row of ``df``: the electronic columns (coating band gap, worst interphase class
    of its interfaces in the stack, the baseline's class, ``s_interphase``), whether it passes the electronic
    filters, and the failed ones in words (:func:`screening.interphase.tables.stack_interphase`)."""
    settings = plan.config.electronic
    lookup = interphase_tables.interphase_lookup(interfaces)
    have = links[links["interface"] >= 0]
    ids: dict[tuple[int, int], list[int]] = {}
    for key in zip(*(have[c].to_numpy(dtype=np.int64) for c in ("stack_id", "candidate", "interface")), strict=True):
        ids.setdefault(key[:2], []).append(key[2])
    base = {s.id: plan.baseline_ids(s) for s in plan.stacks}
    base_worst = {sid: interphase_tables.worst_of(base_ids, lookup) for sid, base_ids in base.items()}
    cols = [c for c in ("band_gap", "conducting", "gap_evidence") if c in windows.columns]
    win = {r["name"]: r for r in windows.loc[windows["role"] == "coating", ["name", *cols]].to_dict("records")}
    out = {c: [] for c in interphase_tables.RANK_COLUMNS}
    passes, fails = [], []
    # plain numpy columns: iterating Arrow-backed strings row by row is ~10x slower
    rows = zip(*(df[c].to_numpy(dtype=object) for c in ("stack_id", "candidate", "coating")), strict=True)
    for sid, cand, name in rows:
        ip = interphase_tables.stack_interphase(
            win.get(name, {}), ids.get((sid, cand), []), base[sid], lookup, settings, base_worst[sid]
        )
        for c in out:
            out[c].append(ip.columns[c])
        passes.append(ip.passes)
        fails.append(ip.fails)
    return out, np.array(passes, dtype=bool), fails


def _competition_ranks(keys: np.ndarray) -> np.ndarray:
    """1, 2, 2, 4, ... for rows already sorted by ``keys`` ((n, k) array): equal rows share a rank."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.ones(n, dtype=bool)
    new[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    pos = np.where(new, np.arange(n), 0)
    return np.maximum.accumulate(pos) + 1


def rank_all(plan: ScreenPlan, stages: pd.DataFrame, windows: pd.DataFrame, interfaces: pd.DataFrame) -> pd.DataFrame:
    """Rank every stack of the plan: one row per (stack, candidate), with its funnel stage.

    Args:
        plan: The screen's plan (stacks, coatings, interface ids).
        stages: The funnel's cheap stages (:func:`screening.screen.funnel.cheap_stages`).
        windows: The windows table.
        interfaces: The interfaces table (``interface`` ids of the plan).

    Returns:
        :data:`RANK_COLUMNS`, by stack, then rank (unranked last), then stage and coating name.
    """
    cfg = plan.config
    thr, opt = cfg.thresholds, cfg.ranking
    col = opt.energy_column
    stacks = pd.DataFrame(
        [
            (s.id, s.name, s.electrode.name, s.electrode.role, s.electrolyte.name, *s.electrode.voltage)
            for s in plan.stacks
        ],
        columns=["stack_id", "stack", "electrode", "electrode_role", "electrolyte", "potential_low", "potential_high"],
    )
    stacks["_has_closed"] = [any(v is None for _, v in electrode_partners(s.electrode)) for s in plan.stacks]
    stacks["_has_open"] = [any(v is not None for _, v in electrode_partners(s.electrode)) for s in plan.stacks]
    coats = pd.DataFrame(
        [(i, c.name, c.formula, c.origin) for i, c in enumerate(plan.coatings)],
        columns=["candidate", "coating", "coating_formula", "origin"],
    )
    win = windows[windows["role"] == "coating"][
        ["name", "status", "note", "e_above_hull", "has_entry", "virtual", "reduction_limit", "oxidation_limit"]
    ].rename(columns={"name": "coating", "status": "_win_status", "note": "_win_note"})
    df = stages.rename(columns={"stack": "stack_id"}).merge(stacks, on="stack_id").merge(coats, on="candidate")
    df = df.merge(win, on="coating", how="left")
    links = link_frame(plan, df)
    df = df.merge(_side_columns(_worst(links, interfaces, col)), on=["stack_id", "candidate"], how="left")
    df = df.merge(_baseline(plan, interfaces, col), on="stack_id", how="left")
    ip_cols, pass_ip, ip_fails = _interphase(plan, df, links, windows, interfaces)
    for c_, values in ip_cols.items():
        df[c_] = values

    survives = df["survives"].to_numpy(dtype=bool)
    win_ok = (df["_win_status"] == "ok").to_numpy()
    notes: list[list[str]] = [[] for _ in range(len(df))]
    incomplete = np.zeros(len(df), dtype=bool)
    for icol in ("interface_electrode_open", "interface_electrode_closed", "interface_electrolyte"):
        miss = df[f"_miss_{icol}"].fillna(0).to_numpy() > 0
        bad = df[f"_bad_{icol}"].fillna(0).to_numpy() > 0
        incomplete |= bad | (miss & survives)
        for k in np.flatnonzero(bad | (miss & survives)):
            notes[k].append(str(df.at[k, f"_note_{icol}"]) if bad[k] else "interface not computed")
    for k in np.flatnonzero(~win_ok):
        notes[k].insert(0, f"window: {df.at[k, '_win_note']}")
    status_ok = win_ok & ~(incomplete & survives)

    # reaction-energy filters (only where the energies exist)
    eo, ec, ly = (df[c].to_numpy(dtype=float) for c in (E_EL_OPEN, E_EL_CLOSED, E_LY_OPEN))
    has_o, has_c = df["_has_open"].to_numpy(bool), df["_has_closed"].to_numpy(bool)
    ok_o = ~has_o | (np.abs(eo) <= thr.reaction_energy_open + TOL)
    ok_c = ~has_c | (np.abs(ec) <= thr.reaction_energy_closed + TOL)
    pass_el = ok_o & ok_c
    pass_ly = np.abs(ly) <= thr.reaction_energy_open + TOL
    have_e = (~has_o | ~np.isnan(eo)) & (~has_c | ~np.isnan(ec)) & ~np.isnan(ly)
    stage = np.where(
        ~status_ok,
        "skipped",
        np.where(
            df["cheap_stage"].to_numpy() != "",
            df["cheap_stage"].to_numpy(),
            np.where(pass_el & pass_ly, np.where(pass_ip, "passed", "interphase"), "reaction"),
        ),
    )
    df["status"] = np.where(status_ok, "ok", "skipped")
    df["stage"] = stage
    df["pass_electrode"] = pd.array(np.where(have_e, pass_el, False), dtype="boolean")
    df["pass_electrolyte"] = pd.array(np.where(have_e, pass_ly, False), dtype="boolean")
    df.loc[~have_e, ["pass_electrode", "pass_electrolyte"]] = pd.NA
    df["passes"] = stage == "passed"

    # scores wherever every number exists; Pareto ranks and ranks among the survivors
    scale = float(opt.scales["reaction_energy"])
    mag_el = np.fmax(np.where(has_o, np.abs(eo), np.nan), np.where(has_c, np.abs(ec), np.nan))
    margin = df["window_margin"].to_numpy(dtype=float)
    e_used = df["e_above_hull_used"].to_numpy(dtype=float)
    scorable = status_ok & have_e & ~np.isnan(margin)
    parts = objective_scores(
        np.where(scorable, mag_el, 0.0),
        np.where(scorable, ly, 0.0),
        margin,
        e_used,
        {**opt.scales, "reaction_energy": scale},
    )
    for k in OBJECTIVES:
        df[f"s_{k}"] = np.where(scorable, np.round(parts[k], 6), np.nan)
    score = interphase_tables.combined_score(
        weighted_score(parts, opt.weights), df["s_interphase"], opt.weights, cfg.electronic.weight
    )
    df["score"] = np.where(scorable, np.round(score, 6), np.nan)
    objectives = np.round(np.column_stack([-mag_el, -np.abs(ly), margin, -e_used]), 6)
    ranked = np.isin(stage, ("passed", "interphase", "reaction"))
    df["pareto_rank_all"] = pd.array([pd.NA] * len(df), dtype="Int64")
    df["pareto_rank"] = pd.array([pd.NA] * len(df), dtype="Int64")
    df["rank"] = pd.array([pd.NA] * len(df), dtype="Int64")
    pr_all = np.zeros(len(df), dtype=np.int64)
    pr_pass = np.zeros(len(df), dtype=np.int64)
    for _, idx in df.groupby("stack_id", sort=False).indices.items():
        sub = idx[ranked[idx]]
        if len(sub):
            pr_all[sub] = pareto_ranks(objectives[sub])
        sub_p = idx[stage[idx] == "passed"]
        if len(sub_p):
            pr_pass[sub_p] = pareto_ranks(objectives[sub_p])
    df.loc[ranked, "pareto_rank_all"] = pr_all[ranked]
    df.loc[stage == "passed", "pareto_rank"] = pr_pass[stage == "passed"]
    rank = np.zeros(len(df), dtype=np.int64)
    score = df["score"].to_numpy(dtype=float)
    for _, idx in df.groupby("stack_id", sort=False).indices.items():
        sub = idx[ranked[idx]]
        if not len(sub):
            continue
        keys = np.column_stack([stage[sub] != "passed", -score[sub], pr_all[sub]]).astype(float)
        order = np.lexsort(keys.T[::-1])
        rank[sub[order]] = _competition_ranks(keys[order])
    df.loc[ranked, "rank"] = rank[ranked]

    # the stack's own numbers: no coating needed when the uncoated interfaces are within the thresholds
    bo, bc = df[B_OPEN].to_numpy(float), df[B_CLOSED].to_numpy(float)
    base_known = (~has_o | ~np.isnan(bo)) & (~has_c | ~np.isnan(bc))
    base_ok = (~has_o | (np.abs(bo) <= thr.reaction_energy_open + TOL)) & (
        ~has_c | (np.abs(bc) <= thr.reaction_energy_closed + TOL)
    )
    df["coating_needed"] = pd.array(np.where(base_known, ~base_ok, False), dtype="boolean")
    df.loc[~base_known, "coating_needed"] = pd.NA
    n_surv = df.groupby("stack_id")["survives"].transform("sum").to_numpy()
    stack_note = np.full(len(df), "", dtype=object)
    stack_note[base_known & base_ok] = "no coating needed: the uncoated interfaces are within the thresholds"
    none = n_surv == 0
    stack_note[none] = [
        (f"{n}; " if n else "") + "no candidate passes the cheap filters (see stage)" for n in stack_note[none]
    ]
    df["stack_note"] = stack_note
    base_note = df["_base_note"].fillna("").to_numpy()
    for k in np.flatnonzero(base_note != ""):
        notes[k].append(base_note[k])

    df["fail_reasons"] = [
        "; ".join(x for x in (f, *e) if x) for f, e in zip(_fail_reasons(df, thr), ip_fails, strict=True)
    ]
    virt_note = np.where(
        ~df["has_entry"].fillna(True).astype(bool),
        "virtual: no data entry, placed on the hull (e_above_hull taken as 0)",
        np.where(
            df["origin"].to_numpy() == "structure",
            "mlip: machine-learned energy from a structure, a screening estimate",
            np.where(df["virtual"].fillna(False).astype(bool), "virtual: user-defined entry", ""),
        ),
    )
    for k in np.flatnonzero(win_ok & (virt_note != "")):
        notes[k].insert(0, virt_note[k])
    li_free = df["li_free"].to_numpy(bool)
    if not thr.li_conduction:
        for k in np.flatnonzero(li_free):
            notes[k].append("Li-free: conducts no Li (thresholds.li_conduction is off)")
    df["note"] = ["; ".join(n) for n in notes]
    df["reaction_energy_kind"] = opt.reaction_energy
    df["rank_rule"] = RANK_RULE
    for c_ in (
        "interface_electrode_open",
        "interface_electrode_closed",
        "interface_electrolyte",
        "baseline_interface_open",
        "baseline_interface_closed",
    ):
        df[c_] = pd.array([pd.NA if pd.isna(v) else int(v) for v in df[c_]], dtype="Int64")
    for c_ in ("has_entry", "virtual", "pass_e_above_hull", "pass_li_conduction", "pass_window", "li_free"):
        df[c_] = df[c_].astype("boolean")
    for c_ in ("pass_band_gap", "pass_interphase"):
        df[c_] = pd.array([pd.NA if v is None else bool(v) for v in df[c_]], dtype="boolean")
    for c_ in ("coating_band_gap", "s_interphase"):
        df[c_] = df[c_].astype(float)
    df.loc[~win_ok, ["pass_e_above_hull", "pass_window", "pass_li_conduction"]] = pd.NA
    stage_order = {s: i for i, s in enumerate(reversed(STAGES))}
    df = df.assign(_r=df["rank"].fillna(2**31).astype("int64"), _s=df["stage"].map(stage_order))
    df = df.sort_values(["stack_id", "_r", "_s", "coating"], kind="stable")
    return df[RANK_COLUMNS].reset_index(drop=True)


def _fail_reasons(df: pd.DataFrame, thr) -> list[str]:
    """Each row's failed filters in words, with the numbers that decided them."""
    out = []
    cols = [
        "excluded_as",
        "pass_e_above_hull",
        "e_above_hull_used",
        "li_free",
        "pass_li_conduction",
        "pass_window",
        "window_margin",
        "potential_low",
        "potential_high",
        "electrode",
        "electrolyte",
        E_EL_OPEN,
        E_EL_CLOSED,
        E_LY_OPEN,
        "interface_electrode_open",
        "interface_electrode_closed",
        "interface_electrolyte",
        "_win_status",
    ]
    for r in zip(*(df[c].to_numpy(dtype=object) for c in cols), strict=True):
        (excl, ph, eh, lf, pl, pw, m, lo, hi, electrode, electrolyte, eo, ec, ly, io, ic, il, ws) = r
        if ws != "ok":
            out.append("")
            continue
        f = []
        if excl:
            f.append(f"same composition as the stack's {excl}")
        if not ph:
            f.append(
                f"e_above_hull {eh:.3f} > {thr.e_above_hull:.3f} eV/atom"
                if eh > thr.e_above_hull + TOL
                else "virtual (no data entry) and thresholds.allow_virtual is false"
            )
        if lf and not pl:
            f.append("Li-free: conducts no Li (thresholds.li_conduction)")
        if not pw:
            span = f"[{lo:.2f}, {hi:.2f}] V" if lo != hi else f"{lo:.2f} V"
            f.append(f"window does not span {span} (margin {m:.3f} V)")
        if not np.isnan(eo) and abs(eo) > thr.reaction_energy_open + TOL:
            f.append(
                f"|E| with {electrode} {abs(eo):.3f} > {thr.reaction_energy_open:.3f} eV per non-Li atom "
                f"(interface {int(io)})"
            )
        if not np.isnan(ec) and abs(ec) > thr.reaction_energy_closed + TOL:
            f.append(
                f"|E| with {electrode} (closed) {abs(ec):.3f} > {thr.reaction_energy_closed:.3f} eV/atom "
                f"(interface {int(ic)})"
            )
        if not np.isnan(ly) and abs(ly) > thr.reaction_energy_open + TOL:
            f.append(
                f"|E| with {electrolyte} {abs(ly):.3f} > {thr.reaction_energy_open:.3f} eV per non-Li atom "
                f"(interface {int(il)})"
            )
        out.append("; ".join(f))
    return out


def funnel_table(rankings: pd.DataFrame) -> pd.DataFrame:
    """Per stack: how many candidates left at each stage of the funnel (``stage_passed``: passed all)."""
    counts = rankings.groupby(["stack_id", "stack"], sort=False)["stage"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(STAGES), fill_value=0).add_prefix("stage_").reset_index()
    counts.insert(2, "candidates", counts[[f"stage_{s}" for s in STAGES]].sum(axis=1))
    return counts[FUNNEL_COUNT_COLUMNS].sort_values("stack_id").reset_index(drop=True)


def run_rank(
    candidates_csv,
    plan_parquet,
    funnel_parquet,
    windows_parquet,
    interfaces_parquet,
    provenance_json,
    config: dict,
    out_csv,
    out_parquet,
    out_funnel_csv,
    out_funnel_parquet,
):
    """Workflow step ``rankings``: rank every stack -> ``rankings`` and ``funnel`` (counts per stage) tables."""
    cfg = ScreenConfig.from_dict(config)
    plan = ScreenPlan.read(cfg, load_candidates(candidates_csv), plan_parquet)
    df = rank_all(plan, read_table(funnel_parquet), read_table(windows_parquet), read_table(interfaces_parquet))
    prov = {**provenance_record(provenance_json, config), "rank_rule": RANK_RULE}
    write_table(df, out_csv, out_parquet, prov)
    counts = funnel_table(df)
    write_table(counts, out_funnel_csv, out_funnel_parquet, prov)
    reached = counts["stage_passed"] + counts["stage_interphase"] + counts["stage_reaction"]
    for r in counts[reached == 0].itertuples(index=False):
        log.warning(
            "stack %s: no candidate reaches the reaction energies (funnel counts: %s)",
            r.stack,
            {s: getattr(r, f"stage_{s}") for s in STAGES if getattr(r, f"stage_{s}")},
        )
    log.info(
        "%d stacks x %d candidates; stacks with >= 1 coating passing every filter: %d",
        len(plan.stacks),
        len(plan.coatings),
        int((counts["stage_passed"] > 0).sum()),
    )


__all__ = [
    "FUNNEL_COUNT_COLUMNS",
    "RANK_COLUMNS",
    "RANK_RULE",
    "dominates",
    "funnel_table",
    "link_frame",
    "objective_scores",
    "pareto_ranks",
    "rank_all",
    "run_rank",
    "stack_name",
    "stack_slug",
    "weighted_score",
    "window_margin",
]
