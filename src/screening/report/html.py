"""The interactive report: one self-contained HTML file (plotly.js embedded once, data as JSON).

It opens from disk with no server and no network. Per stack it shows the ranking as a sortable,
filterable table (every column of ``rankings``, fail reasons in words); selecting a coating draws its
reaction profiles with each neighbour (Richards et al., Chem. Mater. 28, 266 (2016), eq. 2 and 4: energy vs
the coating's atomic fraction x, minimum marked, balanced reaction and products on hover) next to the
uncoated baseline, and the stability windows (Zhu, He & Mo, ACS AMI 7, 23685 (2015)) of the stack's best
coatings against the electrode's potentials; then the provenance of the data.
"""

from __future__ import annotations

import json
import logging
import re
from importlib.resources import files
from pathlib import Path

from screening.errors import InputError
from screening.report.payload import build_payload
from screening.report.results import ScreenResults, load_results
from screening.screen.io import atomic_write_text

log = logging.getLogger(__name__)

#: Coatings per stack whose profiles the report embeds.
DEFAULT_TOP_N = 20
#: Ranking rows the tables embed in all; above it only ranked rows (a row costs about 250 bytes).
DEFAULT_MAX_ROWS = 100_000


def _asset(name: str) -> str:
    return files("screening.report").joinpath("assets", name).read_text(encoding="utf-8")


def _plotly_js() -> tuple[str, str]:
    import plotly
    from plotly.offline import get_plotlyjs

    return get_plotlyjs(), plotly.__version__


#: Characters that JSON written into a ``<script type="application/json">`` must not hold raw: ``<``, ``>``
#: and ``&`` could open ``</script>`` or ``<!--`` (which changes how the HTML parser ends the element),
#: U+2028/U+2029 are line ends to older JavaScript. Each is written as its ``\uXXXX`` escape, which is
#: valid JSON and parses back to the same string (they can only occur inside JSON strings).
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")


def _json_for_script(obj) -> str:
    """JSON that can sit inside a ``<script type="application/json">`` element and parses back to ``obj``.

    Deterministic; no ``<``, ``>``, ``&``, U+2028 or U+2029 appears raw (see :data:`_SCRIPT_ESCAPES`), so no
    string, however hostile (``</script>``, ``<!--``), ends the element or breaks ``JSON.parse``.
    """
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return _SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group(0)], text)


def render_report(
    results: ScreenResults,
    top_n: int = DEFAULT_TOP_N,
    title: str | None = None,
    max_rows: int | None = DEFAULT_MAX_ROWS,
) -> str:
    """The report page as one HTML string.

    Args:
        results: The results to show.
        top_n: Coatings per stack (best ranks) whose profiles are embedded.
        title: Page title (default: the data source).
        max_rows: Ranking rows the tables embed in all (None: every row); see
            :func:`screening.report.payload.build_payload`.
    """
    if max_rows is not None and int(max_rows) < 1:
        raise InputError(f"max_rows = {max_rows}: give at least 1 (or None for every ranking row)")
    if int(top_n) < 1:
        raise InputError(f"top_n = {top_n}: give at least 1 coating per stack whose profiles the report embeds")
    payload = build_payload(results, int(top_n), None if max_rows is None else int(max_rows))
    plotly_js, plotly_version = _plotly_js()
    src = payload["provenance"].get("source") or {}
    label = src.get("label") or src.get("file") or src.get("source") or "screen"
    page = _asset("template.html")
    replacements = {
        "{{TITLE}}": _escape(title or f"Coating screen: {label}"),
        "{{CSS}}": _asset("report.css"),
        "{{PLOTLY_VERSION}}": _escape(plotly_version),
        "{{PLOTLY_JS}}": plotly_js.replace("</script", "<\\/script"),
        "{{DATA}}": _json_for_script(payload),
        "{{APP_JS}}": _asset("report.js"),
    }
    # one pass over the template: inserted text (plotly.js, data) is never scanned for placeholders
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: replacements["{{" + m.group(1) + "}}"], page)


