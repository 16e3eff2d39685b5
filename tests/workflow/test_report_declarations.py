"""What ``snakemake --report`` embeds: the outputs flagged with ``report(...)`` in the workflow's rules.

The report embeds every flagged file (base64), so flagging the large outputs made the review's report
110 MB: every profile PNG (one per stack), the 29 MB interactive report and the rankings/interfaces tables.
Only the summary figures and the small tables are flagged now.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = sorted((ROOT / "workflow" / "rules").glob("*.smk")) + [ROOT / "Snakefile"]

#: The files the Snakemake report may embed (their size does not grow with the number of candidates,
#: except the windows table: one row per material).
ALLOWED = {
    'f"{FIGURES}/windows.png"',
    'directory(f"{FIGURES}/heatmaps")',
    'f"{TABLES}/windows.csv"',
    'f"{TABLES}/funnel.csv"',
}


def _flagged() -> dict[str, str]:
    """``{first argument of report(...): file}`` over every rule file (the argument as written)."""
    out = {}
    for path in RULES:
        text = path.read_text()
        for m in re.finditer(r"\breport\(\s*", text):
            rest = text[m.end() :]
            if rest.startswith((")", ".")):  # report() or report(...) in a comment
                continue
            if rest.startswith("path"):  # a helper wrapping report() around a variable is not allowed either
                out[f"<variable in {path.name}>"] = path.name
                continue
            arg = re.match(r'(directory\(f?"[^"]*"\)|f?"[^"]*")', rest)
            out[arg.group(1) if arg else rest[:40]] = path.name
    return out


def test_only_summary_figures_and_small_tables_are_flagged_for_the_report() -> None:
    flagged = _flagged()
    assert set(flagged) == ALLOWED, flagged


def test_large_outputs_are_not_flagged() -> None:
    flagged = " ".join(_flagged())
    for large in ("profiles", "index.html", "rankings", "interfaces", "reactions", ".parquet"):
        assert large not in flagged, large


def test_every_flagged_output_has_a_caption_file() -> None:
    for path in RULES:
        for caption in re.findall(r'caption="([^"]+)"', path.read_text()):
            assert (path.parent / caption).resolve().is_file(), (path.name, caption)
