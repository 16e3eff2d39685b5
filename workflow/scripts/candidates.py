"""Rule candidates: explicit, user-defined and queried coatings, numbered."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.candidates import run_candidates
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    run_candidates(smk.input.entries, smk.input.provenance, smk.params.screen, smk.output.table)
