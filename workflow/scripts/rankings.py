"""Rule rankings: filters, Pareto front and weighted score per stack -> rankings.csv/.parquet."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.logs import logged
from screening.screen.ranking import run_rank

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    run_rank(
        smk.input.candidates,
        smk.input.plan,
        smk.input.funnel,
        smk.input.windows,
        smk.input.interfaces,
        smk.input.provenance,
        smk.params.screen,
        smk.output.get("csv"),
        smk.output.parquet,
        smk.output.funnel_csv,
        smk.output.funnel_parquet,
    )
