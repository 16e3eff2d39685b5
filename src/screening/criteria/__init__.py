"""Screening criteria: published gates as presets (xiao2019, nolan2021, kim2026, custom), their tiers,
and the quantities they judge (docs/criteria.md)."""

from screening.criteria.gates import (
    DEFAULT_PRESET,
    PRESETS,
    TIER_LEVEL,
    TIERS,
    Criteria,
    CriteriaError,
    Gate,
    criteria_settings,
    overrides_from_text,
    parse_override,
    resolve_criteria,
)
from screening.criteria.quantities import QUANTITIES, Quantity, is_polyanion_oxide

__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "QUANTITIES",
    "TIERS",
    "TIER_LEVEL",
    "Criteria",
    "CriteriaError",
    "Gate",
    "Quantity",
    "criteria_settings",
    "is_polyanion_oxide",
    "overrides_from_text",
    "parse_override",
    "resolve_criteria",
]
