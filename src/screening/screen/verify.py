"""Integrity of a results folder and of a step's inputs.

``provenance.json`` records the sha256 of every result table; :func:`verify_results` recomputes them and
reads the whole content of every file the steps read: every page of every intermediate Parquet file under
``work/`` (the plan and the chunks; each page's CRC is checked where :func:`~screening.screen.io.write_table`
wrote one), every array of ``entries/entries.npz``, ``entries/entries.csv``, ``entries/provenance.json``
and ``candidates.csv`` (the entries files also against the sha256 the entries step recorded). Corruption
that keeps the old modification time (which Snakemake cannot see) is found and named with the command that
recomputes it. :func:`check_inputs` is the same check at the start of every downstream workflow step: an
unreadable intermediate (e.g. a chunk truncated by a full disk) is removed, so the next run recomputes it,
and the step stops with one line instead of a pyarrow or zipfile traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from screening.entries import sha256_of
from screening.errors import IntegrityError

#: Which rule writes a result file (by its name), for the ``--forcerun`` hint.
_RULE_OF = {
    "windows": "windows",
    "interfaces": "interfaces",
    "reactions": "interfaces",
    "rankings": "rankings",
    "candidates": "candidates",
    "entries": "entries",
}

#: CSV files the steps write and read (a user's CSV input, e.g. a band gap table, is never removed).
OWN_CSV = ("entries.csv", "candidates.csv")
#: Keys every entries record (``entries/provenance.json``) has.
ENTRIES_RECORD_KEYS = ("source", "elements_written", "missing_elements", "n_entries_written")


@dataclass(frozen=True)
class Problem:
    """One file that failed verification.

    Attributes:
        path: The file (as found on disk).
        what: ``differs`` (sha256 mismatch), ``missing`` or ``unreadable``.
        fix: The command or action that recomputes it.
    """

    path: Path
    what: str
    fix: str


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of :func:`verify_results`.

    Attributes:
        results_dir: The folder checked.
        n_checked: Files whose sha256 was recomputed plus intermediates opened.
        problems: Every file that failed, in path order.
    """

    results_dir: Path
    n_checked: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self) -> str:
        """One line naming every bad file (first five) and the fix of the first."""
        if self.ok:
            return f"{self.results_dir}: {self.n_checked} files match provenance.json"
        shown = ", ".join(f"{p.path} ({p.what})" for p in self.problems[:5])
        more = f" and {len(self.problems) - 5} more" if len(self.problems) > 5 else ""
        head = f"{len(self.problems)} file(s) of {self.results_dir} fail verification"
        return f"{head}: {shown}{more}; {self.problems[0].fix}"


