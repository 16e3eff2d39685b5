"""The engine against pymatgen on the shared Materials Project snapshot (issue 2, "Exact against pymatgen").

pymatgen gets exactly the engine's entries (``PDEntry(composition, E_form/atom * n_atoms)``, elements at 0)
through :mod:`pmg_reference`; one ``PhaseDiagram`` is built per element set and one
``GrandPotentialPhaseDiagram`` per (element set, voltage), cached for the whole session.

* Interface reactions: review materials (sulfide and oxide electrolytes x cathodes x coatings), closed
  and open to Li at 0, 3 and 4.3 V. ``energy`` is compared with
  ``GrandPotentialInterfacialReactivity(include_no_mixing_energy=True)`` and ``energy_mutual`` with
  ``include_no_mixing_energy=False``, all with ``use_hull_energy=True``.
* Windows: ``PhaseDiagram.get_element_profile`` read as explained in ``PmgReference.window``.
* 9-10 element interfaces, where pymatgen's triangulation takes minutes: an independent LP
  (``scipy.optimize.linprog(method="highs")``) on the same entries.
"""

from __future__ import annotations

import numpy as np
import pytest
from pmg_reference import LI, LinprogHull, composition, interpolate, significant_kinks

from screening.composition import parse_formula
from screening.thermo import Engine

pytestmark = [pytest.mark.snapshot, pytest.mark.pymatgen_reference]

E_TOL = 1e-3  # eV/atom (closed) or eV per non-Li atom (open): "within 1 meV/atom"
X_TOL = 1e-3  # kink positions
V_TOL = 0.01  # V, windows

# (A, B, voltages): None = closed; a number = open to Li at that potential vs Li/Li+.
PAIRS = [
    # electrolyte | cathode (the cathode side is at 3-4.3 V, or closed for chemical mixing)
    ("LiCoO2", "Li3PS4", [None, 4.3]),
    ("LiCoO2", "Li10GeP2S12", [None, 4.3]),
    ("LiNiO2", "Li7P3S11", [None, 4.3]),
    ("LiMn2O4", "Li3PS4", [4.3]),
    ("LiFePO4", "Li3PS4", [None, 3.0]),
    ("LiCoO2", "Li6PS5Cl", [None, 4.3]),
    ("LiCoO2", "Li7La3Zr2O12", [None, 4.3]),
    ("LiCoO2", "LiTi2(PO4)3", [4.3]),
    ("LiMn2O4", "Li3OCl", [4.3]),
    # coating | cathode
    ("LiCoO2", "LiNbO3", [None, 4.3]),
    ("LiCoO2", "LiTaO3", [4.3]),
    ("LiMn2O4", "Li4Ti5O12", [4.3]),
    ("LiNiO2", "Li2SiO3", [4.3]),
    ("LiCoO2", "LiAlO2", [4.3]),
    ("LiCoO2", "Li3PO4", [4.3]),
    ("LiCoO2", "Li3BO3", [4.3]),
    ("LiNiO2", "Al2O3", [None, 4.3]),
    ("LiCoO2", "Li2ZrO3", [4.3]),
    ("LiNi0.8Co0.1Mn0.1O2", "LiNbO3", [3.0, 4.3]),  # NMC811 has no entry: virtual, on the hull
    ("LiCoO2", "Li1.3Al0.3Ti1.7(PO4)3", [4.3]),  # LATP: virtual
    # coating | electrolyte
    ("LiNbO3", "Li3PS4", [None, 3.0, 0.0]),
    ("LiNbO3", "Li6PS5Cl", [None]),
    ("Li2ZrO3", "Li3PS4", [None, 3.5]),
    # cases that once gave spurious or misplaced kinks (chord slopes on short intervals): keep them
    ("Li3BO3", "Li3PS4", [None, 2.0]),
    ("Li3BO3", "Li7P3S11", [2.0]),
    ("Li3BO3", "S", [None]),
    ("LiNbO3", "Li10GeP2S12", [3.5]),
    ("LiPO3", "Li4Ti5O12", [4.0]),
    ("Li3BO3", "Li6PS5Cl", [None]),
    ("Li2SiO3", "Li3PS4", [None, 3.0]),
    ("Li4Ti5O12", "Li3PS4", [3.0]),
    ("LiTaO3", "Li6PS5Cl", [3.0]),
    ("Li3PO4", "Li10GeP2S12", [None]),
    ("LiAlO2", "Li7P3S11", [None]),
    ("Al2O3", "Li7La3Zr2O12", [None]),
    ("Li1.3Al0.3Ti1.7(PO4)3", "Li3PS4", [None]),
    # anode side (Li metal: 0 V, or the closed reaction with Li itself)
    ("Li3N", "Li3PS4", [0.0]),
    ("Li3N", "Li6PS5Cl", [0.0]),
    ("Li7La3Zr2O12", "Li3PS4", [0.0]),
    ("Li3OCl", "Li3PS4", [0.0]),
    ("Li", "Li3PS4", [None]),
    ("Li", "Li7La3Zr2O12", [None]),
    # 7-8 elements: pymatgen still triangulates these in a few seconds each
    ("LiNi0.33Mn0.33Co0.33O2", "Li3PS4", [4.3]),  # 7: Li Mn Co Ni P S O
    ("LiNi0.8Co0.1Mn0.1O2", "Li10GeP2S12", [None, 4.3]),  # 8: Li Mn Co Ni Ge P S O
    ("LiNi0.8Co0.1Mn0.1O2", "Li6PS5Cl", [None]),  # 8: Li Mn Co Ni P S Cl O
    ("Li6.4La3Zr1.4Ta0.6O12", "LiNi0.8Co0.15Al0.05O2", [None, 4.3]),  # 8: Li Al Co Ni Zr La Ta O
]


