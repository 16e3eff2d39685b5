"""Interphase columns of screen tables, the typed ``electronic:`` config and the ranking helpers."""

from __future__ import annotations

import pytest

from screening.errors import InputError
from screening.interphase import MIXED, NONE, PASSIVATING, UNKNOWN, ElectronicModel, classify_profile, classify_window
from screening.interphase.tables import (
    ElectronicSettings,
    gap_filter,
    interface_columns,
    interphase_score,
    kink_columns,
    window_columns,
    worst,
)


def test_worst_and_score():
    assert worst([NONE, PASSIVATING, UNKNOWN]) == UNKNOWN
    assert worst([PASSIVATING, MIXED, NONE]) == MIXED
    assert worst([]) == NONE
    assert [interphase_score([c]) for c in (NONE, PASSIVATING, UNKNOWN, MIXED)] == [1.0, 1.0, 0.5, 0.0]


@pytest.mark.snapshot
def test_interface_and_kink_columns_li_lgps(engine):
    prof = engine.react("Li10GeP2S12", "Li")  # the screen writes the electrode as b
    classes = classify_profile(prof, ElectronicModel())
    cols = interface_columns(classes)
    assert cols["interphase"] == MIXED
    assert cols["interphase_b"] == MIXED  # next to Li
    assert cols["interphase_a"] == UNKNOWN and cols["interphase_min"] == UNKNOWN
    assert cols["conducting_products"] == "Li15Ge4"
    assert cols["interphase_evidence"] == "conducting: Li15Ge4 [rule]"
    rows = kink_columns(classes)
    assert len(rows) == len(prof.kinks)
    assert rows[0]["interphase"] == NONE and rows[-1]["interphase"] == NONE  # the two ends
    assert {r["conducting_products"] for r in rows if r["interphase"] == MIXED} == {"LiGe", "Li9Ge4", "Li15Ge4"}


@pytest.mark.snapshot
def test_window_columns_with_user_gap(engine, tmp_path):
    p = tmp_path / "gaps.csv"
    p.write_text("formula,band_gap\nLiNbO3,3.4\nLi2O,4.99\n")
    model = ElectronicSettings(table=str(p)).model()
    cols = window_columns("LiNbO3", classify_window(engine.window("LiNbO3"), model), model)
    assert (cols["band_gap"], cols["conducting"]) == (3.4, "insulating")
    assert cols["gap_evidence"] == "table: gaps.csv row 1: band gap 3.40 eV"
    # on the MP snapshot LiNbO3 first reduces (1.74 V) to Li3NbO4 (closed-shell: Li+ Nb5+ O2-, insulating) +
    # LiNbO2 (Nb3+, d2: not covered by the rule, no gap here), so the reduction interphase is unknown
    assert cols["reduction_interphase"] == UNKNOWN and cols["reduction_conducting"] == ""
    assert cols["oxidation_interphase"] == UNKNOWN  # Nb2O5 (closed-shell) + O2 (no evidence)
    assert cols["window_interphase_evidence"] == "reduction: no evidence: LiNbO2 | oxidation: no evidence: O2"
    # without the table LiNbO3's own character comes from the closed-shell rule, without a gap value
    bare = window_columns("LiNbO3", None, ElectronicModel())
    assert (bare["band_gap"], bare["conducting"], bare["gap_evidence"]) == (
        None, "insulating", "closed-shell rule: Li+ Nb5+ O2-")


def test_gap_filter_where_known():
    s = ElectronicSettings()
    assert gap_filter(3.4, "insulating", s) is True
    assert gap_filter(0.3, "insulating", s) is False  # below 0.5 eV
    assert gap_filter(None, "unknown", s) is True  # where known (Xiao 2019)
    assert gap_filter(None, "conducting", s) is False  # a rule metal
    assert gap_filter(None, "unknown", ElectronicSettings(require_gap=True)) is False
    assert gap_filter(0.3, "insulating", ElectronicSettings(coating_min_gap=None)) is None


def test_settings_from_dict(tmp_path):
    s = ElectronicSettings.from_dict({"table": "gaps.csv", "gap_threshold": 0.2}, basedir=tmp_path)
    assert s.table == str(tmp_path / "gaps.csv") and s.gap_threshold == 0.2
    assert s.coating_min_gap == 0.5 and s.reaction_tolerance == 0.025 and s.no_mixed_conducting
    assert ElectronicSettings.from_dict(None) == ElectronicSettings()
    assert ElectronicSettings.from_dict({"coating_min_gap": None}).coating_min_gap is None
    with pytest.raises(InputError, match="electronic.gap_threshold"):
        ElectronicSettings.from_dict({"gap_threshold": -1})
