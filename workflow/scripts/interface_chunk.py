"""Rule interface_chunk: every planned interface of one chunk of candidate coatings."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.interfaces import run_chunk
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    run_chunk(
        smk.input.entries,
        smk.input.provenance,
        smk.input.candidates,
        smk.input.plan,
        smk.params.screen,
        int(smk.wildcards.chunk),
        smk.output.summary,
        smk.output.kinks,
    )
