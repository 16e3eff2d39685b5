"""Each paper in its own convention, on the shared snapshot (see docs/conventions.md).

* Zhu, He & Mo, ACS AMI 7, 23685 (2015), Tables 2-3: E_D at 0 V per atom of the compound with its own entry
  energy;
* Richards et al., Chem. Mater. 28, 266 (2016): the electrode held in its own equilibrium at the potential;
* average voltages between two Li contents of one host; short-plateau warnings; glass notation flags.
"""

from __future__ import annotations

import pytest

from screening.composition import parse_formula
from screening.errors import InputError

# Zhu, He & Mo 2015, Table 2 (E_D at 0 V vs Li, eV/atom).
ZHU_0V = {"Li10GeP2S12": -1.25, "Li7P3S11": -1.67, "Li6PS5Cl": -0.96}


@pytest.mark.parametrize("formula,published", ZHU_0V.items())
def test_zhu2015_decomposition_energy_at_0V(engine, formula, published):
    d = engine.decompose(formula, voltage=0.0, convention="zhu2015")
    assert d.convention == "zhu2015"
    assert d.decomposition_energy == pytest.approx(published, abs=0.010)


@pytest.mark.parametrize("formula,published", ZHU_0V.items())
def test_default_convention_does_not_reproduce_zhu(engine, formula, published):
    """Switched back (hull-referenced, per non-Li atom), the published numbers are not reproduced."""
    d = engine.decompose(formula, voltage=0.0)
    assert d.convention == "hull"
    assert abs(d.decomposition_energy - published) > 0.010


@pytest.mark.parametrize("formula,published", ZHU_0V.items())
def test_zhu2015_is_the_raw_energy_per_atom(engine, formula, published):
    """Zhu's E_D = (Phi_products - Phi_raw) (1 - x_Li): both halves of the convention are needed."""
    zhu = engine.decompose(formula, voltage=0.0, convention="zhu2015")
    hull = engine.decompose(formula, voltage=0.0)
    d = engine.decompose(formula)
    amounts = parse_formula(formula)
    x_li = amounts["Li"] / sum(amounts.values())
    phi_raw = d.entry_energy / (1 - x_li)  # mu_Li = 0 at 0 V
    assert zhu.decomposition_energy == pytest.approx((hull.open_hull_energy - phi_raw) * (1 - x_li), abs=1e-12)
    # per atom but hull-referenced misses by the entry's own e_above_hull (more than 10 meV/atom here)
    assert abs(hull.decomposition_energy * (1 - x_li) - published) > 0.010
    assert zhu.decomposition_energy - hull.decomposition_energy * (1 - x_li) == pytest.approx(-d.e_above_hull)


def test_zhu2015_closed_is_minus_e_above_hull(engine):
    d = engine.decompose("Li10GeP2S12", convention="zhu2015")
    assert d.decomposition_energy == pytest.approx(-d.e_above_hull, abs=1e-12)
    assert engine.decompose("Li10GeP2S12").decomposition_energy is None


def test_unknown_convention(engine):
    with pytest.raises(InputError, match="unknown decomposition convention 'zhu'"):
        engine.decompose("Li3PS4", voltage=0.0, convention="zhu")


def test_richards2016_for_a_cathode_unstable_at_its_potential(engine):
    """LiCoO2 gives up Li at 4.3 V in the data: richards2016 - total = t_min * |E_D(LiCoO2, 4.3 V)|."""
    prof = engine.react("LiCoO2", "Li3PS4", voltage=4.3, electrode="a")
    own = engine.decompose("LiCoO2", voltage=4.3).decomposition_energy  # eV per non-Li atom
    assert own == pytest.approx(-0.18509, abs=1e-5)
    e_r, x_r = prof.min_of("richards2016")
    k = next(k for k in prof.kinks if k.x == x_r)
    assert e_r - k.energy == pytest.approx(k.t * -own, abs=1e-10)
    # here both minima are the same kink, so the minima differ by exactly that amount
    assert x_r == prof.min_x
    assert e_r - prof.min_energy == pytest.approx(k.t * -own, abs=1e-10)
    assert e_r == pytest.approx(-1.25558, abs=1e-5)
    for k in prof.kinks:  # at every x
        assert k.energy_electrode - k.energy == pytest.approx(k.t * -own, abs=1e-10)


def test_richards2016_equals_total_for_a_stable_electrode(engine):
    assert engine.decompose("LiNbO3", voltage=3.0).decomposition_energy == 0.0
    prof = engine.react("LiNbO3", "Li3PS4", voltage=3.0, electrode="a")
    assert prof.min_of("richards2016") == pytest.approx(prof.min_of("total"), abs=1e-12)
    assert prof.min_energy_electrode != pytest.approx(prof.min_energy_mutual, abs=1e-3)  # Li3PS4 still counts


