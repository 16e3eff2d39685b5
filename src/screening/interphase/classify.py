"""Interphase class of reactions and stability-window limits: none, passivating, mixed-conducting, unknown.

Wenzel et al., Solid State Ionics 278, 98 (2015) sort solid|solid interfaces into three kinds: stable, a
passivating interphase (all products electronically insulating: growth stops once the layer blocks
electrons), and a mixed-conducting interphase (MCI: a product conducts electrons, so the reaction keeps
going). Zhu, He & Mo, ACS AMI 7, 23685 (2015) and Richards et al., Chem. Mater. 28, 266 (2016) read the
computed decomposition products this way (Li10GeP2S12 | Li -> Li15Ge4 + Li3P + Li2S is an MCI, Li3PS4 | Li ->
Li3P + Li2S passivates). Here:

* ``none``: no reaction within the tolerance (reaction energy >= -tolerance; default 25 meV/atom, kT at
  298 K);
* ``mixed-conducting``: at least one product conducts (named, with its evidence);
* ``unknown``: no product is known to conduct, but at least one has no evidence (named);
* ``passivating``: every product is insulating, by a band gap (user table or Materials Project) or by the
  closed-shell rule (:func:`screening.interphase.electronic.rule_insulating`: Li2S, Li3P, Li2O, LiF, ...).

Evidence cells name each product once, grouped by character, with the evidence in brackets, e.g.
``conducting: Li15Ge4 [rule]`` or ``insulating: Li2S [closed-shell rule], Li3P [closed-shell rule]``, and
stop at :data:`EVIDENCE_MAX_CHARS` characters (``+N more``).

The interphase that grows against an electrode is the one in equilibrium with it: the products at the kink
of the reaction profile next to the electrode's end (for Li metal, closed, that is the other reactant
fully reduced, i.e. decomposed open to Li at 0 V; for a cathode, open to Li at its potential). Both that
and the products at the profile's minimum are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from screening.interphase.electronic import ElectronicCharacter, ElectronicModel
from screening.thermo.engine import Decomposition, Kink, Phase, ReactionProfile, StabilityWindow

NONE = "none"
PASSIVATING = "passivating"
MIXED = "mixed-conducting"
UNKNOWN = "unknown"
CLASSES = (NONE, PASSIVATING, MIXED, UNKNOWN)

#: Reactions less exothermic than this [eV/atom, or eV per non-Li atom open to Li] count as no reaction:
#: kT at 298 K.
DEFAULT_REACTION_TOLERANCE = 0.025
#: Longest evidence text of one class or one table cell [characters]; further products become ``+N more``.
EVIDENCE_MAX_CHARS = 200

_GROUP = {True: "conducting", False: "insulating", None: "no evidence"}


def evidence_text(products: Iterable[ElectronicCharacter], limit: int = EVIDENCE_MAX_CHARS) -> str:
    """Short evidence of products: each formula once, grouped by character, at most ``limit`` characters.

    ``conducting: Li15Ge4 [rule]; insulating: Li2S [closed-shell rule]; no evidence: Zr4O, LiNbO2 +3 more``.
    Groups follow the order conducting, insulating, no evidence; within a group the products keep their
    order. Products that do not fit become ``+N more`` (at least one product is always named).
    """
    seen: dict[str, ElectronicCharacter] = {}
    for p in products:
        seen.setdefault(p.formula, p)
    order = [p for c in (True, False, None) for p in seen.values() if p.conducting is c]
    n = len(order)
    text, shown = "", 0
    for i, p in enumerate(order):
        item = f"{p.formula} [{p.tag}]" if p.tag else p.formula
        new_group = i == 0 or order[i - 1].conducting is not p.conducting
        candidate = text + (("; " if text else "") + f"{_GROUP[p.conducting]}: " if new_group else ", ") + item
        rest = n - i - 1
        room = limit - (len(f" +{rest} more") if rest else 0)
        if shown and len(candidate) > room:
            break
        text, shown = candidate, shown + 1
    if shown < n:
        text += f" +{n - shown} more"
    return clip(text, limit)


def clip(text: str, limit: int = EVIDENCE_MAX_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters at a separator (``, ``, ``; ``, `` | ``), ending in ``...``."""
    if len(text) <= limit:
        return text
    room = max(limit - 4, 0)
    cut = max(text.rfind(sep, 0, room) for sep in (", ", "; ", " | "))
    return (text[:cut] if cut > 0 else text[:room]) + " ..."


