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
def plot_windows(windows: str | Path | pd.DataFrame, electrodes: dict, out_png: str | Path) -> None:
    """Windows of the coatings and electrolytes as horizontal bars, electrode potentials as bands/lines.

    Args:
        windows: The windows table (or its path).
        electrodes: ``{"cathodes": [...], "anodes": [...]}`` as in the config.
        out_png: Figure to write.
    """
    plt = _plt()
    df = read_table(windows) if not isinstance(windows, pd.DataFrame) else windows
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
    fig.suptitle("Electrochemical stability windows (* hatched: virtual, no data entry)", fontsize=10)
    fig.tight_layout()
    _save(fig, Path(out_png))
    plt.close(fig)
    log.info("wrote %s", out_png)


def _nan(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _true(v) -> bool:
    return (not _nan(v)) and bool(v)


# ---------------------------------------------------------------------------------------------- profiles
def plot_profiles(rankings, interfaces, reactions, top_n: int, out_dir: str | Path, processes: int = 1) -> int:
    """One PNG per stack: reaction energy vs mixing ratio of the top ``top_n`` coatings.

    Left: coating | electrode (each coating's worst electrode interface), middle: coating | electrolyte
    (worst), right: the uncoated electrolyte | electrode baseline. The energy is the one the ranking
    used (mutual or total). ``processes`` > 1 draws the stacks in that many worker processes.
    Returns the number of figures.
    """
    stacks = read_table(rankings)[["stack", "electrode", "electrolyte"]].drop_duplicates()
    stacks = list(stacks.itertuples(index=False, name=None))
    n = max(1, min(int(processes), len(stacks)))
    with atomic_directory(out_dir) as tmp:
        jobs = [(rankings, interfaces, reactions, int(top_n), stacks[i::n], str(tmp)) for i in range(n)]
        counts = _map(_draw_profiles, jobs)
    log.info("profiles: %d figures (%d process(es))", sum(counts), n)
    return sum(counts)


def _map(func, jobs: list[tuple]) -> list:
    """``[func(*job) for job in jobs]``, in one worker process per job when there is more than one."""
    if len(jobs) <= 1:
        return [func(*job) for job in jobs]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(len(jobs), mp_context=mp.get_context("fork")) as pool:
        return list(pool.map(func, *zip(*jobs, strict=True)))


def _draw_profiles(rankings, interfaces, reactions, top_n: int, stacks: list[tuple], out_dir: str) -> int:
    plt = _plt()
    rk = read_table(rankings)
    itf = read_table(interfaces).set_index("interface")
    kinks = read_table(reactions)
    by_id = {int(k): g.sort_values("x") for k, g in kinks.groupby("interface", sort=False)}
    kind = str(rk["reaction_energy_kind"].iloc[0]) if len(rk) else "mutual"
    col = "energy_mutual" if kind == "mutual" else "energy"
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=False)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.84, wspace=0.22)
    for k, (stack, electrode, electrolyte) in enumerate(stacks, start=1):
        for ax in axes:
            ax.clear()
        in_stack = rk[rk["stack"] == stack]
        sub = in_stack[in_stack["status"] == "ok"].sort_values("rank").head(top_n)
        for j, r in enumerate(sub.itertuples(index=False)):
            color = f"C{j}"
            mark = "" if bool(r.passes) else " (fails filters)"
            _profile(axes[0], by_id, r.interface_electrode, col, color, f"#{r.rank} {r.coating}{mark}", itf)
            _profile(axes[1], by_id, r.interface_electrolyte, col, color, f"#{r.rank} {r.coating}", itf)
        base = in_stack["baseline_interface"].dropna()
        if len(base):
            _profile(axes[2], by_id, base.iloc[0], col, "k", "no coating", itf)
        axes[0].set_title(f"coating | {electrode}", fontsize=9)
        axes[1].set_title(f"coating | {electrolyte}", fontsize=9)
        axes[2].set_title(f"baseline {electrolyte} | {electrode}", fontsize=9)
        for ax in axes:
            ax.axhline(0, color="0.6", lw=0.5)
            ax.set_xlim(0, 1)
            if ax.lines[:-1]:
                ax.legend(fontsize=6, loc="lower right")
        axes[0].set_xlabel("x (atomic fraction of coating)")
        axes[1].set_xlabel("x (atomic fraction of coating)")
        axes[2].set_xlabel(f"x (atomic fraction of {electrolyte})")
        axes[0].set_ylabel(f"reaction energy ({kind}) [eV/atom]")
        fig.suptitle(f"{stack}: top {len(sub)} coatings", fontsize=10)
        fig.savefig(Path(out_dir) / f"{stack_slug(electrode, electrolyte)}.png", dpi=90, metadata=PNG_METADATA)
        if k % 25 == 0 or k == len(stacks):
            log.info("profiles: %d/%d stacks", k, len(stacks))
    plt.close(fig)
    return len(stacks)


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
def plot_heatmaps(rankings, out_dir: str | Path, processes: int = 1) -> int:
    """One heatmap per electrode: coatings (rows) x electrolytes (columns), colour = score.

    Cells of coatings passing every filter carry their rank; failing ones a dot; skipped ones are grey.
    ``processes`` > 1 draws the electrodes in that many worker processes. Returns the number of figures.
    """
    electrodes = list(dict.fromkeys(read_table(rankings)["electrode"]))
    n = max(1, min(int(processes), len(electrodes)))
    with atomic_directory(out_dir) as tmp:
        counts = _map(_draw_heatmaps, [(rankings, electrodes[i::n], str(tmp)) for i in range(n)])
    log.info("wrote %d heatmaps (%d process(es))", sum(counts), n)
    return sum(counts)


def _draw_heatmaps(rankings, electrodes: list[str], out_dir: str) -> int:
    plt = _plt()
    rk = read_table(rankings)
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
        ax.set_title(f"{electrode}: score (numbers: rank of coatings passing every filter)", fontsize=9)
        fig.colorbar(im, ax=ax, label="weighted score", shrink=0.8)
        fig.tight_layout()
        fig.savefig(Path(out_dir) / f"{slug(str(electrode))}.png", dpi=110, metadata=PNG_METADATA)
        plt.close(fig)
    return len(electrodes)


__all__ = ["plot_heatmaps", "plot_profiles", "plot_windows"]
