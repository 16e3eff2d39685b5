"""Energies of new structures from a universal machine-learned potential (optional ``mlip`` extra).

Structures (CIF, POSCAR, pymatgen JSON) are relaxed with a universal potential (CHGNet by default,
:mod:`.model`), turned into formation energies against elemental references computed by the same
model (:mod:`.references`, :mod:`.energies`), and placed on a data source's hull (:mod:`.hull`).
Every such entry has an id starting with ``mlip:`` and is a screening estimate; outputs say so.

Importing this package does not import torch; the model is loaded on first use.
"""

from __future__ import annotations

from screening.mlip.energies import (
    MLIP_NOTE,
    MLIP_PREFIX,
    MLIPCalculator,
    StructureEnergy,
    default_cache_dir,
    expand_paths,
    is_mlip_id,
)
from screening.mlip.hull import Placement, place, with_mlip_entries
from screening.mlip.model import (
    MODELS,
    EnergyModel,
    MissingExtraError,
    RelaxationError,
    RelaxSettings,
    get_model,
)
from screening.mlip.structures import StructureFile, StructureFileError, looks_like_structure_path, read_structure

__all__ = [
    "MLIP_NOTE",
    "MLIP_PREFIX",
    "MODELS",
    "EnergyModel",
    "MLIPCalculator",
    "MissingExtraError",
    "Placement",
    "RelaxSettings",
    "RelaxationError",
    "StructureEnergy",
    "StructureFile",
    "StructureFileError",
    "default_cache_dir",
    "expand_paths",
    "get_model",
    "is_mlip_id",
    "looks_like_structure_path",
    "place",
    "read_structure",
    "with_mlip_entries",
]
