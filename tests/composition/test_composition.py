"""Formula parsing: ordinary formulas with fractional occupancies and glass/composite notation."""

from __future__ import annotations

import pytest

from screening.composition.parse import canonical_formula, formula_key, parse_formula, parse_simple_formula
from screening.errors import FormulaError, ScreeningError


def approx_dict(expected: dict[str, float]):
    return pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("Li3PS4", {"Li": 3, "P": 1, "S": 4}),
        ("LiTi2(PO4)3", {"Li": 1, "Ti": 2, "P": 3, "O": 12}),
        ("Li1.3Al0.3Ti1.7(PO4)3", {"Li": 1.3, "Al": 0.3, "Ti": 1.7, "P": 3, "O": 12}),
        ("Li6.4La3Zr1.4Ta0.6O12", {"Li": 6.4, "La": 3, "Zr": 1.4, "Ta": 0.6, "O": 12}),
        ("Li9.54Si1.74P1.44S11.7Cl0.3", {"Li": 9.54, "Si": 1.74, "P": 1.44, "S": 11.7, "Cl": 0.3}),
        ("LiNi0.8Co0.1Mn0.1O2", {"Li": 1, "Ni": 0.8, "Co": 0.1, "Mn": 0.1, "O": 2}),
        ("Li.5CoO2", {"Li": 0.5, "Co": 1, "O": 2}),
        ("K4(Fe(CN)6)", {"K": 4, "Fe": 1, "C": 6, "N": 6}),  # nested groups
        ("(PO4)3Li", {"P": 3, "O": 12, "Li": 1}),  # a leading group is a formula, not a composite
        ("Li12P4S16", {"Li": 12, "P": 4, "S": 16}),  # snapshot style: not reduced
        ("LiOH", {"Li": 1, "O": 1, "H": 1}),
        ("LiO0.5(OH)0.5", {"Li": 1, "O": 1, "H": 0.5}),  # an element repeated across groups adds up
        ("  Li2 S ", {"Li": 2, "S": 1}),  # whitespace is ignored
        ("Li0CoO2", {"Co": 1, "O": 2}),  # a zero amount is dropped
    ],
)
def test_ordinary_formulas(formula, expected):
    assert parse_formula(formula) == approx_dict(expected)


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Composite amounts are per mole of mixture, coefficients normalised to sum to 1.
        ("70Li2S-30P2S5", {"Li": 1.4, "P": 0.6, "S": 0.7 + 1.5}),
        ("75Li2S-25P2S5", {"Li": 1.5, "P": 0.5, "S": 0.75 + 1.25}),  # = Li3PS4
        ("0.75Li2S-0.25P2S5", {"Li": 1.5, "P": 0.5, "S": 2.0}),  # fractions or percentages alike
        # 0.75 Li2S + 0.24 P2S5 + 0.01 P2O5
        ("75Li2S·24P2S5·1P2O5", {"Li": 1.5, "S": 0.75 + 1.2, "P": 0.48 + 0.02, "O": 0.05}),
        # 0.99 (0.7 Li2S + 0.3 P2S5) + 0.01 Li2ZrO3
        (
            "99(70Li2S-30P2S5)-1Li2ZrO3",
            {"Li": 0.99 * 1.4 + 0.02, "P": 0.99 * 0.6, "S": 0.99 * 2.2, "Zr": 0.01, "O": 0.03},
        ),
        ("Li2S-P2S5", {"Li": 1, "P": 1, "S": 3}),  # parts without a coefficient count once
        ("50(Li2S)-50(P2S5)", {"Li": 1, "P": 1, "S": 3}),
        ("(70Li2S-30P2S5)", {"Li": 1.4, "P": 0.6, "S": 2.2}),  # a bracketed composite alone
        ("95LiNi0.8Co0.1Mn0.1O2-5LiNbO3", {"Li": 1, "Ni": 0.76, "Co": 0.095, "Mn": 0.095, "Nb": 0.05, "O": 2.05}),
    ],
)
def test_composite_notation(formula, expected):
    assert parse_formula(formula) == approx_dict(expected)


