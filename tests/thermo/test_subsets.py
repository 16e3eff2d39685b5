"""The chemical-system index: hull candidates and exact systems give the same hulls and entries as the table.

An index query must never change a number: a hull LP of the index's candidates is the hull LP of every row
(same points, energies and labels, closed and open to Li), and the entries of exactly one system are the
rows ``EntryTable.select`` finds with every element present. The engine's per-formula memo (own entry,
own-system hull energy) must not make a profile depend on what the engine computed before.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from screening.composition.parse import ATOMIC_NUMBER
from screening.entries import EntryTable
from screening.thermo import Engine
from screening.thermo.engine import _rows_within
from screening.thermo.lp import HullLP
from screening.thermo.subsets import ChemsysIndex, _hull_candidates, exact_rows, index_of, select


def _table(formulas, energies) -> EntryTable:
    return EntryTable.from_records(formulas, energies, [f"e{i}" for i in range(len(formulas))], {"source": "hand"})


def _grand(frac: np.ndarray, energies: np.ndarray, rows: np.ndarray, li: int, mu: float):
    """The grand-potential points of an LP open to Li at ``mu`` [eV] (as ``Engine._lp`` builds them)."""
    keep = frac[:, li] < 1 - 1e-12
    scale = 1.0 - frac[keep, li]
    coords = np.delete(frac[keep], li, axis=1) / scale[:, None]
    return coords, (energies[keep] - frac[keep, li] * mu) / scale, rows[keep]


def _same_lp(a: HullLP, b: HullLP) -> None:
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.coords, b.coords)
    np.testing.assert_array_equal(a.energies, b.energies)


def test_hull_candidates_keep_the_lowest_entry_of_each_composition():
    # Li2S twice (the second lower), Li4S2 = Li2S at the same energy as the lower one (a tie: the lower row
    # stays), LiS2 above zero (never on a hull), LiS at exactly 0
    t = _table(["Li2S", "Li2S", "Li4S2", "LiS2", "LiS"], [-0.5, -0.9, -0.9, 0.2, 0.0])
    keep = _hull_candidates(t.amounts, t.energy_per_atom)
    names = [t.formulas[i] for i in np.flatnonzero(keep)]
    assert list(np.flatnonzero(keep)[:2]) == [1, 4]  # the lower Li2S (row 1, before its tie in row 2) and LiS
    assert names == ["Li2S", "LiS", "Li", "S"]  # + the element references at 0 eV/atom
    index = ChemsysIndex(t)
    assert index.n_candidates == 4
    np.testing.assert_array_equal(index.candidates(("Li", "S")), np.flatnonzero(keep))
    np.testing.assert_array_equal(index.exact(("Li", "S")), [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(index.exact(("S",)), [6])


@pytest.mark.snapshot
def test_candidate_lps_equal_the_lps_of_every_row(snapshot_table):
    """Closed and open to Li (0, 3 and 4.3 V), on the review's systems and random ones of 2-6 elements."""
    index = ChemsysIndex(snapshot_table)
    assert 0.5 * len(snapshot_table) < index.n_candidates < len(snapshot_table)
    rng = random.Random(11)
    others = [el for el in snapshot_table.elements if el != "Li"]
    systems = [("Li", "Co", "O", "P", "S"), ("Li", "La", "Zr", "O"), ("Li", "Nb", "O", "P", "S", "Cl"), ("Li", "O")]
    systems += [tuple(sorted({"Li", *rng.sample(others, n)}, key=ATOMIC_NUMBER.__getitem__)) for n in (1, 2, 3, 4, 5)]
    e = snapshot_table.energy_per_atom
    for els in systems:
        every = index.select(els)
        cand = index.candidates(els)
        assert set(cand) <= set(every) and len(cand) < len(every)
        f_all, f_cand = index.fractions(every, els), index.fractions(cand, els)
        _same_lp(HullLP(f_all, e[every], every), HullLP(f_cand, e[cand], cand))
        li = els.index("Li")
        for mu in (0.0, -3.0, -4.3):
            _same_lp(HullLP(*_grand(f_all, e[every], every, li, mu)), HullLP(*_grand(f_cand, e[cand], cand, li, mu)))


