"""Rule fetch_mp: every chemical system the screen needs, from Materials Project into the local cache."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.screen.entries import run_fetch_mp
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0]):
    run_fetch_mp(smk.params.screen, smk.output.manifest)