def _label(v: float | None) -> str:
    return "closed" if v is None else f"{v:g}V"


def _slow_if_large(a: str, b: str) -> list:
    """7-8 element pairs: pymatgen's triangulation takes seconds each (10-130 s wall on 2 busy cores)."""
    return [pytest.mark.slow] if len(set(parse_formula(a)) | set(parse_formula(b))) >= 7 else []


CASES = [
    pytest.param(a, b, v, id=f"{a}|{b}@{_label(v)}", marks=_slow_if_large(a, b)) for a, b, vs in PAIRS for v in vs
]


def test_case_count():
    assert len(CASES) >= 30
    assert {v for _, _, vs in PAIRS for v in vs} >= {None, 0.0, 3.0, 4.3}


@pytest.fixture(scope="module")
def profiles(snapshot_table, pmg_ref):
    """(engine profile, pymatgen total profile, pymatgen mutual profile or None), computed once per case.

    One Engine shared by every case: its LPs are warm-started from earlier solves on the same chemical
    system, so this also checks that a result does not depend on what the engine solved before.
    """
    cache: dict = {}
    shared = Engine(snapshot_table)

    def get(a, b, v):
        key = (a, b, v)
        if key not in cache:
            prof = shared.react(a, b, voltage=v)
            total = pmg_ref.profile(a, b, v, include_no_mixing_energy=True)
            mutual = None if v is None else pmg_ref.profile(a, b, v, include_no_mixing_energy=False)
            cache[key] = (prof, total, mutual)
        return cache[key]

    return get


class _Pt:
    """A (t, energy) point, to reuse the helpers on the engine's mutual energies."""

    def __init__(self, t: float, energy: float):
        self.t, self.energy = t, energy


def _mutual_points(prof) -> list[_Pt]:
    return [_Pt(k.t, k.energy_mutual) for k in prof.kinks]


def _describe(points) -> str:
    return "; ".join(
        f"x={p.x:.5f} E={p.energy:.5f} {sorted(p.products) if isinstance(p.products, frozenset) else p.reaction}"
        for p in points
    )


# ---------------------------------------------------------------------------------------------- reactions
@pytest.mark.parametrize(("a", "b", "voltage"), CASES)
def test_minimum_reaction_energy(profiles, a, b, voltage):
    prof, total, mutual = profiles(a, b, voltage)
    assert prof.min_energy == pytest.approx(min(k.energy for k in total), abs=E_TOL)
    if voltage is None:
        assert prof.min_energy_mutual == pytest.approx(prof.min_energy, abs=1e-9)  # closed: one value
    else:
        assert prof.min_energy_mutual == pytest.approx(min(k.energy for k in mutual), abs=E_TOL)
        assert prof.min_energy <= prof.min_energy_mutual + 1e-12  # total includes the reactants' own decomposition


@pytest.mark.parametrize(("a", "b", "voltage"), CASES)
def test_kinks_and_products(profiles, a, b, voltage):
    prof, total, _ = profiles(a, b, voltage)
    # pymatgen reports every crossing of the tie line with a simplex of its triangulation, also where
    # dE does not bend (coplanar facets, degenerate simplices); only points where the slope of dE(t)
    # changes are reactions, so pymatgen's list is filtered first (see significant_kinks). The engine
    # claims to report kinks only, so its list is compared as it is.
    ref = significant_kinks(total)
    ours = prof.kinks
    assert len(ours) == len(ref), f"engine: {_describe(ours)}\npymatgen: {_describe(ref)}"
    for k, r in zip(ours, ref, strict=True):
        assert k.x == pytest.approx(r.x, abs=X_TOL)
        assert k.energy == pytest.approx(r.energy, abs=E_TOL)
        assert {p.formula for p in k.products} == r.products, f"at x={r.x:.5f}: {k.reaction}"


