"""Universal machine-learned interatomic potentials behind one small interface.

A model predicts the total energy [eV], forces [eV/A] and stress of a periodic structure and relaxes
it (positions and cell). :class:`CHGNetModel` is the implementation shipped with the ``mlip`` extra:
CHGNet (Deng et al., Nat. Mach. Intell. 5, 1031 (2023)), trained on the Materials Project relaxation
trajectories (MPtrj); its energies are on Materials Project's MP2020-corrected GGA/GGA+U scale, and
its pretrained weights ship inside the ``chgnet`` wheel, so nothing is downloaded at run time.

A second model is added by subclassing :class:`EnergyModel` and registering it in :data:`MODELS`.

Determinism: every model runs with a fixed number of torch threads, deterministic algorithms and a
fixed seed (:func:`deterministic_torch`), so one structure file gives the same energy, byte for byte,
on every run with the same settings.
"""

from __future__ import annotations

import abc
import contextlib
import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from screening.errors import ScreeningError

#: What to tell a user whose installation lacks the optional dependencies.
INSTALL_HINT = ("install the optional extra: pip install torch==2.13.0 --index-url "
                'https://download.pytorch.org/whl/cpu, then pip install -e ".[mlip]"')


class MissingExtraError(ScreeningError, ImportError):
    """The ``mlip`` optional extra (chgnet, torch) is not installed."""


class RelaxationError(ScreeningError, RuntimeError):
    """A structure the model cannot handle (unsupported element, isolated atoms, numerical failure)."""


@dataclass(frozen=True)
class RelaxSettings:
    """How a structure is relaxed; part of the cache key of every result.

    Attributes:
        fmax: Force convergence criterion [eV/A] (FIRE on the Frechet cell filter: stress included).
        steps: Maximum number of optimiser steps; reaching it without convergence is flagged.
        relax_cell: Relax the cell as well as the positions.
        threads: torch CPU threads (fixed for byte-reproducible energies).
    """

    fmax: float = 0.05
    steps: int = 300
    relax_cell: bool = True
    threads: int = 1

    def as_dict(self) -> dict:
        return {"fmax": self.fmax, "steps": self.steps, "relax_cell": self.relax_cell, "threads": self.threads,
                "optimizer": "FIRE", "cell_filter": "FrechetCellFilter" if self.relax_cell else None}


@dataclass(frozen=True)
class Relaxed:
    """Outcome of one relaxation.

    Attributes:
        structure: Relaxed pymatgen ``Structure``.
        energy: Total energy of the relaxed cell [eV] (model scale).
        energy_per_atom: ``energy`` / number of atoms [eV/atom].
        max_force: Largest residual force [eV/A] on any atom.
        steps: Optimiser steps taken.
        converged: True if the largest force (and stress, with the cell filter) fell below ``fmax``.
    """

    structure: object
    energy: float
    energy_per_atom: float
    max_force: float
    steps: int
    converged: bool


class EnergyModel(abc.ABC):
    """A universal potential: total energies and relaxations of periodic structures."""

    #: Short name used in settings, cache keys and entry ids.
    name: str = ""

    @property
    @abc.abstractmethod
    def version(self) -> str:
        """Model (weights) version, recorded in provenance and in the cache key."""

    @property
    def package_versions(self) -> dict:
        """Versions of the software behind the model (recorded in provenance)."""
        return {}

    @property
    def energy_scale(self) -> str:
        """The data scale the energies are on (what the model was trained to reproduce)."""
        return "unknown"

    def supports(self, symbol: str) -> bool:
        """Whether the model knows element ``symbol``."""
        return True

    @abc.abstractmethod
    def energy(self, structure) -> float:
        """Total energy [eV] of ``structure`` as given (no relaxation)."""

    @abc.abstractmethod
    def relax(self, structure, settings: RelaxSettings) -> Relaxed:
        """Relax ``structure`` (positions and, if set, cell) with the model."""

    def describe(self) -> dict:
        """Provenance record of the model."""
        return {"model": self.name, "version": self.version, "energy_scale": self.energy_scale,
                "packages": self.package_versions}


@contextlib.contextmanager
def deterministic_torch(threads: int, seed: int = 0):
    """Fixed torch threads, deterministic algorithms and seed for the duration of a computation."""
    import torch

    old_threads = torch.get_num_threads()
    old_det = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(int(threads))
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - some ASE/chgnet code paths use the global generator
    try:
        yield
    finally:
        torch.set_num_threads(old_threads)
        torch.use_deterministic_algorithms(old_det)