def _escape(s: str) -> str:
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


#: Written into every report's <head> (assets/template.html): marks a file this function may overwrite.
GENERATOR_MARK = b'<meta name="generator" content="screening report">'
#: Reports written before the mark existed are recognised by their data block.
_DATA_MARK = b'<script type="application/json" id="report-data">'
#: File name written when the output given is a folder.
REPORT_FILE_NAME = "report.html"


def _is_report(path: Path) -> bool:
    """Whether ``path`` is a report this package wrote (which may be overwritten)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
            if GENERATOR_MARK in head:
                return True
            if not head.lstrip().lower().startswith(b"<!doctype html"):
                return False
            return _DATA_MARK in head + fh.read()
    except OSError:
        return False


def report_path(out_html: str | Path, results_root: str | Path | None = None, force: bool = False) -> Path:
    """The file a report given as ``out_html`` is written to, after the checks that protect other files.

    A folder gets ``report.html`` inside it. Nothing is written into the results' ``tables/`` folder, and
    an existing file that is not a report of this package is overwritten only with ``force``.

    Raises:
        InputError: the path is inside the results' tables/, or an existing file that is not a report
            (without ``force``); one line naming the path and the fix.
    """
    out = Path(out_html).expanduser()
    if out.is_dir():
        out = out / REPORT_FILE_NAME
    if results_root is not None:
        tables = (Path(results_root) / "tables").resolve()
        if out.resolve() == tables or tables in out.resolve().parents:
            raise InputError(
                f"report output {str(out)!r} is inside the results' tables folder {str(tables)!r}, which holds the "
                "result tables; give a path outside it (default: <results>/report/index.html)"
            )
    if out.exists() and not out.is_file():
        raise InputError(f"report output {str(out)!r} exists and is not a file; give another path")
    for parent in out.parents:  # the nearest existing ancestor must be a folder (mkdir would raise)
        if parent.exists():
            if not parent.is_dir():
                raise InputError(
                    f"report output {str(out)!r}: {str(parent)!r} is a file, not a folder; give another path"
                )
            break
    if out.is_file() and not force and not _is_report(out):
        raise InputError(
            f"report output {str(out)!r} exists and is not a report written by screening; give another path, "
            "or --force (force=True) to overwrite it"
        )
    return out


def write_report(
    results: str | Path | ScreenResults,
    out_html: str | Path,
    top_n: int = DEFAULT_TOP_N,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    force: bool = False,
) -> Path:
    """Write the interactive report of a results folder (atomically).

    Args:
        results: The workflow's ``results/`` folder, or loaded :class:`ScreenResults`.
        out_html: The file to write (the workflow writes ``results/report/index.html``); a folder gets
            ``report.html`` inside it.
        top_n: Coatings per stack whose profiles are embedded.
        max_rows: Ranking rows the tables embed in all (None: every row).
        force: Overwrite an existing file that is not a previous report (never one in the results' tables/).

    Returns:
        The path written.

    Raises:
        ResultsError: missing results folder, one of another results format, an incomplete run.
        InputError: an output path that would overwrite a result table or another file (see :func:`report_path`).
    """
    res = results if isinstance(results, ScreenResults) else load_results(results)
    out = report_path(out_html, res.root, force)
    page = render_report(res, top_n=top_n, max_rows=max_rows)
    try:
        atomic_write_text(out, page)
    except OSError as exc:  # e.g. a read-only folder: one line, nothing written
        raise InputError(f"cannot write report output {str(out)!r}: {exc.strerror or exc}; give another path") from None
    log.info("wrote %s (%.1f MB, %d stacks)", out, out.stat().st_size / 1e6, len(res.stacks))
    return out


__all__ = ["DEFAULT_MAX_ROWS", "DEFAULT_TOP_N", "render_report", "report_path", "write_report"]
