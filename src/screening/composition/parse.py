"""Formula parsing.

Two grammars are accepted:

* ordinary chemical formulas with parentheses and fractional occupancies, e.g. ``LiTi2(PO4)3``,
  ``Li6.4La3Zr1.4Ta0.6O12``, ``Li9.54Si1.74P1.44S11.7Cl0.3``;
* glass / composite notation of the solid-electrolyte literature: molar parts joined by ``-``, ``·``,
  ``•``, ``*`` or ``+``, each with an optional leading coefficient, e.g. ``70Li2S-30P2S5``,
  ``75Li2S·24P2S5·1P2O5`` or ``99(70Li2S-30P2S5)-1Li2ZrO3``. A parenthesised composite is one mole of
  its own mixture (its coefficients are normalised to sum to one), so ``99(70Li2S-30P2S5)-1Li2ZrO3``
  is 0.99 (0.7 Li2S + 0.3 P2S5) + 0.01 Li2ZrO3. Parts without a coefficient count once.

The result is a mapping element -> amount (atoms per formula unit as written). Nothing here needs
pymatgen, so parsing 10^5 snapshot rows stays fast.
"""

from __future__ import annotations

import re
from functools import lru_cache

from screening.composition.reduced import reduced_formula, reduced_formula_and_amounts
from screening.errors import FormulaError

# Symbols of the elements (Z = 1..103); the data sources never go beyond.
ELEMENTS: tuple[str, ...] = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb "
    "Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr"
).split()
ATOMIC_NUMBER: dict[str, int] = {el: i + 1 for i, el in enumerate(ELEMENTS)}

_SEPARATORS = "-·•*+–—∙⋅"
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_TOKEN = re.compile(rf"([A-Z][a-z]?)({_NUMBER})?|(\()|(\))({_NUMBER})?|(\s+)")
_LEADING_COEFF = re.compile(rf"^\s*({_NUMBER})\s*")
_AMOUNT_TOL = 1e-9
#: Largest amount of one element (or composite coefficient) accepted; beyond it floats lose the
#: small amounts next to it and pymatgen overflows (a 400-digit amount is a typo, not a compound).
MAX_AMOUNT = 1e6


def _fail(formula: str, why: str) -> FormulaError:
    shown = formula if len(formula) <= 60 else f"{formula[:40]}...({len(formula)} characters)"
    return FormulaError(
        f"cannot parse formula {shown!r}: {why}. Write e.g. 'Li3PS4', 'Li6.4La3Zr1.4Ta0.6O12' or '70Li2S-30P2S5'."
    )


def parse_simple_formula(formula: str) -> dict[str, float]:
    """Parse an ordinary chemical formula (no composite separators).

    Args:
        formula: e.g. ``"LiTi2(PO4)3"`` or ``"Li6.4La3Zr1.4Ta0.6O12"``.

    Returns:
        Element symbol -> amount per formula unit, zero amounts dropped.

    Raises:
        FormulaError: on unknown symbols, unbalanced parentheses, stray characters or an empty formula.
    """
    return dict(_parse_simple_cached(formula))


@lru_cache(maxsize=65536)
def _parse_simple_cached(formula: str) -> tuple[tuple[str, float], ...]:
    stack: list[dict[str, float]] = [{}]
    pos = 0
    text = formula.strip()
    if not text:
        raise _fail(formula, "it is empty")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _fail(formula, f"unexpected character {text[pos]!r} at position {pos}")
        el, amt, lpar, rpar, mult, _space = m.groups()
        if el is not None:
            if el not in ATOMIC_NUMBER:
                raise _fail(formula, f"{el!r} is not an element symbol")
            stack[-1][el] = stack[-1].get(el, 0.0) + (_amount(formula, amt) if amt else 1.0)
        elif lpar:
            stack.append({})
        elif rpar:
            if len(stack) == 1:
                raise _fail(formula, "unbalanced ')'")
            group = stack.pop()
            if not group:
                raise _fail(formula, "empty parentheses '()'")
            factor = _amount(formula, mult) if mult else 1.0
            for k, v in group.items():
                stack[-1][k] = stack[-1].get(k, 0.0) + v * factor
        pos = m.end()
    if len(stack) != 1:
        raise _fail(formula, "unbalanced '('")
    big = [k for k, v in stack[0].items() if v > MAX_AMOUNT]
    if big:
        raise _fail(formula, f"the amount of {big[0]} exceeds {MAX_AMOUNT:g} atoms per formula unit")
    amounts = {k: v for k, v in stack[0].items() if v > _AMOUNT_TOL}
    if not amounts:
        raise _fail(formula, "it contains no element with a positive amount")
    return tuple(amounts.items())


def _amount(formula: str, text: str) -> float:
    """A written amount as a float, refused beyond :data:`MAX_AMOUNT`."""
    value = float(text)
    if not value <= MAX_AMOUNT:  # also catches inf from a 400-digit number
        shown = text if len(text) <= 12 else f"{text[:6]}...({len(text)} digits)"
        raise _fail(formula, f"amount {shown} exceeds {MAX_AMOUNT:g}")
    return value


def _split_top_level(text: str) -> list[str]:
    """Split on composite separators that are not inside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in _SEPARATORS and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _is_group(text: str) -> bool:
    """True when text is one parenthesised composite, e.g. ``(70Li2S-30P2S5)``."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return False  # e.g. "(PO4)3Li" - an ordinary formula
    inner = text[1:-1]
    return any(ch in _SEPARATORS for ch in inner) or bool(_LEADING_COEFF.match(inner))


