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
    shown = ""
    if rankings is not None and top_n is not None:
        rk = pd.read_parquet(rankings, columns=["coating", "rank"])
        best = set(rk.loc[rk["rank"].notna() & (rk["rank"] <= int(top_n)), "coating"])
        df = df[(df["role"] != "coating") | df["name"].isin(best)]
        shown = f"; coatings in the top {int(top_n)} of a stack"
    fig = windows_figure(df, electrodes, shown)
    _save(fig, Path(out_png))
    plt.close(fig)
    log.info("wrote %s", out_png)


def windows_figure(df: pd.DataFrame, electrodes: dict, shown: str = ""):
    """The figure of :func:`plot_windows` (not saved): two panels of bars, the electrodes in a legend below."""
    plt = _plt()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    panels = [("coating", "Candidate coatings"), ("electrolyte", "Electrolytes")]
    n = [max(int((df["role"] == r).sum()), 1) for r, _ in panels]
    fig, axes = plt.subplots(
        2,
        1,
        figsize=(9, 0.2 * sum(n) + 3.4),
        sharex=True,
        layout="constrained",
        gridspec_kw={"height_ratios": [k + 1 for k in n]},
    )
    cmap = plt.get_cmap("tab10")
    ranges: dict[tuple[float, float], list[str]] = {}
    for c in electrodes.get("cathodes") or []:
        ranges.setdefault(tuple(float(v) for v in c["voltage"]), []).append(c["name"])
    anodes = [(float(a["potential"]), a["name"]) for a in electrodes.get("anodes") or []]
    any_virtual = False
    for ax, (role, title) in zip(axes, panels, strict=True):
        sub = df[df["role"] == role].sort_values("name", ascending=False)
        for i, r in enumerate(sub.itertuples(index=False)):
            if r.status != "ok":
                ax.text(0.05, i, f"skipped: {str(r.note)[:80]}", va="center", fontsize=7, color="0.4")
                continue
            lo = 0.0 if _nan(r.reduction_limit) else float(r.reduction_limit)
            hi = V_MAX if _nan(r.oxidation_limit) else float(r.oxidation_limit)
            virtual = _true(r.virtual)
            any_virtual |= virtual
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
        ax.set_yticks(range(len(sub)), labels, fontsize=8)
        for k, (lo_c, hi_c) in enumerate(ranges):
            ax.axvspan(lo_c, hi_c, color=cmap(k % 10), alpha=0.12, lw=0)
        for potential, _ in anodes:
            ax.axvline(potential, color="k", lw=1.0, ls="--")
        ax.set_ylim(-0.8, max(len(sub), 1) - 0.2)
        ax.set_title(title, fontsize=9)
    axes[-1].set_xlim(-0.25, V_MAX)
    axes[-1].set_xlabel("potential (V vs Li/Li+)", fontsize=9)
    handles = [
        Patch(color=cmap(k % 10), alpha=0.25, label=f"cathode {', '.join(names)}: {lo_c:g}-{hi_c:g} V")
        for k, ((lo_c, hi_c), names) in enumerate(ranges.items())
    ]
    handles += [Line2D([], [], color="k", lw=1.0, ls="--", label=f"anode {name}: {p:g} V") for p, name in anodes]
    handles.append(Patch(facecolor="tab:blue", edgecolor="0.3", label="stability window"))
    if any_virtual:
        handles.append(Patch(facecolor="0.75", hatch="//", edgecolor="0.3", label="* virtual (no data entry)"))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 3), fontsize=8, frameon=False)
    fig.suptitle(f"Electrochemical stability windows{shown}", fontsize=10)
    return fig


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


def _draw_profiles(top: pd.DataFrame, itf: pd.DataFrame, kinks: pd.DataFrame, stacks: list, out_dir: str) -> int:
    plt = _plt()
    itf = itf.set_index("interface")
    by_id = {int(k): g.sort_values("x") for k, g in kinks.groupby("interface", sort=False)}
    fig = None
    for k, sid in enumerate(stacks, start=1):
        in_stack = top[top["stack_id"] == sid]
        fig = profile_figure(in_stack, by_id, itf, fig)
        head = in_stack.iloc[0]
        fig.savefig(
            Path(out_dir) / f"{stack_slug(head['electrode'], head['electrolyte'])}.png", dpi=90, metadata=PNG_METADATA
        )
        if k % 25 == 0 or k == len(stacks):
            log.info("profiles: %d/%d stacks", k, len(stacks))
    if fig is not None:
        plt.close(fig)
    return len(stacks)


#: The two kinds of interface and the unit of their energies (never drawn on one axes).
KIND_UNITS = {"closed": "closed, eV/atom", "open": "open to Li, eV per non-Li atom"}


def _panel_kind(rows: pd.DataFrame, column: str, preferred: str) -> str:
    """The kind of the panel ``column`` (``interface_electrode``, ...): ``preferred`` if any row has it."""
    other = "closed" if preferred == "open" else "open"
    pref = f"{column}_{preferred}"
    if pref in rows and rows[pref].notna().any():
        return preferred
    return other if f"{column}_{other}" in rows and rows[f"{column}_{other}"].notna().any() else preferred


