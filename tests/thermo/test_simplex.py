"""The dense simplex and its parametric walk against HiGHS (point solves, sandwich search).

Hand-made tables check exact numbers in the degenerate cases the walk must get right (coplanar points,
a line through hull vertices, a line along a hull edge, end points on faces of the simplex); on the
shared snapshot the walk's breakpoints, energies and phases are compared with the HiGHS search of
:func:`screening.thermo.segment._search_profile`, which certified every segment by an extra solve.
"""

from __future__ import annotations

import numpy as np
import pytest

from screening.composition.parse import ATOMIC_NUMBER
from screening.entries import EntryTable
from screening.thermo import Engine, segment
from screening.thermo.engine import LI, _reactant
from screening.thermo.lp import HullLP
from screening.thermo.simplex import DenseSimplex, SimplexFailure


def _table(formulas, energies) -> EntryTable:
    return EntryTable.from_records(formulas, energies, [f"e{i}" for i in range(len(formulas))], {"source": "hand"})


def _line(eng: Engine, a: str, b: str, voltage: float | None = None):
    """(hull LP, c_a, c_b) of the interface a | b as the engine sets it up."""
    ra, rb = _reactant(a), _reactant(b)
    els = eng._elements_of(ra, rb)
    if voltage is None:
        return eng._lp(els, None), eng._vector(ra.amounts, els), eng._vector(rb.amounts, els)
    els = tuple(sorted({*els, LI}, key=ATOMIC_NUMBER.__getitem__))
    return eng._lp(els, -voltage), eng._vector(ra.amounts, els, True), eng._vector(rb.amounts, els, True)


def _same_profile(lp: HullLP, c_a, c_b, extra=()) -> tuple[int, int]:
    """Assert walk == HiGHS search (breakpoints, values, phases, interior slopes); (breakpoints, HiGHS solves)."""
    highs_before = lp.n_highs
    walk_pts, walk_int = segment.hull_profile(lp, c_a, c_b, extra)
    assert lp.n_highs == highs_before, "the walk fell back to HiGHS"
    ref_pts, ref_int = segment._search_profile(lp, c_a, c_b, extra)
    assert [p.t for p in walk_pts] == pytest.approx([p.t for p in ref_pts], abs=1e-8)
    assert [p.value for p in walk_pts] == pytest.approx([p.value for p in ref_pts], abs=1e-9)
    for p, q in zip(walk_pts, ref_pts, strict=True):
        assert sorted(lp.labels[p.solution.index]) == sorted(lp.labels[q.solution.index]), f"phases at t={p.t}"
        np.testing.assert_allclose(p.solution.amount.sum(), q.solution.amount.sum(), atol=1e-9)
    assert [p.slope for p in walk_int] == pytest.approx([p.slope for p in ref_int], rel=1e-7, abs=1e-9)
    return len(walk_pts), lp.n_highs - highs_before


# ---------------------------------------------------------------------------------------------- hand-made
def test_point_solve_matches_highs_on_a_grid():
    # Li-S: Li2S (-0.9) and LiS2 (-0.6) on the hull, LiS above it
    lp = HullLP(
        np.array([[1, 0], [0, 1], [2 / 3, 1 / 3], [1 / 3, 2 / 3], [0.5, 0.5]]),
        np.array([0.0, 0.0, -0.9, -0.6, -0.7]),
        np.arange(5),
    )
    for x_s in np.linspace(0, 1, 31):
        c = np.array([1 - x_s, x_s])
        dense, highs = lp.solve(c), lp.solve_highs(c)
        assert dense.value == pytest.approx(highs.value, abs=1e-12)
        assert list(dense.index) == list(highs.index)
        np.testing.assert_allclose(dense.amount, highs.amount, atol=1e-12)
    assert lp.n_highs == 31  # solve() itself never called HiGHS


def test_coplanar_points_give_one_segment_and_exact_kink():
    # X=Li, Y=Se, Z=Te; the three binaries at their midpoints and LiSeTe at the centre all at -1 eV/atom:
    # the medial triangle is one flat facet holding four points (coplanar)
    eng = Engine(_table(["LiSe", "SeTe", "LiTe", "LiSeTe"], [-1.0, -1.0, -1.0, -1.0]))
    prof = eng.react("SeTe", "Li")  # x = 1 at SeTe; the line passes through LiSeTe at x = 2/3 (no kink there)
    assert [k.x for k in prof.kinks] == pytest.approx([0.0, 0.5, 1.0], abs=1e-12)
    assert [k.energy for k in prof.kinks] == pytest.approx([0.0, -0.5, 0.0], abs=1e-12)
    assert {p.formula for p in prof.kinks[1].products} == {"LiSe", "LiTe"}
    assert prof.n_lp_solves <= 3  # two reactant energies, one walk


