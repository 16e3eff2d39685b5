"""Rule interfaces: chunks + baseline -> interfaces.csv/.parquet and reactions.csv/.parquet."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.interfaces import run_collect
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    run_collect(
        [*smk.input.summaries, smk.input.baseline_summary],
        [*smk.input.kinks, smk.input.baseline_kinks],
        smk.input.plan,
        smk.input.provenance,
        smk.params.screen,
        smk.output.get("csv"),
        smk.output.parquet,
        smk.output.get("reactions_csv"),
        smk.output.reactions_parquet,
    )