@dataclass(frozen=True)
class InterphaseClass:
    """The interphase class of one set of products, with the evidence for every product.

    Attributes:
        cls: ``none``, ``passivating``, ``mixed-conducting`` or ``unknown``.
        where: Which products were classified (``minimum``, ``next to Li``, ``kink 3``, ``reduction``, ...).
        energy: Reaction energy there [eV/atom closed, eV per non-Li atom open; None for window limits].
        products: Electronic character of each product (empty for ``none``).
        conducting: Formulas of the conducting products.
        unknown: Formulas of the products without evidence.
    """

    cls: str
    where: str
    energy: float | None
    products: tuple[ElectronicCharacter, ...] = ()
    conducting: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def shown(self) -> tuple[ElectronicCharacter, ...]:
        """The products that decide the class: the conducting ones (mixed-conducting), the unknown ones
        (unknown), all (passivating), none (``none``)."""
        if self.cls == MIXED:
            return tuple(p for p in self.products if p.conducting)
        if self.cls == UNKNOWN:
            return tuple(p for p in self.products if p.conducting is None)
        if self.cls == PASSIVATING:
            return self.products
        return ()

    @property
    def evidence(self) -> str:
        """Evidence behind the class (:func:`evidence_text` of :attr:`shown`; ``no reaction``/``no limit`` for
        ``none``), e.g. ``conducting: Li15Ge4 [rule]``."""
        if self.cls == NONE:
            return "no reaction" if self.energy is not None else "no limit"
        return evidence_text(self.shown)

    def as_dict(self) -> dict:
        return {
            "class": self.cls,
            "where": self.where,
            "energy": self.energy,
            "conducting": list(self.conducting),
            "unknown": list(self.unknown),
            "evidence": self.evidence,
            "products": [p.as_dict() for p in self.products],
        }


def classify_products(
    products: Sequence[Phase] | Sequence[str],
    model: ElectronicModel,
    where: str = "",
    energy: float | None = None,
    reacts: bool = True,
) -> InterphaseClass:
    """Class of a set of products (phases or formulas); ``reacts=False`` gives ``none``."""
    if not reacts:
        return InterphaseClass(NONE, where, energy)
    names = sorted({p if isinstance(p, str) else p.formula for p in products})
    chars = tuple(model.character(n) for n in names)
    conducting = tuple(c.formula for c in chars if c.conducting)
    unknown = tuple(c.formula for c in chars if c.conducting is None)
    if not chars:
        cls = NONE
    elif conducting:
        cls = MIXED
    elif unknown:
        cls = UNKNOWN
    else:
        cls = PASSIVATING
    return InterphaseClass(cls, where, energy, chars, conducting, unknown)


def classify_kink(
    kink: Kink, model: ElectronicModel, where: str = "", tolerance: float = DEFAULT_REACTION_TOLERANCE
) -> InterphaseClass:
    """Class of the products of one kink (``none`` when its reaction energy is >= -tolerance)."""
    return classify_products(kink.products, model, where, kink.energy, reacts=kink.energy < -abs(tolerance))


@dataclass(frozen=True)
class ReactionClasses:
    """Interphase classes of an interface reaction profile A | B.

    Attributes:
        minimum: Products at the minimum of the profile.
        side_a: Products in equilibrium with A (the kink next to x = 1).
        side_b: Products in equilibrium with B (the kink next to x = 0).
        kinks: One class per kink of the profile, in its order.
        tolerance: Reaction energy tolerance used [same units as the profile].
        a, b: The reactants.
    """

    a: str
    b: str
    minimum: InterphaseClass
    side_a: InterphaseClass
    side_b: InterphaseClass
    kinks: tuple[InterphaseClass, ...] = field(default_factory=tuple)
    tolerance: float = DEFAULT_REACTION_TOLERANCE

    def side(self, electrode: str) -> InterphaseClass:
        """The class next to ``electrode`` (one of the two reactants, as written)."""
        if electrode == self.a:
            return self.side_a
        if electrode == self.b:
            return self.side_b
        raise KeyError(electrode)

    def as_dict(self) -> dict:
        return {
            "tolerance": self.tolerance,
            "minimum": self.minimum.as_dict(),
            "side_a": {"next_to": self.a, **self.side_a.as_dict()},
            "side_b": {"next_to": self.b, **self.side_b.as_dict()},
            "kinks": [k.as_dict() for k in self.kinks],
        }


