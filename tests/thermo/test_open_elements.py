"""Interface reactions open to elements beyond Li (issue 24 part 1) against pymatgen, and the gas helper.

pymatgen gets exactly the engine's entries (``tests/pmg_reference.py``): one ``PhaseDiagram`` per element set
(shared with the other reference tests) and one ``GrandPotentialPhaseDiagram`` per (element set, mu).
:func:`screening.thermo.open_elements.react_open` must reproduce ``GrandPotentialInterfacialReactivity``
(``norm=True``): kinks' x (pymatgen's mixing ratio) and energies with ``include_no_mixing_energy=True``
(``energy``) and ``False`` (``energy_mutual``), and the minimum, to 1e-6 eV per closed atom.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from pmg_reference import composition, significant_kinks

from screening.errors import InputError
from screening.thermo.open_elements import OpenProfile, gas_chemical_potential, react_open

pytestmark = [pytest.mark.snapshot, pytest.mark.pymatgen_reference]

E_TOL = 1e-6  # eV per closed atom
X_TOL = 1e-6

# (A, B, mu): few-element systems so that pymatgen's triangulation takes well under a second each.
O_PAIRS = [
    ("LiCoO2", "Li7La3Zr2O12"),
    ("LiMn2O4", "Li7La3Zr2O12"),
    ("LiCoO2", "Li3PS4"),
    ("Li3BO3", "LiCoO2"),
    ("LiCoO2", "LiNbO3"),
    ("LiCoO2", "Li2ZrO3"),
    ("LiNiO2", "Al2O3"),
    ("LiMn2O4", "Li4Ti5O12"),
    ("LiCoO2", "LiAlO2"),
    ("LiFePO4", "Li7La3Zr2O12"),
    ("LiCoO2", "Li3PO4"),
    ("Li7La3Zr2O12", "Li2O"),
    ("LiNiO2", "Li2SiO3"),
    ("Li3PS4", "Li2S"),
]
O_CASES = [(a, b, {"O": mu}) for a, b in O_PAIRS for mu in (-1.0, -0.5)]
OC_CASES = [
    ("Li7La3Zr2O12", "Li2CO3", {"O": -1.0, "C": -5.0}),
    ("Li7La3Zr2O12", "Li2CO3", {"O": -0.5, "C": -7.0}),
    ("LiCoO2", "Li2CO3", {"O": -1.0, "C": -5.0}),
    ("Li2ZrO3", "Li2CO3", {"O": -0.8, "C": -6.0}),
    ("LiMn2O4", "Li2CO3", {"O": -0.5, "C": -6.0}),
    ("La2O3", "Li2CO3", {"O": -1.0, "C": -6.0}),
]
OTHER_CASES = [
    ("LiCoO2", "Li7La3Zr2O12", {"O": -0.855322}),  # co-sintering in air at 973 K (gas_chemical_potential)
    ("LiCoO2", "Li3PS4", {"O": -1.0, "Li": -3.0}),  # O and Li open together (a cathode at 3 V in an O reservoir)
    ("Li3PS4", "Li3N", {"N": -0.3}),
]


def _pmg(pmg_ref, a: str, b: str, mu: dict[str, float], include_no_mixing_energy: bool, use_hull_energy=True):
    """pymatgen's kinks as (t, x, energy) objects and its minimum (x, energy)."""
    from pymatgen.analysis.interface_reactions import GrandPotentialInterfacialReactivity
    from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram
    from pymatgen.core import Element

    els = pmg_ref.chemsys(a, b) | set(mu)
    pd = pmg_ref.pd(els)
    key = ("open", frozenset(els), tuple(sorted(mu.items())))
    if key not in pmg_ref._gpd:
        pmg_ref._gpd[key] = GrandPotentialPhaseDiagram(pmg_ref.entries(els), {Element(k): v for k, v in mu.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ir = GrandPotentialInterfacialReactivity(
            composition(a),
            composition(b),
            pmg_ref._gpd[key],
            pd,
            include_no_mixing_energy=include_no_mixing_energy,
            norm=True,
            use_hull_energy=use_hull_energy,
        )
        kinks = ir.get_kinks()
        minimum = ir.minimum

    class P:
        def __init__(self, x, energy):
            self.x, self.energy = float(x), float(energy)
            self.t = float(ir._reverse_convert(x, ir.factor1, ir.factor2))

    return [P(x, e) for _, x, e, _, _ in kinks], minimum


def _compare(prof: OpenProfile, ref: list, ref_min: tuple[float, float], mutual: bool) -> float:
    """Largest deviation between the engine's and pymatgen's profiles [eV per closed atom]; asserts agreement."""
    energy = "energy_mutual" if mutual else "energy"

    class K:
        def __init__(self, k):
            self.t, self.x, self.energy = k.t, k.x, getattr(k, energy)

    ours = significant_kinks([K(k) for k in prof.kinks])
    theirs = significant_kinks(ref)
    assert len(ours) == len(theirs), ([(k.x, k.energy) for k in ours], [(k.x, k.energy) for k in theirs])
    dev = 0.0
    for o, r in zip(ours, theirs, strict=True):
        assert o.x == pytest.approx(r.x, abs=X_TOL)
        assert o.energy == pytest.approx(r.energy, abs=E_TOL)
        dev = max(dev, abs(o.energy - r.energy))
    # every point pymatgen reports lies on the engine's piecewise-linear profile (in t)
    t = np.array([k.t for k in prof.kinks])
    e = np.array([getattr(k, energy) for k in prof.kinks])
    for r in ref:
        assert np.interp(r.t, t, e) == pytest.approx(r.energy, abs=E_TOL)
    min_e = prof.min_energy_mutual if mutual else prof.min_energy
    min_x = prof.min_x_mutual if mutual else prof.min_x
    assert min_e == pytest.approx(ref_min[1], abs=E_TOL)
    if abs(min_e) > 1e-6:  # an all-zero profile has its minimum anywhere
        # the minimum's x: the same point unless two kinks tie to within the tolerance
        ties = [k.x for k in prof.kinks if abs(getattr(k, energy) - min_e) < E_TOL]
        assert any(abs(x - ref_min[0]) < X_TOL for x in ties)
        assert min_x in ties
    return dev


@pytest.mark.parametrize(("a", "b", "mu"), O_CASES + OC_CASES + OTHER_CASES)
def test_open_profile_matches_pymatgen(engine, pmg_ref, a, b, mu):
    prof = react_open(engine, a, b, mu)
    assert prof.units == "eV per closed atom"
    assert not set(prof.closed_elements) & set(mu)
    ref, ref_min = _pmg(pmg_ref, a, b, mu, include_no_mixing_energy=True)
    _compare(prof, ref, ref_min, mutual=False)
    ref, ref_min = _pmg(pmg_ref, a, b, mu, include_no_mixing_energy=False)
    _compare(prof, ref, ref_min, mutual=True)


@pytest.mark.parametrize(("a", "b", "mu"), [("LiCoO2", "Li7La3Zr2O12", {"O": -1.0}), ("LiCoO2", "Li3PS4", {"O": -0.5})])
def test_raw_reference_matches_pymatgen(engine, pmg_ref, a, b, mu):
    prof = react_open(engine, a, b, mu, hull_reference=False)
    assert prof.reference == "raw"
    ref, ref_min = _pmg(pmg_ref, a, b, mu, include_no_mixing_energy=True, use_hull_energy=False)
    _compare(prof, ref, ref_min, mutual=False)


def test_open_to_li_alone_is_the_engines_open_profile(engine):
    """mu = {Li: -V} is Engine.react at V: same t, x, total and mutual energies at every kink."""
    ours = react_open(engine, "LiCoO2", "Li3PS4", {"Li": -4.3})
    theirs = engine.react("LiCoO2", "Li3PS4", voltage=4.3)
    assert [k.t for k in ours.kinks] == pytest.approx([k.t for k in theirs.kinks], abs=1e-12)
    assert [k.x for k in ours.kinks] == pytest.approx([k.x for k in theirs.kinks], abs=1e-12)
    assert [k.energy for k in ours.kinks] == pytest.approx([k.energy for k in theirs.kinks], abs=1e-12)
    assert [k.energy_mutual for k in ours.kinks] == pytest.approx([k.energy_mutual for k in theirs.kinks], abs=1e-12)


def test_reactions_balance_and_name_the_gas(engine, snapshot_table):
    """Each kink's reaction balances element by element, with the open elements exchanged with the reservoir."""
    from screening.composition import parse_formula

    prof = react_open(engine, "LiCoO2", "Li3PS4", {"O": -0.5})
    ra, rb = parse_formula("LiCoO2"), parse_formula("Li3PS4")
    for k in prof.kinks:
        for el in ("Li", "Co", "O", "P", "S"):
            into = k.x_molar * ra.get(el, 0) + (1 - k.x_molar) * rb.get(el, 0) + k.exchanged.get(el, 0.0)
            out = sum(ph.amount * parse_formula(ph.formula).get(el, 0) for ph in k.products)
            assert out == pytest.approx(into, abs=1e-9)
    mid = prof.kinks[len(prof.kinks) // 2]
    assert mid.exchanged["O"] > 0 and "O2 ->" in mid.reaction  # sulfide oxidised by the O reservoir


def test_table_accepted_and_errors(snapshot_table, engine):
    assert react_open(snapshot_table, "LiCoO2", "Li2O", {"O": -1.0}).min_energy == pytest.approx(
        react_open(engine, "LiCoO2", "Li2O", {"O": -1.0}).min_energy, abs=1e-12
    )
    for mu, what in [
        ({}, "non-empty"),
        ({"Xx": -1.0}, "not an element"),
        ({"O": math.nan}, "finite"),
        ({"O": "a"}, "number"),
    ]:
        with pytest.raises(InputError, match=what):
            react_open(engine, "LiCoO2", "Li2O", mu)
    with pytest.raises(InputError, match="only open elements"):
        react_open(engine, "LiCoO2", "O2", {"O": -1.0})


# ---------------------------------------------------------------------------------------------- gas helper
def test_gas_chemical_potential_numbers():
    from pymatgen.analysis.interface_reactions import InterfacialReactivity

    # O in air: the numbers of issue 24 (pymatgen's correction, p_O2 = 0.21 bar)
    assert gas_chemical_potential("O2", 973, 0.21) == pytest.approx(-0.855322, abs=1e-6)
    assert gas_chemical_potential("O2", 1273, 0.21) == pytest.approx(-1.254853, abs=1e-6)
    assert abs(gas_chemical_potential("O2", 300, 1.0)) < 2e-3  # next to the standard state (298.15 K, 1 bar): ~0
    for gas, el in [("O2", "O"), ("N2", "N"), ("H2", "H"), ("F2", "F"), ("Cl2", "Cl")]:
        for t, p in [(300, 1e-3), (1000, 1.0), (2000, 50.0)]:
            assert gas_chemical_potential(gas, t, p) == InterfacialReactivity.get_chempot_correction(el, t, p * 1e5)
    # lower pressure, higher temperature: lower mu
    assert gas_chemical_potential("O2", 1000, 1e-6) < gas_chemical_potential("O2", 1000, 1.0)
    assert gas_chemical_potential("O2", 1500, 1.0) < gas_chemical_potential("O2", 1000, 1.0)


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("CO", 1000, 1.0), "unknown gas 'CO'"),
        (("O2", 250, 1.0), "outside 300-2000 K"),
        (("O2", 2500, 1.0), "outside 300-2000 K"),
        (("O2", math.nan, 1.0), "outside"),
        (("O2", 1000, 0.0), "> 0"),
        (("O2", 1000, -1.0), "> 0"),
        (("O2", "hot", 1.0), "must be numbers"),
    ],
)
def test_gas_chemical_potential_errors(args, what):
    with pytest.raises(InputError, match=what) as err:
        gas_chemical_potential(*args)
    assert "\n" not in str(err.value)


def test_engine_method_and_package_exports(engine):
    from screening import thermo

    prof = thermo.react_open(engine, "LiCoO2", "Li7La3Zr2O12", {"O": thermo.gas_chemical_potential("O2", 973, 0.21)})
    assert isinstance(prof, thermo.OpenProfile)
    assert prof.min_energy == thermo.react_open(engine, "LiCoO2", "Li7La3Zr2O12", {"O": -0.855322434459889}).min_energy