@pytest.mark.parametrize(("a", "b", "voltage"), CASES)
def test_whole_profile(profiles, a, b, voltage):
    """dE agrees everywhere, not only at the kinks: both piecewise-linear curves (in t) evaluated at the
    union of their breakpoints; open to Li for both the total and the mutual energy."""
    prof, total, mutual = profiles(a, b, voltage)
    ts = np.array(sorted({k.t for k in total} | {k.t for k in prof.kinks}))
    np.testing.assert_allclose(interpolate(prof.kinks, ts), interpolate(total, ts), atol=E_TOL, rtol=0)
    if mutual is not None:
        np.testing.assert_allclose(interpolate(_mutual_points(prof), ts), interpolate(mutual, ts), atol=E_TOL, rtol=0)
    assert prof.kinks[0].x == 0.0 and prof.kinks[-1].x == 1.0


@pytest.mark.parametrize(("a", "b", "voltage"), CASES)
def test_molar_ratio_matches_pymatgen(profiles, pmg_ref, a, b, voltage):
    """x_molar (mole fraction of A formula units) against pymatgen's get_critical_original_kink_ratio."""
    prof, total, _ = profiles(a, b, voltage)
    ir = pmg_ref.reactivity(a, b, voltage)
    ratios = ir.get_critical_original_kink_ratio()
    xs = np.array([k[1] for k in ir.get_kinks()])
    interior = [k for k in prof.kinks if 0 < k.x < 1]
    for k in interior:
        j = int(np.argmin(np.abs(xs - k.x)))
        assert abs(xs[j] - k.x) < 1e-6
        assert k.x_molar == pytest.approx(ratios[j], abs=1e-4)


@pytest.mark.parametrize(("a", "b", "voltage"), CASES)
def test_reactions_are_balanced(profiles, a, b, voltage):
    """x_molar A + (1 - x_molar) B (+ Li taken up) = products, element by element."""
    prof, _, _ = profiles(a, b, voltage)
    ca, cb = composition(a), composition(b)
    for k in prof.kinks:
        lhs = ca * k.x_molar + cb * (1 - k.x_molar)
        rhs = sum((composition(p.formula) * p.amount for p in k.products), composition({}))
        li = k.li_exchanged
        for el in {e.symbol for e in lhs.elements} | {e.symbol for e in rhs.elements}:
            assert lhs[el] + (li if el == LI else 0.0) == pytest.approx(rhs[el], abs=1e-6), k.reaction


def test_virtual_reactants_are_flagged(snapshot_table):
    engine = Engine(snapshot_table)
    prof = engine.react("LiNi0.8Co0.1Mn0.1O2", "LiNbO3", voltage=4.3)
    assert prof.virtual == {"LiNi0.8Co0.1Mn0.1O2": True, "LiNbO3": False}
    assert engine.react("70Li2S-30P2S5", "LiCoO2").virtual == {"70Li2S-30P2S5": False, "LiCoO2": False}
    assert engine.decompose("75Li2S-25P2S5").entry_energy == engine.decompose("Li3PS4").entry_energy


# reactant energies as given (pymatgen use_hull_energy=False): metastable electrolytes
RAW_CASES = [
    pytest.param(a, b, v, id=f"{a}|{b}@{_label(v)}")
    for a, b, v in [
        ("Li6PS5Cl", "LiCoO2", None),  # Li6PS5Cl is 83 meV/atom above the hull in this snapshot
        ("Li6PS5Cl", "LiCoO2", 4.3),
        ("Li10GeP2S12", "LiCoO2", None),  # 19 meV/atom
        ("Li10GeP2S12", "LiCoO2", 4.3),
        ("Li7P3S11", "LiNiO2", None),  # 20 meV/atom
        ("Li7La3Zr2O12", "Li", None),  # 7 meV/atom
        ("Li3OCl", "Li3PS4", 0.0),  # 30 meV/atom
    ]
]


