"""Rule entries: the configured source for every element the screen needs -> entries.csv."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.logs import logged
from screening.screen.materials import build_entries

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0]):
    build_entries(
        smk.params.screen,
        smk.params.source,
        smk.output.table,
        smk.output.provenance,
        source_label=smk.params.label,
    )
