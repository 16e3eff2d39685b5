"""Rule structures: gather the relaxed structure candidates into one record for the entries rule."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.mlip.screen import run_structures
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0]):
    run_structures(list(smk.input), smk.output[0])
