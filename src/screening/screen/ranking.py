"""Ranking of coatings per (electrode, electrolyte) stack: the end of the funnel.

The funnel (:mod:`screening.screen.funnel`) stops database candidates that fail a cheap gate; every
other candidate has its interfaces computed, and here every gate of the criteria (:mod:`screening.criteria`;
default ``xiao2019``: Xiao, Miara, Wang & Ceder, Joule 3, 1252 (2019)) gives it a tier per gate
(:mod:`screening.screen.gating`). :data:`RANK_RULE`: candidates are ordered by

1. worst tier (pass and n/a, then marginal, then fail);
2. number of failed gates;
3. summed normalised shortfall beyond the gates' pass thresholds (uncapped);
4. score (a weighted mean of objective scores, Aykol et al., Nat. Commun. 7, 13779 (2016) style),

so a candidate never moves up by reacting more. Candidates equal in all four share a rank; every candidate
whose energies were computed is ranked, one stopped earlier shows its stage and reason. Each stack has a
verdict line (``stack_note``): the coatings that pass every gate, or the closest and what it fails.
Reaction energies keep their kind and unit in their column names (closed eV/atom, open to Li eV per non-Li
atom); a stack whose uncoated interfaces pass the electrode's reaction gates has ``coating_needed`` False.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from screening.composition import parse_formula
from screening.criteria import Criteria
from screening.criteria.evaluate import gate_tiers
from screening.interphase import tables as interphase_tables
from screening.mlip.screen import mlip_details
from screening.plan import ScreenPlan
from screening.plan.config import OBJECTIVES
from screening.screen.candidates import load_candidates
from screening.screen.config import ScreenConfig, slug
from screening.screen.funnel import STAGES, coating_window_columns
from screening.screen.gating import GATE_SUMMARY_COLUMNS, QUANTITY_SLOT, gate_table, rank_keys, stack_verdicts
from screening.screen.io import read_table, write_table
from screening.screen.provenance import provenance_record
from screening.screen.scoring import dominates, objective_scores, pareto_ranks, weighted_score, window_margin
from screening.screen.slots import (
    BASELINE_SLOTS,
    DECOMPOSITION_COLUMN,
    SLOTS,
    baseline_energies,
    coating_decomposition,
    energy_column,
    interface_column,
    link_frame,
    present_slots,
    slot_energies,
)

log = logging.getLogger(__name__)

#: How ranks are ordered (also a column of the rankings table and a record of its provenance).
RANK_RULE = (
    "criteria gates, then score: worst tier (pass/n-a < marginal < fail), then fewer failed gates, then smaller "
    "summed normalised shortfall, then higher score; equal in all four = equal rank; candidates stopped before "
    "the reaction energies are not ranked"
)
#: Slot energies as columns, and the interface each came from.
SLOT_COLUMNS = [c for slot in SLOTS for c in (energy_column(slot), interface_column(slot))]
BASELINE_COLUMNS = [c for slot in BASELINE_SLOTS for c in (energy_column(slot, True), interface_column(slot, True))]
# ---------------------------------------------------------------------------------------------- tables
#: Columns of the rankings table before the gates' (``gate_<name>``, ``tier_<name>``; :func:`rank_columns`).
LEAD_RANK_COLUMNS = [
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
    *GATE_SUMMARY_COLUMNS,
    "score",
    "criteria",
    "coating_needed",
    "stack_note",
]
TAIL_RANK_COLUMNS = [
    "fail_reasons",
    "reaction_energy_kind",
    *SLOT_COLUMNS,
    DECOMPOSITION_COLUMN,
    "coating_decomposition_voltage",
    *BASELINE_COLUMNS,
    "e_above_hull",
    "e_above_hull_used",
    "has_entry",
    "virtual",
    "li_free",
    "excluded_as",
    "screened_by",
    "reduction_limit",
    "oxidation_limit",
    "potential_low",
    "potential_high",
    "window_margin",
    "s_electrode",
    "s_electrolyte",
    "s_window",
    "s_e_above_hull",
    "pareto_rank",
    "pareto_rank_all",
    *interphase_tables.RANK_COLUMNS,
    "rank_rule",
    "note",
]
#: Columns of the funnel-count table: candidates of each stack per stage.
FUNNEL_COUNT_COLUMNS = ["stack_id", "stack", "candidates", *(f"stage_{s}" for s in STAGES)]


def rank_columns(criteria: Criteria) -> list[str]:
    """The rankings table's columns under these criteria: a value and a tier per gate after the lead."""
    gates = [c for g in criteria.gates for c in (f"gate_{g.name}", f"tier_{g.name}")]
    return [*LEAD_RANK_COLUMNS, *gates, *TAIL_RANK_COLUMNS]


