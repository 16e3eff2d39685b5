"""Issue 26, S4: names that start a spreadsheet formula are quoted in CSV tables only (OWASP CSV injection)."""

from __future__ import annotations

import csv

import pandas as pd

from screening.screen.io import read_table, write_table

NAMES = ['=HYPERLINK("https://example.com","x")', "+1", "-2+3", "@SUM(A1)", "\tTab", "LiNbO3", "'=quoted", "'plain", ""]


def test_formula_names_are_quoted_in_csv_but_not_in_parquet(tmp_path) -> None:
    df = pd.DataFrame({
        "coating": NAMES,
        "energy": [-1.5, -0.25, 0.0, 2.0, -3.0, 1.0, -1.0, 0.5, -2.0],
        "rank": pd.array([1, 2, None, 4, 5, 6, 7, 8, 9], dtype="Int64"),
        "stack": pd.array(["-x | y"] + ["LCO | LPS"] * 8, dtype="string"),
        "passes": [True, False, True, True, False, True, True, False, True],
    })
    write_table(df, tmp_path / "t.csv", tmp_path / "t.parquet")
    with open(tmp_path / "t.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["coating"] for r in rows] == [
        '\'=HYPERLINK("https://example.com","x")', "'+1", "'-2+3", "'@SUM(A1)", "'\tTab", "LiNbO3", "''=quoted",
        "'plain", "",
    ]
    assert rows[0]["stack"] == "'-x | y" and rows[1]["stack"] == "LCO | LPS"
    # numbers, negative ones included, are written as numbers
    assert [r["energy"] for r in rows[:2]] == ["-1.500000", "-0.250000"]
    assert rows[0]["passes"] == "True" and rows[2]["rank"] == ""
    # Parquet keeps the raw names; reading the CSV back undoes the quoting
    pd.testing.assert_series_equal(pd.read_parquet(tmp_path / "t.parquet")["coating"], df["coating"])
    back = read_table(tmp_path / "t.csv")
    assert back["coating"].fillna("").tolist() == NAMES
    assert back["stack"].tolist() == df["stack"].tolist()
    assert back["energy"].tolist() == df["energy"].tolist()


def test_candidates_csv_reads_back_the_raw_names(tmp_path) -> None:
    """candidates.csv is read back by the workflow: a quoted name must come back as given."""
    from screening.screen.candidates import load_candidates

    df = pd.DataFrame({"candidate": [0, 1], "name": ["=1+2", "-LiF"], "formula": ["LiNbO3", "LiF"],
                       "query_entry_id": ["mp-1", "-5"]})
    write_table(df, csv_path=tmp_path / "candidates.csv")
    back = load_candidates(tmp_path / "candidates.csv")
    assert back["name"].tolist() == ["=1+2", "-LiF"] and back["query_entry_id"].tolist() == ["mp-1", "-5"]
