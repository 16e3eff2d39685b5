"""pymatgen's reduced formula, without importing pymatgen.

:func:`reduced_formula` reproduces ``pymatgen.core.Composition(amounts).reduced_formula`` (pymatgen
2024-2026): elements ordered by Pauling electronegativity (ties and missing values by symbol, missing
last), integer compositions divided by their greatest common divisor, a trailing polyanion written as
``(PO4)3`` when its two elements differ by less than 1.65 in electronegativity, peroxides and the
diatomic gases kept doubled (``Li2O2``, ``O2``), and non-integer compositions written unreduced
(``Li0.5CoO2`` -> ``Li0.5Co1O2``). Importing pymatgen costs about half a second of CPU, which is most
of a command-line call on the cached snapshot; the equality with pymatgen is tested over every formula
of the packaged Materials Project snapshot.
"""

from __future__ import annotations

import math

#: Pauling electronegativity of each element as pymatgen's ``Element.X`` gives it (inf: no value).
ELECTRONEGATIVITY: dict[str, float] = {
    "H": 2.2, "He": math.inf, "Li": 0.98, "Be": 1.57, "B": 2.04, "C": 2.55, "N": 3.04, "O": 3.44, "F": 3.98,
    "Ne": math.inf, "Na": 0.93, "Mg": 1.31, "Al": 1.61, "Si": 1.9, "P": 2.19, "S": 2.58, "Cl": 3.16,
    "Ar": math.inf, "K": 0.82, "Ca": 1.0, "Sc": 1.36, "Ti": 1.54, "V": 1.63, "Cr": 1.66, "Mn": 1.55, "Fe": 1.83,
    "Co": 1.88, "Ni": 1.91, "Cu": 1.9, "Zn": 1.65, "Ga": 1.81, "Ge": 2.01, "As": 2.18, "Se": 2.55, "Br": 2.96,
    "Kr": 3.0, "Rb": 0.82, "Sr": 0.95, "Y": 1.22, "Zr": 1.33, "Nb": 1.6, "Mo": 2.16, "Tc": 1.9, "Ru": 2.2,
    "Rh": 2.28, "Pd": 2.2, "Ag": 1.93, "Cd": 1.69, "In": 1.78, "Sn": 1.96, "Sb": 2.05, "Te": 2.1, "I": 2.66,
    "Xe": 2.6, "Cs": 0.79, "Ba": 0.89, "La": 1.1, "Ce": 1.12, "Pr": 1.13, "Nd": 1.14, "Pm": 1.13, "Sm": 1.17,
    "Eu": 1.2, "Gd": 1.2, "Tb": 1.1, "Dy": 1.22, "Ho": 1.23, "Er": 1.24, "Tm": 1.25, "Yb": 1.1, "Lu": 1.27,
    "Hf": 1.3, "Ta": 1.5, "W": 2.36, "Re": 1.9, "Os": 2.2, "Ir": 2.2, "Pt": 2.28, "Au": 2.54, "Hg": 2.0,
    "Tl": 1.62, "Pb": 2.33, "Bi": 2.02, "Po": 2.0, "At": 2.2, "Rn": 2.2, "Fr": 0.7, "Ra": 0.9, "Ac": 1.1,
    "Th": 1.3, "Pa": 1.5, "U": 1.38, "Np": 1.36, "Pu": 1.28, "Am": 1.3, "Cm": 1.3, "Bk": 1.3, "Cf": 1.3,
    "Es": 1.3, "Fm": 1.3, "Md": 1.3, "No": 1.3, "Lr": 1.3,
}  # fmt: skip

#: Formulas pymatgen does not reduce completely (peroxides, diatomic elements).
SPECIAL_FORMULAS = {
    "LiO": "Li2O2", "NaO": "Na2O2", "KO": "K2O2", "HO": "H2O2", "CsO": "Cs2O2", "RbO": "Rb2O2",
    "O": "O2", "N": "N2", "F": "F2", "Cl": "Cl2", "H": "H2",
}  # fmt: skip

_TOL = 1e-8  # pymatgen's Composition.amount_tolerance and formula_double_format tolerance


#: Sort key of each element in a formula: electronegativity, then symbol.
_ORDER_KEY = {s: (x, s) for s, x in ELECTRONEGATIVITY.items()}


def _order(symbols) -> list[str]:
    return sorted(symbols, key=_ORDER_KEY.__getitem__)


