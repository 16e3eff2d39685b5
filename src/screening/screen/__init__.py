"""The screening workflow's logic: config, materials, interfaces, ranking, provenance, atomic writing.

Each workflow step (a rule in ``workflow/rules``) is one ``run_*`` function here; the scripts in
``workflow/scripts`` only pass Snakemake's inputs, outputs and params to it.

* :mod:`.config` - normalised config, schema error messages, data-source paths;
* :mod:`.materials` - entries for the screen, candidate coatings, stability windows;
* :mod:`.interfaces` - the reactions of every stack and the baseline;
* :mod:`.ranking` - filters, Pareto front, weighted score;
* :mod:`.provenance` - source, config and software versions carried by every result;
* :mod:`.io` - atomic, deterministic CSV/Parquet/JSON writing.
"""

from __future__ import annotations

from screening.screen.config import ConfigError, Material, ScreenConfig
from screening.screen.ranking import pareto_ranks, weighted_score

__all__ = ["ConfigError", "Material", "ScreenConfig", "pareto_ranks", "weighted_score"]
