"""Rule plot_windows: windows as bars against the electrode potentials."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.plots import plot_windows
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    plot_windows(smk.input.windows, smk.params.config, smk.output[0], smk.input.rankings, smk.params.top_n)
