"""The screening workflow's logic: config, materials, interfaces, ranking, provenance, atomic writing.

Each workflow step (a rule in ``workflow/rules``) is one ``run_*`` function here; the scripts in
``workflow/scripts`` only pass Snakemake's inputs, outputs and params to it.

* :mod:`.config` - normalised config, schema error messages, data-source paths;
* :mod:`.entries` - the entries of the screen (the only step that reads the source);
* :mod:`.candidates` - candidate coatings (explicit, user-defined, queried);
* :mod:`.windows` - stability windows of every material;
* :mod:`.interfaces` - the plan step (:class:`screening.plan.ScreenPlan`), computing planned interfaces;
* :mod:`.ranking` - filters, Pareto front, weighted score;
* :mod:`.provenance` - source, config and software versions carried by every result;
* :mod:`.io` - atomic, deterministic CSV/Parquet/JSON writing.
"""

from __future__ import annotations

from screening.screen.config import ConfigError, Material, ScreenConfig
from screening.screen.ranking import pareto_ranks, weighted_score

__all__ = ["ConfigError", "Material", "ScreenConfig", "pareto_ranks", "weighted_score"]
