"""Checkpoint plan: the funnel's cheap filters, then every interface to compute with its id and chunk."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.funnel import run_plan
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    run_plan(smk.input.candidates, smk.input.windows, smk.params.screen, smk.output.plan, smk.output.funnel)
