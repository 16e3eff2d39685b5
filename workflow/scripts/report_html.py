"""Rule report_html: the interactive report (one self-contained HTML file) of the results folder."""

import sys
from pathlib import Path

# the package from this repository when it is not installed (e.g. in a --sdm conda environment)
sys.path.append(str(Path(snakemake.scriptdir).resolve().parents[1] / "src"))  # noqa: F821

from screening.report import write_report
from screening.screen.logs import logged

smk = snakemake  # noqa: F821 - injected by Snakemake

with logged(smk.log[0], inputs=smk.input):  # inputs checked first (screening.screen.verify)
    write_report(Path(smk.input.provenance).parent, smk.output[0], top_n=smk.params.top_n, max_rows=smk.params.max_rows)
