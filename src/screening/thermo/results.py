"""Typed results of the engine: phases, decompositions, reaction profiles and their kinks, stability windows.

Every energy carries its unit in its field's docstring ([eV/atom] closed, [eV per non-Li atom] open to Li);
``as_dict`` gives JSON-ready dictionaries with the units written out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from screening.errors import InputError

#: Conventions of the interface reaction energy (:meth:`Engine.react`, :meth:`ReactionProfile.min_of`).
REACTION_ENERGIES = ("total", "mutual", "richards2016")


@dataclass
class Phase:
    """A phase in a decomposition or a reaction.

    Attributes:
        formula: Reduced formula (pymatgen convention).
        entry_id: Identifier of the (lowest) entry of that composition.
        amount: Formula units of ``formula`` (per formula unit of the reactant, or per reaction as
            written) — or atomic fraction where the field name of the container says so.
        virtual: True if the entry is user-defined, not data.
    """

    formula: str
    entry_id: str
    amount: float
    virtual: bool = False


@dataclass
class Decomposition:
    """Hull energy and decomposition of one composition, closed or open to Li.

    Energies are per atom [eV/atom] when closed and per non-Li atom when open to Li.
    """

    formula: str
    reduced_formula: str
    voltage: float | None
    mu_li: float | None
    has_entry: bool
    virtual: bool
    entry_id: str | None
    entry_energy: float | None
    hull_energy: float
    e_above_hull: float | None
    phases: list[Phase]
    li_exchanged: float | None = None
    open_hull_energy: float | None = None
    open_reactant_energy: float | None = None
    decomposition_energy: float | None = None
    units: str = "eV/atom"
    convention: str = "hull"
    glass_as_crystal: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Kink:
    """One breakpoint of an interface reaction profile.

    Attributes:
        x: Atomic fraction of reactant A in the A+B mixture (all atoms; pymatgen's ``x``).
        x_molar: Mole fraction of A formula units, A/(A+B) (pymatgen's original-composition ratio).
        t: Fraction of A in the normalisation used for energies (per atom closed, per non-Li atom open).
        energy: Reaction energy [eV/atom closed, eV per non-Li atom open]; open to Li the total value.
        energy_mutual: Open to Li, the mutual value (reactants referenced to their own decomposition
            at mu_Li); closed, equal to ``energy``.
        energy_electrode: Open to Li, the Richards 2016 value: the electrode (reactant
            ``ReactionProfile.electrode``) referenced to its own equilibrium at mu_Li, the other reactant's
            decomposition counted; closed, equal to ``energy``.
        reaction: Balanced reaction, ``x_molar A + (1-x_molar) B (+ n Li) -> products``.
        products: Products with amounts in formula units per reaction as written.
        li_exchanged: Li taken up from (+) or given to (-) the reservoir per reaction as written.
        reactants: (reduced formula, formula units) of the left side of ``reaction`` (Li from the
            reservoir included), so the reaction balances element by element against ``products``
            (and Li given to the reservoir) whatever multiple of its reduced formula a reactant was
            written as.
    """

    x: float
    x_molar: float
    t: float
    energy: float
    energy_mutual: float
    reaction: str
    products: list[Phase]
    li_exchanged: float = 0.0
    energy_electrode: float = 0.0
    reactants: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class ReactionProfile:
    """Pseudo-binary reaction profile of an interface A | B.

    Three reaction energies are kept open to Li (:data:`REACTION_ENERGIES`, see ``docs/conventions.md``):
    ``total`` (both reactants' own decomposition at mu_Li counted; pymatgen
    ``include_no_mixing_energy=True``), ``mutual`` (neither counted) and ``richards2016`` (the electrode held
    in its own equilibrium at the potential, the other reactant's decomposition counted; Richards et al.,
    Chem. Mater. 28, 266 (2016)). Closed, the three are equal.
    """

    a: str
    b: str
    voltage: float | None
    mu_li: float | None
    open_to_li: bool
    reference: str
    units: str
    elements: list[str]
    reactant_energies: dict
    virtual: dict
    kinks: list[Kink]
    min_energy: float
    min_x: float
    min_energy_mutual: float
    min_x_mutual: float
    n_lp_solves: int = 0
    electrode: str = "a"
    min_energy_electrode: float = 0.0
    min_x_electrode: float = 0.0
    glass_as_crystal: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    def min_of(self, energy: str = "total") -> tuple[float, float]:
        """(minimum reaction energy, its x) in one of :data:`REACTION_ENERGIES`."""
        if energy == "total":
            return self.min_energy, self.min_x
        if energy == "mutual":
            return self.min_energy_mutual, self.min_x_mutual
        if energy == "richards2016":
            return self.min_energy_electrode, self.min_x_electrode
        raise InputError(f"unknown reaction energy {energy!r}; use one of {', '.join(REACTION_ENERGIES)}")

    @property
    def minimum(self) -> Kink:
        """The kink of the most negative (total) reaction energy."""
        return min(self.kinks, key=lambda k: k.energy)

    def plot(self, mutual: bool | None = None):
        """Interactive figure (plotly): energy vs x, minimum marked, reaction on hover.

        See :func:`screening.thermo.figures.profile_figure`.
        """
        from screening.thermo.figures import profile_figure

        return profile_figure(self, mutual=mutual)


@dataclass
class Plateau:
    """A segment of the Li uptake profile: constant mu_Li between two Li contents."""

    voltage: float
    li_start: float
    li_end: float
    phases: list[str]


@dataclass
class StabilityWindow:
    """Electrochemical stability window of a composition, vs Li/Li+.

    Attributes:
        reduction_limit: Highest V [V] at which taking up Li lowers the energy (None: cannot be reduced
            by Li, e.g. pure Li).
        oxidation_limit: Lowest V [V] at which giving up Li does (None: no Li to give, unbounded).
        reduction_products: Phases formed just below the reduction limit, per formula unit of the input.
        oxidation_products: Phases formed just above the oxidation limit.
        li_reduction: Li taken up per formula unit at the reduction limit's first step (None when that
            step goes straight to Li metal, e.g. a metal that forms no Li compound: unbounded uptake).
        li_oxidation: Li given up per formula unit at the oxidation limit's first step.
        profile: All plateaus from the fully delithiated composition to Li metal.
        li_tolerance: Steps exchanging less Li than this [Li per non-Li atom] were skipped to find the limits.
        warnings: Limits on plateaus shorter than :data:`~screening.thermo.engine.SHORT_PLATEAU`, and limits moved
            by ``li_tolerance``.
        glass_as_crystal: The formula is glass/composite notation and took a crystalline entry of the same
            composition.
    """

    formula: str
    reduced_formula: str
    has_entry: bool
    virtual: bool
    e_above_hull: float | None
    reduction_limit: float | None
    oxidation_limit: float | None
    reduction_products: list[Phase]
    oxidation_products: list[Phase]
    li_reduction: float | None
    li_oxidation: float | None
    profile: list[Plateau] = field(default_factory=list)
    li_tolerance: float = 0.0
    warnings: list[str] = field(default_factory=list)
    glass_as_crystal: bool = False

    @property
    def width(self) -> float | None:
        if self.reduction_limit is None or self.oxidation_limit is None:
            return None
        return self.oxidation_limit - self.reduction_limit

    def plot(self):
        """Interactive figure (plotly): Li uptake plateaus with the window shaded.

        See :func:`screening.thermo.figures.window_figure`.
        """
        from screening.thermo.figures import window_figure

        return window_figure(self)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["width"] = self.width
        d["units"] = "V vs Li/Li+"
        return d


__all__ = ["REACTION_ENERGIES", "Decomposition", "Kink", "Phase", "Plateau", "ReactionProfile", "StabilityWindow"]
