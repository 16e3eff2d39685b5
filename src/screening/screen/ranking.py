"""Ranking of coatings per (electrode, electrolyte) stack.

1. Filters in the spirit of Xiao, Miara, Wang, Ceder, Joule 3, 1252 (2019) (thresholds in the config):
   e_above_hull <= ``thresholds.e_above_hull``; the coating's window spans the potentials where it
   sits (its electrode's range; margin >= ``thresholds.window_margin``); |reaction energy| with the
   electrode and with the electrolyte <= ``thresholds.reaction_energy`` (the worst over the electrode's
   potentials and the charged cathode).
2. A Pareto front (non-dominated sorting, :func:`pareto_ranks`) over four objectives: reaction energy with
   the electrode, with the electrolyte (both closer to 0 is better), window margin (larger is better,
   capped), e_above_hull (smaller is better).
3. A weighted score in [0, 1] (Aykol et al., Nat. Commun. 7, 13779 (2016) style,
   :func:`weighted_score`).

Rank within a stack: coatings passing every filter first, then by score, Pareto rank and name. Every
number behind a rank is a column of the output.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from screening.errors import InputError
from screening.plan import ScreenPlan, Stack
from screening.screen.candidates import load_candidates
from screening.screen.config import ScreenConfig, slug
from screening.screen.io import read_table, write_table
from screening.screen.provenance import provenance_record

log = logging.getLogger(__name__)

#: Tolerance of the filter comparisons (the tables are rounded to 1e-6).
TOL = 1e-9
OBJECTIVES = ("electrode", "electrolyte", "window", "e_above_hull")


# ---------------------------------------------------------------------------------------------- pure parts
def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """True if ``a`` is at least as good as ``b`` in every objective and better in one (maximising)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(a >= b) and np.any(a > b))


def pareto_ranks(values: np.ndarray) -> np.ndarray:
    """Non-dominated sorting: rank 1 is the Pareto front, rank 2 the front once rank 1 is removed, ...

    Args:
        values: (n, m) objective values, every objective to be maximised (negate those to minimise).
            Rows must be finite.

    Returns:
        (n,) integer ranks >= 1. Identical rows get the same rank.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2:
        raise InputError(f"pareto_ranks needs an (n, m) array, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise InputError("pareto_ranks needs finite objective values (leave out incomplete rows)")
    n = len(v)
    ranks = np.zeros(n, dtype=np.int64)
    # dom[i, j]: i dominates j
    ge = np.all(v[:, None, :] >= v[None, :, :], axis=2)
    gt = np.any(v[:, None, :] > v[None, :, :], axis=2)
    dom = ge & gt
    remaining = np.ones(n, dtype=bool)
    level = 0
    while remaining.any():
        level += 1
        dominated = dom[remaining][:, remaining].any(axis=0)
        front = np.flatnonzero(remaining)[~dominated]
        ranks[front] = level
        remaining[front] = False
    return ranks


def objective_scores(
    energy_electrode: np.ndarray,
    energy_electrolyte: np.ndarray,
    window_margin: np.ndarray,
    e_above_hull: np.ndarray,
    scales: Mapping[str, float],
) -> dict[str, np.ndarray]:
    """Each objective mapped onto [0, 1] (1 best) with fixed scales (not data-dependent).

    * reaction energies: ``1 - min(|E| / scales['reaction_energy'], 1)``;
    * window margin: ``clip(margin / scales['window'], 0, 1)``;
    * e_above_hull: ``1 - min(e / scales['e_above_hull'], 1)``.
    """
    se = float(scales["reaction_energy"])
    sw = float(scales["window"])
    sh = float(scales["e_above_hull"])
    return {
        "electrode": 1.0 - np.minimum(np.abs(np.asarray(energy_electrode, float)) / se, 1.0),
        "electrolyte": 1.0 - np.minimum(np.abs(np.asarray(energy_electrolyte, float)) / se, 1.0),
        "window": np.clip(np.asarray(window_margin, float) / sw, 0.0, 1.0),
        "e_above_hull": 1.0 - np.minimum(np.maximum(np.asarray(e_above_hull, float), 0.0) / sh, 1.0),
    }


def weighted_score(partial: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted mean of the objective scores: sum_i w_i s_i / sum_i w_i (objectives with w = 0 drop out).

    Raises:
        InputError: if every weight is zero or one is negative.
    """
    w = {k: float(weights.get(k, 0.0)) for k in OBJECTIVES}
    if any(v < 0 for v in w.values()):
        raise InputError(f"ranking weights must be >= 0, got {w}")
    total = sum(w.values())
    if total <= 0:
        raise InputError("at least one ranking weight must be > 0")
    return sum(w[k] * np.asarray(partial[k], dtype=float) for k in OBJECTIVES if w[k] > 0) / total


