"""Engine unit tests on tiny hand-made entry tables, with numbers computed by hand.

The Li-S table (formation energies per atom, x = S atomic fraction):

    Li (0, 0)   Li2S (1/3, -0.9)   LiS2 (2/3, -0.6)   S (1, 0)          <- the hull
    LiS (1/2, -0.7): hull there is (-0.9 - 0.6)/2 = -0.75, so 0.05 eV/atom above
    Li2S polymorph at -0.8 (0.1 above)

Lithiation of LiS2 (LiS2 + 3 Li -> 2 Li2S): dE = 6(-0.9) - 3(-0.6) = -3.6 eV for 3 Li -> 1.2 V.
Delithiation (LiS2 -> Li + 2 S): dE = 0 - 3(-0.6) = 1.8 eV for 1 Li -> 1.8 V.
Open to Li at 1.5 V (mu_Li = -1.5): Phi = (E - x_Li mu) / (1 - x_Li) per S atom:
    Li2S (-0.9 + 2/3 1.5) / (1/3) = 0.3,   LiS2 (-0.6 + 1/3 1.5) / (2/3) = -0.15,   S 0.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from screening.entries import EntryTable
from screening.errors import FormulaError, InputError, MissingElementError, ScreeningError
from screening.thermo import Engine, voltage_to_mu


@pytest.fixture(scope="module")
def lis_table() -> EntryTable:
    return EntryTable.from_records(
        ["Li2S", "LiS2", "LiS", "Li4S2"],
        [-0.9, -0.6, -0.7, -0.8],
        ["li2s", "lis2", "lis-meta", "li2s-poly"],
        {"source": "hand-made Li-S"},
    )


@pytest.fixture()
def eng(lis_table) -> Engine:
    return Engine(lis_table)


def kinks_of(profile):
    """Flat [x0, E0, x1, E1, ...] (pytest.approx does not compare nested sequences)."""
    return flat([(k.x, k.energy) for k in profile.kinks])


def flat(rows) -> list[float]:
    return [float(v) for row in rows for v in row]


def phases_of(phases):
    return {p.formula: p.amount for p in phases}


# ---------------------------------------------------------------------------------------------- hull
def test_table_adds_element_references(lis_table):
    assert lis_table.elements == ("Li", "S")
    assert lis_table.ids[-2:] == ("ref:Li", "ref:S")
    np.testing.assert_array_equal(lis_table.energy_per_atom[-2:], [0.0, 0.0])
    assert lis_table.name(3) == "Li2S" and lis_table.composition(3) == {"Li": 4.0, "S": 2.0}


@pytest.mark.parametrize(
    ("formula", "hull"),
    [
        ("Li", 0.0),
        ("S", 0.0),
        ("Li2S", -0.9),
        ("LiS2", -0.6),
        ("LiS", -0.75),  # midpoint of Li2S - LiS2
        ("Li3S2", -0.9 + 0.2 * 0.3),  # x_S = 0.4: 1/5 of the way from Li2S to LiS2
        ("LiS4", -0.6 * 0.6),  # x_S = 0.8: between LiS2 and S
        ("Li5S", -0.9 * 0.5),  # x_S = 1/6: between Li and Li2S
        ("50Li2S-50LiS2", -0.75),  # glass notation, = LiS
    ],
)
def test_hull_energy(eng, formula, hull):
    assert eng.hull_energy(formula) == pytest.approx(hull, abs=1e-12)


def test_decompose_metastable_and_polymorph(eng):
    d = eng.decompose("LiS")
    assert d.has_entry and not d.virtual
    assert d.entry_id == "lis-meta" and d.entry_energy == -0.7
    assert d.e_above_hull == pytest.approx(0.05, abs=1e-12)
    # LiS (2 atoms) -> 1 atom in Li2S + 1 atom in LiS2 = 1/3 Li2S + 1/3 LiS2
    assert phases_of(d.phases) == pytest.approx({"Li2S": 1 / 3, "LiS2": 1 / 3}, abs=1e-12)
    d = eng.decompose("Li2S")
    assert d.entry_id == "li2s" and d.entry_energy == -0.9 and d.e_above_hull == 0.0  # lowest polymorph
    assert phases_of(d.phases) == pytest.approx({"Li2S": 1.0})
    assert eng.e_above_hull_rows([0, 1, 2, 3]) == pytest.approx([0.0, 0.0, 0.05, 0.1], abs=1e-12)


def test_decompose_without_entry_is_virtual(eng):
    d = eng.decompose("Li3S2")
    assert not d.has_entry and d.virtual
    assert d.entry_id is None and d.e_above_hull is None
    assert d.hull_energy == pytest.approx(-0.84, abs=1e-12)
    # 5 atoms: 4 in Li2S (4/3 f.u.), 1 in LiS2 (1/3 f.u.)
    assert phases_of(d.phases) == pytest.approx({"Li2S": 4 / 3, "LiS2": 1 / 3}, abs=1e-12)


def test_user_entries_are_flagged_virtual(lis_table):
    t = lis_table.with_entries(["Li3S2"], [-0.9], ["cand:Li3S2"])  # below the -0.84 hull: a new vertex
    eng = Engine(t)
    d = eng.decompose("Li3S2")
    assert d.has_entry and d.virtual and d.entry_id == "cand:Li3S2" and d.e_above_hull == 0.0
    assert [(p.formula, p.virtual) for p in d.phases] == [("Li3S2", True)]
    prof = eng.react("Li3S2", "S")
    assert prof.virtual == {"Li3S2": True, "S": False}
    assert any(p.virtual for k in prof.kinks for p in k.products)
    # the data entries stay non-virtual
    assert not any(p.virtual for p in eng.decompose("LiS2").phases)


def test_react_flags_compositions_without_entry(eng):
    prof = eng.react("Li3S2", "S")
    assert prof.virtual == {"Li3S2": True, "S": False}
    assert prof.reactant_energies["a_closed_eV_per_atom"] == pytest.approx(-0.84, abs=1e-12)


# ---------------------------------------------------------------------------------------------- reactions
def test_react_li_with_lis2_closed(eng):
    # x = atomic fraction of Li metal; the line crosses Li2S at x_S = (1 - x) 2/3 = 1/3, x = 1/2:
    # dE(1/2) = E_hull(Li2S) - 1/2 0 - 1/2 (-0.6) = -0.6; reaction 0.75 Li + 0.25 LiS2 -> 0.5 Li2S
    prof = eng.react("Li", "LiS2")
    assert not prof.open_to_li and prof.reference == "hull" and prof.units == "eV/atom"
    assert kinks_of(prof) == pytest.approx(flat([(0.0, 0.0), (0.5, -0.6), (1.0, 0.0)]), abs=1e-12)
    k = prof.kinks[1]
    assert k.x_molar == pytest.approx(0.75) and k.t == pytest.approx(0.5)
    assert phases_of(k.products) == pytest.approx({"Li2S": 0.5})
    assert k.reaction == "0.75 Li + 0.25 LiS2 -> 0.5 Li2S"
    assert k.energy_mutual == k.energy  # closed: one value
    assert (prof.min_energy, prof.min_x) == pytest.approx((-0.6, 0.5))
    assert prof.minimum is k


def test_react_is_symmetric(eng):
    ab, ba = eng.react("Li", "LiS2"), eng.react("LiS2", "Li")
    assert flat([(1 - k.x, k.energy) for k in ba.kinks][::-1]) == pytest.approx(kinks_of(ab), abs=1e-12)


def test_react_li_with_sulfur_traces_the_hull(eng):
    prof = eng.react("Li", "S")  # dE(x) = E_hull at Li fraction x: kinks at LiS2 and Li2S
    assert kinks_of(prof) == pytest.approx(flat([(0, 0), (1 / 3, -0.6), (2 / 3, -0.9), (1, 0)]), abs=1e-12)
    assert [phases_of(k.products) for k in prof.kinks[1:3]] == [
        pytest.approx({"LiS2": 1 / 3}),
        pytest.approx({"Li2S": 1 / 3}),
    ]


def test_metastable_reactant_hull_referenced_vs_raw(eng):
    # LiS (x = 1) with Li (x = 0); the line meets Li2S at x_S = x/2 = 1/3, x = 2/3.
    hull = eng.react("LiS", "Li")
    assert hull.reference == "hull"
    assert hull.reactant_energies["a_closed_eV_per_atom"] == pytest.approx(-0.75)
    # dE(2/3) = -0.9 - 2/3 (-0.75) = -0.4; LiS itself is on the hull: dE(1) = 0
    assert kinks_of(hull) == pytest.approx(flat([(0, 0), (2 / 3, -0.4), (1, 0)]), abs=1e-12)
    assert hull.kinks[1].reaction == "0.5 LiS + 0.5 Li -> 0.5 Li2S"
    raw = eng.react("LiS", "Li", hull_reference=False)
    assert raw.reference == "raw"
    assert raw.reactant_energies["a_closed_eV_per_atom"] == -0.7
    # raw: dE(2/3) = -0.9 + 2/3 0.7 = -0.4333; dE(1) = -0.75 + 0.7 = -0.05 (its own decomposition)
    assert kinks_of(raw) == pytest.approx(flat([(0, 0), (2 / 3, -0.9 + 0.7 * 2 / 3), (1, -0.05)]), abs=1e-12)
    assert raw.min_energy == pytest.approx(-0.9 + 0.7 * 2 / 3)
    # a composition without entry falls back to the hull even in raw mode
    assert eng.react("Li3S2", "Li", hull_reference=False).reactant_energies["a_closed_eV_per_atom"] == pytest.approx(
        -0.84
    )


def test_identical_reactants(eng):
    prof = eng.react("LiS2", "Li2S4")
    assert kinks_of(prof) == pytest.approx([0, 0, 1, 0])


# ---------------------------------------------------------------------------------------------- open to Li
def test_voltage_to_mu():
    assert voltage_to_mu(0) == 0.0 and voltage_to_mu(3) == -3.0 and voltage_to_mu("4.3") == -4.3


@pytest.mark.parametrize(
    ("formula", "voltage", "phi"),
    [
        ("Li2S", 1.5, -0.15),  # LiS2 wins: (-0.6 + 0.5) / (2/3)
        ("S", 1.5, -0.15),
        ("Li2S", 1.0, (-0.9 + 2 / 3) * 3),  # -0.7: below 1.2 V Li2S is stable
        ("LiS2", 1.0, (-0.9 + 2 / 3) * 3),
        ("S", 2.0, 0.0),  # above 1.8 V sulfur is stable
        ("Li2S", 0.0, -2.7),  # at Li metal: -0.9 per atom x 3 atoms per S
    ],
)
def test_open_hull_energy(eng, formula, voltage, phi):
    assert eng.hull_energy(formula, voltage=voltage) == pytest.approx(phi, abs=1e-12)


def test_decompose_open_to_li(eng):
    d = eng.decompose("Li2S", voltage=1.5)  # Li2S -> 1/2 LiS2 + 3/2 Li
    assert d.mu_li == -1.5 and d.hull_energy == pytest.approx(-0.9)
    assert d.open_hull_energy == pytest.approx(-0.15)
    assert d.open_reactant_energy == pytest.approx(0.3)
    assert d.decomposition_energy == pytest.approx(-0.45)
    assert phases_of(d.phases) == pytest.approx({"LiS2": 0.5})
    assert d.li_exchanged == pytest.approx(-1.5)
    d = eng.decompose("LiS2", voltage=1.0)  # LiS2 + 3 Li -> 2 Li2S
    assert phases_of(d.phases) == pytest.approx({"Li2S": 2.0})
    assert d.li_exchanged == pytest.approx(3.0)
    assert d.decomposition_energy == pytest.approx(-0.7 - (-0.6 + 1 / 3) * 1.5)
    d = eng.decompose("LiS2", voltage=1.5)  # inside its window: stable
    assert phases_of(d.phases) == pytest.approx({"LiS2": 1.0})
    assert d.decomposition_energy == pytest.approx(0.0, abs=1e-12)


def test_mutual_vs_total_open_to_li(eng):
    # Li2S | LiS2 at 1.5 V: same S-only composition, so no mixing; but Li2S alone loses Li at 1.5 V.
    prof = eng.react("Li2S", "LiS2", voltage=1.5)
    assert prof.open_to_li and prof.mu_li == -1.5 and prof.units == "eV per non-Li atom"
    assert prof.reactant_energies["a_total"] == pytest.approx(0.3)
    assert prof.reactant_energies["b_total"] == pytest.approx(-0.15)
    assert prof.reactant_energies["a_mutual"] == pytest.approx(-0.15)
    assert flat((k.x, k.energy, k.energy_mutual) for k in prof.kinks) == pytest.approx(
        flat([(0.0, 0.0, 0.0), (1.0, -0.45, 0.0)]), abs=1e-12
    )
    assert prof.min_energy == pytest.approx(-0.45) and prof.min_x == 1.0
    assert prof.min_energy_mutual == pytest.approx(0.0)
    assert prof.kinks[1].li_exchanged == pytest.approx(-1.5)
    assert prof.kinks[1].reaction == "Li2S -> 0.5 LiS2 + 1.5 Li"


def test_open_reaction_with_li_uptake(eng):
    # S | LiS2 at 1.0 V (below 1.2 V): both end as Li2S. t and x differ: t is per S atom.
    prof = eng.react("S", "LiS2", voltage=1.0)
    phi_li2s = (-0.9 + 2 / 3) * 3  # -0.7
    phi_lis2 = (-0.6 + 1 / 3) * 1.5  # -0.4
    assert flat((k.x, k.energy, k.energy_mutual) for k in prof.kinks) == pytest.approx(
        flat([(0.0, phi_li2s - phi_lis2, 0.0), (1.0, phi_li2s, 0.0)]), abs=1e-12
    )
    assert prof.kinks[1].reaction == "S + 2 Li -> Li2S"


# ---------------------------------------------------------------------------------------------- windows
def test_window_of_a_hull_compound(eng):
    w = eng.window("LiS2")
    assert (w.reduction_limit, w.oxidation_limit) == pytest.approx((1.2, 1.8), abs=1e-12)
    assert w.width == pytest.approx(0.6)
    assert phases_of(w.reduction_products) == pytest.approx({"Li2S": 2.0})  # LiS2 + 3 Li -> 2 Li2S
    assert phases_of(w.oxidation_products) == pytest.approx({"S": 2.0})  # LiS2 -> 2 S + Li
    assert (w.li_reduction, w.li_oxidation) == pytest.approx((3.0, 1.0))
    assert flat((p.voltage, p.li_start, p.li_end) for p in w.profile) == pytest.approx(
        flat([(1.8, 0.0, 1.0), (1.2, 1.0, 4.0), (0.0, 4.0, float("inf"))]), abs=1e-12
    )
    assert w.profile[1].phases == ["Li2S", "LiS2"]
    d = w.as_dict()
    assert d["units"] == "V vs Li/Li+" and d["width"] == pytest.approx(0.6)


def test_window_of_li2s_reaches_li_metal(eng):
    w = eng.window("Li2S")
    assert w.reduction_limit == 0.0 and w.oxidation_limit == pytest.approx(1.2)
    assert phases_of(w.reduction_products) == pytest.approx({"Li": 1.0})
    assert phases_of(w.oxidation_products) == pytest.approx({"LiS2": 0.5})
    assert w.li_oxidation == pytest.approx(1.5)


def test_window_of_a_metastable_compound_is_hull_referenced(eng):
    w = eng.window("LiS")  # sits inside the Li2S-LiS2 plateau: reduction = oxidation = 1.2 V
    assert w.e_above_hull == pytest.approx(0.05)
    assert (w.reduction_limit, w.oxidation_limit) == pytest.approx((1.2, 1.2), abs=1e-12)
    assert set(phases_of(w.reduction_products)) == {"Li2S"}
    assert set(phases_of(w.oxidation_products)) == {"LiS2"}


def test_window_without_li(eng):
    w = eng.window("S")
    assert w.reduction_limit == pytest.approx(1.8) and w.oxidation_limit is None and w.width is None
    assert phases_of(w.reduction_products) == pytest.approx({"LiS2": 0.5})
    assert w.oxidation_products == [] and w.li_oxidation is None


def test_window_of_a_virtual_composition(eng):
    w = eng.window("Li3S2")  # between Li2S and LiS2
    assert not w.has_entry and w.virtual and w.e_above_hull is None
    assert (w.reduction_limit, w.oxidation_limit) == pytest.approx((1.2, 1.2), abs=1e-12)


def test_results_serialise_to_json(eng):
    for obj in (eng.react("LiS", "S", voltage=1.0), eng.decompose("LiS", voltage=1.0), eng.window("LiS2")):
        json.dumps(obj.as_dict(), allow_nan=True)


# ------------------------------------------------------------------------------------- tiny Li-Co-O vs pymatgen
@pytest.fixture(scope="module")
def lico_table() -> EntryTable:
    data = {
        "Li2O": -2.0,
        "Li2O2": -1.6,
        "CoO": -1.2,
        "Co3O4": -1.3,
        "CoO2": -0.9,
        "LiCoO2": -1.75,
        "Li6CoO4": -1.9,
        "LiCo2O4": -1.45,
        "Li2CoO3": -1.5,
    }
    return EntryTable.from_records(list(data), list(data.values()), list(data), {"source": "hand-made Li-Co-O"})


@pytest.mark.pymatgen_reference
@pytest.mark.parametrize(
    ("a", "b", "voltage"),
    [
        ("LiCoO2", "Li", None),
        ("LiCoO2", "Li2O2", None),
        ("CoO2", "Li2O", None),
        ("LiCoO2", "Li2O2", 3.0),
        ("CoO2", "Li2O", 1.0),
        ("CoO2", "Li2O", 4.0),
        ("Co", "Li2O2", 2.0),
        ("LiCoO2", "Co3O4", 0.5),
    ],
)
def test_tiny_ternary_matches_pymatgen(lico_table, a, b, voltage):
    from pmg_reference import PmgReference, interpolate

    ref = PmgReference(lico_table)
    prof = Engine(lico_table).react(a, b, voltage=voltage)
    total = ref.profile(a, b, voltage, include_no_mixing_energy=True)
    ts = np.array(sorted({k.t for k in total} | {k.t for k in prof.kinks}))
    np.testing.assert_allclose(interpolate(prof.kinks, ts), interpolate(total, ts), atol=1e-9)
    if voltage is not None:
        mutual = ref.profile(a, b, voltage, include_no_mixing_energy=False)
        ours = [type("P", (), {"t": k.t, "energy": k.energy_mutual}) for k in prof.kinks]
        np.testing.assert_allclose(interpolate(ours, ts), interpolate(mutual, ts), atol=1e-9)
        assert prof.min_energy_mutual == pytest.approx(min(k.energy for k in mutual), abs=1e-9)
    assert prof.min_energy == pytest.approx(min(k.energy for k in total), abs=1e-9)


@pytest.mark.pymatgen_reference
@pytest.mark.parametrize("formula", ["LiCoO2", "Li2O", "CoO", "Li6CoO4", "Co3O4", "LiCo2O4", "Li2O2"])
def test_tiny_ternary_windows_match_pymatgen(lico_table, formula):
    from pmg_reference import PmgReference

    ref = PmgReference(lico_table).window(formula)
    w = Engine(lico_table).window(formula)
    assert w.reduction_limit == pytest.approx(ref.reduction, abs=1e-9)
    assert w.oxidation_limit == pytest.approx(ref.oxidation, abs=1e-9)
    assert {p.formula for p in w.reduction_products} == ref.reduction_products
    assert {p.formula for p in w.oxidation_products} == ref.oxidation_products


# ---------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("voltage", [-0.1, -4.3, float("nan"), float("inf")])
def test_bad_voltage(eng, voltage):
    for call in (
        lambda: eng.react("Li2S", "LiS2", voltage=voltage),
        lambda: eng.decompose("Li2S", voltage=voltage),
        lambda: eng.hull_energy("Li2S", voltage=voltage),
    ):
        with pytest.raises(InputError, match="negative|not a finite number") as info:
            call()
        assert "\n" not in str(info.value)


def test_negative_voltage_message(eng):
    with pytest.raises(InputError, match=r"voltage -0.5 V is negative"):
        eng.react("Li2S", "S", voltage=-0.5)


@pytest.mark.parametrize(
    ("call", "missing"),
    [
        (lambda e: e.react("LiCoO2", "Li2S"), "O, Co"),
        (lambda e: e.react("Li2S", "LiCoO2", voltage=3.0), "O, Co"),
        (lambda e: e.decompose("CoS2"), "Co"),
        (lambda e: e.hull_energy("P2S5"), "P"),
        (lambda e: e.window("Li3PS4"), "P"),
        (lambda e: e.window("CoS2"), "Co"),
    ],
)
def test_missing_element_is_named(eng, call, missing):
    with pytest.raises(MissingElementError) as info:
        call(eng)
    msg = str(info.value)
    assert f"element(s) {missing} " in msg
    assert "hand-made Li-S" in msg  # names the source
    assert not msg.startswith("'") and "\n" not in msg  # a plain sentence, not KeyError's quoting
    assert isinstance(info.value, ScreeningError)


def test_missing_element_on_a_real_source(exp_engine):
    with pytest.raises(MissingElementError, match=r"element\(s\) Tc of TcO2 \| Li3PS4 have no entries in experimental"):
        exp_engine.react("TcO2", "Li3PS4")


@pytest.mark.parametrize(
    "call",
    [
        lambda e: e.react("Li", "S", voltage=1.0),
        lambda e: e.react("S", "Li", voltage=0.0),
        lambda e: e.react("Li2", "LiS2", voltage=1.5),
        lambda e: e.decompose("Li", voltage=0.5),
        lambda e: e.hull_energy("Li", voltage=1.0),
        lambda e: e.window("Li"),
    ],
)
def test_pure_li_open_to_li_is_an_input_error(eng, call):
    with pytest.raises(InputError, match="pure Li") as info:
        call(eng)
    assert "\n" not in str(info.value)


def test_pure_li_closed_is_fine(eng):
    assert eng.decompose("Li").hull_energy == 0.0
    assert eng.react("Li", "LiS2").min_energy == pytest.approx(-0.6)


def test_bad_formula(eng):
    with pytest.raises(FormulaError, match="'Xx2S'"):
        eng.react("Xx2S", "LiS2")