def stack_name(electrode: str, electrolyte: str) -> str:
    return f"{electrode} | {electrolyte}"


def stack_slug(electrode: str, electrolyte: str) -> str:
    """File name of a stack's figure: ``LiCoO2__Li3PS4``."""
    return f"{slug(electrode)}__{slug(electrolyte)}"


def _interphase(
    plan: ScreenPlan, df: pd.DataFrame, links: pd.DataFrame, windows: pd.DataFrame, interfaces: pd.DataFrame
) -> dict[str, list]:
    """Per (stack, candidate) row of ``df``: the electronic columns (coating band gap, worst interphase class
    of its interfaces in the stack, the baseline's class, ``pass_interphase``, ``s_interphase``;
    :func:`screening.interphase.tables.stack_interphase`)."""
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
    out: dict[str, list] = {c: [] for c in interphase_tables.RANK_COLUMNS}
    # plain numpy columns: iterating Arrow-backed strings row by row is ~10x slower
    rows = zip(*(df[c].to_numpy(dtype=object) for c in ("stack_id", "candidate", "coating")), strict=True)
    for sid, cand, name in rows:
        ip = interphase_tables.stack_interphase(
            win.get(name, {}), ids.get((sid, cand), []), base[sid], lookup, settings, base_worst[sid]
        )
        for c in out:
            out[c].append(ip.columns[c])
    return out


