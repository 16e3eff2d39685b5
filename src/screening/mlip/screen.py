"""Structure candidates in the screening workflow (config ``coatings.structures`` and ``mlip``).

Steps: :func:`structure_chunks` expands the configured paths and globs once (when the workflow is
parsed, so a pattern that matches nothing or an unreadable file stops it with one line);
:func:`run_relax_chunk` relaxes one chunk of files (rule ``relax_structures``, one job per chunk,
progress in its log, cached by content hash so a structure is never relaxed twice);
:func:`run_structures` gathers the chunks into one record that the ``entries`` rule passes on, so
every later job sees the candidates as flagged ``mlip:`` entries (:func:`mlip_records`).
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from screening.mlip.energies import MLIP_NOTE, MLIPCalculator, expand_paths
from screening.mlip.model import RelaxSettings
from screening.mlip.structures import read_structure, relax_memory_mb
from screening.plan.config import StructureSettings

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("screening.mlip")


def structure_chunks(settings: StructureSettings, workdir: str | os.PathLike = ".") -> list[list[str]]:
    """The configured structure files (sorted, de-duplicated, checked readable) in chunks.

    Raises:
        StructureFileError: a pattern that matches nothing, a missing, empty or unreadable file, a structure
            out of bounds (more than ``settings.max_atoms`` atoms, volume per atom, non-finite numbers).
    """
    if not settings.patterns:
        return []
    paths = expand_paths(settings.patterns, base=workdir)
    for p in paths:
        _ATOMS[_stat_key(p)] = len(read_structure(p, settings.max_atoms).structure)  # bounds checked here
    rel = [str(p) for p in paths]
    size = settings.chunk_size
    return [rel[i : i + size] for i in range(0, len(rel), size)]


def _stat_key(path: str | os.PathLike) -> tuple[str, int, int]:
    p = Path(path).resolve()
    try:
        st = p.stat()
    except OSError:
        return str(p), -1, -1  # read_structure names the problem
    return str(p), st.st_size, st.st_mtime_ns


#: Atoms per structure file read by :func:`structure_chunks`, by (resolved path, size, mtime).
_ATOMS: dict[tuple[str, int, int], int] = {}


def _n_atoms(path: str | os.PathLike) -> int:
    key = _stat_key(path)
    if key not in _ATOMS:
        _ATOMS[key] = len(read_structure(path, max_atoms=10**9).structure)
    return _ATOMS[key]


def chunk_memory_mb(paths: list[str], workdir: str | os.PathLike = ".") -> int:
    """Memory [MB] for relaxing one chunk (rule ``relax_structures``): that of its largest structure.

    :func:`~screening.mlip.structures.relax_memory_mb` of the most atoms in the chunk (files are relaxed one
    after the other). The counts come from the read that :func:`structure_chunks` already did at parse time.
    """
    counts = [_n_atoms(p if os.path.isabs(p) else os.path.join(str(workdir), p)) for p in paths]
    return relax_memory_mb(max(counts, default=0))


def calculator(settings: StructureSettings) -> MLIPCalculator:
    return MLIPCalculator(settings.model, RelaxSettings(fmax=settings.fmax, steps=settings.steps),
                          cache_dir=settings.cache_dir or "default", max_atoms=settings.max_atoms)


def run_relax_chunk(paths: list[str], config: dict, out_json: str | os.PathLike) -> list[dict]:
    """Workflow step ``relax_structures``: relax one chunk of files (``config``: the ``mlip`` subset) and
    write their records (relaxed structures included)."""
    from screening.screen.io import atomic_write_json

    calc = calculator(StructureSettings.from_config(config))

    def progress(i: int, n: int, e) -> None:
        state = "cached" if e.cached else f"relaxed in {e.steps} steps"
        flag = f"; FLAGGED {', '.join(e.flags)}" if e.flags else ""
        log.info("[%d/%d] %s: %s, %s, E_f = %.4f eV/atom%s", i, n, e.file, e.reduced_formula, state,
                 e.formation_energy_per_atom, flag)

    log.info("relaxing %d structure(s) with %s (cache %s)", len(paths), calc.settings, calc.cache_dir)
    energies = calc.energies(paths, progress=progress)
    records = [e.record(with_structure=True) | {"path": str(p)} for e, p in zip(energies, paths, strict=True)]
    atomic_write_json(out_json, records)
    log.info("%d relaxed now, %d from the cache", calc.n_relaxed, len(paths) - calc.n_relaxed)
    return records


def run_structures(chunk_jsons: list[str], out_json: str | os.PathLike) -> list[dict]:
    """Gather the chunks' records (without relaxed structures) in file order into one JSON list."""
    import json

    from screening.screen.io import atomic_write_json

    records = []
    for path in chunk_jsons:
        for rec in json.loads(Path(path).read_text(encoding="utf-8")):
            rec.pop("relaxed_structure", None)
            records.append(rec)
    records.sort(key=lambda r: (r["path"], r["id"]))
    atomic_write_json(out_json, {"note": MLIP_NOTE, "structures": records})
    log.info("%d structure candidate(s): %s", len(records), ", ".join(r["id"] for r in records))
    return records


