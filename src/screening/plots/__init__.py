"""Figures of the screen's report (matplotlib, Agg backend, PNG without timestamps).

* :func:`plot_windows` - stability windows of coatings and electrolytes as bars against the electrode
  potentials;
* :func:`plot_profiles` - reaction energy vs mixing ratio for the top candidates of every stack;
* :func:`plot_heatmaps` - ranking heatmap (coatings x electrolytes) per electrode.

Each reads the result tables (Parquet) and writes atomically. Figures for papers (one function per
figure, vector PDF/SVG, from the engine's typed results) are in :mod:`screening.plots.paper`.
"""

from __future__ import annotations

from screening.plots.figures import plot_heatmaps, plot_profiles, plot_windows

__all__ = ["plot_heatmaps", "plot_profiles", "plot_windows"]