def window_margin(
    reduction_limit: float | None, oxidation_limit: float | None, low: float, high: float, cap: float
) -> float:
    """How far the window reaches beyond [low, high] on its tighter side [V] (negative: does not span).

    A missing limit (NaN or None: cannot be reduced / has no Li to give up) is unbounded; the margin is
    capped at ``cap`` so that it can be ranked.
    """

    def missing(v) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    red = math.inf if missing(reduction_limit) else low - float(reduction_limit)
    ox = math.inf if missing(oxidation_limit) else float(oxidation_limit) - high
    return min(red, ox, cap)


# ---------------------------------------------------------------------------------------------- stacks
RANK_COLUMNS = [
    "stack",
    "electrode",
    "electrode_role",
    "electrolyte",
    "coating",
    "coating_formula",
    "origin",
    "status",
    "rank",
    "passes",
    "pareto_rank",
    "pareto_rank_all",
    "score",
    "reaction_energy_kind",
    "energy_electrode",
    "interface_electrode",
    "energy_electrolyte",
    "interface_electrolyte",
    "worst_interface_energy",
    "baseline_energy",
    "baseline_interface",
    "improvement",
    "e_above_hull",
    "e_above_hull_used",
    "has_entry",
    "virtual",
    "reduction_limit",
    "oxidation_limit",
    "potential_low",
    "potential_high",
    "window_margin",
    "pass_e_above_hull",
    "pass_window",
    "pass_electrode",
    "pass_electrolyte",
    "fail_reasons",
    "s_electrode",
    "s_electrolyte",
    "s_window",
    "s_e_above_hull",
    "note",
]


def stack_name(electrode: str, electrolyte: str) -> str:
    return f"{electrode} | {electrolyte}"


def stack_slug(electrode: str, electrolyte: str) -> str:
    """File name of a stack's figure: ``LiCoO2__Li3PS4``."""
    return f"{slug(electrode)}__{slug(electrolyte)}"


def _worst(ids: list[int | None], interfaces: Mapping[int, tuple], col: str) -> tuple[float, int | None, str]:
    """(most negative energy, its interface id, note) over ``ids``; NaN with the reason if one is missing.

    ``interfaces`` maps an interface id to ``(status, energy, energy_mutual, note)``.
    """
    best, best_id = math.inf, None
    k = 1 if col == "energy" else 2
    for i in ids:
        row = None if i is None else interfaces.get(i)
        if row is None:
            return math.nan, None, "interface not computed"
        if row[0] != "ok":
            return math.nan, None, f"interface {i}: {row[3]}"
        if row[k] < best:
            best, best_id = float(row[k]), i
    return best, best_id, ""


def interface_lookup(interfaces: pd.DataFrame) -> dict[int, tuple]:
    """interface id -> (status, energy, energy_mutual, note) of the interfaces table."""
    cols = ["interface", "status", "energy", "energy_mutual", "note"]
    return {int(r[0]): r[1:] for r in interfaces[cols].itertuples(index=False, name=None)}