@pytest.mark.snapshot
def test_engine_lps_open_to_li_equal_the_lps_of_every_row(snapshot_table):
    """The engine prunes the grand-potential points itself (lowest per composition without Li, from the index's
    groups or computed directly): the LP is the one HullLP's own pruning makes of every row."""
    index_of(snapshot_table)  # the index's groups
    eng = Engine(snapshot_table)
    e = snapshot_table.energy_per_atom
    rng = random.Random(5)
    others = [el for el in snapshot_table.elements if el != "Li"]
    systems = [("Li", "Co", "O", "P", "S"), ("Li", "Mn", "O"), ("Li", "Nb", "O", "P", "S", "Cl"), ("Li", "O")]
    systems += [tuple(sorted({"Li", *rng.sample(others, n)}, key=ATOMIC_NUMBER.__getitem__)) for n in (1, 2, 3, 4, 5)]
    for els in systems:
        every = snapshot_table.select(els)
        f = snapshot_table.fractions(every, els)
        for mu in (0.0, -3.0, -4.3):
            _same_lp(eng._lp(els, mu), HullLP(*_grand(f, e[every], every, els.index("Li"), mu)))
    # a small table before its index exists: the groups are computed directly (LiS, Li2S2 and S at one point
    # without Li; Li2S twice, the lower kept)
    t = _table(["Li2S", "Li2S", "LiS", "Li2S2", "LiS2", "Li3S2"], [-0.5, -0.9, -0.7, -0.7, -0.4, -0.6])
    every = t.select(("Li", "S"))
    f = t.fractions(every, ("Li", "S"))
    for mu in (0.0, -0.5, -2.0):
        lp = Engine(t)._lp(("Li", "S"), mu)
        _same_lp(lp, HullLP(*_grand(f, t.energy_per_atom[every], every, 0, mu)))
        assert len(lp.labels) == 1  # one point: S, the lowest grand potential of the S vertex


def _same_selection(got, want) -> None:
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])  # bit for bit: the same floats
    assert got[1].dtype == want[1].dtype and got[1].shape == want[1].shape


@pytest.mark.snapshot
def test_sub_system_rows_taken_from_a_larger_selection_equal_a_selection_of_their_own(snapshot_table):
    """Open to Li the engine takes each reactant's own system from the interface's selection: the same rows and
    the same fraction floats as selecting it from the table (every sub-system of 2-7 element systems)."""
    index_of(snapshot_table)
    rng = random.Random(8)
    others = [el for el in snapshot_table.elements if el != "Li"]
    systems = [("Li", "Co", "O", "P", "S"), ("Li", "Nb", "O", "P", "S", "Cl"), ("Li", "La", "Zr", "O")]
    systems += [tuple(sorted({"Li", *rng.sample(others, n)}, key=ATOMIC_NUMBER.__getitem__)) for n in (3, 5, 6)]
    n_checked = 0
    for els in systems:
        big = select(snapshot_table, els, hull_only=True)
        assert len(els) < 8
        for k in range(1, len(els) + 1):
            for sub in itertools.combinations(els, k):
                _same_selection(_rows_within(big, els, sub), select(snapshot_table, sub, hull_only=True))
                n_checked += 1
    assert n_checked > 300
    # 8 elements and more: numpy sums the row pairwise, so the fractions could differ in the last bit
    wide = ("Li", "B", "C", "N", "O", "P", "S", "Cl")
    assert _rows_within(select(snapshot_table, wide, hull_only=True), wide, ("Li", "O")) is None
    assert _rows_within(big, els, ("Li", "Fe", "O") if "Fe" not in els else ("Li", "Cu")) is None  # not a sub-system


def test_sub_system_rows_before_the_index_exists():
    """The table's own mask test (a table queried fewer than 32 times) gives the same rows and floats."""
    formulas = ["Li2S", "LiS2", "Li2O", "Li2SO4", "Li3PO4", "P2S5", "Li2SO4"]
    t = _table(formulas, [-0.9, -0.6, -2.1, -2.0, -2.6, -0.5, -1.9])
    els = ("Li", "O", "P", "S")
    big = select(t, els, hull_only=True)
    for k in range(1, 5):
        for sub in itertools.combinations(els, k):
            _same_selection(_rows_within(big, els, sub), select(t, sub, hull_only=True))


