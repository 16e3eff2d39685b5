"""Structures to entries: relax with a universal potential, formation energy on the model's own scale.

For a structure of N atoms with relaxed model energy E [eV] and elemental references mu_el [eV/atom]
computed by the same model (:mod:`.references`), the formation energy per atom is

    E_f = (E - sum_el n_el mu_el) / N      [eV/atom]

(docs/mlip.md, "Placing it on a data set's hull": references of the same scale, never a
database's). Every result is cached on disk by the sha256 of the file's content, the model, its
version and the relaxation settings, so a structure is relaxed once; a cached result is returned
unchanged (byte-identical energies), never recomputed.

Every entry made here is a *screening estimate*: its id starts with ``mlip:`` and every output
built from it says so (:data:`MLIP_NOTE`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from screening.errors import ScreeningError
from screening.mlip.model import EnergyModel, RelaxationError, RelaxSettings, get_model
from screening.mlip.references import ElementReference, compute_reference
from screening.mlip.structures import MAX_ATOMS, StructureFile, StructureFileError, directory_error, read_structure

#: Prefix of the id of every entry whose energy comes from a machine-learned potential.
MLIP_PREFIX = "mlip:"
#: The sentence every output carrying such an entry shows.
MLIP_NOTE = (
    "machine-learned energy (universal potential): a screening estimate, not a DFT or experimental value"
)
#: Version of the cache record layout (part of the cache key).
CACHE_FORMAT = 1


#: The relaxation cache of the command line, the workflow and ``screening.api.run_screen`` alike (the config's
#: ``mlip.cache_dir`` default), relative to the working directory.
DEFAULT_CACHE_DIR = "resources/mlip_cache"


def default_cache_dir() -> Path:
    """``$SCREENING_MLIP_CACHE``, else :data:`DEFAULT_CACHE_DIR` (``resources/mlip_cache`` in the working
    directory): one cache for ``screening energy``/window/react, the workflow and ``run_screen``."""
    return Path(os.environ.get("SCREENING_MLIP_CACHE") or DEFAULT_CACHE_DIR)


def is_mlip_id(entry_id: str | None) -> bool:
    """Whether an entry id belongs to a machine-learned energy."""
    return bool(entry_id) and str(entry_id).startswith(MLIP_PREFIX)


@dataclass(frozen=True)
class StructureEnergy:
    """A relaxed structure's energy, ready to enter an entry table.

    Attributes:
        id: Entry id ``mlip:<file name>:<sha256[:12]>``.
        file: File name as given (no folders).
        sha256: sha256 of the file's bytes.
        formula: Formula of the cell (e.g. ``Li8O4``); ``reduced_formula`` its reduced form.
        n_atoms: Atoms in the cell.
        energy_per_atom: Relaxed total energy [eV/atom], model scale.
        formation_energy_per_atom: E_f [eV/atom] against the model's own elemental references.
        converged: False if the relaxation stopped at the step limit (the row is flagged).
        steps: Optimiser steps taken.
        max_force: Residual largest force [eV/A].
        volume_change: Relaxed / initial volume - 1.
        model: Model record (name, version, energy scale, package versions).
        settings: Relaxation settings.
        references: Elemental references used [eV/atom] with their prototypes.
        flags: Problems worth a look (``not_converged``, ``approximate_reference:B``).
        relaxed_structure: pymatgen ``Structure.as_dict()`` of the relaxed cell.
        cached: True when this came from the cache (not part of the record on disk).
    """

    id: str
    file: str
    sha256: str
    formula: str
    reduced_formula: str
    n_atoms: int
    energy_per_atom: float
    formation_energy_per_atom: float
    converged: bool
    steps: int
    max_force: float
    volume_change: float
    model: dict
    settings: dict
    references: dict
    flags: tuple[str, ...] = ()
    relaxed_structure: dict = field(default_factory=dict, repr=False)
    cached: bool = False

    @property
    def composition(self) -> dict[str, float]:
        from screening.composition import parse_formula

        return parse_formula(self.formula)

    def record(self, with_structure: bool = False) -> dict:
        """Plain dict for JSON and provenance (the note included)."""
        d = asdict(self)
        d.pop("cached")
        d["flags"] = list(self.flags)
        if not with_structure:
            d.pop("relaxed_structure")
        d["note"] = MLIP_NOTE
        return d


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class MLIPCalculator:
    """Relaxes structures with one model and settings, with an on-disk cache.

    Args:
        model: Model name (see :data:`screening.mlip.model.MODELS`) or an :class:`EnergyModel`.
        settings: Relaxation settings.
        cache_dir: Cache folder (default :func:`default_cache_dir`); ``None`` for no disk cache.
        max_atoms: Most atoms in a structure read from a file (:data:`~screening.mlip.structures.MAX_ATOMS`);
            a bigger one stops with one line before the model is loaded.
    """

    def __init__(
        self,
        model: str | EnergyModel = "chgnet",
        settings: RelaxSettings | None = None,
        cache_dir: str | os.PathLike | None = "default",
        max_atoms: int = MAX_ATOMS,
    ):
        self._model_arg = model
        self._model: EnergyModel | None = model if isinstance(model, EnergyModel) else None
        self.settings = settings or RelaxSettings()
        if self.settings.fmax <= 0 or self.settings.steps < 1 or self.settings.threads < 1:
            raise ScreeningError("relaxation settings need fmax > 0 [eV/A], steps >= 1 and threads >= 1")
        if isinstance(max_atoms, bool) or not isinstance(max_atoms, int) or max_atoms < 1:
            raise ScreeningError(f"max_atoms {max_atoms!r} must be a whole number >= 1 (atoms per structure)")
        self.max_atoms = max_atoms
        self.cache_dir = default_cache_dir() if cache_dir == "default" else (Path(cache_dir) if cache_dir else None)
        self.n_relaxed = 0  # relaxations actually run in this process (not cache hits)
        self._refs: dict[str, ElementReference] = {}

    @property
    def model(self) -> EnergyModel:
        if self._model is None:
            self._model = get_model(str(self._model_arg))
        return self._model

    def _model_tag(self) -> tuple[str, str]:
        return self.model.name, self.model.version

    # ------------------------------------------------------------------ cache
    def _read(self, path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return None  # absent, or a corrupt file: recompute and overwrite

    def _write(self, path: Path, record: dict) -> None:
        from screening.screen.io import atomic_write_json

        atomic_write_json(path, record)

    # ------------------------------------------------------------------ references
    def reference(self, element: str) -> ElementReference:
        """The model's reference energy of ``element`` (computed once, then cached)."""
        if element not in self._refs:
            self._refs[element] = self._reference(element)
        return self._refs[element]

    def _reference(self, element: str) -> ElementReference:
        name, version = self._model_tag()
        ref_settings = {"fmax": self.settings.fmax, "threads": self.settings.threads}
        path = None
        if self.cache_dir is not None:
            tag = _key(CACHE_FORMAT, name, version, ref_settings)[:16]
            path = self.cache_dir / "references" / f"{name}-{version}-{tag}" / f"{element}.json"
            rec = self._read(path)
            if rec is not None:
                return ElementReference(**rec)
        if not self.model.supports(element):
            raise RelaxationError(f"the {name} potential has no parameters for element {element}")
        run = RelaxSettings(self.settings.fmax, 300, True, self.settings.threads)
        ref = compute_reference(self.model, element, run)
        if path is not None:
            self._write(path, ref.as_dict())
        return ref

    # ------------------------------------------------------------------ structures
    def energy_of(self, source: str | os.PathLike | StructureFile) -> StructureEnergy:
        """Relaxed formation energy of one structure file (or a :class:`StructureFile`).

        Raises:
            StructureFileError: unreadable file, or an element the model does not know.
            RelaxationError: the model failed on this structure (message names the file).
        """
        sf = source if isinstance(source, StructureFile) else read_structure(source, self.max_atoms)
        name, version = self._model_tag()
        for el in sf.structure.composition.elements:
            if not self.model.supports(el.symbol):
                raise StructureFileError(
                    f"structure {sf.path!r} contains {el.symbol}, which the {name} potential does not know; "
                    "remove it or use another model"
                )
        key = _key(CACHE_FORMAT, sf.sha256, name, version, self.settings.as_dict())
        path = None
        if self.cache_dir is not None:
            path = self.cache_dir / "structures" / key[:2] / f"{key}.json"
            rec = self._read(path)
            if rec is not None and rec.get("sha256") == sf.sha256:
                rec.pop("note", None)
                rec["flags"] = tuple(rec.get("flags", ()))
                rec["id"] = f"{MLIP_PREFIX}{sf.short_id}"  # the same content under another file name
                rec["file"] = sf.name
                return StructureEnergy(**rec, cached=True)
        result = self._compute(sf)
        if path is not None:
            rec = result.record(with_structure=True)
            rec.pop("note")
            self._write(path, rec)
        return result

    def _compute(self, sf: StructureFile) -> StructureEnergy:
        s = sf.structure
        try:
            relaxed = self.model.relax(s, self.settings)
        except RelaxationError as exc:
            raise RelaxationError(f"relaxing {sf.path!r} failed: {exc}; check the structure") from None
        self.n_relaxed += 1
        comp = relaxed.structure.composition
        refs = {el.symbol: self.reference(el.symbol) for el in comp.elements}
        e_ref = sum(comp[el] * refs[el].energy_per_atom for el in refs)
        e_form = (relaxed.energy - e_ref) / len(relaxed.structure)
        flags = []
        if not relaxed.converged:
            flags.append("not_converged")
        flags += [f"approximate_reference:{el}" for el, r in sorted(refs.items()) if r.approximate]
        return StructureEnergy(
            id=f"{MLIP_PREFIX}{sf.short_id}",
            file=sf.name,
            sha256=sf.sha256,
            formula=comp.formula.replace(" ", ""),
            reduced_formula=comp.reduced_formula,
            n_atoms=len(relaxed.structure),
            energy_per_atom=float(relaxed.energy_per_atom),
            formation_energy_per_atom=float(e_form),
            converged=relaxed.converged,
            steps=relaxed.steps,
            max_force=relaxed.max_force,
            volume_change=float(relaxed.structure.volume / s.volume - 1.0),
            model=self.model.describe(),
            settings=self.settings.as_dict(),
            references={el: r.as_dict() for el, r in sorted(refs.items())},
            flags=tuple(flags),
            relaxed_structure=json.loads(relaxed.structure.to(fmt="json")),
        )

    def energies(
        self, sources: Iterable[str | os.PathLike], progress: Callable[[int, int, StructureEnergy], None] | None = None
    ) -> list[StructureEnergy]:
        """:meth:`energy_of` for each source, in order; ``progress(i, n, result)`` after each."""
        sources = list(sources)
        out = []
        for i, src in enumerate(sources, start=1):
            out.append(self.energy_of(src))
            if progress is not None:
                progress(i, len(sources), out[-1])
        return out


def expand_paths(patterns: Iterable[str | os.PathLike], base: str | os.PathLike | None = None) -> list[Path]:
    """Paths and glob patterns -> sorted, de-duplicated existing files (directories a glob matches are
    skipped).

    Raises:
        StructureFileError: a pattern that matches nothing (names the pattern); a plain path that is a
            directory (the command line's error for the same path).
    """
    import glob

    out: dict[str, Path] = {}
    for pat in patterns:
        pat = str(pat)
        full = pat if base is None or os.path.isabs(pat) else os.path.join(str(base), pat)
        matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(full) else [full]
        if glob.has_magic(full) and not matches:
            raise StructureFileError(f"structure pattern {pat!r} matches no file; check the path or the glob")
        if not glob.has_magic(full) and os.path.isdir(full):
            raise directory_error(pat)
        for m in matches:
            if os.path.isdir(m):
                continue
            out.setdefault(os.path.normpath(m), Path(m))
    return [out[k] for k in sorted(out)]


__all__ = [
    "DEFAULT_CACHE_DIR",
    "MLIPCalculator",
    "MLIP_NOTE",
    "MLIP_PREFIX",
    "StructureEnergy",
    "default_cache_dir",
    "expand_paths",
    "is_mlip_id",
]