def rank_stack(
    plan: ScreenPlan,
    stack: Stack,
    windows: Mapping[tuple[str, str], Mapping],
    interfaces: Mapping[int, tuple],
    thresholds: Mapping,
    ranking: Mapping,
) -> pd.DataFrame:
    """Rank every candidate coating of one (electrode, electrolyte) stack.

    Args:
        plan: The screen's plan (coatings, and the ids of each coating's interfaces in the stack).
        stack: The stack to rank.
        windows: (role, name) -> row of the windows table (a dict).
        interfaces: :func:`interface_lookup` of the interfaces table.
        thresholds: ``e_above_hull``, ``reaction_energy``, ``window_margin``, ``allow_virtual``.
        ranking: ``reaction_energy`` (``mutual``/``total``), ``weights``, ``scales``, ``window_margin_cap``.
    """
    electrode, electrolyte = stack.electrode, stack.electrolyte
    col = "energy_mutual" if ranking["reaction_energy"] == "mutual" else "energy"
    lo, hi = electrode.voltage
    base_e, base_id, base_note = _worst(plan.baseline_ids(stack), interfaces, col)
    thr_h, thr_e, thr_w = (float(thresholds[k]) for k in ("e_above_hull", "reaction_energy", "window_margin"))
    rows = []
    for c in plan.coatings:
        el_ids, ly_ids = plan.stack_ids(stack, c)
        e_el, id_el, note_el = _worst(el_ids, interfaces, col)
        e_ly, id_ly, note_ly = _worst(ly_ids, interfaces, col)
        w = windows[("coating", c.name)]
        row = {
            "stack": stack.name,
            "electrode": electrode.name,
            "electrode_role": electrode.role,
            "electrolyte": electrolyte.name,
            "coating": c.name,
            "coating_formula": c.formula,
            "origin": c.origin,
            "reaction_energy_kind": ranking["reaction_energy"],
            "energy_electrode": e_el,
            "interface_electrode": id_el,
            "energy_electrolyte": e_ly,
            "interface_electrolyte": id_ly,
            "baseline_energy": base_e,
            "baseline_interface": base_id,
            "e_above_hull": w["e_above_hull"],
            "has_entry": w["has_entry"],
            "virtual": w["virtual"],
            "reduction_limit": w["reduction_limit"],
            "oxidation_limit": w["oxidation_limit"],
            "potential_low": lo,
            "potential_high": hi,
        }
        notes = [n for n in (note_el, note_ly) if n]
        if w["status"] != "ok":
            notes.insert(0, f"window: {w['note']}")
        if notes:
            row.update(status="skipped", note="; ".join(notes))
            rows.append(row)
            continue
        virtual_no_entry = not bool(w["has_entry"])
        e_hull = 0.0 if virtual_no_entry else float(w["e_above_hull"])
        margin = window_margin(w["reduction_limit"], w["oxidation_limit"], lo, hi, float(ranking["window_margin_cap"]))
        fails = []
        pass_h = e_hull <= thr_h + TOL and (thresholds.get("allow_virtual", True) or not bool(w["virtual"]))
        if e_hull > thr_h + TOL:
            fails.append(f"e_above_hull {e_hull:.3f} > {thr_h:.3f} eV/atom")
        elif not pass_h:
            fails.append("virtual (no data entry) and thresholds.allow_virtual is false")
        pass_w = margin >= thr_w - TOL
        if not pass_w:
            span = f"[{lo:.2f}, {hi:.2f}] V" if lo != hi else f"{lo:.2f} V"
            fails.append(f"window does not span {span} (margin {margin:.3f} V)")
        pass_el = abs(e_el) <= thr_e + TOL
        if not pass_el:
            fails.append(f"|E| with {electrode.name} {abs(e_el):.3f} > {thr_e:.3f} (interface {id_el})")
        pass_ly = abs(e_ly) <= thr_e + TOL
        if not pass_ly:
            fails.append(f"|E| with {electrolyte.name} {abs(e_ly):.3f} > {thr_e:.3f} (interface {id_ly})")
        worst = min(e_el, e_ly)
        row.update(
            status="ok",
            e_above_hull_used=e_hull,
            window_margin=margin,
            worst_interface_energy=worst,
            improvement=worst - base_e if not math.isnan(base_e) else math.nan,
            pass_e_above_hull=pass_h,
            pass_window=pass_w,
            pass_electrode=pass_el,
            pass_electrolyte=pass_ly,
            passes=pass_h and pass_w and pass_el and pass_ly,
            fail_reasons="; ".join(fails),
            note="virtual: no data entry, placed on the hull (e_above_hull taken as 0)"
            if virtual_no_entry
            else ("virtual: user-defined entry" if bool(w["virtual"]) else ""),
        )
        rows.append(row)
    df = pd.DataFrame.from_records(rows, columns=RANK_COLUMNS)
    for c_ in ("interface_electrode", "interface_electrolyte", "baseline_interface"):
        df[c_] = pd.array([None if v is None or pd.isna(v) else int(v) for v in df[c_]], dtype="Int64")
    ok = (df["status"] == "ok").to_numpy()
    for c_ in (
        "energy_electrode",
        "energy_electrolyte",
        "window_margin",
        "e_above_hull_used",
        "worst_interface_energy",
        "improvement",
        "baseline_energy",
        "e_above_hull",
        "reduction_limit",
        "oxidation_limit",
    ):
        df[c_] = df[c_].astype(float)
    if base_note:
        df["note"] = [f"{n}; baseline: {base_note}" if n else f"baseline: {base_note}" for n in df["note"].fillna("")]
    df["pareto_rank_all"] = pd.array([pd.NA] * len(df), dtype="Int64")
    df["pareto_rank"] = pd.array([pd.NA] * len(df), dtype="Int64")
    if ok.any():
        sub = df[ok]
        objectives = np.column_stack(
            [
                -sub["energy_electrode"].abs(),
                -sub["energy_electrolyte"].abs(),
                sub["window_margin"],
                -sub["e_above_hull_used"],
            ]
        )
        objectives = np.round(objectives, 6)
        df.loc[ok, "pareto_rank_all"] = pareto_ranks(objectives)
        passing = sub["passes"].astype(bool).to_numpy()
        if passing.any():
            idx = sub.index[passing]
            df.loc[idx, "pareto_rank"] = pareto_ranks(objectives[passing])
        parts = objective_scores(
            sub["energy_electrode"],
            sub["energy_electrolyte"],
            sub["window_margin"],
            sub["e_above_hull_used"],
            ranking["scales"],
        )
        for k in OBJECTIVES:
            df.loc[ok, f"s_{k}"] = np.round(parts[k], 6)
        df.loc[ok, "score"] = np.round(weighted_score(parts, ranking["weights"]), 6)
    for c_ in ("s_electrode", "s_electrolyte", "s_window", "s_e_above_hull", "score"):
        df[c_] = df[c_].astype(float)
    for c_ in (
        "passes",
        "pass_e_above_hull",
        "pass_window",
        "pass_electrode",
        "pass_electrolyte",
        "has_entry",
        "virtual",
    ):
        df[c_] = df[c_].astype("boolean")
    order = df.assign(
        _ok=~ok,
        _p=~df["passes"].fillna(False).astype(bool),
        _s=-df["score"].fillna(-1.0),
        _f=df["pareto_rank_all"].fillna(10**9).astype("int64"),
    ).sort_values(["_ok", "_p", "_s", "_f", "coating"], kind="stable")
    df = df.loc[order.index].reset_index(drop=True)
    n_ok = int(ok.sum())
    df["rank"] = pd.array(list(range(1, n_ok + 1)) + [pd.NA] * (len(df) - n_ok), dtype="Int64")
    return df