def mlip_records(structures_json: str | os.PathLike | None) -> list[dict]:
    """The records written by :func:`run_structures` (empty without structures)."""
    if not structures_json:
        return []
    import json

    return json.loads(Path(structures_json).read_text(encoding="utf-8"))["structures"]


def coating_name(rec: dict, taken: set[str]) -> str:
    """A coating name for a structure candidate: the file's stem, made unique."""
    stem = rec["file"].split(".")[0] if not rec["file"].upper().startswith(("POSCAR", "CONTCAR")) else rec["file"]
    name = stem if stem not in taken else f"{stem} ({rec['sha256'][:8]})"
    return name


def composition_key(formula: str) -> tuple:
    """A composition as atomic fractions rounded to 1e-9 (two spellings of one composition compare equal)."""
    from screening.composition import parse_formula

    amounts = parse_formula(formula)
    total = sum(amounts.values())
    return tuple(sorted((el, round(n / total, 9)) for el, n in amounts.items() if n))


def table_entries(users: list, records: list[dict], settings: StructureSettings) -> tuple[list, list[dict]]:
    """Which user-defined candidates (with a formation energy) and which machine-learned records enter the
    entry table, and so every hull.

    Machine-learned records join only with ``mlip.join_hull: true`` (default: judged against the data's hull,
    never part of it), and then not one of the composition of a user-defined candidate when
    ``mlip.precedence`` is ``user``. With ``precedence: mlip`` a user-defined candidate of the composition of
    a structure leaves the table (its rows take the machine-learned energy, :func:`judged_candidates`).

    Args:
        users: :class:`~screening.plan.config.Material` of the user-defined candidates with a formation energy.
        records: The structures' records (:func:`mlip_records`), elements known to the source.
    """
    ml_comps = {composition_key(r["reduced_formula"]) for r in records}
    user_comps = {composition_key(m.formula) for m in users}
    if settings.precedence == "mlip":
        users = [m for m in users if composition_key(m.formula) not in ml_comps]
        joined = list(records) if settings.join_hull else []
    else:
        joined = [r for r in records if composition_key(r["reduced_formula"]) not in user_comps] \
            if settings.join_hull else []
    return users, joined


@dataclass
class Judged:
    """A candidate coating whose rows carry a machine-learned energy, or notes about one.

    Attributes:
        energy: Formation energy [eV/atom] its rows use (judged against the hull); None: notes only.
        entry_id: The ``mlip:`` id of that energy.
        joined: Whether that entry is part of the hull (``mlip.join_hull``).
        notes: Note parts for windows and rankings (each starts with ``mlip:``).
    """

    energy: float | None = None
    entry_id: str | None = None
    joined: bool = False
    notes: list[str] = field(default_factory=list)


