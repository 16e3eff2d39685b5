"""screening.api: pymatgen interop both ways, plotly figures, run_screen from a dict or a file."""

from __future__ import annotations

import warnings

import pytest
import yaml

from screening import api
from screening.errors import ScreeningError

#: Elemental total energies [eV/atom] given to synthetic ComputedEntries (arbitrary, like a DFT scale).
MU = {"Li": -1.909, "Nb": -10.101, "O": -4.948, "Co": -7.108}


@pytest.mark.snapshot
def test_engine_from_phase_diagram_agrees_with_pymatgen_and_the_snapshot(pmg_ref, engine) -> None:
    from pymatgen.analysis.interface_reactions import InterfacialReactivity
    from pymatgen.core import Composition

    pd = pmg_ref.pd({"Li", "Nb", "O"})
    eng = api.engine_from_phase_diagram(pd)
    prof = eng.react("LiNbO3", "Li2O")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ir = InterfacialReactivity(Composition("LiNbO3"), Composition("Li2O"), pd, norm=True, use_hull_energy=True)
        ref = min(k[2] for k in ir.get_kinks())
    assert prof.min_energy == pytest.approx(ref, abs=1e-9)
    assert prof.min_energy == pytest.approx(engine.react("LiNbO3", "Li2O").min_energy, abs=1e-9)
    w = eng.window("LiNbO3")
    w_ref = engine.window("LiNbO3")
    assert (w.reduction_limit, w.oxidation_limit) == pytest.approx((w_ref.reduction_limit, w_ref.oxidation_limit))


def test_engine_from_entries_uses_their_own_elemental_references(exp_engine) -> None:
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.entries.computed_entries import ComputedEntry

    table = exp_engine.table
    entries = []
    for i in exp_engine.table.select(("Li", "Nb", "O")):
        comp = table.composition(int(i))
        n = sum(comp.values())
        total = float(table.energy_per_atom[i]) * n + sum(MU[el] * amt for el, amt in comp.items())
        entries.append(ComputedEntry(comp, total, entry_id=f"e{i}") if i % 2 else PDEntry(comp, total))
    eng = api.engine_from_entries(entries)
    for a, b, v in (("LiNbO3", "Li2O", None), ("LiNbO3", "Nb2O5", 3.0), ("Li2O2", "LiNbO3", 4.0)):
        got, ref = eng.react(a, b, voltage=v), exp_engine.react(a, b, voltage=v)
        assert got.min_energy == pytest.approx(ref.min_energy, abs=1e-9)
        assert got.min_energy_mutual == pytest.approx(ref.min_energy_mutual, abs=1e-9)
    w = eng.window("LiNbO3")
    assert (w.reduction_limit, w.oxidation_limit) == pytest.approx((0.888, 4.306), abs=1e-3)  # README's numbers
    with pytest.raises(ScreeningError, match="no elemental reference for Nb"):
        api.engine_from_entries([e for e in entries if e.composition.reduced_formula != "Nb"])


@pytest.mark.snapshot
def test_reaction_at_the_minimum_as_pymatgen_reaction(engine) -> None:
    from pymatgen.core import Composition

    prof = engine.react("LiCoO2", "Li3PS4", voltage=4.3)
    assert prof.min_energy == pytest.approx(-1.3466, abs=1e-4)  # README, open to Li at 4.3 V
    rxn = api.to_reaction(prof)
    coeff = {c.reduced_formula: rxn.get_coeff(c) for c in rxn.all_comp}
    # reactants negative, products positive (pymatgen's sign); the element balance is checked by pymatgen
    assert coeff["LiCoO2"] == pytest.approx(-0.617, abs=1e-3)
    assert coeff["Li3PS4"] == pytest.approx(-0.383, abs=1e-3)
    assert coeff["CoS2"] == pytest.approx(0.4255, abs=1e-4)
    assert coeff["Li"] == pytest.approx(1.766, abs=1e-3)  # given up to the reservoir at 4.3 V
    assert len(api.reactions(prof)) == len(prof.kinks)
    assert api.to_composition(prof.minimum.products[0]) == Composition("CoS2")


def test_reactions_balance_for_any_spelling_of_a_reactant(exp_engine) -> None:
    # Li2Nb2O6 is 2 LiNbO3: the reaction must balance whichever way the reactant is written
    for a, b, v in (("Li2Nb2O6", "Li2O2", None), ("Li2Nb2O6", "Nb2O5", 2.0), ("LiNbO3", "Li2O2", 4.0)):
        prof = exp_engine.react(a, b, voltage=v)
        for k, rxn in zip(prof.kinks, api.reactions(prof), strict=True):  # BalancedReaction checks the balance
            li = sum(rxn.get_coeff(c) for c in rxn.all_comp if c.reduced_formula == "Li")
            assert li == pytest.approx(-k.li_exchanged, abs=1e-6) if v is not None else li == 0