def test_line_through_a_vertex_of_a_coplanar_facet():
    # LiSeTe now below the medial plane: a vertex of the hull on the line, kinks on both sides of it
    eng = Engine(_table(["LiSe", "SeTe", "LiTe", "LiSeTe"], [-1.0, -1.0, -1.0, -1.2]))
    lp, c_a, c_b = _line(eng, "SeTe", "Li")
    n_points, _ = _same_profile(lp, c_a, c_b)
    prof = eng.react("SeTe", "Li")
    assert n_points == len(prof.kinks) == 4
    assert prof.min_energy == pytest.approx(-1.2 + 2 / 3, abs=1e-12)  # at LiSeTe, x = 2/3
    assert prof.min_x == pytest.approx(2 / 3, abs=1e-12)
    assert [p.entry_id for p in prof.minimum.products] == ["e3"]  # LiSeTe alone


def test_line_along_a_hull_edge_has_no_kink():
    eng = Engine(_table(["Li2S", "LiS2", "LiS"], [-0.9, -0.6, -0.7]))
    prof = eng.react("Li2S", "LiS2")
    assert [k.x for k in prof.kinks] == [0.0, 1.0]
    assert prof.min_energy == 0.0
    closed = eng.react("S", "Li")  # end points are unit columns (faces of the simplex)
    assert [k.x for k in closed.kinks] == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0], abs=1e-12)
    assert [k.energy for k in closed.kinks] == pytest.approx([0.0, -0.9, -0.6, 0.0], abs=1e-12)  # Li2S, LiS2


def test_window_hand_made_matches_search():
    eng = Engine(_table(["Li2S", "LiS2", "LiS"], [-0.9, -0.6, -0.7]))
    w = eng.window("LiS2")
    assert w.reduction_limit == pytest.approx(1.2, abs=1e-12)
    assert w.oxidation_limit == pytest.approx(1.8, abs=1e-12)


def test_walk_falls_back_to_highs(monkeypatch):
    eng = Engine(_table(["LiSe", "SeTe", "LiTe", "LiSeTe"], [-1.0, -1.0, -1.0, -1.2]))
    expected = eng.react("SeTe", "Li")

    def give_up(self, c_a, c_b):
        raise SimplexFailure("forced")

    monkeypatch.setattr(DenseSimplex, "walk", give_up)
    fresh = Engine(_table(["LiSe", "SeTe", "LiTe", "LiSeTe"], [-1.0, -1.0, -1.0, -1.2]))
    got = fresh.react("SeTe", "Li")
    assert [(k.x, k.energy, k.reaction) for k in got.kinks] == [
        (pytest.approx(k.x, abs=1e-12), pytest.approx(k.energy, abs=1e-12), k.reaction) for k in expected.kinks
    ]
    assert got.n_lp_solves > expected.n_lp_solves  # the search needs many point solves


def test_pivot_limit_raises():
    s = DenseSimplex(np.eye(2), np.zeros(2), np.arange(2))
    s.max_pivots = 0
    with pytest.raises(SimplexFailure):
        s.solve(np.array([0.5, 0.5]))


# ---------------------------------------------------------------------------------------------- snapshot
SNAPSHOT_LINES = [
    ("LiCoO2", "Li3PS4", [None, 4.3]),
    ("LiCoO2", "Li10GeP2S12", [None, 4.3]),
    ("LiFePO4", "Li3PS4", [None, 3.0]),
    ("LiCoO2", "Li7La3Zr2O12", [None, 4.3]),
    ("LiCoO2", "Li3PO4", [4.3]),
    ("LiNbO3", "Li3PS4", [None, 3.0, 0.0]),
    ("Li2ZrO3", "Li3PS4", [None, 3.5]),
    ("Li3BO3", "Li3PS4", [None, 2.0]),
    ("Li3BO3", "S", [None]),
    ("Li3N", "Li6PS5Cl", [0.0]),
    ("Li", "Li7La3Zr2O12", [None]),
    ("LiNi0.8Co0.1Mn0.1O2", "Li6PS5Cl", [4.3]),
    ("Li6.4La3Zr1.4Ta0.6O12", "LiNi0.8Co0.15Al0.05O2", [None]),
]
WINDOWS = ["LiCoO2", "Li3PS4", "Li7La3Zr2O12", "LiNbO3", "Li10GeP2S12", "Li6PS5Cl", "Li3N", "LiFePO4"]


