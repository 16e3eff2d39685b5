"""Rule plot_profiles: reaction energy vs mixing ratio for the top candidates of every stack."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.plots import plot_profiles
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    plot_profiles(
        smk.input.rankings,
        smk.input.interfaces,
        smk.input.reactions,
        smk.params.top_n,
        smk.output[0],
        processes=smk.threads,
    )
