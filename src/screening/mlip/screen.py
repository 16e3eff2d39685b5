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
import os
from pathlib import Path

from screening.mlip.energies import MLIP_NOTE, MLIPCalculator, expand_paths
from screening.mlip.model import RelaxSettings
from screening.mlip.structures import read_structure, relax_memory_mb
from screening.plan.config import StructureSettings

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
                          cache_dir=settings.cache_dir, max_atoms=settings.max_atoms)


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


__all__ = ["calculator", "chunk_memory_mb", "coating_name", "mlip_records", "run_relax_chunk", "run_structures",
           "structure_chunks"]
