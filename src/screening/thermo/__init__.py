"""Hulls, interface reaction profiles and electrochemical stability windows (exact, LP-based)."""

from __future__ import annotations

from screening.thermo.engine import (
    Decomposition,
    Engine,
    Kink,
    Phase,
    Plateau,
    ReactionProfile,
    StabilityWindow,
    voltage_to_mu,
)
from screening.thermo.voltage import AverageVoltage, ElectrodeState

__all__ = [
    "AverageVoltage",
    "Decomposition",
    "ElectrodeState",
    "Engine",
    "Kink",
    "Phase",
    "Plateau",
    "ReactionProfile",
    "StabilityWindow",
    "voltage_to_mu",
]