@pytest.mark.parametrize(("a", "b", "voltage"), RAW_CASES)
def test_raw_reactant_energies(snapshot_table, pmg_ref, a, b, voltage):
    engine = Engine(snapshot_table)
    prof = engine.react(a, b, voltage=voltage, hull_reference=False)
    assert prof.reference == "raw"
    total = pmg_ref.profile(a, b, voltage, include_no_mixing_energy=True, use_hull_energy=False)
    ts = np.array(sorted({k.t for k in total} | {k.t for k in prof.kinks}))
    np.testing.assert_allclose(interpolate(prof.kinks, ts), interpolate(total, ts), atol=E_TOL, rtol=0)
    assert prof.min_energy == pytest.approx(min(k.energy for k in total), abs=E_TOL)
    if voltage is None:
        # at x = 1 (A alone) the raw profile shows A's own decomposition energy, the hull-referenced one 0
        e_hull = engine.decompose(a).e_above_hull
        assert e_hull > 0.005
        assert prof.kinks[-1].energy == pytest.approx(-e_hull, abs=1e-9)
        assert engine.react(a, b).kinks[-1].energy == 0.0


# ---------------------------------------------------------------------------------------------- windows
WINDOWS = [
    # sulfide and halide electrolytes
    "Li3PS4", "Li10GeP2S12", "Li7P3S11", "Li6PS5Cl", "Li9.54Si1.74P1.44S11.7Cl0.3", "70Li2S-30P2S5",
    # oxide electrolytes
    "Li7La3Zr2O12", "Li6.4La3Zr1.4Ta0.6O12", "LiTi2(PO4)3", "Li1.3Al0.3Ti1.7(PO4)3", "Li3OCl", "Li3PO4",
    # coatings
    "LiNbO3", "LiTaO3", "Li4Ti5O12", "Li2SiO3", "LiAlO2", "Li3BO3", "Li3N", "Al2O3", "Li2ZrO3",
    "LiPO3", "LiH2PO4",  # Xiao 2019's recommendations
    # cathodes, charged cathode, binaries
    "LiCoO2", "LiNiO2", "LiMn2O4", "LiFePO4", "LiNi0.8Co0.1Mn0.1O2", "CoO2", "Li2O", "Li2S", "LiCl",
]  # fmt: skip


def test_window_count():
    assert len(WINDOWS) >= 15


@pytest.mark.parametrize("formula", WINDOWS)
def test_window(snapshot_table, pmg_ref, formula):
    w = Engine(snapshot_table).window(formula)
    ref = pmg_ref.window(formula)
    for ours, theirs in ((w.reduction_limit, ref.reduction), (w.oxidation_limit, ref.oxidation)):
        if theirs is None:
            assert ours is None
        else:
            assert ours == pytest.approx(theirs, abs=V_TOL)
    assert {p.formula for p in w.reduction_products} == ref.reduction_products
    assert {p.formula for p in w.oxidation_products} == ref.oxidation_products


@pytest.mark.parametrize("formula", WINDOWS[::3])
def test_window_plateaus_and_li_amounts(snapshot_table, pmg_ref, formula):
    """Every plateau voltage of the Li uptake profile, and the Li taken up/given up at the two limits,
    against pymatgen's element profile (``evolution`` = Li per formula unit relative to the compound)."""
    from pymatgen.core import Element

    w = Engine(snapshot_table).window(formula)
    comp = composition(formula)
    li = Element(LI)
    pd = pmg_ref.pd(pmg_ref.chemsys(formula, open_li=True))
    prof = sorted(pd.get_element_profile(li, comp), key=lambda p: p["critical_composition"].get_atomic_fraction(li))
    theirs = sorted({round(-p["chempot"], 6) for p in prof})
    ours = sorted({round(p.voltage, 6) for p in w.profile})
    assert ours == pytest.approx(theirs, abs=1e-5)
    f_c = comp.get_atomic_fraction(li)
    above = [p for p in prof if p["critical_composition"].get_atomic_fraction(li) > f_c + 1e-6]
    below = [p for p in prof if p["critical_composition"].get_atomic_fraction(li) < f_c - 1e-6]
    if above and w.li_reduction is not None and np.isfinite(w.li_reduction):
        assert w.li_reduction == pytest.approx(above[0]["evolution"], abs=1e-6)
    if below:
        assert w.li_oxidation == pytest.approx(-below[-1]["evolution"], abs=1e-6)


