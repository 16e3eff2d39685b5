"""The funnel: cheap filters per stack before any reaction energy is computed.

Xiao, Miara, Wang & Ceder (Joule 3, 1252 (2019)) screened coatings as a funnel: phase stability first,
then the electrochemical window at the electrode's potential, then reaction energies only for what is
left. Per stack (electrode, electrolyte) and candidate coating, in this order:

1. ``excluded``: the coating has the composition of the stack's electrolyte or electrode (or charged
   cathode): it is not a coating of that stack;
2. ``e_above_hull``: above ``thresholds.e_above_hull`` [eV/atom] (or virtual while
   ``thresholds.allow_virtual`` is false);
3. ``li_conduction``: Li-free while ``thresholds.li_conduction`` is true (Xiao 2019 kept Li-containing
   compounds only; a Li-free coating conducts no Li);
4. ``window``: the coating's stability window does not reach ``thresholds.window_margin`` [V] beyond
   the electrode's potentials.

A candidate whose window could not be computed leaves at ``skipped``. The survivors of a stack go on to
the reaction energies (:mod:`screening.screen.ranking` applies the last filters, ``reaction``, and ranks).
Every number that decided a stage is a column of :func:`cheap_stages`' table.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from screening.composition import formula_key, parse_formula
from screening.plan import Material, ScreenConfig, ScreenPlan, Stack, coating_materials, stacks_of
from screening.plan.build import charged_material
from screening.plan.config import Thresholds
from screening.screen.candidates import load_candidates
from screening.screen.io import read_table, write_table

log = logging.getLogger(__name__)

#: Tolerance of the filter comparisons (the tables are rounded to 1e-6).
TOL = 1e-9
#: Stages of the funnel, in order; ``reaction`` and ``passed`` are decided by the ranking.
#: ``interphase``: left at the electronic filters (coating band gap, mixed-conducting interphase; docs/interphase.md).
STAGES = ("skipped", "excluded", "e_above_hull", "li_conduction", "window", "reaction", "interphase", "passed")
#: Columns of the funnel table (one row per stack and candidate).
FUNNEL_COLUMNS = [
    "stack",
    "candidate",
    "cheap_stage",
    "survives",
    "excluded_as",
    "e_above_hull_used",
    "pass_e_above_hull",
    "li_free",
    "pass_li_conduction",
    "window_margin",
    "pass_window",
]


def composition_key(formula: str) -> tuple:
    """Composition normalised to one atom (``Li2O2`` and ``LiO`` give the same key)."""
    return formula_key(parse_formula(formula))


def window_margins(
    reduction: np.ndarray, oxidation: np.ndarray, low: np.ndarray, high: np.ndarray, cap: float
) -> np.ndarray:
    """How far each window reaches beyond [low, high] on its tighter side [V], capped at ``cap``.

    A missing limit (NaN: cannot be reduced / has no Li to give up) is unbounded (vectorised
    :func:`screening.screen.ranking.window_margin`).
    """
    red = np.where(np.isnan(reduction), np.inf, low - reduction)
    ox = np.where(np.isnan(oxidation), np.inf, oxidation - high)
    return np.minimum(np.minimum(red, ox), cap)


def _stack_keys(stack: Stack) -> dict[tuple, str]:
    e, el = stack.electrode, stack.electrolyte
    out = {composition_key(el.formula): f"electrolyte {el.name}", composition_key(e.formula): f"{e.role} {e.name}"}
    if e.charged:
        out.setdefault(composition_key(charged_material(e).formula), f"charged cathode {e.name} ({e.charged})")
    return out


def cheap_stages(
    stacks: tuple[Stack, ...],
    coatings: tuple[Material, ...],
    windows: pd.DataFrame,
    thresholds: Thresholds,
    window_margin_cap: float,
) -> pd.DataFrame:
    """The cheap stages of the funnel for every (stack, candidate), vectorised over candidates.

    Args:
        stacks: The plan's stacks.
        coatings: The candidate coatings (their position is the ``candidate`` id).
        windows: The windows table (rows with role ``coating``, by name).
        thresholds: The filters.
        window_margin_cap: Margin [V] an unbounded window side counts as.

    Returns:
        :data:`FUNNEL_COLUMNS`, rows by stack then candidate. ``cheap_stage`` is the first stage the
        candidate fails in that stack, or ``""`` if it survives (``survives``).
    """
    win = windows[windows["role"] == "coating"].set_index("name")
    names = [c.name for c in coatings]
    w = win.reindex(names)
    status_ok = (w["status"] == "ok").to_numpy()
    has_entry = w["has_entry"].fillna(False).astype(bool).to_numpy()
    virtual = w["virtual"].fillna(False).astype(bool).to_numpy()
    e_hull = np.where(has_entry, w["e_above_hull"].astype(float).to_numpy(), 0.0)
    red = w["reduction_limit"].astype(float).to_numpy()
    ox = w["oxidation_limit"].astype(float).to_numpy()
    pass_h = (e_hull <= thresholds.e_above_hull + TOL) & (thresholds.allow_virtual | ~virtual)
    li_free = np.array(["Li" not in parse_formula(c.formula) for c in coatings], dtype=bool)
    pass_li = ~li_free | (not thresholds.li_conduction)
    keys = [composition_key(c.formula) for c in coatings]
    n = len(coatings)
    frames = []
    for s in stacks:
        lo, hi = s.electrode.voltage
        margin = window_margins(red, ox, np.full(n, lo), np.full(n, hi), window_margin_cap)
        pass_w = margin >= thresholds.window_margin - TOL
        same = _stack_keys(s)
        excluded_as = np.array([same.get(k, "") for k in keys], dtype=object)
        stage = np.full(n, "", dtype=object)
        for mask, name in (
            (~pass_w, "window"),
            (~pass_li, "li_conduction"),
            (~pass_h, "e_above_hull"),
            (excluded_as != "", "excluded"),
            (~status_ok, "skipped"),
        ):  # last assignment wins: the earliest stage
            stage[mask] = name
        frames.append(
            pd.DataFrame(
                {
                    "stack": np.full(n, s.id, dtype=np.int64),
                    "candidate": np.arange(n, dtype=np.int64),
                    "cheap_stage": stage,
                    "survives": stage == "",
                    "excluded_as": excluded_as,
                    "e_above_hull_used": np.where(status_ok, e_hull, np.nan),
                    "pass_e_above_hull": pass_h & status_ok,
                    "li_free": li_free,
                    "pass_li_conduction": pass_li,
                    "window_margin": np.where(status_ok, margin, np.nan),
                    "pass_window": pass_w & status_ok,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FUNNEL_COLUMNS)
    return df[FUNNEL_COLUMNS]


def survivors(stages: pd.DataFrame) -> set[tuple[int, int]]:
    """(stack id, candidate) pairs that pass every cheap stage."""
    sub = stages[stages["survives"].to_numpy(dtype=bool)]
    return set(zip(sub["stack"].tolist(), sub["candidate"].tolist(), strict=True))


def funnel_counts(stages: pd.DataFrame, stacks: tuple[Stack, ...]) -> pd.DataFrame:
    """How many candidates left each stack at each cheap stage, and how many survived."""
    rows = []
    by = stages.groupby("stack")["cheap_stage"].value_counts().unstack(fill_value=0)
    for s in stacks:
        counts = by.loc[s.id] if s.id in by.index else pd.Series(dtype=int)
        row = {"stack": s.name, "candidates": int(counts.sum())}
        for st in STAGES[:5]:
            row[f"left_at_{st}"] = int(counts.get(st, 0))
        row["survivors"] = int(counts.get("", 0))
        rows.append(row)
    return pd.DataFrame(rows)


def run_plan(candidates_csv, windows_parquet, config: dict, out_plan, out_funnel) -> ScreenPlan:
    """Workflow step ``plan`` (checkpoint): the funnel's cheap stages, then every interface to compute.

    With ``funnel: true`` (default) only the survivors of a stack get that stack's interfaces; with
    ``funnel: false`` every candidate gets every interface. A stack left without survivors is a warning.
    """
    cfg = ScreenConfig.from_dict(config)
    candidates = load_candidates(candidates_csv)
    coatings = coating_materials(candidates)
    stacks = stacks_of(cfg)
    stages = cheap_stages(stacks, coatings, read_table(windows_parquet), cfg.thresholds, cfg.ranking.window_margin_cap)
    for row in funnel_counts(stages, stacks).itertuples(index=False):
        if row.survivors == 0:
            left = {st: getattr(row, f"left_at_{st}") for st in STAGES[:5] if getattr(row, f"left_at_{st}")}
            log.warning("stack %s: no candidate passes the cheap filters (left at %s)", row.stack, left)
    plan = ScreenPlan.build(cfg, candidates, keep=survivors(stages) if cfg.funnel else None)
    write_table(plan.frame(), parquet_path=out_plan, decimals=None)
    write_table(stages, parquet_path=out_funnel)
    log.info(
        "plan (%s): %d stacks x %d candidates, %d pairs survive the cheap filters; %d interfaces (%d baseline) "
        "in %d chunk(s)",
        "funnel" if cfg.funnel else "exhaustive",
        len(stacks),
        len(coatings),
        int(stages["survives"].sum()),
        len(plan.interfaces),
        len(plan.baseline),
        plan.n_chunks,
    )
    return plan


__all__ = [
    "FUNNEL_COLUMNS",
    "STAGES",
    "cheap_stages",
    "composition_key",
    "funnel_counts",
    "run_plan",
    "survivors",
    "window_margins",
]
