"""The interactive report of a screen and the reading of its results folder.

* :mod:`.results` - :class:`ScreenResults`: the workflow's tables and provenance, checked, and how they
  join (a stack's ranking, a coating's neighbours, the baseline, the kinks of an interface);
* :mod:`.payload` - the compact data the report embeds (full ranking rows; profiles of the top N);
* :mod:`.html` - :func:`write_report`: one self-contained HTML file (plotly.js embedded, no network);
* :mod:`.figures` - plotly figures of one reaction profile or stability window (for notebooks).
"""

from __future__ import annotations

from screening.report.html import DEFAULT_MAX_ROWS, DEFAULT_TOP_N, render_report, write_report
from screening.report.results import ScreenResults, load_results

__all__ = ["DEFAULT_MAX_ROWS", "DEFAULT_TOP_N", "ScreenResults", "load_results", "render_report", "write_report"]
