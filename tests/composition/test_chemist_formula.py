"""Formulas printed as chemists write them, and detection of glass/composite notation."""

from __future__ import annotations

import pytest

from screening.composition import canonical_formula, chemist_formula, is_composite, parse_formula


@pytest.mark.parametrize(
    "formula,printed",
    [
        ("Li0.5CoO2", "Li0.5CoO2"),  # pymatgen: Li0.5Co1O2
        ("Li0.33La0.56TiO3", "Li0.33La0.56TiO3"),  # pymatgen: Li0.33La0.56Ti1O3
        ("Li1.4P0.6S2.2", "Li1.4P0.6S2.2"),
        ("Co1.5O", "Co1.5O"),
        ("LiCo1O2", "LiCoO2"),
        ("Li10GeP2S12", "Li10Ge(PS6)2"),  # integer compositions keep pymatgen's reduced formula
        ("Li4O2", "Li2O"),
        ("Li6.4La3Zr1.4Ta0.6O12", "Li6.4La3Zr1.4Ta0.6O12"),
    ],
)
def test_canonical_formula_as_chemists_write_it(formula, printed):
    assert canonical_formula(parse_formula(formula)) == printed


def test_chemist_formula_keeps_tens_and_decimals():
    assert chemist_formula("Li0.5Co1O2") == "Li0.5CoO2"
    assert chemist_formula("Na1Co10O1.5") == "NaCo10O1.5"
    assert chemist_formula("Li10Ge1P2S12") == "Li10GeP2S12"


@pytest.mark.parametrize(
    "formula,expected",
    [("70Li2S-30P2S5", True), ("75Li2S·24P2S5·1P2O5", True), ("99(70Li2S-30P2S5)-1Li2ZrO3", True),
     ("Li3PS4", False), ("LiTi2(PO4)3", False), ("Li0.5CoO2", False)],
)
def test_is_composite(formula, expected):
    assert is_composite(formula) is expected