def _why(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def _parquet_problem(path: Path) -> str | None:
    """Why a Parquet file cannot be read (None if every page of every row group reads)."""
    import pyarrow.parquet as pq

    try:
        f = pq.ParquetFile(path, page_checksum_verification=True)
        for i in range(f.num_row_groups):  # one row group at a time: bounded memory
            f.read_row_group(i)
        return None
    except Exception as exc:  # noqa: BLE001 - any pyarrow failure means unreadable
        return _why(exc)


def _npz_problem(path: Path) -> str | None:
    """Why an ``.npz`` file cannot be read (None if every array loads; zip checks each member's CRC)."""
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as z:
            for name in z.files:
                z[name]
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        return _why(exc)


def _csv_problem(path: Path) -> str | None:
    import pandas as pd

    try:
        pd.read_csv(path, keep_default_na=False, na_values=[""])
        return None
    except (OSError, ValueError, UnicodeDecodeError) as exc:  # pandas' ParserError is a ValueError
        return _why(exc)


def _json_problem(path: Path, keys: tuple[str, ...] = ()) -> str | None:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return _why(exc)
    missing = [k for k in keys if not isinstance(doc, dict) or k not in doc]
    return f"no {', '.join(missing)}" if missing else None


def content_problem(path: str | os.PathLike) -> str | None:
    """Why a file the steps read is unreadable, by its type (None if it reads, or is of another type).

    Parquet: every page; ``.npz``: every array; the steps' own CSV files (:data:`OWN_CSV`): parsed;
    JSON: parsed (an entries record must have :data:`ENTRIES_RECORD_KEYS`).
    """
    path = Path(path)
    if path.suffix == ".parquet":
        return _parquet_problem(path)
    if path.suffix == ".npz":
        return _npz_problem(path)
    if path.suffix == ".csv" and path.name in OWN_CSV:
        return _csv_problem(path)
    if path.suffix == ".json":
        entries_record = path.name == "provenance.json" and path.parent.name == "entries"
        return _json_problem(path, ENTRIES_RECORD_KEYS if entries_record else ())
    return None


def _resolve(recorded: str, results_dir: Path, prefix: str) -> Path:
    """Where a file recorded in provenance.json (relative to the run's working directory) is now."""
    p = Path(recorded)
    if p.is_absolute():
        return p
    parts = p.parts
    pre = Path(prefix).parts
    if parts[: len(pre)] == pre:
        return results_dir.joinpath(*parts[len(pre) :])
    return results_dir.parent / p


def _rerun(rule: str | None) -> str:
    force = f" --forcerun {rule}" if rule else ""
    return f"recompute with 'snakemake --cores 2{force}' (add the --configfile of that screen)"


def verify_results(results_dir: str | os.PathLike, deep: bool = True) -> VerifyReport:
    """Recompute the sha256 of every file ``provenance.json`` lists and read every intermediate in full.

    Args:
        results_dir: A results folder written by the workflow (``results/`` by default).
        deep: Also read every file the steps read (entries, candidates, plan, chunks; see the module);
            False checks the listed result files only (what a step that reads only the tables needs).

    Returns:
        :class:`VerifyReport` (``ok`` when nothing differs).

    Raises:
        IntegrityError: the folder or its provenance.json is missing or unreadable.
    """
    root = Path(results_dir).expanduser()
    prov_path = root / "provenance.json"
    if not root.is_dir():
        raise IntegrityError(f"results folder {str(root)!r} does not exist; give the folder a screen wrote")
    try:
        prov = json.loads(prov_path.read_text())
        files = prov["files"]
        if not isinstance(files, dict):
            raise TypeError("files is not a mapping")
    except FileNotFoundError:
        raise IntegrityError(
            f"{str(prov_path)!r} does not exist (the run did not finish); {_rerun(None)}"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(f"{str(prov_path)!r} is unreadable ({exc}); {_rerun('provenance')}") from None
    prefix = str((prov.get("config") or {}).get("results_dir") or "results").rstrip("/")
    problems: list[Problem] = []
    n = 0
    for recorded, digest in sorted(files.items()):
        path = _resolve(recorded, root, prefix)
        rule = _RULE_OF.get(path.name.split(".")[0])
        n += 1
        if not path.is_file():
            problems.append(Problem(path, "missing", _rerun(rule)))
        elif sha256_of(path) != digest:
            problems.append(Problem(path, "differs from its sha256 in provenance.json", _rerun(rule)))
    bad = {p.path for p in problems}
    # every file the steps read, by content: the entries (with the sha256 their step recorded), the
    # candidates, the plan and every chunk
    entries = root / "entries"
    entries_record = entries / "provenance.json"
    recorded: dict = {}
    if entries_record.is_file() and _json_problem(entries_record) is None:
        recorded = json.loads(entries_record.read_text()).get("outputs_sha256") or {}
    own = [entries_record, entries / "entries.npz", entries / "entries.csv", root / "candidates.csv"]
    work = sorted((root / "work").rglob("*.parquet")) if (root / "work").is_dir() else []
    for path in [*own, *work] if deep else []:
        if path in bad or not path.is_file():
            continue  # named already; an entries file a run did not write (npz of an older run) is no error
        n += 1
        rule = "entries" if path.parent == entries else _RULE_OF.get(path.name.split(".")[0])
        fix = _rerun(rule) if path in own else f"delete {path} and run snakemake again"
        why = content_problem(path)
        if why is None and path.name in recorded and sha256_of(path) != recorded[path.name]:
            why = f"differs from its sha256 in {entries_record.name} of the entries step"
        if why is not None:
            problems.append(Problem(path, f"unreadable: {why}" if "sha256" not in why else why, fix))
    return VerifyReport(root, n, tuple(sorted(problems, key=lambda p: str(p.path))))


def check_inputs(paths: Iterable[str | os.PathLike], remove: bool = True) -> None:
    """Check a workflow step's inputs before using them; remove an unreadable intermediate.

    Every file is read in full (:func:`content_problem`): every page of a Parquet file, every array of
    an ``.npz``, the steps' own CSV files, JSON. A bad input is deleted (when ``remove``) so that the next
    ``snakemake`` run recomputes it and everything after it; a user's file (another CSV) is never read
    here nor removed.

    Raises:
        IntegrityError: one line naming the file and what to run.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir() or not path.exists():
            continue
        why = content_problem(path)
        if why is None and path.name == "provenance.json":
            doc = json.loads(path.read_text())
            if isinstance(doc, dict) and isinstance(doc.get("files"), dict):
                report = verify_results(path.parent, deep=False)  # the results manifest: tables must match
                if not report.ok:
                    raise IntegrityError(report.message())
        if why is None:
            continue
        if remove:
            path.unlink(missing_ok=True)
        raise IntegrityError(
            f"input {path} is corrupt ({why}); "
            + ("it was removed: run snakemake again to recompute it and what depends on it"
               if remove else "delete it and run snakemake again")
        )


def _flatten(obj) -> list[str]:
    """Paths of a Snakemake ``input`` object (named and positional, nested lists)."""
    if isinstance(obj, str | os.PathLike):
        return [str(obj)]
    out: list[str] = []
    for item in obj:
        out.extend(_flatten(item))
    return out


def check_step_inputs(inputs) -> None:
    """:func:`check_inputs` over a Snakemake rule's ``input`` (every file it names)."""
    check_inputs(dict.fromkeys(_flatten(inputs)))


__all__ = [
    "IntegrityError",
    "Problem",
    "VerifyReport",
    "check_inputs",
    "check_step_inputs",
    "content_problem",
    "verify_results",
]
