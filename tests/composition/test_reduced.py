"""pymatgen's reduced formula without pymatgen: equal to ``Composition(...).reduced_formula``."""

from __future__ import annotations

import csv
import gzip
import random

import pytest
from pymatgen.core import Composition

from screening.composition import canonical_formula, canonical_formula_and_amounts, parse_formula
from screening.composition.reduced import ELECTRONEGATIVITY, reduced_formula, reduced_formula_and_amounts

CASES = {
    "Li4O2": "Li2O",
    "Li2O2": "Li2O2",
    "LiO": "Li2O2",
    "O4": "O2",
    "N": "N2",
    "Li12P4S16": "Li3PS4",
    "Li3Ti2P3O12": "Li3Ti2(PO4)3",
    "Fe2S3O12": "Fe2(SO4)3",
    "Co3P2O8": "Co3(PO4)2",
    "CoP2O6": "Co(PO3)2",
    "C1Pt1": "PtC",
    "Ca4F20Ti4": "CaTiF5",
    "Li7La3Zr2O12": "Li7La3Zr2O12",
    "Li10Ge1P2S12": "Li10Ge(PS6)2",
    "He2Li": "LiHe2",
}


@pytest.mark.filterwarnings("ignore:No Pauling electronegativity")
@pytest.mark.parametrize(("formula", "expected"), sorted(CASES.items()))
def test_known_formulas(formula, expected):
    amounts = parse_formula(formula)
    assert reduced_formula(amounts) == expected == Composition(amounts).reduced_formula
    assert canonical_formula(amounts) == expected


@pytest.mark.parametrize(
    "amounts",
    [
        {"Li": 0.5, "Co": 1, "O": 2},
        {"Li": 6.4, "La": 3, "Zr": 1.4, "Ta": 0.6, "O": 12},
        {"Li": 1.4, "P": 0.6, "S": 2.2},
        {"Li": 1 / 3, "O": 1 / 6},
        {"Li": 2.000000001, "O": 1},
        {"Li": 0.33, "La": 0.56, "Ti": 1, "O": 3},
    ],
)
def test_fractional_compositions(amounts):
    assert reduced_formula(amounts) == Composition(amounts).reduced_formula


def test_electronegativities_are_pymatgens():
    import math
    import warnings

    from pymatgen.core import Element

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for el, x in ELECTRONEGATIVITY.items():
            ref = Element(el).X
            assert (math.isinf(x) and math.isnan(ref)) or x == ref, el


def _snapshot_formulas(path) -> list[str]:
    with gzip.open(path, "rt", newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        return sorted({r[0] for r in rows})


@pytest.mark.snapshot
def test_sample_of_the_snapshot_equals_pymatgen(snapshot_path):
    formulas = random.Random(12).sample(_snapshot_formulas(snapshot_path), 3000)
    for f in formulas:
        amounts = parse_formula(f)
        assert reduced_formula(amounts) == Composition(amounts).reduced_formula, f


@pytest.mark.snapshot
@pytest.mark.slow
def test_every_snapshot_formula_equals_pymatgen(snapshot_path):
    """All 106,250 distinct formulas of the packaged snapshot, as written and scaled to fractions."""
    rng = random.Random(3)
    for f in _snapshot_formulas(snapshot_path):
        amounts = parse_formula(f)
        assert reduced_formula(amounts) == Composition(amounts).reduced_formula, f
        k = rng.choice([0.5, 0.25, 1 / 3, 0.1, 2.5])
        scaled = {el: round(v * k, 8) for el, v in amounts.items()}
        assert reduced_formula(scaled) == Composition(scaled).reduced_formula, (f, k)


def _name_and_parse(amounts):
    name = canonical_formula(amounts)
    return name, parse_formula(name)


@pytest.mark.filterwarnings("ignore:No Pauling electronegativity")
@pytest.mark.parametrize("formula", sorted(CASES))
def test_name_and_amounts_in_one_step_equal_writing_then_parsing(formula):
    amounts = parse_formula(formula)
    name, comp = canonical_formula_and_amounts(amounts)
    assert (name, comp) == _name_and_parse(amounts) == (CASES[formula], parse_formula(CASES[formula]))
    assert list(comp) == list(parse_formula(name))  # same element order as the name
    fast = reduced_formula_and_amounts(amounts)
    # the doubled formulas (peroxides, diatomic gases) take the general path
    assert (fast is None) == (CASES[formula] in ("Li2O2", "O2", "N2"))


@pytest.mark.parametrize("amounts", [{"Li": 0.5, "Co": 1, "O": 2}, {"Li": 2.0, "O": 0.0}, {"Li": 1e-12, "O": 1}])
def test_name_and_amounts_of_non_integer_compositions_take_the_general_path(amounts):
    assert reduced_formula_and_amounts(amounts) is None
    assert canonical_formula_and_amounts({k: v for k, v in amounts.items() if v > 1e-8}) == _name_and_parse(
        {k: v for k, v in amounts.items() if v > 1e-8}
    )


def _assert_one_step_names(formulas):
    for f in formulas:
        amounts = parse_formula(f)
        name, comp = canonical_formula_and_amounts(amounts)
        ref_name, ref_comp = _name_and_parse(amounts)
        assert name == ref_name and comp == ref_comp and list(comp) == list(ref_comp), f
        assert all(type(v) is float for v in comp.values()), f


@pytest.mark.snapshot
def test_name_and_amounts_of_a_sample_of_the_snapshot(snapshot_path):
    _assert_one_step_names(random.Random(5).sample(_snapshot_formulas(snapshot_path), 3000))


@pytest.mark.snapshot
@pytest.mark.slow
def test_name_and_amounts_of_every_snapshot_formula(snapshot_path):
    """The one-step name and amounts equal the written-then-parsed ones for all 106,250 distinct formulas,
    element order and float type included (the engine names every product this way)."""
    _assert_one_step_names(_snapshot_formulas(snapshot_path))