@pytest.mark.snapshot
@pytest.mark.parametrize(
    ("a", "b", "voltage"), [pytest.param(a, b, v, id=f"{a}|{b}@{v}") for a, b, vs in SNAPSHOT_LINES for v in vs]
)
def test_walk_equals_highs_search_on_snapshot(snapshot_table, a, b, voltage):
    eng = Engine(snapshot_table)
    lp, c_a, c_b = _line(eng, a, b, voltage)
    n_points, n_highs = _same_profile(lp, c_a, c_b)
    assert n_points >= 2
    assert n_highs >= n_points  # the search needs at least one HiGHS solve per breakpoint


@pytest.mark.snapshot
@pytest.mark.parametrize("formula", WINDOWS)
def test_window_line_equals_highs_search_on_snapshot(snapshot_table, formula):
    eng = Engine(snapshot_table)
    r = _reactant(formula)
    els = tuple(sorted({*r.amounts, LI}, key=ATOMIC_NUMBER.__getitem__))
    lp = eng._lp(els, None)
    c_li = eng._vector({LI: 1.0}, els)
    c_del = np.insert(eng._vector(r.amounts, els, drop_li=True), els.index(LI), 0.0)
    _same_profile(lp, c_li, c_del, extra=(r.n_li / r.n_atoms,))


@pytest.mark.snapshot
@pytest.mark.parametrize(("a", "b"), [("LiCoO2", "Li3PS4"), ("Li2ZrO3", "Li3PS4"), ("Li", "Li7La3Zr2O12")])
def test_point_solves_then_walk_reuse_the_walk(snapshot_table, a, b):
    # react (closed) solves both reactants first: the second solve walks from the first, and the
    # profile then reuses that walk read backwards, without a pivot of its own
    eng = Engine(snapshot_table)
    lp, c_a, c_b = _line(eng, a, b)
    assert lp.solve(c_a).value == pytest.approx(lp.solve_highs(c_a).value, abs=1e-10)
    assert lp.solve(c_b).value == pytest.approx(lp.solve_highs(c_b).value, abs=1e-10)
    pivots = lp.n_pivots
    _same_profile(lp, c_a, c_b)
    assert lp.n_pivots == pivots


@pytest.mark.snapshot
def test_chemical_system_index_equals_table_select(snapshot_table):
    import random

    from screening.thermo.subsets import select

    rng = random.Random(5)
    elements = list(snapshot_table.elements)
    systems = [("Cs",), ("Li", "O"), ("Li", "Co", "O", "P", "S"), ("Li", "Ni", "Co", "Mn", "O", "P", "S", "Cl")]
    systems += [tuple(rng.sample(elements, n)) for n in (1, 2, 3, 4, 6, 8, 10) for _ in range(5)]
    for system in systems:
        rows, frac = select(snapshot_table, system)
        expected = snapshot_table.select(system)
        np.testing.assert_array_equal(rows, expected)
        np.testing.assert_array_equal(frac, snapshot_table.fractions(expected, system))
    assert len(select(snapshot_table, ("Li", "Co", "O", "P", "S"))[0]) > 500


def test_chemical_system_index_missing_element(lis_table_small):
    from screening.errors import MissingElementError
    from screening.thermo.subsets import select

    with pytest.raises(MissingElementError):
        select(lis_table_small, ("Li", "Xe"))
    rows, frac = select(lis_table_small, ("Li", "S"))
    np.testing.assert_array_equal(rows, lis_table_small.select(("Li", "S")))
    np.testing.assert_allclose(frac.sum(axis=1), 1.0)


@pytest.fixture()
def lis_table_small() -> EntryTable:
    return _table(["Li2S", "LiS2", "Li4S2"], [-0.9, -0.6, -0.8])
