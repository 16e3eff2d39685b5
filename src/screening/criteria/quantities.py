"""The quantities a gate can judge: what each measures, its unit, and whether it is known before any
reaction energy is computed (a *cheap* quantity can stop a database candidate in the funnel).

Reaction quantities are magnitudes |E| of the most negative point of a pseudo-binary reaction profile
(Richards et al., Chem. Mater. 28, 266 (2016), eq. 2 closed, eq. 4 open to Li): closed energies in
eV/atom (per atom including Li), open ones in eV per non-Li atom at the electrode's potentials (the
worst over them). Window quantities come from the coating's electrochemical stability window (Zhu, He &
Mo, ACS Appl. Mater. Interfaces 7, 23685 (2015)), in V vs Li/Li+.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.composition import parse_formula


@dataclass(frozen=True)
class Quantity:
    """One judged quantity.

    Attributes:
        name: Its key in a preset (``reaction_electrolyte_closed``).
        units: Unit of its values (``eV/atom``, ``V``, ``eV``, ``bool``).
        direction: ``max`` (a value at most the threshold passes) or ``min`` (at least).
        cheap: Known from the windows table alone (before any interface is computed).
        scale: Normalises a shortfall beyond the threshold (the ordering's third key), in ``units``.
        description: What it is, in words.
    """

    name: str
    units: str
    direction: str
    cheap: bool
    scale: float
    description: str


_OPEN = "eV per non-Li atom"
QUANTITIES: dict[str, Quantity] = {
    q.name: q
    for q in (
        Quantity("band_gap", "eV", "min", True, 0.5, "the coating's band gap (metal 0; closed-shell rule: insulating)"),
        Quantity("e_above_hull", "eV/atom", "max", True, 0.025, "the coating's energy above the convex hull"),
        Quantity("has_entry", "bool", "min", True, 1.0, "1 if the coating has an entry in the data, 0 if virtual"),
        Quantity("li_content", "bool", "min", True, 1.0, "1 if the coating contains Li"),
        Quantity("polyanion_oxide", "bool", "min", True, 1.0, "1 for a polyanion oxide (B, C, N, Si, P, S, ...)"),
        Quantity("oxidation_limit", "V", "min", True, 0.5, "oxidation limit of the window (none: +inf)"),
        Quantity("reduction_limit", "V", "max", True, 0.5, "reduction limit of the window (none: -inf)"),
        Quantity("oxidation_margin", "V", "min", True, 0.5, "oxidation limit minus the electrode's top potential"),
        Quantity("reduction_margin", "V", "min", True, 0.5, "electrode's bottom potential minus the reduction limit"),
        Quantity("window_margin", "V", "min", True, 0.5, "the smaller of oxidation_margin and reduction_margin"),
        Quantity("reaction_electrolyte_closed", "eV/atom", "max", False, 0.1, "|E| with the electrolyte, closed"),
        Quantity("reaction_electrolyte_open", _OPEN, "max", False, 0.1, "|E| with the electrolyte, open to Li"),
        Quantity("reaction_electrode_closed", "eV/atom", "max", False, 0.1, "|E| with the discharged electrode"),
        Quantity("reaction_electrode_open", _OPEN, "max", False, 0.1, "|E| with the electrode, open to Li"),
        Quantity("reaction_charged_closed", "eV/atom", "max", False, 0.1, "|E| with the charged cathode, closed"),
        Quantity("interphase", "bool", "min", False, 1.0, "0 if an interface forms a mixed-conducting interphase"),
    )
}

#: Central atoms of oxoanions (borate, carbonate, nitrate, silicate, phosphate, sulfate, germanate, ...).
POLYANION_CENTRES = frozenset({"B", "C", "N", "Si", "P", "S", "Ge", "As", "Se"})


def is_polyanion_oxide(formula: str) -> bool:
    """A salt of an oxoanion: O, a polyanion centre and a counter-cation (``Li3PO4``, ``LiPO3``, ``Li2CO3``,
    ``Li2SiO3``), as Xiao et al. (Joule 3, 1252 (2019)) recommend for sulfide electrolytes. ``Li3PS4`` (no O),
    ``LiNbO3`` (no centre) and the network oxides ``SiO2``, ``B2O3``, ``P2O5`` (no counter-cation) are not."""
    els = set(parse_formula(formula))
    return "O" in els and bool(els & POLYANION_CENTRES) and bool(els - POLYANION_CENTRES - {"O", "H"})


__all__ = ["POLYANION_CENTRES", "QUANTITIES", "Quantity", "is_polyanion_oxide"]