@contextlib.contextmanager
def _quiet():
    """Silence the libraries' prints and warnings (progress bars, tensor-conversion warnings)."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


class CHGNetModel(EnergyModel):
    """CHGNet with its pretrained weights (shipped in the ``chgnet`` wheel; default version 0.3.0).

    Args:
        model_version: Pretrained weights to load (``"0.3.0"`` or ``"0.2.0"``).

    Raises:
        MissingExtraError: chgnet or torch is not installed.
    """

    name = "chgnet"

    def __init__(self, model_version: str = "0.3.0"):
        try:
            with _quiet():
                from chgnet.model import CHGNet
        except ImportError as exc:
            raise MissingExtraError(f"the CHGNet potential is not available ({exc}); {INSTALL_HINT}") from None
        self._model_version = model_version
        try:
            with _quiet():
                self._model = CHGNet.load(model_name=model_version, use_device="cpu", verbose=False)
        except Exception as exc:  # noqa: BLE001 - unknown version names raise various errors
            raise ScreeningError(
                f"cannot load CHGNet weights {model_version!r} ({exc}); use model version 0.3.0 (shipped in the wheel)"
            ) from None
        self._model.eval()

    @property
    def version(self) -> str:
        return str(getattr(self._model, "version", None) or self._model_version)

    @property
    def package_versions(self) -> dict:
        from importlib.metadata import version

        return {"chgnet": version("chgnet"), "torch": version("torch"), "ase": version("ase")}

    @property
    def energy_scale(self) -> str:
        return "Materials Project GGA/GGA+U with MP2020 corrections (MPtrj training data)"

    def supports(self, symbol: str) -> bool:
        from pymatgen.core import Element

        return 1 <= Element(symbol).Z <= 94

    def _calculator(self):
        from chgnet.model.dynamics import CHGNetCalculator

        return CHGNetCalculator(model=self._model, use_device="cpu", on_isolated_atoms="error")

    def energy(self, structure) -> float:
        with _quiet():
            pred = self._model.predict_structure(structure, task="e")
        return float(pred["e"]) * len(structure)

    def relax(self, structure, settings: RelaxSettings) -> Relaxed:
        from ase.filters import FrechetCellFilter
        from ase.optimize import FIRE
        from pymatgen.io.ase import AseAtomsAdaptor

        atoms = AseAtomsAdaptor.get_atoms(structure)
        with deterministic_torch(settings.threads), _quiet():
            atoms.calc = self._calculator()
            target = FrechetCellFilter(atoms) if settings.relax_cell else atoms
            try:
                opt = FIRE(target, logfile=None)
                converged = bool(opt.run(fmax=settings.fmax, steps=settings.steps))
                energy = float(atoms.get_potential_energy())
                forces = np.asarray(atoms.get_forces())
            except ValueError as exc:  # isolated atoms, empty graphs
                raise RelaxationError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
            except RuntimeError as exc:  # torch numerical failures
                raise RelaxationError(f"the model failed ({str(exc).splitlines()[0]})") from None
        if not np.isfinite(energy) or not np.all(np.isfinite(forces)):
            raise RelaxationError("the model returned a non-finite energy or force")
        relaxed = AseAtomsAdaptor.get_structure(atoms)
        n = len(atoms)
        return Relaxed(
            structure=relaxed,
            energy=energy,
            energy_per_atom=energy / n,
            max_force=float(np.sqrt((forces**2).sum(axis=1)).max()) if n else 0.0,
            steps=int(opt.nsteps),
            converged=converged,
        )


#: Registered models by name (the ``model`` setting).
MODELS: dict[str, type[EnergyModel]] = {"chgnet": CHGNetModel}


@lru_cache(maxsize=4)
def get_model(name: str = "chgnet") -> EnergyModel:
    """The model named ``name`` (loaded once per process).

    Raises:
        ScreeningError: unknown name; MissingExtraError: the extra is not installed.
    """
    cls = MODELS.get(name)
    if cls is None:
        raise ScreeningError(f"unknown potential {name!r}; use one of: {', '.join(sorted(MODELS))}")
    return cls()


__all__ = [
    "CHGNetModel",
    "EnergyModel",
    "INSTALL_HINT",
    "MODELS",
    "MissingExtraError",
    "RelaxSettings",
    "Relaxed",
    "RelaxationError",
    "deterministic_torch",
    "get_model",
]