def test_richards2016_electrode_b_and_errors(engine):
    a = engine.react("LiCoO2", "Li3PS4", voltage=4.3, electrode="a")
    b = engine.react("Li3PS4", "LiCoO2", voltage=4.3, electrode="b")
    assert b.min_energy_electrode == pytest.approx(a.min_energy_electrode, abs=1e-10)
    with pytest.raises(InputError, match="electrode must be 'a'"):
        engine.react("LiCoO2", "Li3PS4", voltage=4.3, electrode="cathode")
    with pytest.raises(InputError, match="unknown reaction energy"):
        a.min_of("richards")


def test_average_voltage_licoo2(engine):
    v = engine.average_voltage("LiCoO2", "CoO2")
    assert (v.lithiated.reduced_formula, v.delithiated.reduced_formula, v.host) == ("LiCoO2", "CoO2", "CoO2")
    assert v.li_transferred == pytest.approx(1.0)
    # by hand: V = -(E(LiCoO2) - E(CoO2)) per Li, formation energies per formula unit, Li metal at 0
    e_lco = engine.decompose("LiCoO2").entry_energy * 4
    e_co2 = engine.decompose("CoO2").entry_energy * 3
    assert v.voltage_raw == pytest.approx(-(e_lco - e_co2), abs=1e-10)
    assert v.voltage == pytest.approx(3.7447, abs=1e-4)
    # the hull steps between the two contents average (Li-weighted) to the hull voltage
    mean = sum(s.voltage * (s.li_end - s.li_start) for s in v.steps) / v.li_transferred
    assert mean == pytest.approx(v.voltage_hull, abs=1e-9)
    assert [round(s.voltage, 3) for s in v.steps] == [4.097, 3.392]
    # order does not matter, and a half-delithiated end
    assert engine.average_voltage("CoO2", "LiCoO2").voltage == pytest.approx(v.voltage, abs=1e-12)
    assert engine.average_voltage("LiCoO2", "Li0.5CoO2").voltage == pytest.approx(3.392, abs=1e-3)


def test_average_voltage_raw_differs_for_a_metastable_end(engine):
    v = engine.average_voltage("LiMn2O4", "Mn2O4")
    assert v.lithiated.e_above_hull > 0
    assert v.voltage == v.voltage_hull and v.reference == "hull"
    raw = engine.average_voltage("LiMn2O4", "Mn2O4", hull_reference=False)
    assert raw.voltage == raw.voltage_raw != pytest.approx(v.voltage_hull, abs=1e-3)


@pytest.mark.parametrize(
    "a,b,message",
    [
        ("LiCoO2", "NiO2", "not one host"),
        ("LiCoO2", "Co2O3", "different hosts"),
        ("LiCoO2", "Li2Co2O4", "same Li content"),
        ("Li", "Li2", "not one host"),
    ],
)
def test_average_voltage_bad_input(engine, a, b, message):
    with pytest.raises(InputError, match=message):
        engine.average_voltage(a, b)


def test_short_plateau_warning_and_li_tolerance(engine):
    w = engine.window("Li0.33La0.56TiO3")
    assert w.reduction_limit == pytest.approx(1.7538, abs=1e-4)
    assert w.oxidation_limit == pytest.approx(1.7538, abs=1e-4)
    assert len(w.warnings) == 2
    assert "oxidation limit 1.754 V sits on a plateau exchanging only 0.01 Li" in w.warnings[1]
    assert "next plateau is at 3.709 V" in w.warnings[1]
    assert "next plateau is at 1.751 V" in w.warnings[0]
    t = engine.window("Li0.33La0.56TiO3", li_tolerance=0.01)
    assert t.oxidation_limit == pytest.approx(3.7094, abs=1e-4)
    assert t.reduction_limit == pytest.approx(1.7512, abs=1e-4)
    assert t.li_oxidation == pytest.approx(0.33, abs=1e-9)
    assert any("oxidation limit moved from 1.754 V to 3.709 V" in s for s in t.warnings)


def test_no_warning_for_a_phase_on_the_hull(engine):
    w = engine.window("LiNbO3")
    assert w.warnings == []
    assert engine.window("LiNbO3", li_tolerance=0.01).oxidation_limit == pytest.approx(w.oxidation_limit, abs=1e-12)
    with pytest.raises(InputError, match="li_tolerance"):
        engine.window("LiNbO3", li_tolerance=-1)


def test_glass_notation_flag(engine):
    assert engine.decompose("70Li2S-30P2S5").glass_as_crystal  # takes the Li7P3S11 entry
    assert engine.window("70Li2S-30P2S5").glass_as_crystal
    assert engine.react("70Li2S-30P2S5", "Li", voltage=None).glass_as_crystal == {"70Li2S-30P2S5": True, "Li": False}
    assert not engine.decompose("Li7P3S11").glass_as_crystal
    assert engine.decompose("75Li2S-25P2S5").entry_id == engine.decompose("Li3PS4").entry_id
    assert engine.decompose("75Li2S-25P2S5").glass_as_crystal
    glass = engine.decompose("75Li2S·24P2S5·1P2O5")  # no crystal of that composition: virtual, not flagged
    assert not glass.has_entry and not glass.glass_as_crystal
