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
from screening.thermo.open_elements import OpenKink, OpenProfile, gas_chemical_potential, react_open
from screening.thermo.voltage import AverageVoltage, ElectrodeState

__all__ = [
    "AverageVoltage",
    "Decomposition",
    "ElectrodeState",
    "Engine",
    "Kink",
    "OpenKink",
    "OpenProfile",
    "Phase",
    "Plateau",
    "ReactionProfile",
    "StabilityWindow",
    "gas_chemical_potential",
    "react_open",
    "voltage_to_mu",
]
