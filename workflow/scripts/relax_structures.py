"""Rule relax_structures: relax one chunk of structure files with the machine-learned potential."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.mlip.screen import run_relax_chunk
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0]):
    run_relax_chunk(list(smk.params.files), smk.params.screen, smk.output[0])
