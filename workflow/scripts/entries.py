"""Rule entries: the configured source for every element the screen needs -> entries.csv."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.entries import run_entries
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0]):
    run_entries(
        smk.params.screen,
        smk.params.source,
        smk.output.table,
        smk.output.provenance,
        source_label=smk.params.label,
        out_binary=smk.output.binary,
        structures=smk.input.structures[0] if smk.input.structures else None,
    )