@pytest.mark.parametrize("sep", ["-", "·", "•", "*", "+", "–", "—", "∙", "⋅", " - ", " · "])
def test_every_separator_gives_the_same_glass(sep):
    assert parse_formula(f"70Li2S{sep}30P2S5") == approx_dict({"Li": 1.4, "P": 0.6, "S": 2.2})


@pytest.mark.parametrize(
    ("formula", "crystal"),
    [
        ("70Li2S-30P2S5", "Li7P3S11"),
        ("75Li2S-25P2S5", "Li3PS4"),
        ("0.75Li2S-0.25P2S5", "Li3PS4"),
        ("60Li2S-40SiS2", "Li6Si2S7"),  # 0.6 Li2S + 0.4 SiS2 = Li1.2 Si0.4 S1.4
        ("Li12P4S16", "Li3PS4"),
    ],
)
def test_glass_ratio_is_the_crystal_composition(formula, crystal):
    # Same composition per atom. (canonical_formula keeps pymatgen's non-integer reduced formula for a
    # glass, e.g. 'Li1.4P0.6S2.2' for 70Li2S-30P2S5; only the composition is compared here.)
    assert formula_key(parse_formula(formula)) == formula_key(parse_formula(crystal))


@pytest.mark.parametrize(
    ("formula", "reduced"),
    [("LiTi2(PO4)3", "LiTi2(PO4)3"), ("Li12P4S16", "Li3PS4"), ("Li4O2", "Li2O"), ("Li3PS4", "Li3PS4")],
)
def test_canonical_formula_is_pymatgens_reduced_formula(formula, reduced):
    assert canonical_formula(parse_formula(formula)) == reduced


def test_glass_element_ratio_is_exactly_li7p3s11():
    c = parse_formula("70Li2S-30P2S5")
    assert c["Li"] / c["P"] == pytest.approx(7 / 3, rel=1e-14)
    assert c["S"] / c["P"] == pytest.approx(11 / 3, rel=1e-14)


def test_formula_key_identifies_equal_compositions():
    assert formula_key(parse_formula("Li2O2")) == formula_key(parse_formula("LiO"))
    assert formula_key(parse_formula("70Li2S-30P2S5")) == formula_key(parse_formula("Li7P3S11"))
    assert formula_key(parse_formula("Li2O")) != formula_key(parse_formula("Li2O2"))


def test_parse_simple_rejects_composites():
    with pytest.raises(FormulaError, match="70Li2S-30P2S5"):
        parse_simple_formula("70Li2S-30P2S5")


@pytest.mark.parametrize(
    ("formula", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Xx2O", "'Xx' is not an element symbol"),
        ("Li3PS4-Xy", "'Xy' is not an element symbol"),
        ("li3ps4", "unexpected character 'l'"),
        ("Li3$PS4", r"unexpected character '\$' at position 3"),
        ("Li2O3.5.5", "unexpected character '.'"),
        ("Li3PS4 7", "unexpected character '7'"),
        ("1e3Li", "unexpected character 'e'"),
        ("Li3PS4)", r"unbalanced '\)'"),
        ("(Li3PS4", r"unbalanced '\('"),
        ("70Li2S-30P2S5)", r"unbalanced '\)'"),
        ("70(Li2S-P2S5", "unexpected character '-'"),
        ("()", "empty parentheses"),
        ("Li()", "empty parentheses"),
        ("Li0", "no element with a positive amount"),
        ("70Li2S--30P2S5", "composite part is empty"),
        ("-Li2S", "composite part is empty"),
        ("70Li2S-30P2S5-", "composite part is empty"),
        ("70Li2S-30", "coefficient 30 has no formula after it"),
        ("70Li2S-0P2S5", "coefficient must be positive"),
        ("0Li2S", "coefficient must be positive"),
    ],
)
def test_bad_formulas_raise_a_one_line_error_naming_the_formula(formula, why):
    with pytest.raises(FormulaError, match=why) as info:
        parse_formula(formula)
    msg = str(info.value)
    assert repr(formula) in msg  # names the formula as the user wrote it
    assert "\n" not in msg
    assert isinstance(info.value, ScreeningError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", [None, 3, 3.5, ["Li2O"], b"Li2O"])
def test_non_string_input(bad):
    with pytest.raises(FormulaError, match="formula must be a string") as info:
        parse_formula(bad)
    assert repr(bad) in str(info.value)
