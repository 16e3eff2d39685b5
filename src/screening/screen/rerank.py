"""Re-rank a finished screen under other criteria, in seconds, without recomputing any interface.

``screening rank RESULTS --criteria nolan2021 --set reaction_electrolyte.pass=0.03`` reads the screen's
config (``provenance.json``), candidates, plan, windows and interfaces, applies the new criteria
(:mod:`screening.criteria`) and writes ``tables/rankings_<name>.{csv,parquet}`` beside the original, with its
own provenance (the resolved gates included). A database candidate that the original funnel stopped but the
new criteria would let through has no interfaces: it stays unranked, with the note "interface not computed"
(rerun the screen with the new criteria to compute it).
"""

from __future__ import annotations

import copy
import json
import logging
import re
from pathlib import Path

import pandas as pd

from screening.errors import ResultsError
from screening.plan import ScreenPlan
from screening.plan.config import ScreenConfig
from screening.screen.candidates import load_candidates
from screening.screen.funnel import cheap_stages
from screening.screen.io import read_table, write_table
from screening.screen.provenance import provenance_record
from screening.screen.ranking import RANK_RULE, rank_all

log = logging.getLogger(__name__)


def _need(path: Path, what: str) -> Path:
    if not path.is_file():
        raise ResultsError(
            f"{path} is missing ({what}); give the folder of a finished screen (it holds provenance.json)"
        )
    return path


def rerank(
    results: str | Path, preset: str | None = None, overrides: dict | None = None, name: str | None = None
) -> tuple[pd.DataFrame, Path]:
    """Rank a finished screen again under a criteria preset with gate overrides.

    Args:
        results: The screen's results folder (``results/``).
        preset: A criteria preset (None: the screen's own).
        overrides: Gate name -> {key: value}, on top of the screen's own overrides when the preset is the same.
        name: Output stem: ``tables/rankings_<name>``. Default: the preset's name, plus ``_custom-gates``
            when overridden.

    Returns:
        (the new rankings table, the Parquet path written).

    Raises:
        ResultsError: not a finished screen's folder. ConfigError: a bad preset or gate.
    """
    root = Path(results)
    prov = json.loads(_need(root / "provenance.json", "the screen's provenance").read_text())
    config = copy.deepcopy(prov["config"])
    old = config.get("criteria") or "xiao2019"
    old_preset, old_gates = (old, {}) if isinstance(old, str) else (old.get("preset", "xiao2019"), old.get("gates", {}))
    new_preset = preset or old_preset
    gates = dict(old_gates) if new_preset == old_preset else {}
    for g, change in (overrides or {}).items():
        gates[g] = {**gates.get(g, {}), **change}
    config["criteria"] = {"preset": new_preset, "gates": gates}
    cfg = ScreenConfig.from_dict(config)  # checks the preset and the gates (one line each)
    candidates = load_candidates(_need(root / "candidates.csv", "the candidates table"))
    plan = ScreenPlan.read(cfg, candidates, _need(root / "work" / "plan" / "interfaces.parquet", "the plan"))
    windows = read_table(_need(root / "tables" / "windows.parquet", "the windows table"))
    interfaces = read_table(_need(root / "tables" / "interfaces.parquet", "the interfaces table"))
    stages = cheap_stages(plan.stacks, plan.coatings, windows, cfg.criteria, cfg.funnel)
    df = rank_all(plan, stages, windows, interfaces)
    lost = (df["stage"] == "skipped") & df["note"].str.contains("interface not computed", regex=False)
    df.loc[lost, "note"] = df.loc[lost, "note"] + (
        f" (the screen's funnel under {old_preset} stopped it; rerun the screen with these criteria to compute it)"
    )
    stem = name or (new_preset + ("_custom-gates" if gates else ""))
    if not re.fullmatch(r"[A-Za-z0-9_.+-]+", stem) or stem in ("", "rankings"):
        raise ResultsError(f"output name {stem!r}: use letters, digits, '_', '-', '.', '+' (not 'rankings')")
    out = root / "tables" / f"rankings_{stem}.parquet"
    entries_prov = _need(root / "entries" / "provenance.json", "the entries provenance")
    record = {
        **provenance_record(entries_prov, config),
        "rank_rule": RANK_RULE,
        "criteria": cfg.criteria.as_dict(),
        "reranked_from": str(root / "tables" / "rankings.parquet"),
    }
    write_table(df, out.with_suffix(".csv"), out, record)
    log.info("re-ranked %s under %s: %s", root, new_preset, out)
    return df, out


__all__ = ["rerank"]