def judged_candidates(candidates: pd.DataFrame, config: dict) -> dict[str, Judged]:
    """Coating name -> :class:`Judged` for the structure candidates and the user-defined candidates that
    share a composition with one (``mlip.precedence``), from the candidates table and the config."""
    settings = StructureSettings.from_config(config)
    rows = list(candidates.itertuples(index=False))
    structures = [c for c in rows if c.origin == "structure"]
    users = [c for c in rows if str(c.origin).startswith("user") and c.formation_energy is not None
             and not (isinstance(c.formation_energy, float) and math.isnan(c.formation_energy))]
    by_comp: dict[tuple, list] = {}
    for c in structures:
        by_comp.setdefault(composition_key(c.reduced_formula), []).append(c)
    user_comp = {composition_key(c.formula): c for c in users}
    out: dict[str, Judged] = {}
    for c in structures:
        u = user_comp.get(composition_key(c.reduced_formula))
        joined = settings.join_hull and not (u is not None and settings.precedence == "user")
        j = out[c.coating] = Judged(float(c.formation_energy), str(c.query_entry_id), joined)
        if u is not None:
            kept = "takes precedence for this composition in every hull (mlip.precedence: user)" \
                if settings.precedence == "user" else "is replaced by the machine-learned one (mlip.precedence: mlip)"
            j.notes.append(f"mlip: the user-defined formation energy of {u.coating}, {float(u.formation_energy):.4f} "
                           f"eV/atom, of the same composition {kept}")
    for c in users:
        mls = by_comp.get(composition_key(c.formula))
        if not mls:
            continue
        ml = min(mls, key=lambda m: (float(m.formation_energy), str(m.coating)))
        e_ml, e_user = float(ml.formation_energy), float(c.formation_energy)
        if settings.precedence == "user":
            out[c.coating] = Judged(notes=[
                f"mlip: a machine-learned formation energy of the same composition ({ml.coating}, {e_ml:.4f} "
                f"eV/atom) is not used: the user's {e_user:.4f} eV/atom takes precedence (mlip.precedence: user)"])
        else:
            out[c.coating] = Judged(e_ml, str(ml.query_entry_id), settings.join_hull, [
                f"mlip: the machine-learned formation energy of {ml.coating}, {e_ml:.4f} eV/atom, is used instead "
                f"of the user's {e_user:.4f} eV/atom (mlip.precedence: mlip)"])
    return out


def own_energies(candidates: pd.DataFrame, config: dict) -> dict[str, float]:
    """Coating name -> formation energy [eV/atom] its reactions use as the reactant's own energy: the
    candidates judged against the hull but not part of it (:func:`judged_candidates`)."""
    return {name: j.energy for name, j in judged_candidates(candidates, config).items()
            if j.energy is not None and not j.joined}


def mlip_details(note) -> list[str]:
    """The parts of a windows note about a machine-learned energy (below the data's hull, precedence), without
    the general mark, for the rankings' note."""
    if not isinstance(note, str):
        return []
    return [n for n in note.split("; ") if n.startswith("mlip:") and not n.startswith("mlip: machine-learned energy")]


def below_hull_note(distance: float) -> str:
    """The note of a machine-learned candidate below the data's hull (``distance`` [eV/atom] < 0)."""
    return (f"mlip: below the data's hull by {-1000 * distance:.1f} meV/atom (e_above_hull negative; within the "
            "model/data scale offset unless much larger, docs/mlip.md)")


__all__ = [
    "Judged",
    "below_hull_note",
    "calculator",
    "chunk_memory_mb",
    "coating_name",
    "composition_key",
    "judged_candidates",
    "mlip_details",
    "mlip_records",
    "own_energies",
    "run_relax_chunk",
    "run_structures",
    "structure_chunks",
    "table_entries",
]
