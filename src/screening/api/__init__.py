"""The Python API for notebooks and scripts.

Run a small screen without Snakemake and get DataFrames; read a workflow's results folder; compute
single interfaces and windows with the engine and plot them; exchange data with pymatgen::

    from screening import api

    eng = api.Engine(api.load_source("path/to/snapshot.csv.gz"))
    prof = eng.react("LiCoO2", "Li3PS4", voltage=4.3)
    prof.min_energy, prof.plot()                  # eV per non-Li atom; a plotly figure
    api.to_reaction(prof)                         # pymatgen BalancedReaction at the minimum
    res = api.run_screen("config/config.yaml")    # or a dict; res.rankings is a DataFrame
    res.stack("TiS2 | LiI"); api.write_report(res, "report.html")
    res.verdicts()                                # stack -> verdict line under the screen's criteria
    api.judge_coating(eng, "LiNbO3", "LiCoO2", "Li3PS4", voltage=(3.0, 4.3), charged="Li0.5CoO2")
    api.rerank("results", "nolan2021", {"reaction_electrolyte": {"pass": 0.03}})  # no recomputation

Conventions (units, references, sign) are in docs/science.md.
"""

from __future__ import annotations

from screening.api.interop import (
    engine_from_entries,
    engine_from_phase_diagram,
    reactions,
    table_from_entries,
    to_composition,
    to_reaction,
)
from screening.api.screen import read_config, run_screen, validate_config
from screening.criteria import resolve_criteria
from screening.criteria.judge import judge_coating
from screening.entries import load_source
from screening.report import ScreenResults, load_results, write_report
from screening.report.figures import profile_figure, window_figure
from screening.screen.rerank import rerank
from screening.thermo import Engine

__all__ = [
    "Engine",
    "judge_coating",
    "rerank",
    "resolve_criteria",
    "ScreenResults",
    "engine_from_entries",
    "engine_from_phase_diagram",
    "load_results",
    "load_source",
    "profile_figure",
    "reactions",
    "read_config",
    "run_screen",
    "table_from_entries",
    "to_composition",
    "to_reaction",
    "validate_config",
    "window_figure",
    "write_report",
]
