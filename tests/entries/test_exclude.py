"""Entry exclusion: by id or formula, recorded in provenance, with warnings and errors that name the item."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from screening.entries import EntryTable, exclude_entries, parse_exclude
from screening.errors import InputError, MissingElementError, ScreeningWarning
from screening.thermo import Engine


def _small() -> EntryTable:
    return EntryTable.from_records(
        ["Li2O", "Li2O2", "LiO2", "CoO", "Co3O4", "LiCoO2", "LiCoO2"],
        [-2.07, -1.63, -1.0, -1.25, -1.36, -1.79, -1.70],
        [f"t:{i}" for i in range(7)],
        provenance={"source": "test"},
    )


def test_li2s_oxidation_limit_without_lis4_matches_pymatgen(snapshot_table):
    """LiS4 (on the 2019 hull) sets Li2S oxidation at 2.14 V; without it pymatgen gives another limit."""
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
    from pymatgen.core import Composition, Element

    assert Engine(snapshot_table).window("Li2S").oxidation_limit == pytest.approx(2.1385, abs=1e-4)
    table, exc = exclude_entries(snapshot_table, ["LiS4"])
    assert [f for _, f in exc.dropped] == ["Li2S8"]  # the snapshot writes it per cell
    assert exc.not_found == ()
    assert table.provenance["excluded"]["dropped"] == [{"id": "mp_e_form_2019:row48881", "formula": "Li2S8"}]
    ours = Engine(table).window("Li2S")

    # pymatgen on the same data without any entry of composition LiS4 (filtered here, independently)
    entries = []
    for i in snapshot_table.select(("Li", "S")):
        comp = Composition(snapshot_table.composition(int(i)))
        if comp.reduced_formula != "LiS4":
            entries.append(PDEntry(comp, float(snapshot_table.energy_per_atom[i]) * comp.num_atoms))
    pd = PhaseDiagram(entries)
    li = Element("Li")
    f_c = 2 / 3
    prof = sorted(pd.get_element_profile(li, Composition("Li2S")),
                  key=lambda p: p["critical_composition"].get_atomic_fraction(li))
    below = [p for p in prof if p["critical_composition"].get_atomic_fraction(li) < f_c - 1e-6]
    pmg_ox = -float(below[-1]["chempot"])
    assert ours.oxidation_limit == pytest.approx(pmg_ox, abs=1e-4)
    assert ours.oxidation_limit == pytest.approx(2.3411, abs=1e-4)
    assert "S" in {p.formula for p in ours.oxidation_products}


def test_exclude_by_id_drops_that_entry_only():
    t = _small()
    new, exc = exclude_entries(t, "t:6")
    assert exc.dropped == (("t:6", "LiCoO2"),)
    assert len(new) == len(t) - 1 and "t:5" in new.ids
    new, exc = exclude_entries(t, "LiCoO2")  # by formula: every polymorph
    assert [i for i, _ in exc.dropped] == ["t:5", "t:6"]


def test_exclude_formula_matches_multiples():
    new, exc = exclude_entries(_small(), ["LiO"])  # Li2O2 is LiO
    assert exc.dropped == (("t:1", "Li2O2"),)
    assert "Li2O2" not in new.formulas


def test_nonexistent_item_warns_once_naming_it():
    t = _small()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        new, exc = exclude_entries(t, ["LiS4", "LiS4", "mp-1234", "LiO2"])
    msgs = [str(w.message) for w in caught if issubclass(w.category, ScreeningWarning)]
    assert len(msgs) == 2
    assert "'LiS4' is neither an entry id nor the formula of an entry" in msgs[0]
    assert "'mp-1234'" in msgs[1]
    assert exc.not_found == ("LiS4", "mp-1234")
    assert exc.requested == ("LiS4", "mp-1234", "LiO2")
    assert new.provenance["excluded"]["not_found"] == ["LiS4", "mp-1234"]
    assert len(new) == len(t) - 1


def test_excluding_every_entry_of_an_element_gives_the_missing_element_error():
    t = _small()
    new, _ = exclude_entries(t, ["Co", "CoO", "Co3O4", "LiCoO2"])
    assert "Co" not in new.elements
    eng = Engine(new)
    with pytest.raises(MissingElementError, match="element\\(s\\) Co of LiCoO2 | Li2O have no entries"):
        eng.react("LiCoO2", "Li2O")
    assert eng.hull_energy("Li2O") == pytest.approx(-2.07)


def test_excluding_an_elemental_reference_alone_is_refused():
    with pytest.raises(InputError, match="removes its reference state"):
        exclude_entries(_small(), ["Co"])


def test_nothing_to_exclude_returns_the_table():
    t = _small()
    new, exc = exclude_entries(t, None)
    assert new is t and exc.dropped == ()
    assert np.array_equal(exclude_entries(t, [])[0].energy_per_atom, t.energy_per_atom)


@pytest.mark.parametrize("bad", [[""], ["LiS4,,S8O"], [3]])
def test_bad_items(bad):
    with pytest.raises(InputError, match="exclude"):
        parse_exclude(bad)


def test_parse_exclude_commas_and_repeats():
    assert parse_exclude(["LiS4,S8O", " Mg149Cl ", "S8O"]) == ("LiS4", "S8O", "Mg149Cl")