def rank_all(plan: ScreenPlan, windows: pd.DataFrame, interfaces: pd.DataFrame) -> pd.DataFrame:
    """Rank every stack of the plan (electrodes x electrolytes, in config order)."""
    cfg = plan.config
    win = {(r["role"], r["name"]): r for r in windows.to_dict("records")}
    itf = interface_lookup(interfaces)
    frames = []
    for k, stack in enumerate(plan.stacks, start=1):
        frames.append(rank_stack(plan, stack, win, itf, cfg.thresholds, cfg.ranking))
        if k % 25 == 0 or k == len(plan.stacks):
            log.info("ranked %d/%d stacks", k, len(plan.stacks))
    return pd.concat(frames, ignore_index=True)[RANK_COLUMNS]


def run_rank(
    candidates_csv,
    plan_parquet,
    windows_parquet,
    interfaces_parquet,
    provenance_json,
    config: dict,
    out_csv,
    out_parquet,
):
    """Workflow step ``rankings``: rank every stack -> ``rankings.csv`` / ``rankings.parquet``."""
    cfg = ScreenConfig.from_dict(config)
    plan = ScreenPlan.read(cfg, load_candidates(candidates_csv), plan_parquet)
    df = rank_all(plan, read_table(windows_parquet), read_table(interfaces_parquet))
    write_table(df, out_csv, out_parquet, provenance_record(provenance_json, config))
    n_pass = df[df["passes"].fillna(False).astype(bool)].groupby("stack").size()
    log.info(
        "%d stacks x %d coatings; stacks with >= 1 coating passing every filter: %d",
        df["stack"].nunique(),
        df["coating"].nunique(),
        len(n_pass),
    )


__all__ = [
    "dominates",
    "objective_scores",
    "pareto_ranks",
    "rank_all",
    "rank_stack",
    "run_rank",
    "stack_name",
    "stack_slug",
    "weighted_score",
    "window_margin",
]