def _parse_composite(text: str, original: str, normalise: bool) -> dict[str, float]:
    parts = _split_top_level(text)
    total: dict[str, float] = {}
    coeff_sum = 0.0
    for part in parts:
        part = part.strip()
        if not part:
            raise _fail(original, "a composite part is empty (two separators in a row, or one at an end)")
        m = _LEADING_COEFF.match(part)
        coeff = 1.0
        if m:
            coeff = _amount(original, m.group(1))
            part = part[m.end() :].strip()
            if not part:
                raise _fail(original, f"coefficient {m.group(1)} has no formula after it")
        if coeff <= 0:
            raise _fail(original, "a composite coefficient must be positive")
        if _is_group(part):
            amounts = _parse_composite(part[1:-1], original, normalise=True)
        else:
            try:
                amounts = parse_simple_formula(part)
            except FormulaError as exc:
                raise _fail(original, str(exc).split(": ", 1)[1].split(". Write")[0]) from None
        coeff_sum += coeff
        for el, v in amounts.items():
            total[el] = total.get(el, 0.0) + coeff * v
    if normalise:
        total = {k: v / coeff_sum for k, v in total.items()}
    return total


def parse_formula(formula: str) -> dict[str, float]:
    """Parse any composition a user writes (ordinary formula or glass/composite notation).

    Args:
        formula: e.g. ``"Li3PS4"``, ``"Li9.54Si1.74P1.44S11.7Cl0.3"``, ``"70Li2S-30P2S5"``,
            ``"75Li2S·24P2S5·1P2O5"`` or ``"99(70Li2S-30P2S5)-1Li2ZrO3"``.

    Returns:
        Element -> amount. For a composite the amounts are per mole of the mixture, the coefficients
        normalised to sum to one (``70Li2S-30P2S5`` gives Li 1.4, P 0.6, S 2.2).

    Raises:
        FormulaError: if the text is not a formula.
    """
    if not isinstance(formula, str):
        raise FormulaError(f"formula must be a string, got {type(formula).__name__} {formula!r}")
    text = formula.strip()
    if not text:
        raise _fail(formula, "it is empty")
    if _LEADING_COEFF.match(text) or any(ch in _SEPARATORS for ch in text):
        return _parse_composite(text, formula, normalise=True)
    return parse_simple_formula(text)


def is_composite(formula: str) -> bool:
    """True when ``formula`` is written in glass/composite notation (``70Li2S-30P2S5``, ``(..)-..``).

    Such a composition is a mixture (a glass, a composite); when it matches a crystalline entry of the
    same composition (``70Li2S-30P2S5`` is Li7P3S11), outputs flag that the entry is a crystal.
    """
    if not isinstance(formula, str):
        return False
    text = formula.strip()
    return bool(_LEADING_COEFF.match(text)) or any(ch in _SEPARATORS for ch in text)


def formula_key(amounts: dict[str, float], ndigits: int = 6) -> tuple[tuple[str, float], ...]:
    """Hashable key of a composition normalised to one atom (element order fixed by Z).

    Two formulas of the same composition (``Li2O2`` and ``LiO``) give the same key.
    """
    total = sum(amounts.values())
    return tuple(
        (el, round(amounts[el] / total, ndigits)) for el in sorted(amounts, key=ATOMIC_NUMBER.__getitem__)
    )


#: An amount of exactly 1 written out in a non-integer formula (``Co1`` in ``Li0.5Co1O2``).
_UNIT_AMOUNT = re.compile(r"(?<=[A-Za-z])1(?![0-9.])")


def chemist_formula(pymatgen_formula: str) -> str:
    """A formula as chemists write it: amounts of 1 omitted (``Li0.5Co1O2`` -> ``Li0.5CoO2``).

    pymatgen writes every amount of a non-integer composition, 1 included; integer compositions are
    unchanged (``Li10GeP2S12`` keeps its ``10``; ``Co1.5`` keeps its ``1.5``).
    """
    return _UNIT_AMOUNT.sub("", pymatgen_formula)


@lru_cache(maxsize=65536)
def _canonical_cached(items: tuple[tuple[str, float], ...]) -> str:
    formula = reduced_formula(dict(items))  # pymatgen's rule without importing pymatgen
    return chemist_formula(formula) if "." in formula else formula  # integer formulas never write a 1


def canonical_formula(amounts: dict[str, float]) -> str:
    """pymatgen's reduced formula of a composition (``{'Li': 4, 'O': 2}`` -> ``'Li2O'``), written as chemists
    do for non-integer compositions (``Li0.5CoO2``, not pymatgen's ``Li0.5Co1O2``)."""
    return _canonical_cached(tuple(sorted((k, round(v, 8)) for k, v in amounts.items())))


def canonical_formula_and_amounts(amounts: dict[str, float]) -> tuple[str, dict[str, float]]:
    """``(canonical_formula(amounts), parse_formula(name))``: a composition's name and the atoms per formula unit
    of that name (``{'Li': 4, 'O': 2}`` -> ``('Li2O', {'Li': 2.0, 'O': 1.0})``), without writing and parsing
    the name for integer compositions."""
    fast = reduced_formula_and_amounts(amounts)
    if fast is not None:
        return fast
    name = canonical_formula(amounts)
    return name, parse_formula(name)
