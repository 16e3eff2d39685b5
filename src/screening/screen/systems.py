"""What a screen asks its entry source for: the elements and the chemical systems of its materials.

Both the entries step (:mod:`screening.screen.entries`) and the electronic model
(:mod:`screening.screen.electronic`) need these; they live here, below both, so neither imports the other.
"""

from __future__ import annotations

from screening.composition import parse_formula
from screening.composition.parse import ATOMIC_NUMBER
from screening.entries.sources import EntrySource, entry_source
from screening.errors import FormulaError
from screening.screen.config import ConfigError, ScreenConfig


def _sorted_elements(elements) -> list[str]:
    return sorted(set(elements), key=lambda e: ATOMIC_NUMBER.get(e, 999))


def parse_material(formula: str, key: str) -> dict[str, float]:
    """Parse a configured formula; the error names its config key."""
    try:
        return parse_formula(formula)
    except FormulaError as exc:
        raise ConfigError(f"config key {key}: {exc}") from None


def needed_elements(cfg: ScreenConfig, source: str | EntrySource) -> list[str] | None:
    """Every element the screen may ask the source about (None: everything the source holds).

    The configured materials' elements plus Li, plus the query's ``elements`` when a query is enabled.
    A query without ``elements`` needs the whole source, which a file source has but Materials Project
    does not: there it is an error.
    """
    els = {"Li"}
    for m in cfg.materials:
        els.update(parse_material(m.formula, m.key + ".formula"))
        if m.charged:
            els.update(parse_material(m.charged, m.key + ".charged"))
    q = cfg.query
    if q.get("enabled"):
        if q.get("elements"):
            els.update(q["elements"])
            els.update(q.get("require_elements") or [])
        elif entry_source(source).per_system:
            raise ConfigError(
                "config key coatings.query.elements must list the elements the query may use when source is mp "
                "(Materials Project is fetched per chemical system)"
            )
        else:
            return None
    return _sorted_elements(els)


def required_systems(cfg: ScreenConfig) -> list[tuple[str, ...]]:
    """Chemical systems (each with Li) that the screen's windows and interfaces need.

    One per material (its window) and one per interface: coating | electrode, coating | electrolyte
    and the electrolyte | electrode baselines, charged compositions included. With a query over
    ``elements`` Q, also Q + Li and Q + each electrode and electrolyte. A per-system source (Materials
    Project) fetches the minimal cover of these instead of the union of all elements, which no single
    query could hold.
    """

    def els(m) -> frozenset[str]:
        out = set(parse_material(m.formula, m.key + ".formula"))
        if m.charged:
            out |= set(parse_material(m.charged, m.key + ".charged"))
        return frozenset(out | {"Li"})

    partners = [*cfg.electrodes, *cfg.electrolytes]
    systems = {els(m) for m in cfg.materials}
    systems |= {els(e) | els(p) for e in cfg.electrolytes for p in cfg.electrodes}
    systems |= {els(c) | els(p) for c in cfg.coatings for p in partners}
    q = cfg.query
    if q.get("enabled") and q.get("elements"):
        base = frozenset(q["elements"]) | frozenset(q.get("require_elements") or []) | {"Li"}
        systems |= {base} | {base | els(p) for p in partners}
    return sorted((tuple(_sorted_elements(s)) for s in systems), key=lambda t: (len(t), t))


__all__ = ["needed_elements", "parse_material", "required_systems"]