def test_profile_plot_marks_the_minimum_with_units(exp_engine) -> None:
    prof = exp_engine.react("LiNbO3", "Li2O2", voltage=3.0)
    fig = prof.plot()
    stars = [t for t in fig.data if t.mode == "markers"]
    assert [round(t.y[0], 9) for t in stars] == [round(prof.min_energy, 9), round(prof.min_energy_mutual, 9)]
    assert "eV per non-Li atom" in fig.layout.yaxis.title.text
    assert "atomic fraction of LiNbO3" in fig.layout.xaxis.title.text
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert list(lines[0].x) == [k.x for k in prof.kinks]
    assert prof.kinks[1].reaction in lines[0].hovertext[1]
    closed = exp_engine.react("LiNbO3", "Li2O").plot()
    assert len(closed.data) == 2 and "eV/atom" in closed.layout.yaxis.title.text


def test_window_plot_shades_the_window(exp_engine) -> None:
    w = exp_engine.window("LiNbO3")
    fig = w.plot()
    band = fig.layout.shapes[0]
    assert (band.y0, band.y1) == pytest.approx((w.reduction_limit, w.oxidation_limit))
    voltages = {round(y, 6) for y in fig.data[0].y if y is not None}
    assert voltages == {round(p.voltage, 6) for p in w.profile}
    assert "V vs Li/Li+" in fig.layout.yaxis.title.text


def test_run_screen_from_a_yaml_file_equals_the_dict_run(small_screen, tmp_path) -> None:
    """Also ``csv: false``: the large tables in Parquet only, the same numbers, provenance lists what exists."""
    from conftest import SMALL_SCREEN

    from screening.screen.verify import verify_results

    cfg = dict(SMALL_SCREEN, coatings={"formulas": ["LiNbO3", "LiF"]}, anodes=[], csv=False)
    path = tmp_path / "screen.yaml"
    path.write_text(yaml.safe_dump(cfg))
    res = api.run_screen(path, workdir=tmp_path / "run")
    assert res.stacks == ["TiS2 | LiBH4", "TiS2 | LiI"]
    for stack in res.stacks:
        cols = [
            "energy_electrode_open_eV_per_nonLi_atom",
            "energy_electrode_closed_eV_per_atom",
            "energy_electrolyte_open_eV_per_nonLi_atom",
        ]
        a = res.stack(stack).set_index("coating")[cols]
        b = small_screen.stack(stack).set_index("coating").loc[a.index, cols]
        assert a.equals(b)  # same interfaces, same numbers, whatever else the screen held
    assert res.provenance["config"]["report"]["top_n"] == 3  # schema default filled in
    tables = tmp_path / "run" / "results" / "tables"
    assert sorted(p.name for p in tables.iterdir()) == [
        "funnel.csv", "funnel.parquet", "interfaces.parquet", "rankings.parquet", "reactions.parquet",
        "windows.csv", "windows.parquet",
    ]
    listed = {k.rsplit("/", 1)[1] for k in res.provenance["files"] if "/tables/" in k}
    assert listed == {p.name for p in tables.iterdir()}
    assert verify_results(tmp_path / "run" / "results").ok
    assert (small_screen.root / "tables" / "rankings.csv").is_file()  # csv: true (default) writes both


def test_run_screen_bad_input_is_one_line(tmp_path) -> None:
    with pytest.raises(ScreeningError, match="electrolytes") as e:
        api.run_screen({"source": "experimental"}, workdir=tmp_path)
    assert "\n" not in str(e.value)
    with pytest.raises(ScreeningError, match="does not exist"):
        api.run_screen(tmp_path / "missing.yaml")


def test_run_screen_without_workdir_leaves_no_folder(tmp_path, monkeypatch, caplog) -> None:
    """No workdir: the tables are returned in memory and the temporary folder is removed (issue 26), also
    when a step fails; the report is written from memory."""
    import logging
    import tempfile

    from conftest import SMALL_SCREEN

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    cfg = dict(SMALL_SCREEN, coatings={"formulas": ["LiNbO3", "LiF"]}, anodes=[])
    with caplog.at_level(logging.INFO, logger="screening.api.screen"):
        runs = [api.run_screen(cfg) for _ in range(2)]
    assert list(temp.iterdir()) == []
    assert "removed (give workdir= to keep the files)" in caplog.text
    assert runs[0].rankings.equals(runs[1].rankings) and len(runs[0].rankings) == 4
    assert not runs[0].root.exists()
    out = api.write_report(runs[0], tmp_path / "report.html")
    assert out.stat().st_size > 10_000

    import screening.screen.ranking as ranking

    def broken(*args, **kwargs):
        raise ScreeningError("a step failed")

    monkeypatch.setattr(ranking, "run_rank", broken)
    with pytest.raises(ScreeningError, match="a step failed"):
        api.run_screen(cfg)
    assert list(temp.iterdir()) == []
