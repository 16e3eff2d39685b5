"""The funnel: cheap gates per stack before any reaction energy is computed.

Xiao, Miara, Wang & Ceder (Joule 3, 1252 (2019)) screened coatings as a funnel: band gap and phase
stability first, then the electrochemical window, then reaction energies only for what is left. Here the
funnel saves work only on *database* candidates (``origin`` ``query``): every coating a user names
(``explicit``, ``user``, ``structure``) gets every interface, whatever its cheap gates say, so its
verdict is answered in full. Per stack (electrode, electrolyte) and candidate:

1. ``skipped``: the candidate's window could not be computed;
2. ``excluded``: the coating has the composition of the stack's electrolyte or electrode (or charged
   cathode): it is not a coating of that stack;
3. ``screened``: a query candidate that fails a cheap gate of the criteria (band gap, e_above_hull,
   Li content, window; :mod:`screening.criteria`); a marginal one goes on.

Every other pair goes on to the reaction energies; :mod:`screening.screen.ranking` applies every gate,
orders and ranks (stages ``fails``, ``marginal``, ``passed``).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from screening.composition import formula_key, parse_formula
from screening.criteria import Criteria
from screening.criteria.evaluate import applies_to, cheap_values, gate_tiers
from screening.plan import Material, ScreenConfig, ScreenPlan, Stack, coating_materials, stacks_of
from screening.plan.build import charged_material
from screening.screen.candidates import load_candidates
from screening.screen.io import read_table, write_table

log = logging.getLogger(__name__)

#: Tolerance of the filter comparisons (the tables are rounded to 1e-6).
TOL = 1e-9
#: Stages, in order: the funnel's (``skipped``, ``excluded``, ``screened``), then the ranking's verdict
#: of a ranked candidate by its worst tier (``fails``, ``marginal``, ``passed``).
STAGES = ("skipped", "excluded", "screened", "fails", "marginal", "passed")
#: Origins of candidates the funnel may stop (database candidates); every other coating is answered in full.
SCREENABLE_ORIGINS = ("query",)
#: Columns of the funnel table (one row per stack and candidate).
FUNNEL_COLUMNS = ["stack", "candidate", "cheap_stage", "survives", "excluded_as", "screened_by"]


def composition_key(formula: str) -> tuple:
    """Composition normalised to one atom (``Li2O2`` and ``LiO`` give the same key)."""
    return formula_key(parse_formula(formula))


def window_margins(
    reduction: np.ndarray, oxidation: np.ndarray, low: np.ndarray, high: np.ndarray, cap: float
) -> np.ndarray:
    """How far each window reaches beyond [low, high] on its tighter side [V], capped at ``cap``.

    A missing limit (NaN: cannot be reduced / has no Li to give up) is unbounded (vectorised
    :func:`screening.screen.scoring.window_margin`).
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


def coating_window_columns(windows: pd.DataFrame, coatings: tuple[Material, ...]) -> dict[str, np.ndarray]:
    """The coatings' rows of the windows table as arrays aligned with ``coatings`` (by name)."""
    win = windows[windows["role"] == "coating"].set_index("name").reindex([c.name for c in coatings])
    cols = ["status", "has_entry", "virtual", "e_above_hull", "reduction_limit", "oxidation_limit"]
    cols += [c for c in ("band_gap", "conducting") if c in win.columns]
    return {c: win[c].to_numpy(dtype=object if c in ("status", "conducting", "has_entry", "virtual") else float)
            for c in cols}