def profile_figure(in_stack: pd.DataFrame, by_id: dict, itf: pd.DataFrame, fig=None):
    """The profile figure of one stack (its rows of :func:`top_rows`), drawn on ``fig`` when given (reused).

    Three panels (coating | electrode, coating | electrolyte, baseline electrolyte | electrode), each of one
    kind of interface only: closed (eV/atom) under the published presets, open to Li (eV per non-Li atom)
    under ``custom``, the other kind for a panel only when no row has the judged one (Li metal has no open
    interface). Legends sit below the axes. ``itf`` is the interfaces table indexed by ``interface``.
    """
    plt = _plt()
    kind = str(in_stack["reaction_energy_kind"].iloc[0]) if len(in_stack) else "mutual"
    col = "energy_mutual" if kind == "mutual" else "energy"
    if fig is None:
        fig, axes = plt.subplots(1, 3, figsize=(13, 4.4), sharey=False)
        fig.subplots_adjust(left=0.075, right=0.99, bottom=0.3, top=0.86, wspace=0.36)
        for ax in fig.axes:
            ax.axhline(0, color="0.6", lw=0.5)
            ax.set_xlim(0, 1)
    axes = fig.axes
    # the figure is reused: the previous stack's curves, legends and notes go, the axes (and their tick
    # objects) stay; with the fixed title height this draws a discovery screen's 294 stacks 1.25x faster
    for ax in axes:
        for artist in [*ax.lines[1:], *ax.texts]:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    head = in_stack.iloc[0]
    stack, electrode, electrolyte = head["stack"], head["electrode"], head["electrolyte"]
    sub = in_stack[in_stack["rank"].notna()]
    preferred = "open" if str(head["criteria"]) in OPEN_CRITERIA else "closed"
    kinds = [
        _panel_kind(sub, "interface_electrode", preferred),
        _panel_kind(sub, "interface_electrolyte", preferred),
        _panel_kind(in_stack.head(1), "baseline_interface_electrode", preferred),
    ]
    for j, r in enumerate(sub.itertuples(index=False)):
        color = f"C{j}"
        mark = "" if bool(r.passes) else f" ({r.stage})"
        el = getattr(r, f"interface_electrode_{kinds[0]}")
        ly = getattr(r, f"interface_electrolyte_{kinds[1]}")
        _profile(axes[0], by_id, el, col, color, f"#{r.rank} {r.coating}{mark}", itf, kinds[0])
        _profile(axes[1], by_id, ly, col, color, f"#{r.rank} {r.coating}", itf, kinds[1])
    base = head[f"baseline_interface_electrode_{kinds[2]}"]
    _profile(axes[2], by_id, base, col, "k", "no coating", itf, kinds[2])
    if sub.empty:
        why = str(head["stack_note"] or "no candidate reaches the reaction energies")
        axes[0].text(0.5, 0.5, why[:60], ha="center", va="center", fontsize=8, transform=axes[0].transAxes)
    # titles at a fixed height: matplotlib does not then lay them out against the tick labels per draw
    axes[0].set_title(f"coating | {electrode}", fontsize=9, y=1.01)
    axes[1].set_title(f"coating | {electrolyte}", fontsize=9, y=1.01)
    axes[2].set_title(f"baseline {electrolyte} | {electrode}", fontsize=9, y=1.01)
    for ax, kd in zip(axes, kinds, strict=True):
        ax.set_ylabel(f"{kind} reaction energy\n({KIND_UNITS[kd]})", fontsize=8)
        _fit_energy_axis(ax)
        if ax.lines[1:]:
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
        else:
            ax.text(0.5, 0.5, f"no {kd} interface", ha="center", va="center", fontsize=8, transform=ax.transAxes)
    axes[0].set_xlabel("x (atomic fraction of coating)", fontsize=8)
    axes[1].set_xlabel("x (atomic fraction of coating)", fontsize=8)
    axes[2].set_xlabel(f"x (atomic fraction of {electrolyte})", fontsize=8)
    fig.suptitle(f"{stack}: top {len(sub)} coatings", fontsize=10)
    return fig


def _fit_energy_axis(ax) -> None:
    """y limits spanning 0 and every profile drawn (``ax.lines[0]`` is the zero line), with a 5% margin."""
    ys = np.concatenate([np.zeros(1), *(np.asarray(line.get_ydata(), dtype=float) for line in ax.lines[1:])])
    ys = ys[np.isfinite(ys)]
    lo, hi = float(ys.min()), float(ys.max())
    pad = 0.05 * (hi - lo) if hi - lo > 1e-6 else 0.05
    ax.set_ylim(lo - pad, hi + pad)


