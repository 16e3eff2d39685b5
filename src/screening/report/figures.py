"""Interactive (plotly) figures of one reaction profile or one stability window: now
:mod:`screening.thermo.figures`, next to the result types they draw (the engine never imports the report).

Kept so ``from screening.report.figures import profile_figure, window_figure`` still works.
"""

from __future__ import annotations

from screening.thermo.figures import V_MAX, profile_figure, window_figure

__all__ = ["V_MAX", "profile_figure", "window_figure"]