def _competition_ranks(keys: np.ndarray) -> np.ndarray:
    """1, 2, 2, 4, ... for rows already sorted by ``keys`` ((n, k) array): equal rows share a rank."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.ones(n, dtype=bool)
    new[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    pos = np.where(new, np.arange(n), 0)
    return np.maximum.accumulate(pos) + 1


def _side_magnitude(criteria: Criteria, values: dict, slots: list[str]) -> np.ndarray:
    """Per row, the largest |E| over a side's slots that the criteria gate (all the side's slots if none);
    NaN where none is known."""
    quantities = [q for q, s in QUANTITY_SLOT.items() if s in slots]
    used = [q for q in quantities if q in criteria.quantities] or quantities
    stack = np.column_stack([values[q] for q in used])
    known = ~np.isnan(stack)
    mag = np.where(known, stack, -np.inf).max(axis=1)
    return np.where(known.any(axis=1), mag, np.nan)


def rank_all(plan: ScreenPlan, stages: pd.DataFrame, windows: pd.DataFrame, interfaces: pd.DataFrame) -> pd.DataFrame:
    """Rank every stack of the plan: one row per (stack, candidate), with its stage and a tier per gate.

    Args:
        plan: The screen's plan (stacks, coatings, interface ids; its config's criteria).
        stages: The funnel's stages (:func:`screening.screen.funnel.cheap_stages`).
        windows: The windows table.
        interfaces: The interfaces table (``interface`` ids of the plan).

    Returns:
        :func:`rank_columns`, by stack, then rank (unranked last), then stage and coating name.
    """
    cfg = plan.config
    crit, opt = cfg.criteria, cfg.ranking
    col = opt.energy_column
    stacks = pd.DataFrame(
        [
            (s.id, s.name, s.electrode.name, s.electrode.role, s.electrolyte.name, *s.electrode.voltage)
            for s in plan.stacks
        ],
        columns=["stack_id", "stack", "electrode", "electrode_role", "electrolyte", "potential_low", "potential_high"],
    )
    present = pd.DataFrame([{k: k in present_slots(s) for k in SLOTS} for s in plan.stacks])
    present.columns = [f"_has_{k}" for k in SLOTS]
    stacks = pd.concat([stacks, present], axis=1)
    coats = pd.DataFrame(
        [(i, c.name, c.formula, c.origin, "Li" not in parse_formula(c.formula)) for i, c in enumerate(plan.coatings)],
        columns=["candidate", "coating", "coating_formula", "origin", "li_free"],
    )
    win = windows[windows["role"] == "coating"][
        ["name", "status", "note", "e_above_hull", "has_entry", "virtual", "reduction_limit", "oxidation_limit"]
    ].rename(columns={"name": "coating", "status": "_win_status", "note": "_win_note"})
    df = stages.rename(columns={"stack": "stack_id"}).merge(stacks, on="stack_id").merge(coats, on="candidate")
    df = df.merge(win, on="coating", how="left")
    links = link_frame(plan, df)
    df = df.merge(slot_energies(links, interfaces, col), on=["stack_id", "candidate"], how="left")
    df = df.merge(coating_decomposition(links, interfaces), on=["stack_id", "candidate"], how="left")
    df = df.merge(baseline_energies(plan, interfaces, col), on="stack_id", how="left")
    df = df.reset_index(drop=True)
    ip_cols = _interphase(plan, df, links, windows, interfaces)
    for c_, values in ip_cols.items():
        df[c_] = values

    # which pairs reached the reaction energies, and which of those have every energy
    survives = df["survives"].to_numpy(dtype=bool)
    win_ok = (df["_win_status"] == "ok").to_numpy()
    notes: list[list[str]] = [[] for _ in range(len(df))]
    incomplete = np.zeros(len(df), dtype=bool)
    for slot in SLOTS:
        has = df[f"_has_{slot}"].to_numpy(dtype=bool)
        miss = (df[f"_miss_{slot}"].fillna(0).to_numpy() > 0) & has
        bad = (df[f"_bad_{slot}"].fillna(0).to_numpy() > 0) & has
        incomplete |= bad | (miss & survives)
        for k in np.flatnonzero(bad | (miss & survives)):
            notes[k].append(str(df.at[k, f"_note_{slot}"]) if bad[k] else "interface not computed")
    for k in np.flatnonzero(~win_ok):
        notes[k].insert(0, f"window: {df.at[k, '_win_note']}")
    status_ok = win_ok & ~(incomplete & survives)
    ranked = status_ok & survives

    # every gate's value and tier
    all_coats = tuple(plan.coatings)
    wcols = coating_window_columns(windows, all_coats)
    cand = df["candidate"].to_numpy(dtype=np.int64)
    wrows = {k: v[cand] for k, v in wcols.items()}
    slots_present = pd.DataFrame({k: df[f"_has_{k}"].to_numpy(dtype=bool) for k in SLOTS})
    gates, values, _ = gate_table(df, crit, wrows, slots_present)
    for c_ in gates.columns:
        df[c_] = gates[c_].to_numpy()
    worst = df["worst_tier"].to_numpy(dtype=object)
    cheap_stage = df["cheap_stage"].to_numpy(dtype=object)
    verdict_stage = np.where(worst == "pass", "passed", np.where(worst == "marginal", "marginal", "fails"))
    stage = np.where(~win_ok, "skipped", np.where(cheap_stage != "", cheap_stage, np.where(status_ok, verdict_stage,
                                                                                          "skipped")))
    df["status"] = np.where(status_ok, "ok", "skipped")
    df["stage"] = stage
    df["passes"] = stage == "passed"
    df["criteria"] = crit.name
    df["e_above_hull_used"] = np.where(win_ok, values["e_above_hull"], np.nan)
    margin = np.minimum(values["window_margin"], opt.window_margin_cap)
    df["window_margin"] = np.where(win_ok, np.round(margin, 6), np.nan)

    # the score: electrode and electrolyte sides as the criteria judge them
    mag_el = _side_magnitude(crit, values, ["electrode_open", "electrode_closed", "charged_closed"])
    mag_ly = _side_magnitude(crit, values, ["electrolyte_open", "electrolyte_closed"])
    e_used = df["e_above_hull_used"].to_numpy(dtype=float)
    scorable = ranked & ~np.isnan(mag_el) & ~np.isnan(mag_ly) & ~np.isnan(margin)
    parts = objective_scores(
        np.where(scorable, mag_el, 0.0), np.where(scorable, mag_ly, 0.0), np.where(scorable, margin, 0.0),
        np.where(scorable, e_used, 0.0), opt.scales,
    )
    for k in OBJECTIVES:
        df[f"s_{k}"] = np.where(scorable, np.round(parts[k], 6), np.nan)
    score = interphase_tables.combined_score(
        weighted_score(parts, opt.weights), df["s_interphase"], opt.weights, cfg.electronic.weight
    )
    score = np.where(scorable, np.round(score, 6), np.nan)
    df["score"] = score

    # Pareto ranks (a diagnostic) and the order
    objectives = np.round(np.column_stack([-np.nan_to_num(mag_el), -np.nan_to_num(mag_ly), np.nan_to_num(margin),
                                           -np.nan_to_num(e_used)]), 6)
    for c_ in ("pareto_rank_all", "pareto_rank", "rank"):
        df[c_] = pd.array([pd.NA] * len(df), dtype="Int64")
    pr_all = np.zeros(len(df), dtype=np.int64)
    pr_pass = np.zeros(len(df), dtype=np.int64)
    rank = np.zeros(len(df), dtype=np.int64)
    keys_all = rank_keys(worst, df["n_failed"].to_numpy(), df["shortfall"].to_numpy(dtype=float), score)
    for _sid, idx in df.groupby("stack_id", sort=False).indices.items():
        sub = idx[ranked[idx]]
        if not len(sub):
            continue
        pr_all[sub] = pareto_ranks(objectives[sub])
        sub_p = idx[ranked[idx] & (stage[idx] == "passed")]
        if len(sub_p):
            pr_pass[sub_p] = pareto_ranks(objectives[sub_p])
        keys = keys_all[sub]
        order = np.lexsort(keys.T[::-1])
        rank[sub[order]] = _competition_ranks(keys[order])
    df.loc[ranked, "pareto_rank_all"] = pr_all[ranked]
    df.loc[ranked & (stage == "passed"), "pareto_rank"] = pr_pass[ranked & (stage == "passed")]
    df.loc[ranked, "rank"] = rank[ranked]

    # the stack's own numbers: no coating needed when the uncoated interfaces pass the electrode's gates
    df["coating_needed"] = _coating_needed(df, crit)
    base_note = df["_base_note"].fillna("").to_numpy()
    for k in np.flatnonzero(base_note != ""):
        notes[k].append(base_note[k])
    df["fail_reasons"] = _fail_reasons(df)
    verdicts = stack_verdicts(df, crit)
    needed = df["coating_needed"].to_numpy(dtype=object)
    df["stack_note"] = [
        ("no coating needed: the uncoated interfaces pass the electrode's reaction gates; " if needed[k] is False
         else "") + verdicts[sid]
        for k, sid in enumerate(df["stack_id"].to_numpy())
    ]
    virt_note = np.where(
        ~df["has_entry"].fillna(True).astype(bool),
        "virtual: no data entry, placed on the hull (e_above_hull taken as 0)",
        np.where(
            (df["origin"].to_numpy() == "structure")
            | df["_win_note"].fillna("").str.startswith("mlip: machine").to_numpy(),
            "mlip: machine-learned energy from a structure, a screening estimate",
            np.where(df["virtual"].fillna(False).astype(bool), "virtual: user-defined entry", ""),
        ),
    )
    for k in np.flatnonzero(win_ok):  # the windows' notes on machine-learned energies (below the hull, precedence)
        notes[k][:0] = [virt_note[k]] * (virt_note[k] != "") + mlip_details(df.at[k, "_win_note"])
    df["note"] = ["; ".join(n) for n in notes]
    df["reaction_energy_kind"] = opt.reaction_energy
    df["rank_rule"] = RANK_RULE
    for c_ in [interface_column(s) for s in SLOTS] + [interface_column(s, True) for s in BASELINE_SLOTS]:
        df[c_] = pd.array([pd.NA if pd.isna(v) else int(v) for v in df[c_]], dtype="Int64")
    for c_ in ("has_entry", "virtual", "li_free"):
        df[c_] = df[c_].astype("boolean")
    for c_ in ("pass_band_gap", "pass_interphase"):
        df[c_] = pd.array([pd.NA if v is None else bool(v) for v in df[c_]], dtype="boolean")
    for c_ in ("coating_band_gap", "s_interphase"):
        df[c_] = df[c_].astype(float)
    stage_order = {s: i for i, s in enumerate(reversed(STAGES))}
    df = df.assign(_r=df["rank"].fillna(2**31).astype("int64"), _s=df["stage"].map(stage_order))
    df = df.sort_values(["stack_id", "_r", "_s", "coating"], kind="stable")
    return df[rank_columns(crit)].reset_index(drop=True)


def _coating_needed(df: pd.DataFrame, crit: Criteria) -> pd.arrays.BooleanArray:
    """Per row (the same in a stack): False when the uncoated electrolyte | electrode interfaces pass every
    electrode reaction gate of the criteria, True when one does not, NA when unknown or none applies."""
    roles = np.where(df["electrode_role"].to_numpy(dtype=object) == "anode", "anode", "cathode")
    needed = np.zeros(len(df), dtype=bool)
    known = np.ones(len(df), dtype=bool)
    judged = np.zeros(len(df), dtype=bool)
    for g in crit.gates:
        slot = QUANTITY_SLOT.get(g.quantity)
        if slot not in BASELINE_SLOTS:
            continue
        applies = np.isin(roles, g.electrodes) & df[f"_has_{slot}"].to_numpy(dtype=bool)
        v = np.abs(df[energy_column(slot, True)].to_numpy(dtype=float))
        tier, _ = gate_tiers(g, v, applies)
        judged |= applies
        known &= ~(applies & np.isnan(v))
        needed |= applies & ~np.isnan(v) & (tier != "pass")
    out = pd.array(needed, dtype="boolean")
    out[~known | ~judged] = pd.NA
    return out


def _fail_reasons(df: pd.DataFrame) -> list[str]:
    """Each row's failed and marginal gates in words, with the numbers that decided them."""
    out = []
    cols = ["stage", "excluded_as", "screened_by", "failed_gates", "marginal_gates"]
    for stage, excl, screened, failed, marginal in zip(*(df[c].to_numpy(dtype=object) for c in cols), strict=True):
        if stage == "skipped":
            out.append("")
            continue
        f = []
        if excl:
            f.append(f"same composition as the stack's {excl}")
        if stage == "screened":
            f.append(f"database candidate stopped by the cheap gates: {screened}")
        if failed:
            f.append(failed)
        if marginal:
            f.append(marginal)
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
    prov = {**provenance_record(provenance_json, config), "rank_rule": RANK_RULE, "criteria": cfg.criteria.as_dict()}
    write_table(df, out_csv, out_parquet, prov)
    counts = funnel_table(df)
    write_table(counts, out_funnel_csv, out_funnel_parquet, prov)
    for r in counts[counts["stage_passed"] + counts["stage_marginal"] + counts["stage_fails"] == 0].itertuples(
        index=False
    ):
        log.warning(
            "stack %s: no candidate reaches the reaction energies (funnel counts: %s)",
            r.stack,
            {s: getattr(r, f"stage_{s}") for s in STAGES if getattr(r, f"stage_{s}")},
        )
    for line in df.drop_duplicates("stack_id")[["stack", "stack_note"]].itertuples(index=False):
        log.info("%s: %s", line.stack, line.stack_note)
    log.info(
        "%d stacks x %d candidates under %s; stacks with >= 1 coating passing every gate: %d",
        len(plan.stacks),
        len(plan.coatings),
        cfg.criteria.name,
        int((counts["stage_passed"] > 0).sum()),
    )


__all__ = [
    "FUNNEL_COUNT_COLUMNS",
    "LEAD_RANK_COLUMNS",
    "RANK_RULE",
    "TAIL_RANK_COLUMNS",
    "dominates",
    "funnel_table",
    "link_frame",
    "objective_scores",
    "pareto_ranks",
    "rank_all",
    "rank_columns",
    "run_rank",
    "stack_name",
    "stack_slug",
    "weighted_score",
    "window_margin",
]
