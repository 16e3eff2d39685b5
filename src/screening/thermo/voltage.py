"""Average voltage of an electrode between two Li contents, from the same data as the hull.

For a host H and two Li contents x_lo < x_hi per formula unit of H, with formation energies (Li metal at
0 eV, the reference of every potential in this package)::

    V = -[E(Li_{x_hi} H) - E(Li_{x_lo} H) - (x_hi - x_lo) E(Li metal)] / (x_hi - x_lo) / e

(Aydinol, Kohan, Ceder et al., Phys. Rev. B 56, 1354 (1997); the average intercalation voltage of the
Materials Project battery explorer and pymatgen ``InsertionElectrode``). So a cathode's potential in a
screen can come from the data set that computes its interfaces instead of a guess.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from screening.composition.parse import ATOMIC_NUMBER
from screening.errors import InputError

if TYPE_CHECKING:
    from screening.thermo.engine import Engine, Plateau

LI = "Li"
_HOST_TOL = 1e-6


@dataclass
class ElectrodeState:
    """One end of the voltage: a Li content of the host.

    Attributes:
        formula: As given.
        reduced_formula: Reduced formula.
        li_per_host: Li per formula unit of the host (the lithiated end's non-Li part).
        has_entry: The composition has an entry of its own.
        entry_id: Its lowest entry, if any.
        e_above_hull: Of that entry [eV/atom]; None without an entry.
        energy_hull: Hull energy per host formula unit [eV].
        energy_raw: Lowest entry's energy per host formula unit [eV] (the hull energy without an entry).
    """

    formula: str
    reduced_formula: str
    li_per_host: float
    has_entry: bool
    entry_id: str | None
    e_above_hull: float | None
    energy_hull: float
    energy_raw: float


@dataclass
class AverageVoltage:
    """Average voltage between a lithiated and a delithiated composition of one host [V vs Li/Li+].

    Attributes:
        lithiated, delithiated: The two ends (the one with more Li is ``lithiated``, whatever the order given).
        host: Reduced formula of the host (the lithiated end without its Li).
        li_transferred: Li per host formula unit between the two ends.
        voltage: The average voltage in the chosen ``reference`` [V].
        voltage_hull: With both ends lowered onto the hull [V] (the Li-weighted mean of ``steps``).
        voltage_raw: With each end's own lowest entry [V] (the hull where an end has no entry).
        reference: ``"hull"`` or ``"raw"``.
        steps: Plateaus of the hull between the two Li contents (voltage, Li per host formula unit, phases).
    """

    lithiated: ElectrodeState
    delithiated: ElectrodeState
    host: str
    li_transferred: float
    voltage: float
    voltage_hull: float
    voltage_raw: float
    reference: str
    steps: list[Plateau] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["units"] = "V vs Li/Li+; energies in eV per host formula unit"
        return d


def _host(amounts: dict[str, float]) -> dict[str, float]:
    return {el: v for el, v in amounts.items() if el != LI}


def average_voltage(engine: Engine, discharged: str, charged: str, hull_reference: bool = True) -> AverageVoltage:
    """Average voltage of an electrode between two Li contents of the same host, from ``engine``'s data.

    Args:
        engine: The engine (its entry table is the data).
        discharged: The lithiated composition, e.g. ``LiCoO2``.
        charged: The delithiated one, e.g. ``CoO2`` or ``Li0.5CoO2`` (the two may be given in either order).
        hull_reference: Report the hull-referenced value (default) as ``voltage``; False reports the raw one.
            Both are always in the result.

    Raises:
        InputError: the two compositions are not the same host with different Li contents.
    """
    from screening.thermo.reactants import _reactant

    ra, rb = _reactant(discharged), _reactant(charged)
    ha, hb = _host(ra.amounts), _host(rb.amounts)
    if not ha or set(ha) != set(hb):
        raise InputError(
            f"{discharged} and {charged} are not one host with two Li contents; give e.g. "
            "'screening voltage LiCoO2 --charged CoO2' (same elements besides Li)"
        )
    if rb.n_li / sum(hb.values()) > ra.n_li / sum(ha.values()):  # given in the other order
        ra, rb, ha, hb = rb, ra, hb, ha
    k = sum(ha.values()) / sum(hb.values())  # delithiated formula units per host formula unit
    if any(abs(ha[el] - k * hb[el]) > _HOST_TOL * max(ha[el], 1.0) for el in ha):
        raise InputError(
            f"{discharged} and {charged} have different hosts ({ra.reduced} vs {rb.reduced} without Li); "
            "give two Li contents of one host, e.g. LiCoO2 and Li0.5CoO2"
        )
    x_hi, x_lo = ra.n_li, rb.n_li * k
    if abs(x_hi - x_lo) < _HOST_TOL:
        raise InputError(f"{discharged} and {charged} have the same Li content; give two different Li contents")
    elements = tuple(sorted({*ha, LI}, key=ATOMIC_NUMBER.__getitem__))
    engine.table.check_elements(elements, f"{discharged} | {charged}")

    def state(r, x: float, scale: float) -> ElectrodeState:
        d = engine.decompose(r.formula)
        atoms = r.n_atoms * scale  # atoms of this end per host formula unit
        raw = d.entry_energy if d.has_entry else d.hull_energy
        return ElectrodeState(
            formula=r.formula,
            reduced_formula=r.reduced,
            li_per_host=float(x),
            has_entry=d.has_entry,
            entry_id=d.entry_id,
            e_above_hull=d.e_above_hull,
            energy_hull=float(d.hull_energy * atoms),
            energy_raw=float(raw * atoms),
        )

    hi, lo = state(ra, x_hi, 1.0), state(rb, x_lo, k)
    dx = x_hi - x_lo
    v_hull = -(hi.energy_hull - lo.energy_hull) / dx + 0.0
    v_raw = -(hi.energy_raw - lo.energy_raw) / dx + 0.0
    steps = []
    for pl in engine.window(ra.formula).profile:
        a, b = max(pl.li_start, x_lo), min(pl.li_end, x_hi)
        if b - a > 1e-9:
            steps.append(type(pl)(pl.voltage, float(a), float(b), pl.phases))
    return AverageVoltage(
        lithiated=hi,
        delithiated=lo,
        host=_host_formula(ha),
        li_transferred=float(dx),
        voltage=v_hull if hull_reference else v_raw,
        voltage_hull=v_hull,
        voltage_raw=v_raw,
        reference="hull" if hull_reference else "raw",
        steps=steps,
    )


def _host_formula(host: dict[str, float]) -> str:
    from screening.composition.parse import canonical_formula

    return canonical_formula(host)


__all__ = ["AverageVoltage", "ElectrodeState", "average_voltage"]
