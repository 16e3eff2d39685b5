"""Interphase character: does an interface reaction passivate or keep growing?

:mod:`.electronic` gives the electronic character of a phase (conducting / insulating / unknown) with its
evidence (user table, Materials Project band gap, the metal rule, the closed-shell rule); :mod:`.classify`
turns the products of reactions and stability-window limits into interphase classes (Wenzel et al., Solid
State Ionics 278, 98 (2015)).
"""

from __future__ import annotations

from screening.interphase.classify import (
    CLASSES,
    DEFAULT_REACTION_TOLERANCE,
    MIXED,
    NONE,
    PASSIVATING,
    UNKNOWN,
    InterphaseClass,
    ReactionClasses,
    WindowClasses,
    classify_decomposition,
    classify_kink,
    classify_products,
    classify_profile,
    classify_window,
)
from screening.interphase.electronic import (
    DEFAULT_GAP_THRESHOLD,
    EVIDENCE_ORDER,
    ElectronicCharacter,
    ElectronicModel,
    ElectronicTableError,
    GapRecord,
    build_model,
    closed_shell_states,
    composition_key,
    load_electronic_table,
    rule_conducts,
    rule_insulating,
)

__all__ = [
    "CLASSES",
    "DEFAULT_GAP_THRESHOLD",
    "DEFAULT_REACTION_TOLERANCE",
    "EVIDENCE_ORDER",
    "MIXED",
    "NONE",
    "PASSIVATING",
    "UNKNOWN",
    "ElectronicCharacter",
    "ElectronicModel",
    "ElectronicTableError",
    "GapRecord",
    "InterphaseClass",
    "ReactionClasses",
    "WindowClasses",
    "build_model",
    "classify_decomposition",
    "classify_kink",
    "classify_products",
    "classify_profile",
    "classify_window",
    "closed_shell_states",
    "composition_key",
    "load_electronic_table",
    "rule_conducts",
    "rule_insulating",
]