@pytest.mark.snapshot
def test_exact_rows_are_the_rows_with_every_element(snapshot_table):
    index = ChemsysIndex(snapshot_table)
    for els in [("Li",), ("Li", "O"), ("Li", "Co", "O"), ("Li", "P", "S"), ("Li", "Ge", "P", "S")]:
        rows = snapshot_table.select(els)
        present = (snapshot_table.fractions(rows, els) > 0).all(axis=1)
        np.testing.assert_array_equal(index.exact(els), rows[present])
    # the module functions answer the same before and after the table's index exists (32 queries)
    t = _table(["Li2S", "LiS2", "Li2O", "Li2SO4"], [-0.9, -0.6, -2.1, -2.0])
    before = [(exact_rows(t, ("Li", "S")), select(t, ("Li", "O", "S"), hull_only=True))]
    for _ in range(40):
        select(t, ("Li", "S"), hull_only=True)
    after = [(exact_rows(t, ("Li", "S")), select(t, ("Li", "O", "S"), hull_only=True))]
    (ex0, h0), (ex1, h1) = before[0], after[0]
    np.testing.assert_array_equal(ex0[0], ex1[0])
    np.testing.assert_array_equal(ex0[1], ex1[1])
    lp0 = HullLP(h0[1], t.energy_per_atom[h0[0]], h0[0])
    lp1 = HullLP(h1[1], t.energy_per_atom[h1[0]], h1[0])
    _same_lp(lp0, lp1)


@pytest.mark.snapshot
def test_profiles_do_not_depend_on_what_the_engine_computed_before(snapshot_table):
    """A reactant's own entry and own-system hull energy are kept per formula by an engine: a profile from a
    fresh engine equals, to the last bit, the one from an engine that computed other interfaces first."""
    pairs = [
        ("LiNbO3", "Li3PS4", 4.3),
        ("LiCoO2", "Li3PS4", None),
        ("LiNbO3", "Li6PS5Cl", 3.0),
        ("Li3BO3", "LiCoO2", 4.3),
        ("LiNbO3", "Li3PS4", None),
    ]
    warm = Engine(snapshot_table)
    for a, b, v in [("LiNbO3", "LiCoO2", 4.3), ("Li3PS4", "LiMn2O4", 4.3), ("Li3BO3", "Li6PS5Cl", None)]:
        warm.react(a, b, voltage=v)
    for a, b, v in pairs:
        cold = Engine(snapshot_table).react(a, b, voltage=v)
        hot = warm.react(a, b, voltage=v)
        assert cold.reactant_energies == hot.reactant_energies
        assert [(k.x, k.energy, k.energy_mutual, k.reaction) for k in cold.kinks] == [
            (k.x, k.energy, k.energy_mutual, k.reaction) for k in hot.kinks
        ]
        # the reactants' closed energies are their hull energies in their own systems
        for key, formula in (("a", a), ("b", b)):
            own = Engine(snapshot_table).hull_energy(formula)
            assert cold.reactant_energies[f"{key}_closed_eV_per_atom"] == pytest.approx(own, abs=1e-12)


@pytest.mark.snapshot
def test_e_above_hull_of_hull_compounds_is_exactly_zero(snapshot_table):
    """Round-off of the LP solve (1e-16 eV/atom) must not rank one hull compound behind another: a query sorted
    by e_above_hull picks its first N among the compounds on the hull by name. These five got 5.6e-17,
    8.9e-16 or 1.1e-16 eV/atom from one pivot rule or the other."""
    eng = Engine(snapshot_table)
    names = ["Ba14Na14LiN6", "Ba2Li3(PO3)7", "Cs2LiCeBr6", "Cs2LiPrBr6", "Ba2LiAl(CN2)4"]
    assert [eng.decompose(n).e_above_hull for n in names] == [0.0] * 5
    rows = [eng.decompose(n).entry_id for n in names]
    idx = [snapshot_table.ids.index(r) for r in rows]
    assert eng.e_above_hull_rows(idx).tolist() == [0.0] * 5
