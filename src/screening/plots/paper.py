"""Static figures for papers: one function per figure (matplotlib), saved as vector graphics.

Each ``*_figure`` function takes the engine's typed results and returns a matplotlib ``Figure``;
:func:`save_vector` writes it as PDF or SVG without dates, so the same figure gives the same bytes.
The quantities and units are those of the engine (SCIENCE.md; Richards et al., Chem. Mater. 28, 266
(2016) for reaction profiles; Zhu, He & Mo, ACS AMI 7, 23685 (2015) for windows).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from screening.errors import InputError
from screening.screen.io import atomic_write
from screening.thermo.engine import ReactionProfile, StabilityWindow

#: Right end of the potential axis [V] (an unbounded oxidation limit is drawn to here).
V_MAX = 6.0
#: Vector formats :func:`save_vector` writes.
FORMATS = ("pdf", "svg")


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def profiles_figure(profiles: Sequence[ReactionProfile], mutual: bool = False, labels: Sequence[str] | None = None):
    """Reaction energy vs x of one or more interfaces in one panel, each minimum marked with a star.

    Args:
        profiles: Profiles from :meth:`~screening.thermo.Engine.react`, all closed or all open to Li (one unit).
        mutual: Draw the mutual instead of the total energy (open to Li).
        labels: Legend entries (default ``A | B (V)``).

    Returns:
        A matplotlib ``Figure`` (x: atomic fraction of each profile's first reactant; y: energy with units).
    """
    if not profiles:
        raise InputError("profiles_figure needs at least one reaction profile")
    units = {p.units for p in profiles}
    if len(units) > 1:
        raise InputError("profiles closed (eV/atom) and open to Li (eV per non-Li atom) cannot share one axis; "
                         "plot them in separate figures")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.5, 3.4))
    for i, p in enumerate(profiles):
        y = [k.energy_mutual if mutual else k.energy for k in p.kinks]
        x = [k.x for k in p.kinks]
        where = "closed" if p.voltage is None else f"{p.voltage:g} V"
        label = labels[i] if labels else f"{p.a} | {p.b} ({where})"
        (line,) = ax.plot(x, y, "-o", ms=3, lw=1.2, label=label)
        j = min(range(len(y)), key=lambda n: (y[n], x[n]))
        ax.plot([x[j]], [y[j]], "*", ms=11, color=line.get_color(), mec="k", mew=0.5)
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("x, atomic fraction of the first reactant")
    kind = ("mutual " if mutual else "total ") if profiles[0].open_to_li else ""
    ax.set_ylabel(f"{kind}reaction energy [{units.pop()}]")
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def windows_figure(windows: Sequence[StabilityWindow], potentials: tuple[float, float] | None = None):
    """Stability windows as horizontal bars, optionally with an electrode's potential range as a band.

    Args:
        windows: Windows from :meth:`~screening.thermo.Engine.window` (drawn top to bottom in this order).
        potentials: (low, high) electrode potentials [V vs Li/Li+] to shade.

    Returns:
        A matplotlib ``Figure``; virtual compositions (no data entry) are hatched.
    """
    if not windows:
        raise InputError("windows_figure needs at least one stability window")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.5, 0.32 * len(windows) + 1.2))
    for i, w in enumerate(reversed(windows)):
        lo = 0.0 if w.reduction_limit is None else w.reduction_limit
        hi = V_MAX if w.oxidation_limit is None else w.oxidation_limit
        ax.barh(i, max(hi - lo, 0.02), left=lo, height=0.6, color="0.8" if w.virtual else "tab:blue",
                hatch="//" if w.virtual else None, edgecolor="0.3", linewidth=0.4)
    ax.set_yticks(range(len(windows)), [w.formula for w in reversed(windows)], fontsize=8)
    if potentials is not None:
        ax.axvspan(min(potentials), max(potentials) + 1e-3, color="tab:orange", alpha=0.25, lw=0)
    ax.set_xlim(0, V_MAX)
    ax.set_xlabel("potential [V vs Li/Li+]")
    fig.tight_layout()
    return fig


def save_vector(fig, path: str | os.PathLike) -> Path:
    """Write a figure as PDF or SVG (by the file's suffix), atomically and without a date in it."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"save_vector writes {' or '.join(FORMATS)}, not {path.suffix or 'no suffix'!r}; "
                         "name the file .pdf or .svg")
    import matplotlib

    metadata = {"CreationDate": None} if fmt == "pdf" else {"Date": None}
    with matplotlib.rc_context({"svg.hashsalt": "screening", "pdf.compression": 6}):
        atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt, metadata=metadata))
    return path


__all__ = ["profiles_figure", "save_vector", "windows_figure"]
