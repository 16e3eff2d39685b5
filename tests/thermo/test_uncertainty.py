"""Error bars on interface reaction energies (issue 23 parts 1-2): per-entry sigma, first-order propagation
through a reaction's coefficients, and a seeded Monte Carlo check (docs/uncertainty.md).

Hand computation on a made-up Li-Si-O table (formation energies per atom): Li2O -2.0, SiO2 -3.0, Li2SiO3 -2.7.
Li2O | SiO2 closed: the minimum is 0.5 Li2O + 0.5 SiO2 -> 0.5 Li2SiO3, 3 atoms as written, so

    dE = (0.5 * 6 * (-2.7) - 0.5 * 3 * (-2.0) - 0.5 * 3 * (-3.0)) / 3 = -0.2 eV/atom
    sigma = sqrt((0.5 * 6 s_Li2SiO3)^2 + (0.5 * 3 s_Li2O)^2 + (0.5 * 3 s_SiO2)^2) / 3   [eV/atom]

(6 and 3 atoms per formula unit turn the per-atom sigma into one per formula unit).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from screening.entries import EntryTable
from screening.errors import InputError
from screening.thermo import Engine
from screening.thermo.uncertainty import (
    DEFAULT_SIGMA,
    EntryUncertainty,
    kink_uncertainty,
    monte_carlo,
    profile_uncertainty,
    system_table,
)


@pytest.fixture(scope="module")
def lisio() -> Engine:
    return Engine(
        EntryTable.from_records(
            ["Li2O", "SiO2", "Li2SiO3"], [-2.0, -3.0, -2.7], ["li2o", "sio2", "li2sio3"], {"source": "hand-made"}
        )
    )


# ---------------------------------------------------------------------------------------------- the model
def test_default_model_compounds_and_elements(lisio):
    m = EntryUncertainty()
    t = lisio.table
    sig = {t.ids[i]: m.sigma(t, i) for i in range(len(t))}
    assert sig == {
        "li2o": DEFAULT_SIGMA,
        "sio2": DEFAULT_SIGMA,
        "li2sio3": DEFAULT_SIGMA,
        "ref:Li": 0.0,
        "ref:O": 0.0,
        "ref:Si": 0.0,
    }
    np.testing.assert_array_equal(m.sigmas(t), [m.sigma(t, i) for i in range(len(t))])
    over = EntryUncertainty(overrides={"li2o": 0.01, "ref:O": 0.002})
    assert over.sigma(t, 0) == 0.01 and over.sigma(t, t.ids.index("ref:O")) == 0.002
    np.testing.assert_array_equal(over.sigmas(t), [over.sigma(t, i) for i in range(len(t))])


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"default": -0.01}, "the default (compounds)"),
        ({"default": float("nan")}, "the default (compounds)"),
        ({"default": 35.0}, "the default (compounds)"),  # meV/atom given as eV/atom
        ({"default": "big"}, "the default (compounds)"),
        ({"element": -1e-3}, "the elements"),
        ({"overrides": {"mp-1234": float("inf")}}, "entry 'mp-1234'"),
        ({"overrides": {"mp-1234": 1.5}}, "entry 'mp-1234'"),
        ({"overrides": {"mp-1234": None}}, "entry 'mp-1234'"),
    ],
)
def test_bad_sigma_is_one_line_error_naming_it(kwargs, named):
    with pytest.raises(InputError) as err:
        EntryUncertainty(**kwargs)
    msg = str(err.value)
    assert "\n" not in msg and named in msg and "eV/atom" in msg


def test_sigma_at_the_limits_is_accepted():
    assert EntryUncertainty(default=0.0, element=1.0).element == 1.0


# ---------------------------------------------------------------------------------------------- analytic
def test_hand_computed_reaction(lisio):
    p = lisio.react("Li2O", "SiO2")
    u = profile_uncertainty(lisio, p)
    assert u.min_energy == pytest.approx(-0.2, abs=1e-12)
    s = DEFAULT_SIGMA
    assert u.min_sigma == pytest.approx(math.sqrt((3 * s) ** 2 + 2 * (1.5 * s) ** 2) / 3, rel=1e-12)
    k = next(k for k in u.kinks if k.x == p.min_x)
    assert k.coefficients == pytest.approx({"li2sio3": 0.5, "li2o": -0.5, "sio2": -0.5})
    assert k.sigma_per_fu == pytest.approx({"li2sio3": 6 * s, "li2o": 3 * s, "sio2": 3 * s})
    assert k.n_norm == pytest.approx(3.0) and k.units == "eV/atom"
    # the ends (a reactant alone) carry no error: nothing reacts
    assert [u.kinks[0].sigma, u.kinks[-1].sigma] == [0.0, 0.0]
    # overrides: the product's own value
    u2 = profile_uncertainty(lisio, p, EntryUncertainty(overrides={"li2sio3": 0.01}))
    assert u2.min_sigma == pytest.approx(math.sqrt((3 * 0.01) ** 2 + 2 * (1.5 * s) ** 2) / 3, rel=1e-12)


def test_snapshot_li2o_sio2_equals_hand(engine):
    # the snapshot gives the same reaction and the same sigma: it depends on the stoichiometry only
    u = profile_uncertainty(engine, engine.react("Li2O", "SiO2"))
    assert u.min_sigma == pytest.approx(math.sqrt(13.5) / 3 * DEFAULT_SIGMA, rel=1e-12)


def test_open_to_li_hand_computed(engine):
    # LiCoO2 | Li3PS4 at 4.3 V: 0.617 LiCoO2 + 0.383 Li3PS4 -> 0.4255 CoS2 + 0.1915 Co(PO3)2 + 0.0851 S8O + 1.77 Li
    p = engine.react("LiCoO2", "Li3PS4", voltage=4.3)
    k = next(k for k in p.kinks if k.x == p.min_x)
    amt = {ph.formula: ph.amount for ph in k.products}
    assert set(amt) == {"CoS2", "Co(PO3)2", "S8O"}
    atoms = {"CoS2": 3, "Co(PO3)2": 9, "S8O": 9}
    xa = k.x_molar
    n_non_li = xa * 3 + (1 - xa) * 5  # LiCoO2: 3 non-Li atoms, Li3PS4: 5
    s = DEFAULT_SIGMA
    terms = [amt[f] * atoms[f] * s for f in atoms] + [xa * 4 * s, (1 - xa) * 8 * s]  # reactants on the hull
    u = profile_uncertainty(engine, p)
    assert u.min_sigma == pytest.approx(math.sqrt(sum(t * t for t in terms)) / n_non_li, rel=1e-9)
    assert u.units == "eV per non-Li atom"


@pytest.mark.parametrize(
    ("a", "b", "voltage"),
    [("LiNbO3", "Li3PS4", None), ("LiCoO2", "Li3PS4", 4.3), ("LiCoO2", "Li3PS4", 0.0), ("Li3PO4", "LiCoO2", 4.3)],
)
@pytest.mark.parametrize("energy", ["total", "mutual", "richards2016"])
def test_every_kink_reproduces_its_energy(engine, a, b, voltage, energy):
    # kink_uncertainty rebuilds each energy from its coefficients (sum c_j N_j e_j - mu n_Li) / N_norm and raises
    # if that is off by more than 1e-7: every kink of every convention passes
    p = engine.react(a, b, voltage=voltage)
    u = profile_uncertainty(engine, p, energy=energy)
    assert len(u.kinks) == len(p.kinks)
    assert u.min_energy == p.min_of(energy)[0]
    assert all(k.sigma >= 0 for k in u.kinks)
    assert 0 <= u.min_sigma < 0.2
    assert (u.min_sigma > 0) == (u.min_energy < 0)  # e.g. mutual at 0 V: the decomposed reactants do not react


def test_no_reaction_has_no_error(engine):
    p = engine.react("Li3PO4", "LiCoO2")  # stable pair: the minimum is 0 at an end
    assert p.min_energy == 0.0
    assert profile_uncertainty(engine, p).min_sigma == 0.0


def test_raw_reference_and_given_energy(lisio):
    p = lisio.react("Li2O", "SiO2", hull_reference=False)  # both on the hull: same as hull-referenced
    assert profile_uncertainty(lisio, p).min_sigma == pytest.approx(math.sqrt(13.5) / 3 * DEFAULT_SIGMA)
    # a reactant given its own energy (a candidate below the hull) counts as one entry with the default sigma
    p = lisio.react("Li2O", "SiO2", energy_a=-2.1)
    k = kink_uncertainty(lisio, p, next(k for k in p.kinks if k.x == p.min_x))
    assert "Li2O (given energy)" in k.coefficients and "li2o" not in k.coefficients


def test_profile_of_another_table_is_refused(lisio):
    other = Engine(
        EntryTable.from_records(
            ["Li2O", "SiO2", "Li2SiO3"], [-2.0, -3.0, -2.9], ["li2o", "sio2", "li2sio3"], {"source": "other"}
        )
    )
    p = other.react("Li2O", "SiO2")
    with pytest.raises(InputError, match="does not reproduce its energy"):
        profile_uncertainty(lisio, p)
    with pytest.raises(InputError, match="unknown reaction energy"):
        profile_uncertainty(lisio, lisio.react("Li2O", "SiO2"), energy="grand")


# ---------------------------------------------------------------------------------------------- Monte Carlo
@pytest.mark.parametrize(
    ("a", "b", "voltage"),
    [
        ("Li", "Li3PO4", None),  # Li3PO4 + 8 Li -> Li3P + 4 Li2O in every draw
        ("Li2O", "P2O5", None),  # the same products in ~86% of draws
        ("LiCoO2", "Li3PS4", 0.0),  # open to Li; Li3PS4's own decomposition changes in half of the draws
    ],
)
def test_monte_carlo_agrees_with_analytic(snapshot_table, a, b, voltage):
    mc = monte_carlo(snapshot_table, a, b, voltage, n=400, seed=7)
    assert mc.analytic_sigma > 0
    assert mc.sigma == pytest.approx(mc.analytic_sigma, rel=0.2)
    assert abs(np.mean(mc.samples) - mc.nominal) < 3 * mc.analytic_sigma / math.sqrt(len(mc.samples)) + 0.02


def test_monte_carlo_narrower_where_the_basis_changes(snapshot_table):
    # LiCoO2 | Li3PS4 at 4.3 V: the minimum's products change in most draws; the minimum over alternatives
    # is narrower than one fixed reaction's spread, never wider
    mc = monte_carlo(snapshot_table, "LiCoO2", "Li3PS4", 4.3, n=200, seed=3)
    assert mc.same_basis.mean() < 0.5
    assert mc.sigma < 1.05 * mc.analytic_sigma


def test_monte_carlo_is_reproducible(snapshot_table):
    sub = system_table(snapshot_table, ["Li", "P", "S"])
    one = monte_carlo(sub, "Li", "Li3PS4", n=30, seed=11)
    two = monte_carlo(Engine(sub), "Li", "Li3PS4", n=30, seed=11)
    np.testing.assert_array_equal(one.samples, two.samples)
    np.testing.assert_array_equal(one.same_basis, two.same_basis)
    other = monte_carlo(sub, "Li", "Li3PS4", n=30, seed=12)
    assert not np.array_equal(one.samples, other.samples)
    # the sub-table of the system gives the nominal profile of the whole table
    assert one.nominal == pytest.approx(Engine(snapshot_table).react("Li", "Li3PS4").min_energy, abs=1e-12)


def test_monte_carlo_bad_draws(lisio):
    with pytest.raises(InputError, match="at least 2 draws"):
        monte_carlo(lisio, "Li2O", "SiO2", n=1)
