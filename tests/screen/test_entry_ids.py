"""Which entry a window used (issue 26): the Materials Project id where the source has one.

The ``mp`` source builds its table from mp-api's ComputedEntry dicts (``entries_to_table``), whose
``entry_id`` is the Materials Project entry id (``mp-1960-GGA``): the windows table carries it in
``entry_id``. The packaged ``mp2019`` snapshot (matbench ``mp_e_form``) has no ids: its entries are rows
(``mp_e_form_2019:row<N>``), and the docs say so.
"""

from __future__ import annotations

from pathlib import Path

from pymatgen.entries.computed_entries import ComputedEntry

from screening.entries.sources import entries_to_table
from screening.screen.windows import window_row
from screening.thermo.engine import Engine

ROOT = Path(__file__).resolve().parents[2]


def _mp_like_table():
    entries = [
        ComputedEntry("Li", -1.90, entry_id="mp-135-GGA"),
        ComputedEntry("O2", -9.86, entry_id="mp-12957-GGA"),
        ComputedEntry("Li2O", -14.7, entry_id="mp-1960-GGA"),
        ComputedEntry("Li2O", -14.0, entry_id="mp-99999-GGA"),  # a higher polymorph: not the one used
        ComputedEntry("Li2O2", -19.0, entry_id="mp-841-GGA"),
    ]
    return entries_to_table([e.as_dict() for e in entries], {"source": "mp"})


def test_windows_entry_id_is_the_materials_project_id_of_the_lowest_polymorph() -> None:
    eng = Engine(_mp_like_table())
    row = window_row(eng, "Li2O")
    assert row["status"] == "ok"
    assert row["entry_id"] == "mp-1960-GGA"
    assert window_row(eng, "Li2O2")["entry_id"] == "mp-841-GGA"


def test_docs_say_the_mp2019_snapshot_has_no_materials_project_ids() -> None:
    for doc in ("README.md", "docs/science.md"):
        text = " ".join((ROOT / doc).read_text().split())
        assert "no Materials Project ids" in text, doc
        assert "mp_e_form_2019:row" in text, doc
