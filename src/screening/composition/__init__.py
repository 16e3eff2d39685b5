"""Parsing of the compositions users write: formulas, fractional occupancies and glass notation."""

from __future__ import annotations

from screening.composition.parse import (
    canonical_formula,
    canonical_formula_and_amounts,
    chemist_formula,
    formula_key,
    is_composite,
    parse_formula,
    parse_simple_formula,
)

__all__ = [
    "canonical_formula",
    "canonical_formula_and_amounts",
    "chemist_formula",
    "formula_key",
    "is_composite",
    "parse_formula",
    "parse_simple_formula",
]
