"""Rule provenance: source, config, software versions and the sha256 of every result table."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.logs import logged
from screening.screen.provenance import write_manifest

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    write_manifest(smk.input.provenance, smk.params.config, [smk.input.candidates, *smk.input.tables], smk.output[0])