def _number(x: float, ignore_ones: bool = True) -> str:
    """pymatgen's ``formula_double_format``: '' for 1, an int when within 1e-8, else rounded to 8 places."""
    if x == int(x):  # exactly integral (the usual case): the same strings, without the tolerance tests
        return "" if ignore_ones and x == 1 else str(int(x))
    if ignore_ones and math.isclose(x, 1, abs_tol=_TOL):
        return ""
    if math.isclose(x, round(x), abs_tol=_TOL, rel_tol=0):
        return str(round(x))
    return str(round(x, 8))


def _reduce(ints: dict[str, int]) -> tuple[str, list[str], list[int]]:
    """pymatgen's ``reduce_formula`` for non-zero integer amounts: (formula, symbols in the formula's order,
    their amounts divided by the greatest common divisor). A trailing pair of elements closer than 1.65 in
    electronegativity is written once with its own multiplier when it has one: ``(PO4)3``."""
    syms = _order(ints)
    factor = math.gcd(*ints.values())
    red = [ints[s] // factor for s in syms]
    head, tail = syms, ""
    if len(syms) >= 3 and ELECTRONEGATIVITY[syms[-1]] - ELECTRONEGATIVITY[syms[-2]] < 1.65:
        p, q = red[-2], red[-1]
        g = math.gcd(p, q)
        if g != 1:
            head, tail = syms[:-2], f"({syms[-2]}{_int(p // g)}{syms[-1]}{_int(q // g)}){g}"
    return "".join([s + _int(n) for s, n in zip(head, red, strict=False)]) + tail, syms, red


#: How an amount is written: nothing for 1.
_COUNTS = ("0", "", *map(str, range(2, 100)))


def _int(n: int) -> str:
    return _COUNTS[n] if 0 <= n < 100 else str(n)


def reduced_formula(amounts: dict[str, float]) -> str:
    """pymatgen's ``Composition(amounts).reduced_formula``, computed without pymatgen.

    Args:
        amounts: Element symbol -> atoms per formula unit (positive).

    Returns:
        e.g. ``{'Li': 4, 'O': 2}`` -> ``'Li2O'``, ``{'Li': 2, 'O': 2}`` -> ``'Li2O2'``,
        ``{'Li': 3, 'Ti': 2, 'P': 3, 'O': 12}`` -> ``'Li3Ti2(PO4)3'``, ``{'Li': 0.5, 'Co': 1, 'O': 2}`` ->
        ``'Li0.5Co1O2'``.
    """
    amounts = {s: float(v) for s, v in amounts.items() if abs(v) >= _TOL}
    if not all(abs(v - round(v)) < _TOL for v in amounts.values()):
        return "".join(s + _number(amounts[s], ignore_ones=False) for s in _order(amounts))
    formula, _, _ = _reduce({s: round(v) for s, v in amounts.items()})
    return SPECIAL_FORMULAS.get(formula, formula)


def reduced_formula_and_amounts(amounts: dict[str, float]) -> tuple[str, dict[str, float]] | None:
    """:func:`reduced_formula` and the atoms per formula unit of what it writes, for integer amounts.

    One step instead of writing the formula and parsing it again: ``{'Li': 4, 'O': 2}`` -> ``('Li2O', {'Li':
    2.0, 'O': 1.0})``, ``{'Li': 6, 'Ti': 4, 'P': 6, 'O': 24}`` -> ``('Li3Ti2(PO4)3', {..., 'P': 3.0, 'O':
    12.0})``.

    Args:
        amounts: Element symbol -> atoms per formula unit.

    Returns:
        (formula, amounts) equal to ``(reduced_formula(amounts), parse_formula(formula))``; None when an amount
        is not a positive integer or the formula is one pymatgen keeps doubled (:data:`SPECIAL_FORMULAS`): the
        caller takes the general path.
    """
    vals = list(amounts.values())
    if not vals or min(vals) <= 0:
        return None
    counts = [int(v) for v in vals]
    if counts != vals:  # a non-integer amount (element-wise ==: 2 == 2.0)
        return None
    formula, syms, red = _reduce(dict(zip(amounts, counts, strict=True)))
    if formula in SPECIAL_FORMULAS:
        return None
    return formula, dict(zip(syms, map(float, red), strict=True))


__all__ = ["ELECTRONEGATIVITY", "reduced_formula", "reduced_formula_and_amounts"]