def cheap_stages(
    stacks: tuple[Stack, ...],
    coatings: tuple[Material, ...],
    windows: pd.DataFrame,
    criteria: Criteria,
    funnel: bool = True,
) -> pd.DataFrame:
    """The funnel's stages for every (stack, candidate), vectorised over candidates.

    Args:
        stacks: The plan's stacks.
        coatings: The candidate coatings (their position is the ``candidate`` id).
        windows: The windows table (rows with role ``coating``, by name).
        criteria: The gates; their cheap ones stop query candidates that fail them.
        funnel: False (``funnel: false``): no candidate is stopped; every one is computed and ranked.

    Returns:
        :data:`FUNNEL_COLUMNS`, rows by stack then candidate. ``cheap_stage`` is ``skipped``,
        ``excluded``, ``screened`` or ``""`` (goes on: ``survives``); ``screened_by`` names the failed
        cheap gates.
    """
    w = coating_window_columns(windows, coatings)
    status_ok = w["status"] == "ok"
    li_free = np.array(["Li" not in parse_formula(c.formula) for c in coatings], dtype=bool)
    screenable = np.array([funnel and c.origin in SCREENABLE_ORIGINS for c in coatings], dtype=bool)
    keys = [composition_key(c.formula) for c in coatings]
    formulas = [c.formula for c in coatings]
    n = len(coatings)
    frames = []
    for s in stacks:
        lo, hi = s.electrode.voltage
        values = cheap_values(w, formulas, np.full(n, lo), np.full(n, hi), li_free)
        role = np.full(n, "anode" if s.electrode.role == "anode" else "cathode", dtype=object)
        applies = applies_to(criteria, role)
        failed = [[] for _ in range(n)]
        for g in criteria.gates:
            if not g.cheap:
                continue
            tier, _ = gate_tiers(g, values[g.quantity], applies[g.name])
            for k in np.flatnonzero(tier == "fail"):
                failed[k].append(g.name)
        screened_by = np.array([", ".join(f) for f in failed], dtype=object)
        same = _stack_keys(s)
        excluded_as = np.array([same.get(k, "") for k in keys], dtype=object)
        stage = np.full(n, "", dtype=object)
        for mask, name in (
            (screenable & (screened_by != ""), "screened"),
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
                    "screened_by": np.where(status_ok, screened_by, ""),
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
    """How many candidates left each stack at each funnel stage, and how many go on."""
    rows = []
    by = stages.groupby("stack")["cheap_stage"].value_counts().unstack(fill_value=0)
    for s in stacks:
        counts = by.loc[s.id] if s.id in by.index else pd.Series(dtype=int)
        row = {"stack": s.name, "candidates": int(counts.sum())}
        for st in STAGES[:3]:
            row[f"left_at_{st}"] = int(counts.get(st, 0))
        row["survivors"] = int(counts.get("", 0))
        rows.append(row)
    return pd.DataFrame(rows)


def run_plan(candidates_csv, windows_parquet, config: dict, out_plan, out_funnel) -> ScreenPlan:
    """Workflow step ``plan`` (checkpoint): the funnel's cheap stages, then every interface to compute.

    With ``funnel: true`` (default) only the survivors of a stack get that stack's interfaces (every named
    coating survives); with ``funnel: false`` every candidate gets every interface. A stack left without
    survivors is a warning.
    """
    cfg = ScreenConfig.from_dict(config)
    candidates = load_candidates(candidates_csv)
    coatings = coating_materials(candidates)
    stacks = stacks_of(cfg)
    stages = cheap_stages(stacks, coatings, read_table(windows_parquet), cfg.criteria, cfg.funnel)
    for row in funnel_counts(stages, stacks).itertuples(index=False):
        if row.survivors == 0:
            left = {st: getattr(row, f"left_at_{st}") for st in STAGES[:3] if getattr(row, f"left_at_{st}")}
            log.warning("stack %s: no candidate passes the cheap gates (left at %s)", row.stack, left)
    plan = ScreenPlan.build(cfg, candidates, keep=survivors(stages))
    write_table(plan.frame(), parquet_path=out_plan, decimals=None)
    write_table(stages, parquet_path=out_funnel)
    log.info(
        "plan (%s, criteria %s): %d stacks x %d candidates, %d pairs go on to the reaction energies; %d interfaces "
        "(%d baseline) in %d chunk(s)",
        "funnel" if cfg.funnel else "exhaustive",
        cfg.criteria.name,
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
    "SCREENABLE_ORIGINS",
    "STAGES",
    "cheap_stages",
    "coating_window_columns",
    "composition_key",
    "funnel_counts",
    "run_plan",
    "survivors",
    "window_margins",
]