def _profile(ax, by_id: dict, ident, col: str, color: str, label: str, itf: pd.DataFrame, kind: str) -> None:
    """Draw interface ``ident`` (of ``kind``, closed or open, which the line's gid records) on ``ax``."""
    if _nan(ident):
        return
    ident = int(ident)
    g = by_id.get(ident)
    if g is None:
        return
    v = itf.at[ident, "voltage"] if ident in itf.index else np.nan
    where = "closed" if _nan(v) else f"open, {float(v):.2f} V"
    if ("closed" if _nan(v) else "open") != kind:
        log.warning("interface %d is %s: not drawn on a panel of %s interfaces", ident, where, kind)
        return
    ax.plot(g["x"], g[col], "-o", ms=2.5, lw=1.1, color=color, label=f"{label} [{where}]", gid=kind)


# ---------------------------------------------------------------------------------------------- heatmaps
HEATMAP_COLUMNS = ["stack_id", "stack", "electrode", "electrolyte", "coating", "stage", "rank", "score", "passes"]
#: The mark of a heatmap cell per stage (screening.screen.funnel.STAGES; "{rank}" is the cell's rank) and
#: what the legend says of it.
HEATMAP_MARKS = {
    "passed": ("{rank}", "rank: passes every gate"),
    "marginal": ("{rank}~", "rank~: marginal on a gate, fails none"),
    "fails": ("{rank}×", "rank×: fails a gate"),
    "screened": ("s", "s: screened out by a cheap stage"),
    "excluded": ("e", "e: excluded (config or data)"),
    "skipped": ("–", "–: skipped (no data for it)"),
}


def plot_heatmaps(rankings, out_dir: str | Path, processes: int = 1, top_n: int = 3) -> int:
    """One heatmap per electrode: coatings (rows) x electrolytes (columns), colour = score.

    Rows: the coatings in the top ``top_n`` of at least one of the electrode's stacks (so the figure stays
    readable, and within matplotlib's size limit, at any number of candidates). Every cell carries the mark
    of its stage (:data:`HEATMAP_MARKS`: the rank, with ``~`` when marginal and ``×`` when failing a gate;
    a letter for the stages without a rank), explained in a legend; cells without a score are grey.
    ``processes`` > 1 draws the electrodes in that many worker processes. Returns the number of figures.
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
        fig = heatmap_figure(rk[rk["electrode"] == electrode], str(electrode))
        fig.savefig(Path(out_dir) / f"{slug(str(electrode))}.png", dpi=110, metadata=PNG_METADATA)
        plt.close(fig)
    return len(electrodes)


def heatmap_mark(stage, rank) -> str:
    """The text of a heatmap cell (:data:`HEATMAP_MARKS`); empty for a cell without a row."""
    if _nan(stage) or str(stage) not in HEATMAP_MARKS:
        return ""
    text = HEATMAP_MARKS[str(stage)][0]
    return text.format(rank="" if _nan(rank) else int(rank))


def heatmap_figure(g: pd.DataFrame, electrode: str):
    """The heatmap of one electrode (its rows of the rankings), not saved; a legend explains the marks."""
    plt = _plt()
    from matplotlib.lines import Line2D

    cols = list(dict.fromkeys(g["electrolyte"]))
    mat = g.pivot(index="coating", columns="electrolyte", values="score")[cols]
    mat = mat.loc[mat.mean(axis=1).fillna(-1).sort_values(ascending=False, kind="stable").index]
    stage = g.pivot(index="coating", columns="electrolyte", values="stage").reindex_like(mat)
    rank = g.pivot(index="coating", columns="electrolyte", values="rank").reindex_like(mat)
    h = max(3.6, 0.24 * len(mat) + 2.8)
    w = max(6.0, 0.42 * len(cols) + 3.5)
    fig, ax = plt.subplots(figsize=(w, h), layout="constrained")
    cmap = plt.get_cmap("viridis").with_extremes(bad="0.85")
    im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap=cmap, vmin=0, vmax=1)
    used: list[str] = []
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            st = stage.iat[i, j]
            text = heatmap_mark(st, rank.iat[i, j])
            if not text:
                continue
            if str(st) not in used:
                used.append(str(st))
            color = "k" if _nan(mat.iat[i, j]) or float(mat.iat[i, j]) > 0.7 else "w"
            weight = "bold" if st == "passed" else "normal"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color=color, weight=weight)
    ax.set_xticks(range(len(cols)), cols, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(mat)), mat.index, fontsize=7)
    n_pass = int((g["stage"] == "passed").sum())
    none = "" if n_pass else "; none passes every gate"
    ax.set_title(f"{electrode}: score of the top coatings{none}", fontsize=9)
    fig.colorbar(im, ax=ax, label="weighted score (grey: none)", shrink=0.8)
    order = [s for s in HEATMAP_MARKS if s in used]
    handles = [Line2D([], [], ls="none", marker="s", color="none", label=HEATMAP_MARKS[s][1]) for s in order]
    if handles:
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=min(len(handles), 2),
            fontsize=7,
            frameon=False,
            handlelength=0,
            handletextpad=0,
            title="cell marks",
            title_fontsize=7,
        )
    return fig


__all__ = ["heatmap_figure", "plot_heatmaps", "plot_profiles", "plot_windows", "profile_figure", "windows_figure"]
