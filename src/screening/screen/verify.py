"""Integrity of a results folder and of a step's inputs.

``provenance.json`` records the sha256 of every result table; :func:`verify_results` recomputes them
and checks that every intermediate Parquet file under ``work/`` is readable, so corruption that keeps
the old modification time (which Snakemake cannot see) is found and named with the command that
recomputes it. :func:`check_inputs` is the same check at the start of every downstream workflow step:
an unreadable input (e.g. a chunk truncated by a full disk) is removed, so the next run recomputes it,
and the step stops with one line instead of a pyarrow traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from screening.entries import sha256_of
from screening.errors import ScreeningError

#: Which rule writes a result file (by its name), for the ``--forcerun`` hint.
_RULE_OF = {
    "windows": "windows",
    "interfaces": "interfaces",
    "reactions": "interfaces",
    "rankings": "rankings",
    "candidates": "candidates",
}


class IntegrityError(ScreeningError):
    """A result or intermediate file is missing, corrupt, or differs from its recorded sha256."""


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


def _parquet_problem(path: Path) -> str | None:
    """Why a Parquet file cannot be read (None if its footer and schema read)."""
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
        return None
    except Exception as exc:  # noqa: BLE001 - any pyarrow failure means unreadable
        return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


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


def verify_results(results_dir: str | os.PathLike) -> VerifyReport:
    """Recompute the sha256 of every file ``provenance.json`` lists and open every intermediate.

    Args:
        results_dir: A results folder written by the workflow (``results/`` by default).

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
    for path in sorted((root / "work").rglob("*.parquet")) if (root / "work").is_dir() else []:
        n += 1
        why = _parquet_problem(path)
        if why is not None:
            problems.append(Problem(path, f"unreadable: {why}", f"delete {path} and run snakemake again"))
    return VerifyReport(root, n, tuple(sorted(problems, key=lambda p: str(p.path))))


def check_inputs(paths: Iterable[str | os.PathLike], remove: bool = True) -> None:
    """Check a workflow step's inputs before using them; remove an unreadable intermediate.

    Parquet files must open (footer and schema), JSON files must parse. A bad input is deleted (when
    ``remove``) so that the next ``snakemake`` run recomputes it and everything after it.

    Raises:
        IntegrityError: one line naming the file and what to run.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir() or not path.exists():
            continue
        why = None
        if path.suffix == ".parquet":
            why = _parquet_problem(path)
        elif path.suffix == ".json":
            try:
                doc = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                why = str(exc).splitlines()[0][:120]
            else:
                if path.name == "provenance.json" and isinstance(doc, dict) and isinstance(doc.get("files"), dict):
                    report = verify_results(path.parent)  # the results manifest: its tables must match
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


__all__ = ["IntegrityError", "Problem", "VerifyReport", "check_inputs", "check_step_inputs", "verify_results"]
