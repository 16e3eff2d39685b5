"""The report's figures, drawn from the result tables."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd

from screening.screen.config import slug
from screening.screen.io import atomic_directory, atomic_write, read_table
from screening.screen.ranking import stack_slug

log = logging.getLogger(__name__)

#: PNG metadata: no software version or date, so identical figures are identical files.
PNG_METADATA = {"Software": None}
V_MAX = 6.0  # V, right end of the window axis (an unbounded limit is drawn to here)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path, dpi: int = 110) -> None:
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, metadata=PNG_METADATA))


# ---------------------------------------------------------------------------------------------- windows
def plot_windows(
    windows: str | Path | pd.DataFrame,
    electrodes: dict,
    out_png: str | Path,
    rankings: str | Path | None = None,
    top_n: int | None = None,
) -> None:
    """Windows of the coatings and electrolytes as horizontal bars, electrode potentials as bands/lines.

    Args:
        windows: The windows table (or its path).
        electrodes: ``{"cathodes": [...], "anodes": [...]}`` as in the config.
        out_png: Figure to write.
        rankings: With ``top_n``: only the coatings in the top ``top_n`` of at least one stack are drawn
            (a discovery screen has thousands of candidates).
        top_n: See ``rankings``.
    """
    plt = _plt()
    df = read_table(windows) if not isinstance(windows, pd.DataFrame) else windows
    if rankings is not None and top_n is not None:
        rk = pd.read_parquet(rankings, columns=["coating", "rank"])
        best = set(rk.loc[rk["rank"].notna() & (rk["rank"] <= int(top_n)), "coating"])
        df = df[(df["role"] != "coating") | df["name"].isin(best)]
    panels = [("coating", "Candidate coatings"), ("electrolyte", "Electrolytes")]
    n = [max(int((df["role"] == r).sum()), 1) for r, _ in panels]
    fig, axes = plt.subplots(
        2, 1, figsize=(9, 0.2 * sum(n) + 2.6), sharex=True, gridspec_kw={"height_ratios": [k + 2 for k in n]}
    )
    cmap = plt.get_cmap("tab10")
    ranges: dict[tuple[float, float], list[str]] = {}
    for c in electrodes.get("cathodes") or []:
        ranges.setdefault(tuple(float(v) for v in c["voltage"]), []).append(c["name"])
    for ax, (role, title) in zip(axes, panels, strict=True):
        sub = df[df["role"] == role].sort_values("name", ascending=False)
        for i, r in enumerate(sub.itertuples(index=False)):
            if r.status != "ok":
                ax.text(0.05, i, f"skipped: {str(r.note)[:80]}", va="center", fontsize=6, color="0.4")
                continue
            lo = 0.0 if _nan(r.reduction_limit) else float(r.reduction_limit)
            hi = V_MAX if _nan(r.oxidation_limit) else float(r.oxidation_limit)
            virtual = _true(r.virtual)
            ax.barh(
                i,
                max(hi - lo, 0.02),
                left=lo,
                height=0.6,
                color="0.75" if virtual else "tab:blue",
                hatch="//" if virtual else None,
                edgecolor="0.3",
                linewidth=0.4,
            )
            if _nan(r.oxidation_limit):
                ax.annotate("", xy=(V_MAX, i), xytext=(V_MAX - 0.25, i), arrowprops={"arrowstyle": "->", "lw": 0.8})
        labels = [f"{nm}{' *' if _true(v) else ''}" for nm, v in zip(sub["name"], sub["virtual"], strict=True)]
        ax.set_yticks(range(len(sub)), labels, fontsize=7)
        top = max(len(sub), 1) + 0.6
        for k, ((lo_c, hi_c), names) in enumerate(ranges.items()):
            ax.axvspan(lo_c, hi_c, color=cmap(k % 10), alpha=0.08, lw=0)
            ax.text(
                hi_c, top - 0.2, ", ".join(names), rotation=90, fontsize=6, va="top", ha="right", color=cmap(k % 10)
            )
        for a in electrodes.get("anodes") or []:
            ax.axvline(float(a["potential"]), color="k", lw=0.7, ls="--")
            ax.text(float(a["potential"]) + 0.03, top - 0.2, a["name"], fontsize=6, rotation=90, va="top")
        ax.set_ylim(-0.8, top)
        ax.set_title(title, fontsize=9)
    axes[-1].set_xlim(0, V_MAX)
    axes[-1].set_xlabel("potential (V vs Li/Li+); bands: cathode ranges, dashed: anodes")
    shown = "" if rankings is None or top_n is None else f"; coatings in the top {int(top_n)} of a stack"
    fig.suptitle(f"Electrochemical stability windows (* hatched: virtual, no data entry{shown})", fontsize=10)
    fig.tight_layout()
    _save(fig, Path(out_png))
    plt.close(fig)
    log.info("wrote %s", out_png)


def _nan(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _true(v) -> bool:
    return (not _nan(v)) and bool(v)


# ---------------------------------------------------------------------------------------------- profiles
#: Ranking columns the figures read (the full table may hold millions of rows and many more columns).
PROFILE_COLUMNS = [
    "stack_id",
    "stack",
    "electrode",
    "electrolyte",
    "coating",
    "status",
    "stage",
    "rank",
    "passes",
    "reaction_energy_kind",
    "criteria",
    "interface_electrode_open",
    "interface_electrode_closed",
    "interface_charged_closed",
    "interface_electrolyte_open",
    "interface_electrolyte_closed",
    "baseline_interface_electrode_open",
    "baseline_interface_electrode_closed",
    "baseline_interface_charged_closed",
    "stack_note",
]
#: Criteria whose reaction gates are open to Li (the profiles drawn first are the open ones).
OPEN_CRITERIA = ("custom",)


def top_rows(rankings, top_n: int, columns: list[str] | None = None) -> pd.DataFrame:
    """The best ``top_n`` ranked candidates of every stack (and one row per stack with none ranked).

    Reads only ``columns`` of the rankings table (Parquet), so a discovery-scale table is not loaded whole.
    """
    cols = columns or PROFILE_COLUMNS
    rk = pd.read_parquet(rankings, columns=cols) if not isinstance(rankings, pd.DataFrame) else rankings[cols]
    ranked = rk[rk["rank"].notna()].sort_values(["stack_id", "rank", "coating"], kind="stable")
    top = ranked.groupby("stack_id", sort=False).head(int(top_n))
    missing = rk[~rk["stack_id"].isin(top["stack_id"])].drop_duplicates("stack_id")
    return pd.concat([top, missing]).sort_values(["stack_id"], kind="stable").reset_index(drop=True)


def _ids(df: pd.DataFrame, cols: list[str]) -> list[int]:
    return sorted({int(v) for c in cols for v in df[c].dropna()})


def plot_profiles(rankings, interfaces, reactions, top_n: int, out_dir: str | Path, processes: int = 1) -> int:
    """One PNG per stack: reaction energy vs mixing ratio of the top ``top_n`` coatings.

    Left: coating | electrode (each coating's worst electrode interface open to Li, else closed), middle:
    coating | electrolyte (worst), right: the uncoated electrolyte | electrode baseline. The energy is the one
    the ranking used (mutual or total). Only the drawn rows of the tables are read (Parquet filters on the
    interface ids). A stack without a ranked candidate gets a figure that says why (its ``stack_note``).
    ``processes`` > 1 draws the stacks in that many worker processes. Returns the number of figures.
    """
    top = top_rows(rankings, top_n)
    ids = _ids(top, [c for c in PROFILE_COLUMNS if c.startswith(("interface_", "baseline_interface"))])
    only = [("interface", "in", ids)] if ids else None
    itf = pd.read_parquet(interfaces, columns=["interface", "voltage"], filters=only)
    kinks = pd.read_parquet(
        reactions,
        columns=["interface", "x", "energy", "energy_mutual"],
        filters=only,
    )
    stacks = list(top["stack_id"].drop_duplicates())
    n = max(1, min(int(processes), len(stacks)))
    with atomic_directory(out_dir) as tmp:
        jobs = [(top, itf, kinks, stacks[i::n], str(tmp)) for i in range(n)]
        counts = _map(_draw_profiles, jobs)
    log.info("profiles: %d figures (%d process(es)), %d interfaces drawn", sum(counts), n, len(ids))
    return sum(counts)


def _map(func, jobs: list[tuple]) -> list:
    """``[func(*job) for job in jobs]``, in one worker process per job when there is more than one."""
    if len(jobs) <= 1:
        return [func(*job) for job in jobs]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(len(jobs), mp_context=mp.get_context("fork")) as pool:
        return list(pool.map(func, *zip(*jobs, strict=True)))


def _first(*values):
    for v in values:
        if not _nan(v):
            return v
    return None


def _draw_profiles(top: pd.DataFrame, itf: pd.DataFrame, kinks: pd.DataFrame, stacks: list, out_dir: str) -> int:
    plt = _plt()
    itf = itf.set_index("interface")
    by_id = {int(k): g.sort_values("x") for k, g in kinks.groupby("interface", sort=False)}
    kind = str(top["reaction_energy_kind"].iloc[0]) if len(top) else "mutual"
    col = "energy_mutual" if kind == "mutual" else "energy"
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=False)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.84, wspace=0.22)
    for ax in axes:
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_xlim(0, 1)
    axes[0].set_ylabel(f"reaction energy ({kind})\n[eV/atom closed; eV/non-Li atom open]", fontsize=8)
    for k, sid in enumerate(stacks, start=1):
        # the figure is reused: the previous stack's curves, legends and notes go, the axes (and their tick
        # objects) stay; with the fixed title height this draws a discovery screen's 294 stacks 1.25x faster
        for ax in axes:
            for artist in [*ax.lines[1:], *ax.texts]:
                artist.remove()
            if ax.get_legend() is not None:
                ax.get_legend().remove()
        in_stack = top[top["stack_id"] == sid]
        head = in_stack.iloc[0]
        stack, electrode, electrolyte = head["stack"], head["electrode"], head["electrolyte"]
        sub = in_stack[in_stack["rank"].notna()]
        for j, r in enumerate(sub.itertuples(index=False)):
            color = f"C{j}"
            mark = "" if bool(r.passes) else f" ({r.stage})"
            if str(r.criteria) in OPEN_CRITERIA:
                el = _first(r.interface_electrode_open, r.interface_electrode_closed)
                ly = _first(r.interface_electrolyte_open, r.interface_electrolyte_closed)
            else:  # the published presets judge closed energies (Xiao 2019, Nolan 2021, Kim 2026)
                el = _first(r.interface_electrode_closed, r.interface_electrode_open)
                ly = _first(r.interface_electrolyte_closed, r.interface_electrolyte_open)
            _profile(axes[0], by_id, el, col, color, f"#{r.rank} {r.coating}{mark}", itf)
            _profile(axes[1], by_id, ly, col, color, f"#{r.rank} {r.coating}", itf)
        if str(head["criteria"]) in OPEN_CRITERIA:
            base = _first(head["baseline_interface_electrode_open"], head["baseline_interface_electrode_closed"])
        else:
            base = _first(head["baseline_interface_electrode_closed"], head["baseline_interface_electrode_open"])
        _profile(axes[2], by_id, base, col, "k", "no coating", itf)
        if sub.empty:
            why = str(head["stack_note"] or "no candidate reaches the reaction energies")
            axes[0].text(0.5, 0.5, why, ha="center", va="center", fontsize=8, wrap=True, transform=axes[0].transAxes)
        # titles at a fixed height: matplotlib does not then lay them out against the tick labels per draw
        axes[0].set_title(f"coating | {electrode}", fontsize=9, y=1.01)
        axes[1].set_title(f"coating | {electrolyte}", fontsize=9, y=1.01)
        axes[2].set_title(f"baseline {electrolyte} | {electrode}", fontsize=9, y=1.01)
        for ax in axes:
            _fit_energy_axis(ax)
            if ax.lines[1:]:
                ax.legend(fontsize=6, loc="lower right")
        axes[0].set_xlabel("x (atomic fraction of coating)")
        axes[1].set_xlabel("x (atomic fraction of coating)")
        axes[2].set_xlabel(f"x (atomic fraction of {electrolyte})")
        fig.suptitle(f"{stack}: top {len(sub)} coatings", fontsize=10)
        fig.savefig(Path(out_dir) / f"{stack_slug(electrode, electrolyte)}.png", dpi=90, metadata=PNG_METADATA)
        if k % 25 == 0 or k == len(stacks):
            log.info("profiles: %d/%d stacks", k, len(stacks))
    plt.close(fig)
    return len(stacks)


def _fit_energy_axis(ax) -> None:
    """y limits spanning 0 and every profile drawn (``ax.lines[0]`` is the zero line), with a 5% margin."""
    ys = np.concatenate([np.zeros(1), *(np.asarray(line.get_ydata(), dtype=float) for line in ax.lines[1:])])
    ys = ys[np.isfinite(ys)]
    lo, hi = float(ys.min()), float(ys.max())
    pad = 0.05 * (hi - lo) if hi - lo > 1e-6 else 0.05
    ax.set_ylim(lo - pad, hi + pad)


def _profile(ax, by_id: dict, ident, col: str, color: str, label: str, itf: pd.DataFrame) -> None:
    if _nan(ident):
        return
    ident = int(ident)
    g = by_id.get(ident)
    if g is None:
        return
    v = itf.at[ident, "voltage"] if ident in itf.index else np.nan
    where = "closed" if _nan(v) else f"{float(v):.2f} V"
    ax.plot(g["x"], g[col], "-o", ms=2.5, lw=1.1, color=color, label=f"{label} [{where}]")


# ---------------------------------------------------------------------------------------------- heatmaps
HEATMAP_COLUMNS = ["stack_id", "stack", "electrode", "electrolyte", "coating", "rank", "score", "passes"]


def plot_heatmaps(rankings, out_dir: str | Path, processes: int = 1, top_n: int = 3) -> int:
    """One heatmap per electrode: coatings (rows) x electrolytes (columns), colour = score.

    Rows: the coatings in the top ``top_n`` of at least one of the electrode's stacks (so the figure stays
    readable, and within matplotlib's size limit, at any number of candidates). Cells of coatings passing
    every filter carry their rank; failing ones a dot; unranked ones are grey. ``processes`` > 1 draws the
    electrodes in that many worker processes. Returns the number of figures.
    """
    rk = pd.read_parquet(rankings, columns=HEATMAP_COLUMNS) if not isinstance(rankings, pd.DataFrame) else rankings
    best = rk[rk["rank"].notna() & (rk["rank"] <= int(top_n))]
    keep = set(zip(best["electrode"], best["coating"], strict=True))
    rk = rk[[(e, c) in keep for e, c in zip(rk["electrode"], rk["coating"], strict=True)]]
    electrodes = list(dict.fromkeys(rk["electrode"]))
    n = max(1, min(int(processes), len(electrodes)))
    with atomic_directory(out_dir) as tmp:
        counts = _map(_draw_heatmaps, [(rk, electrodes[i::n], str(tmp)) for i in range(n)])
    log.info("wrote %d heatmaps (%d process(es))", sum(counts), n)
    return sum(counts)


def _draw_heatmaps(rk: pd.DataFrame, electrodes: list[str], out_dir: str) -> int:
    plt = _plt()
    for electrode in electrodes:
        g = rk[rk["electrode"] == electrode]
        cols = list(dict.fromkeys(g["electrolyte"]))
        mat = g.pivot(index="coating", columns="electrolyte", values="score")[cols]
        mat = mat.loc[mat.mean(axis=1).fillna(-1).sort_values(ascending=False, kind="stable").index]
        passes = g.pivot(index="coating", columns="electrolyte", values="passes").reindex_like(mat)
        rank = g.pivot(index="coating", columns="electrolyte", values="rank").reindex_like(mat)
        h = max(3.0, 0.24 * len(mat) + 1.8)
        w = max(5.0, 0.42 * len(cols) + 3.0)
        fig, ax = plt.subplots(figsize=(w, h))
        cmap = plt.get_cmap("viridis").copy()
        cmap.set_bad("0.85")
        im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap=cmap, vmin=0, vmax=1)
        for i in range(mat.shape[0]):
            for j in range(mat.shape[1]):
                p, r = passes.iat[i, j], rank.iat[i, j]
                if _true(p):
                    ax.text(j, i, str(int(r)), ha="center", va="center", fontsize=6, color="w", weight="bold")
                elif not _nan(mat.iat[i, j]):
                    ax.text(j, i, "·", ha="center", va="center", fontsize=7, color="w")
        ax.set_xticks(range(len(cols)), cols, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(mat)), mat.index, fontsize=7)
        ax.set_title(f"{electrode}: score of the top coatings (numbers: rank, passing every filter)", fontsize=9)
        fig.colorbar(im, ax=ax, label="weighted score", shrink=0.8)
        fig.tight_layout()
        fig.savefig(Path(out_dir) / f"{slug(str(electrode))}.png", dpi=110, metadata=PNG_METADATA)
        plt.close(fig)
    return len(electrodes)


__all__ = ["plot_heatmaps", "plot_profiles", "plot_windows"]