def classify_profile(
    profile: ReactionProfile, model: ElectronicModel, tolerance: float = DEFAULT_REACTION_TOLERANCE
) -> ReactionClasses:
    """Classes of an interface reaction: at its minimum, next to each reactant, and at every kink.

    With no reaction anywhere (minimum >= -tolerance) every class is ``none``. Next to A is the kink just
    before x = 1 (with only the two end points, B's own decomposition, which is what A touches).
    """
    tol = abs(float(tolerance))
    kinks = profile.kinks
    per_kink = tuple(classify_kink(k, model, f"kink {i}", tol) for i, k in enumerate(kinks))
    i_min = min(range(len(kinks)), key=lambda i: (kinks[i].energy, kinks[i].x))
    reacts = profile.min_energy < -tol

    def at(i: int, where: str) -> InterphaseClass:
        k = kinks[i]
        return classify_products(k.products, model, where, k.energy, reacts=reacts and k.energy < -tol)

    return ReactionClasses(
        a=profile.a,
        b=profile.b,
        minimum=at(i_min, "minimum"),
        side_a=at(len(kinks) - 2, f"next to {profile.a}"),
        side_b=at(1, f"next to {profile.b}"),
        kinks=per_kink,
        tolerance=tol,
    )


def classify_decomposition(
    dec: Decomposition, model: ElectronicModel, tolerance: float = DEFAULT_REACTION_TOLERANCE
) -> InterphaseClass:
    """Class of a composition's decomposition open to Li (e.g. an electrolyte against Li metal at 0 V)."""
    energy = dec.decomposition_energy if dec.voltage is not None else -(dec.e_above_hull or 0.0)
    where = "decomposition" if dec.voltage is None else f"decomposition at {dec.voltage:g} V"
    reacts = energy is not None and energy < -abs(tolerance)
    return classify_products(dec.phases, model, where, energy, reacts=reacts)


@dataclass(frozen=True)
class WindowClasses:
    """Interphase classes of a stability window's reduction and oxidation products."""

    formula: str
    reduction: InterphaseClass
    oxidation: InterphaseClass

    def as_dict(self) -> dict:
        return {"reduction": self.reduction.as_dict(), "oxidation": self.oxidation.as_dict()}


def classify_window(window: StabilityWindow, model: ElectronicModel) -> WindowClasses:
    """Classes of the products just past the reduction and the oxidation limit.

    ``none`` when there is no limit, or when past it there is nothing but Li metal and the compound itself
    (a compound stable down to 0 V only meets Li plating, e.g. Li2S).
    """

    def at(limit: float | None, phases: list[Phase], where: str) -> InterphaseClass:
        products = [p for p in phases if p.formula not in ("Li", window.reduced_formula)]
        return classify_products(products, model, where, reacts=limit is not None and bool(products))

    red = at(window.reduction_limit, window.reduction_products, "reduction")
    ox = at(window.oxidation_limit, window.oxidation_products, "oxidation")
    return WindowClasses(window.formula, red, ox)


__all__ = [
    "CLASSES",
    "DEFAULT_REACTION_TOLERANCE",
    "EVIDENCE_MAX_CHARS",
    "MIXED",
    "NONE",
    "PASSIVATING",
    "UNKNOWN",
    "InterphaseClass",
    "ReactionClasses",
    "WindowClasses",
    "classify_decomposition",
    "classify_kink",
    "classify_products",
    "classify_profile",
    "classify_window",
    "clip",
    "evidence_text",
]
