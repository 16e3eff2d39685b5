"""The typed plan of a screen: stacks, and every interface ``a | b`` (closed or open to Li at a
potential) with the integer id that every result table joins on.

* :mod:`.config` - the typed config (:class:`ScreenConfig`, :class:`Material`), parsed once;
* :mod:`.records` - :class:`Stack`, :class:`Interface` and their table form;
* :mod:`.build` - :class:`ScreenPlan`: which interfaces a screen computes, once each, in which chunk.
"""

from __future__ import annotations

from screening.plan.build import (
    ScreenPlan,
    baseline_interfaces,
    charged_material,
    coating_materials,
    electrode_partners,
    stacks_of,
)
from screening.plan.config import ConfigError, Material, ScreenConfig
from screening.plan.records import INTERFACE_COLUMNS, KINDS, Interface, Stack, interface_frame, interface_key

__all__ = [
    "ConfigError",
    "INTERFACE_COLUMNS",
    "KINDS",
    "Interface",
    "Material",
    "ScreenConfig",
    "ScreenPlan",
    "Stack",
    "baseline_interfaces",
    "charged_material",
    "coating_materials",
    "electrode_partners",
    "interface_frame",
    "interface_key",
    "stacks_of",
]
