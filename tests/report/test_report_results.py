"""The results reader and the report generator: joins, numbers against the engine, one-line errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from screening.errors import ResultsError, ScreeningError
from screening.report import load_results, render_report, write_report
from screening.report.payload import build_payload
from screening.screen.provenance import RESULTS_FORMAT


def _data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def test_neighbours_are_the_coatings_interfaces_with_the_engines_numbers(small_screen, exp_engine) -> None:
    nb = small_screen.neighbours("TiS2 | LiI", "LiNbO3")
    got = {(r.kind, r.b_name, None if r.voltage != r.voltage else round(r.voltage, 6)): r for r in nb.itertuples()}
    # electrode at both ends of its range, closed and charged (closed); the electrolyte at the electrode's
    # potentials and closed
    assert set(got) == {
        ("coating|cathode", "TiS2", 1.6),
        ("coating|cathode", "TiS2", 2.6),
        ("coating|cathode", "TiS2", None),
        ("coating|cathode_charged", "TiS2", None),
        ("coating|electrolyte", "LiI", 1.6),
        ("coating|electrolyte", "LiI", 2.6),
        ("coating|electrolyte", "LiI", None),
    }
    for (kind, _, v), r in got.items():
        b = {"coating|cathode": "LiTiS2", "coating|cathode_charged": "TiS2", "coating|electrolyte": "LiI"}[kind]
        prof = exp_engine.react("LiNbO3", b, voltage=v)
        assert r.energy == pytest.approx(prof.min_energy, abs=2e-6)
        assert r.energy_mutual == pytest.approx(prof.min_energy_mutual, abs=2e-6)
    # the ranking's electrode energies are the worst of these (mutual, the config default), open and closed apart
    row = small_screen.stack("TiS2 | LiI").set_index("coating").loc["LiNbO3"]
    el = nb[nb["side"] == "electrode"]
    worst_open = el.loc[el["open_to_li"].astype(bool), "energy_mutual"].min()
    closed = el[~el["open_to_li"].astype(bool)]
    discharged = closed.loc[closed["kind"] == "coating|cathode", "energy_mutual"].min()
    charged = closed.loc[closed["kind"] == "coating|cathode_charged", "energy_mutual"].min()
    assert row["stage"] in ("passed", "marginal", "fails")  # a named coating: its energies were computed
    assert row["energy_electrode_open_eV_per_nonLi_atom"] == pytest.approx(worst_open, abs=1e-9)
    assert row["energy_electrode_closed_eV_per_atom"] == pytest.approx(discharged, abs=1e-9)
    assert row["energy_charged_closed_eV_per_atom"] == pytest.approx(charged, abs=1e-9)


def test_li_metal_stack_uses_0_v_electrolyte_interfaces_and_closed_baseline(small_screen) -> None:
    nb = small_screen.neighbours("Li | LiBH4", "LiF")
    assert sorted(nb["kind"]) == ["coating|anode", "coating|electrolyte", "coating|electrolyte"]
    assert nb.loc[nb["kind"] == "coating|electrolyte", "voltage"].tolist()[0] == 0.0  # then closed (NaN)
    base = small_screen.baseline("Li | LiBH4")
    assert base["kind"].tolist() == ["electrolyte|anode"] and base["voltage"].isna().all()
    # LiBH4 | Li reacts (the uncoated interface): a negative closed reaction energy
    assert base["energy"].iloc[0] < -0.1


def test_payload_holds_every_ranking_row_and_top_n_profiles(small_screen) -> None:
    data = build_payload(small_screen, top_n=2)
    itf = small_screen.interfaces.set_index("interface")
    rk = small_screen.rankings
    id_cols = [c for c in rk.columns if "interface" in c and pd.api.types.is_integer_dtype(rk[c])]
    assert {"interface_electrode_open", "interface_electrolyte_closed", "baseline_interface_electrode_open"} <= set(
        id_cols
    )
    assert data["stages"][-1] == "passed"
    for st in data["stacks"]:
        assert len(st["rows"]) == int((small_screen.rankings["stack"] == st["name"]).sum())
        sub = small_screen.stack(st["name"])
        best = sub["coating"].head(2).tolist()
        named = sub.loc[sub["origin"].ne("query") & sub["rank"].notna(), "coating"].tolist()
        # the best two first, then every other named coating that reached the reaction energies
        assert list(st["profiles"]) == list(dict.fromkeys(best + named))
        # constant + varying columns rebuild every cell of the ranking table
        sub = small_screen.stack(st["name"])
        assert set(st["constant"]) | set(st["varying"]) == set(small_screen.rankings.columns)
        for i, row in enumerate(st["rows"]):
            cells = dict(zip(st["varying"], row, strict=True)) | st["constant"]
            for c, v in cells.items():
                want = sub[c].iloc[i]
                if v is None:
                    assert pd.isna(want), (c, want)
                elif isinstance(v, float):
                    assert v == pytest.approx(float(want), abs=1e-6), c
                elif c in id_cols:  # an interface id, shown with its interface
                    r = itf.loc[int(want)]
                    where = "closed" if pd.isna(r.voltage) else f"{r.voltage:.2f} V"
                    assert v.startswith(f"#{int(want)} {r.a_name} | {r.b_name}") and v.endswith(f"({where})"), (c, v)
                else:
                    assert v == (want if isinstance(v, bool | int) else str(want)), c
    # each embedded profile's lowest kink is the interfaces table's minimum
    itf = small_screen.interfaces.set_index("interface")
    e = data["energy_column"]
    j = data["kinks"]["columns"].index(e)
    for key, rows in data["kinks"]["by_interface"].items():
        assert min(r[j] for r in rows) == pytest.approx(itf.loc[int(key), e], abs=1e-9)


def test_report_is_self_contained_and_deterministic(small_screen, tmp_path) -> None:
    a = write_report(small_screen.root, tmp_path / "a" / "index.html", top_n=3)
    b = write_report(small_screen.root, tmp_path / "b" / "index.html", top_n=3)
    html = a.read_text()
    assert a.read_bytes() == b.read_bytes()
    assert "<script src" not in html and "<link" not in html  # nothing fetched: plotly.js and data inline
    assert html.count("plotly.js v") >= 1 and html.count('id="report-data"') == 1
    data = _data(html)
    assert [s["name"] for s in data["stacks"]] == small_screen.stacks
    assert data["provenance"]["results_format"] == RESULTS_FORMAT
    assert data["provenance"]["source"]["source"] == "experimental"


def test_missing_results_folder_is_one_line(tmp_path) -> None:
    with pytest.raises(ResultsError, match=r"does not exist; run the workflow first") as e:
        load_results(tmp_path / "nope")
    assert "\n" not in str(e.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultsError, match="is not a results folder"):
        write_report(tmp_path / "empty", tmp_path / "out.html")


def test_results_of_an_older_version_are_refused(small_screen, tmp_path) -> None:
    old = tmp_path / "results"
    shutil.copytree(small_screen.root, old)
    prov = json.loads((old / "provenance.json").read_text())
    del prov["results_format"]  # what every version before the results format was written
    prov["screening_version"] = "0.0.9"
    (old / "provenance.json").write_text(json.dumps(prov))
    with pytest.raises(ResultsError, match=r"written by screening 0\.0\.9 \(results format none\).*rerun") as e:
        write_report(tmp_path, tmp_path / "out.html")
    assert "\n" not in str(e.value)
    assert not (tmp_path / "out.html").exists()


def test_unknown_stack_lists_the_stacks(small_screen) -> None:
    with pytest.raises(ResultsError, match=r"no stack 'LiCoO2 \| Li3PS4'.*'TiS2 \| LiBH4'") as e:
        small_screen.stack("LiCoO2 | Li3PS4")
    assert isinstance(e.value, ScreeningError) and "\n" not in str(e.value)
    with pytest.raises(ResultsError, match="not ranked in stack"):
        small_screen.neighbours("TiS2 | LiI", "Unobtainium")


def test_cli_report_writes_and_fails_in_one_line(small_screen, tmp_path) -> None:
    out = tmp_path / "r.html"
    ok = subprocess.run(
        [sys.executable, "-m", "screening.cli", "report", str(small_screen.root), "-o", str(out), "--top-n", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    stack0 = _data(out.read_text())["stacks"][0]
    named = small_screen.stack(stack0["name"])
    named = set(named.loc[named["origin"].ne("query") & named["rank"].notna(), "coating"])
    # the best two and every named coating that was computed
    assert len(stack0["profiles"]) == len(named | set(small_screen.stack(stack0["name"])["coating"].head(2)))
    bad = subprocess.run(
        [sys.executable, "-m", "screening.cli", "report", str(tmp_path / "missing")],
        capture_output=True, text=True, timeout=300,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: results folder") and len(bad.stderr.strip().splitlines()) == 1


def test_render_rejects_top_n_zero(small_screen) -> None:
    with pytest.raises(ScreeningError, match="top_n = 0"):
        render_report(small_screen, top_n=0)


def test_row_budget_keeps_ranked_rows_and_counts_the_rest(tmp_path) -> None:
    from synthetic_results import synthetic_results

    res = load_results(synthetic_results(tmp_path, n_coatings=400))
    n_stacks = len(res.stacks)
    full = build_payload(res, top_n=5)
    assert [len(s["rows"]) for s in full["stacks"]] == [400] * n_stacks
    capped = build_payload(res, top_n=5, max_rows=120 * n_stacks)
    for st in capped["stacks"]:
        sub = res.stack(st["name"])
        ranked = sub[sub["rank"].notna()]
        assert len(ranked) == 300 and len(st["rows"]) == 120  # the best 120 of the 300 ranked rows
        rank_pos = st["varying"].index("rank") if "rank" in st["varying"] else None
        got = [r[rank_pos] for r in st["rows"]] if rank_pos is not None else []
        assert got == [int(v) for v in ranked["rank"].head(120)]
        assert st["n_candidates"] == 400 and st["omitted_rows"] == 280
        assert st["funnel"] == {k: int(v) for k, v in sub["stage"].value_counts().items()}
        assert sum(st["funnel"].values()) == 400
    small = len(render_report(res, top_n=5, max_rows=120 * n_stacks))
    assert small < len(render_report(res, top_n=5, max_rows=None))
    with pytest.raises(ScreeningError, match="max_rows = 0"):
        render_report(res, max_rows=0)


#: Material names that once broke the page: a ``<!--`` in the data blanked it (issue 26, F1).
HOSTILE_NAMES = [
    "</script>", "<!--", "<script>alert(1)</script>", "-->", "say \"hi\" 'there'", "line\u2028sep\u2029para",
    "<a href=https://example.com>click</a>", "a & b > c", "back\\slash",
]


def test_embedded_data_parses_back_for_hostile_names(tmp_path) -> None:
    from synthetic_results import synthetic_results

    res = load_results(synthetic_results(tmp_path, n_coatings=len(HOSTILE_NAMES) + 2, coatings=HOSTILE_NAMES))
    html = render_report(res, top_n=3)
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S).group(1)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in block, raw
    data = json.loads(block)
    assert data == json.loads(json.dumps(build_payload(res, top_n=3)))
    names = set()
    for st in data["stacks"]:
        pos = st["varying"].index("coating")
        names |= {r[pos] for r in st["rows"]}
    assert set(HOSTILE_NAMES) <= names


def test_report_output_folder_tables_and_foreign_files(small_screen, tmp_path, capsys) -> None:
    """Issue 26, T1/D2: -o to a folder, to the results' own tables, to a file that is not a report."""
    from screening.cli import main

    def run(*argv) -> tuple[int, str]:
        code = main(["report", str(small_screen.root), "--top-n", "1", *map(str, argv)])
        return code, capsys.readouterr().err.strip()

    # a folder: report.html inside it (was an IsADirectoryError traceback)
    folder = tmp_path / "out"
    folder.mkdir()
    assert run("-o", folder) == (0, "")
    assert _data((folder / "report.html").read_text())["stacks"]
    # a previous report is overwritten without a word
    assert run("-o", folder / "report.html") == (0, "")
    # the results' own tables are never overwritten, not even with --force
    table = small_screen.root / "tables" / "rankings.csv"
    before = table.read_bytes()
    for extra in ((), ("--force",)):
        code, err = run("-o", table, *extra)
        assert code == 2 and err.startswith("error: report output") and "tables folder" in err, err
        assert len(err.splitlines()) == 1
    assert table.read_bytes() == before
    # another existing file only with --force
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    code, err = run("-o", notes)
    assert code == 2 and "is not a report written by screening" in err and "--force" in err, err
    assert notes.read_text() == "my notes\n"
    assert run("-o", notes, "--force") == (0, "")
    assert _data(notes.read_text())["stacks"]
