"""Atomic, deterministic writing of the screen's result files.

Every file is written to a temporary file in the destination's folder and moved into place with
:func:`os.replace`, so an interrupted job never leaves a file that looks complete: Snakemake sees the
output missing and reruns only that job.

Tables are made byte-reproducible: floats are rounded to :data:`DECIMALS` places (``-0.0`` becomes
``0.0``), rows are sorted by the caller, CSV uses a fixed float format and Parquet is written by
pyarrow with fixed options and no timestamps (provenance goes into the Parquet schema metadata) and a CRC
per page, so that :func:`read_parquet` and ``screening verify`` find corruption inside a page.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

#: Decimal places kept for every float in a result table (1 micro-eV, 1 micro-V).
DECIMALS = 6
#: Key of the provenance record in the Parquet schema metadata.
PARQUET_PROVENANCE_KEY = b"screening.provenance"


def _tmp_sibling(path: Path, suffix: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def atomic_write(path: str | os.PathLike, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` atomically.

    The temporary file lives in the destination folder (same file system, so :func:`os.replace` is
    atomic) and is removed if ``writer`` fails.
    """
    path = Path(path)
    tmp = _tmp_sibling(path, path.suffix)
    try:
        writer(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def atomic_write_json(path: str | os.PathLike, obj) -> Path:
    """Write ``obj`` as sorted, indented JSON (deterministic) atomically."""
    return atomic_write_text(path, dumps(obj) + "\n")


def dumps(obj) -> str:
    """Deterministic JSON: sorted keys, 2-space indent, NaN/inf written as null."""
    return json.dumps(_json_safe(obj), indent=2, sort_keys=True, ensure_ascii=False)


def _json_safe(obj):
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if np.isfinite(v) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


#: File a folder written by :class:`atomic_directory` lists its files in (one name a line).
OWNED_MANIFEST = ".screening-files"
#: Files the workflow engine itself puts in a ``directory()`` output (Snakemake's timestamp marker).
ENGINE_FILES = frozenset({".snakemake_timestamp"})


def foreign_files(folder: str | os.PathLike) -> list[str]:
    """Names in ``folder`` that the screen did not write there (sorted; [] for a missing folder).

    The screen's files are those its :data:`OWNED_MANIFEST` lists; a folder written before the manifest
    existed holds only the screen's PNG figures, so there any ``.png`` counts as the screen's.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    manifest = folder / OWNED_MANIFEST
    owned = set(manifest.read_text(encoding="utf-8").splitlines()) if manifest.is_file() else None
    names = sorted(p.name for p in folder.iterdir() if p.name != OWNED_MANIFEST and p.name not in ENGINE_FILES)
    return [n for n in names if (n not in owned if owned is not None else not n.endswith(".png"))]


def refuse_foreign_files(folder: str | os.PathLike) -> None:
    """Stop, with one line, if ``folder`` (a folder the screen replaces as a whole) holds a user's files.

    Raises:
        ResultsError: naming the folder, the first files and the fix.
    """
    from screening.errors import ResultsError

    foreign = foreign_files(folder)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise ResultsError(
            f"{folder} holds files the screen did not write ({shown}); the screen replaces that folder as a "
            "whole: move them out of the results folder, then run again"
        )


class atomic_directory:  # noqa: N801 - used like a function in a with statement
    """Context manager: fill a temporary folder, then move it onto ``path`` (replacing it).

    The new folder lists its files in :data:`OWNED_MANIFEST`. A folder at ``path`` that holds other files
    (a user's, :func:`foreign_files`) is refused before anything is written and never removed.

    Example:
        >>> with atomic_directory("results/figures/profiles") as tmp:  # doctest: +SKIP
        ...     fig.savefig(tmp / "a.png")

    Raises:
        ResultsError: ``path`` holds files the screen did not write (on entering, or on leaving if one
            appeared meanwhile; the new files are then discarded).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def __enter__(self) -> Path:
        refuse_foreign_files(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        names = sorted(p.name for p in self.tmp.iterdir())
        (self.tmp / OWNED_MANIFEST).write_text("".join(n + "\n" for n in names), encoding="utf-8")
        os.chmod(self.tmp, 0o755)
        try:
            refuse_foreign_files(self.path)  # a file put there while the figures were drawn
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        if self.path.exists():
            shutil.rmtree(self.path)
        os.replace(self.tmp, self.path)


# ---------------------------------------------------------------------------------------------- tables
def round_floats(df: pd.DataFrame, decimals: int = DECIMALS) -> pd.DataFrame:
    """A copy with every float column rounded to ``decimals`` and ``-0.0`` turned into ``0.0``."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(decimals) + 0.0
    return out


#: First characters that make a spreadsheet evaluate a CSV cell as a formula (OWASP, "CSV Injection").
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(v) -> bool:
    # a cell that, after any leading single quotes, starts a formula: quoting those too keeps it reversible
    return isinstance(v, str) and v.lstrip("'").startswith(CSV_FORMULA_START)


def csv_escape(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a ``'`` put before every string cell that would start a spreadsheet formula.

    Only text cells change (a string starting with ``= + - @``, tab or carriage return, after any
    leading quotes): numbers, including negative ones, are untouched. :func:`csv_unescape` undoes it.
    """
    out = df
    for col in df.columns:
        s = df[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
            continue
        if s.map(_needs_quote).astype(bool).any():
            out = df.copy() if out is df else out
            out[col] = s.astype(object).map(lambda v: "'" + v if _needs_quote(v) else v)
    return out


def csv_unescape(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`csv_escape` (for tables read back from CSV)."""
    out = df
    for col in df.columns:
        s = df[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
            continue
        quoted = s.map(lambda v: isinstance(v, str) and v.startswith("'") and _needs_quote(v[1:])).astype(bool)
        if quoted.any():
            out = df.copy() if out is df else out
            out[col] = [v[1:] if q else v for v, q in zip(s, quoted, strict=True)]
    return out


def write_table(
    df: pd.DataFrame,
    csv_path: str | os.PathLike | None = None,
    parquet_path: str | os.PathLike | None = None,
    provenance: dict | None = None,
    decimals: int | None = DECIMALS,
) -> pd.DataFrame:
    """Write a result table as CSV and/or Parquet, deterministically and atomically.

    The caller sorts the rows; this function fixes the float precision and formatting. Parquet
    carries ``provenance`` as JSON in its schema metadata under :data:`PARQUET_PROVENANCE_KEY`.
    ``decimals=None`` keeps floats exact (the plan's potentials are join keys; Parquet only).
    In the CSV copy only, a text cell that a spreadsheet would evaluate as a formula (a user's name
    starting with ``= + - @``) gets a leading ``'`` (:func:`csv_escape`; Parquet keeps the raw value).

    Returns:
        The rounded frame that was written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = (round_floats(df, decimals) if decimals is not None else df).reset_index(drop=True)
    if csv_path is not None:
        atomic_write(
            csv_path,
            lambda tmp: csv_escape(df).to_csv(tmp, index=False, float_format=f"%.{DECIMALS}f", lineterminator="\n"),
        )
    if parquet_path is not None:
        table = pa.Table.from_pandas(df, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        if provenance is not None:
            meta[PARQUET_PROVENANCE_KEY] = dumps(provenance).encode()
        table = table.replace_schema_metadata(meta)
        atomic_write(
            parquet_path,
            lambda tmp: pq.write_table(
                table, tmp, compression="zstd", use_dictionary=True, write_statistics=True, store_schema=True,
                write_page_checksum=True,  # a CRC per page: corruption inside a page is found (read_parquet)
            ),
        )
    return df


def corrupt_file_message(path: str | os.PathLike, exc: BaseException | str) -> str:
    """One line: ``path`` cannot be read (first line of the reader's error) and what recomputes it."""
    why = exc if isinstance(exc, str) else (str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__)
    return (
        f"{path} is corrupt or unreadable ({why}); check the results folder with 'screening verify <results>' "
        "and recompute what it names (delete the file and run snakemake again)"
    )


def read_parquet(path: str | os.PathLike, **kwargs) -> pd.DataFrame:
    """``pd.read_parquet`` that reads every page (CRC checked where :func:`write_table` wrote one).

    Raises:
        IntegrityError: a truncated or corrupt file (one line naming it and the fix), never a pyarrow
            traceback.
    """
    from screening.errors import IntegrityError

    try:
        return pd.read_parquet(path, page_checksum_verification=True, **kwargs)
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - any pyarrow failure means a corrupt file
        raise IntegrityError(corrupt_file_message(path, exc)) from None


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a table written by :func:`write_table` (Parquet or CSV, by extension; :func:`csv_unescape`).

    Raises:
        IntegrityError: a corrupt Parquet file (:func:`read_parquet`).
    """
    path = Path(path)
    if path.suffix == ".parquet":
        return read_parquet(path)
    return csv_unescape(pd.read_csv(path, keep_default_na=False, na_values=[""]))


def read_provenance(parquet_path: str | os.PathLike) -> dict | None:
    """The provenance record embedded in a Parquet table by :func:`write_table` (None if absent)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(parquet_path).metadata or {}
    raw = meta.get(PARQUET_PROVENANCE_KEY)
    return None if raw is None else json.loads(raw)


__all__ = [
    "CSV_FORMULA_START",
    "DECIMALS",
    "OWNED_MANIFEST",
    "atomic_directory",
    "atomic_write",
    "atomic_write_json",
    "atomic_write_text",
    "corrupt_file_message",
    "csv_escape",
    "csv_unescape",
    "dumps",
    "foreign_files",
    "read_parquet",
    "read_provenance",
    "read_table",
    "refuse_foreign_files",
    "round_floats",
    "write_table",
]