# ---------------------------------------------------------------------------------------------- 9-10 elements
BIG = [
    pytest.param(a, b, v, id=f"{n}el:{a}|{b}@{_label(v)}")
    for n, a, b, v in [
        (9, "95LiNi0.8Co0.1Mn0.1O2-5LiNbO3", "Li6PS5Cl", None),  # LiNbO3-coated NMC811 composite | argyrodite
        (9, "95LiNi0.8Co0.1Mn0.1O2-5LiNbO3", "Li6PS5Cl", 4.3),
        (10, "95LiNi0.8Co0.1Mn0.1O2-5LiNbO3", "Li6PS5Cl0.5Br0.5", 3.0),
        (9, "LiNi0.8Co0.1Mn0.1O2", "Li9.54Si1.74P1.44S11.7Cl0.3", 4.3),
    ]
]


@pytest.mark.slow  # 9-10 elements: 25-36 s wall each on 2 busy cores
@pytest.mark.parametrize(("a", "b", "voltage"), BIG)
def test_large_interfaces_against_linprog(snapshot_table, a, b, voltage):
    """Independent check where pymatgen would triangulate 9-10 dimensions (about a minute per phase
    diagram, see benchmarks/bench_engine.py): the hull values at every kink, at every midpoint between
    kinks (a convex function that meets its chord at an interior point is linear on the whole interval,
    so no kink is missed) and at both reactants, all by scipy's linprog on the same entries."""
    from screening.composition.parse import parse_formula

    prof = Engine(snapshot_table).react(a, b, voltage=voltage)
    assert len(prof.elements) >= 9
    pa, pb = parse_formula(a), parse_formula(b)
    closed = LinprogHull(snapshot_table, sorted({*pa, *pb}))
    hull = closed if voltage is None else LinprogHull(snapshot_table, prof.elements, voltage)

    # reactant energies: closed hull, then (open) the grand potential per non-Li atom
    totals = []
    for comp, key in ((pa, "a"), (pb, "b")):
        e = closed(closed.vector(comp))
        assert prof.reactant_energies[f"{key}_closed_eV_per_atom"] == pytest.approx(e, abs=1e-6)
        if voltage is not None:
            x_li = comp.get(LI, 0.0) / sum(comp.values())
            e = (e + x_li * voltage) / (1 - x_li)
        assert prof.reactant_energies[f"{key}_total"] == pytest.approx(e, abs=1e-6)
        totals.append(e)
    ca, cb = hull.vector(pa), hull.vector(pb)
    assert prof.reactant_energies["a_mutual"] == pytest.approx(hull(ca), abs=1e-6)
    assert prof.reactant_energies["b_mutual"] == pytest.approx(hull(cb), abs=1e-6)

    ts = np.array([k.t for k in prof.kinks])
    values = np.array([hull(t * ca + (1 - t) * cb) for t in ts])
    energies = values - ts * totals[0] - (1 - ts) * totals[1]
    np.testing.assert_allclose([k.energy for k in prof.kinks], energies, atol=1e-6, rtol=0)
    for t0, t1, v0, v1 in zip(ts[:-1], ts[1:], values[:-1], values[1:], strict=True):
        tm = 0.5 * (t0 + t1)
        assert hull(tm * ca + (1 - tm) * cb) == pytest.approx(0.5 * (v0 + v1), abs=1e-6)
    slopes = np.diff(values) / np.diff(ts)
    assert (np.diff(slopes) > 1e-6).all()  # every interior point is a real kink (convex: slopes increase)
    assert prof.min_energy == pytest.approx(energies.min(), abs=1e-6)
    # x (all atoms) from t (normalisation atoms): x = t/f_a / (t/f_a + (1-t)/f_b), f = normalised share
    fa = 1.0 if voltage is None else 1 - pa.get(LI, 0.0) / sum(pa.values())
    fb = 1.0 if voltage is None else 1 - pb.get(LI, 0.0) / sum(pb.values())
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (ts / fa) / (ts / fa + (1 - ts) / fb)
    np.testing.assert_allclose([k.x for k in prof.kinks], x, atol=1e-9)


def test_results_do_not_depend_on_what_the_engine_solved_before(snapshot_table):
    """A warm-started LP must give the same kinks and products as a fresh one (once it did not)."""
    warm = Engine(snapshot_table)
    warm.react("Li3BO3", "Li3PS4", voltage=2.0)
    after = warm.react("Li3BO3", "Li7P3S11", voltage=2.0)
    fresh = Engine(snapshot_table).react("Li3BO3", "Li7P3S11", voltage=2.0)
    assert len(after.kinks) == len(fresh.kinks) == 8
    for k1, k2 in zip(after.kinks, fresh.kinks, strict=True):
        assert k1.x == pytest.approx(k2.x, abs=1e-9)
        assert k1.energy == pytest.approx(k2.energy, abs=1e-9)
        assert {p.formula for p in k1.products} == {p.formula for p in k2.products}
