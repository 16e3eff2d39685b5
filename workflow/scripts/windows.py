"""Rule windows: stability window of every material -> windows.csv / .parquet."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.logs import logged
from screening.screen.windows import run_windows

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    run_windows(
        smk.input.entries,
        smk.input.provenance,
        smk.input.candidates,
        smk.params.screen,
        smk.output.csv,
        smk.output.parquet,
    )
