"""Band gaps from the Materials Project summary endpoint: the real mp-api client against the local
MP-shaped server (tests/mp_server.py), cached once, rerun offline with zero requests, retried like entries."""

from __future__ import annotations

import json

import pytest
from mp_server import TEST_API_KEY, MPServer, load_dataset, require_shared_data

from screening.cli import main
from screening.entries import mp
from screening.entries.mp_summary import FIELDS, fetch_summary, load_mp_gaps, summary_path
from screening.errors import SourceError
from screening.interphase import MIXED, PASSIVATING, build_model, composition_key

pytestmark = [pytest.mark.mpapi, pytest.mark.snapshot]

FAST = {"backoff": 0.0, "timeout": 10.0}


@pytest.fixture(scope="module")
def server():
    require_shared_data()
    load_dataset()
    with MPServer() as srv:
        yield srv


@pytest.fixture
def srv(server, monkeypatch):
    monkeypatch.setenv("MP_API_KEY", TEST_API_KEY)
    monkeypatch.delenv("MP_API_ENDPOINT", raising=False)
    server.reset_log()
    server.clear_injections()
    yield server
    server.clear_injections()


def _lowest_row(formula: str, chemsys: str, ds) -> int:
    """1-based CSV row of the lowest formation energy among the rows of one composition."""
    key = composition_key(formula)
    rows = [(ds.rows[i][1], i) for i in ds.by_chemsys[chemsys] if composition_key(ds.rows[i][0]) == key]
    assert len(rows) > 1  # polymorphs: the choice matters
    return min(rows)[1] + 1


def test_gaps_fetched_once_and_rerun_makes_zero_requests(srv, tmp_path):
    gaps, prov = load_mp_gaps([["Li", "Ge", "P", "S"]], tmp_path, endpoint=srv.endpoint, **FAST)
    [search] = srv.summary_requests()
    assert search.key_ok
    assert set(search.params["chemsys"].split(",")) == {
        "Ge", "Li", "P", "S", "Ge-Li", "Ge-P", "Ge-S", "Li-P", "Li-S", "P-S",
        "Ge-Li-P", "Ge-Li-S", "Ge-P-S", "Li-P-S", "Ge-Li-P-S"}
    assert search.params["_fields"].split(",") == list(FIELDS)
    assert search.params["deprecated"].lower() == "false"
    li15ge4 = gaps[composition_key("Li15Ge4")]
    assert (li15ge4.band_gap, li15ge4.is_metal) == (0.0, True)
    li2s = gaps[composition_key("Li2S")]
    assert (li2s.band_gap, li2s.is_metal) == (3.37, False)
    # the lowest-energy material of the composition, as the thermo data have it
    assert li2s.material_id == f"mpfake-{_lowest_row('Li2S', 'Li-S', srv.dataset)}"
    assert prov["database_versions"] == ["2025.09.25"] and prov["fields"] == list(FIELDS)
    assert len(prov["cache_files"]["Ge-Li-P-S"]["sha256"]) == 64
    cache = summary_path(tmp_path, "Ge-Li-P-S")
    doc = json.loads(__import__("gzip").decompress(cache.read_bytes()))
    assert doc["database_version"] == "2025.09.25" and doc["endpoint"] == srv.endpoint
    assert TEST_API_KEY not in cache.read_bytes().decode("latin-1")
    # rerun (and any subsystem): from the cache, zero requests, same answer; offline works too
    srv.reset_log()
    again, _ = load_mp_gaps([["Li", "Ge", "P", "S"]], tmp_path, endpoint=srv.endpoint, **FAST)
    sub, _ = load_mp_gaps([["Li", "S"]], tmp_path, offline=True)
    assert srv.requests == []
    assert again == gaps
    assert sub[composition_key("Li2S")] == li2s
    # a hand-edited band gap is refused (checksum), in one line naming the file
    doc["docs"][0]["band_gap"] = 9.9
    cache.write_bytes(__import__("gzip").compress(json.dumps(doc).encode()))
    with pytest.raises(SourceError, match="modified after download") as exc:
        load_mp_gaps([["Li", "S"]], tmp_path, offline=True)
    assert str(cache) in str(exc.value) and "\n" not in str(exc.value)


def test_mp_evidence_classifies_li_lgps_and_user_table_overrides(srv, tmp_path, engine):
    opts = {"cache_dir": tmp_path, "endpoint": srv.endpoint, **FAST}
    prof = engine.react("Li", "Li10GeP2S12")
    from screening.interphase import classify_profile

    model = build_model(None, [["Li", "Ge", "P", "S"]], mp_options=opts)
    side = classify_profile(prof, model).side("Li")
    assert side.cls == MIXED and side.conducting == ("Li15Ge4",)
    by = {p.formula: p for p in side.products}
    assert by["Li15Ge4"].evidence == "mp" and by["Li15Ge4"].material_id.startswith("mpfake-")
    assert (by["Li3P"].evidence, by["Li3P"].band_gap) == ("mp", 0.7)
    assert by["Li2S"].conducting is False
    # a user table overrides Materials Project: Li15Ge4 with a (hypothetical) 1 eV gap is insulating
    table = tmp_path / "gaps.csv"
    table.write_text("formula,band_gap\nLi15Ge4,1.0\n")
    srv.reset_log()
    model = build_model(table, [["Li", "Ge", "P", "S"]], mp_options=opts)
    assert srv.requests == []  # cached
    side = classify_profile(prof, model).side("Li")
    assert side.cls == PASSIVATING
    assert {p.formula: p.evidence for p in side.products} == {"Li15Ge4": "table", "Li2S": "mp", "Li3P": "mp"}


def test_summary_retries_429_and_fails_on_persistent_500_in_one_line(srv, tmp_path, monkeypatch):
    delays = []
    monkeypatch.setattr(mp.client, "_sleep", delays.append)
    srv.inject(429, times=1, path_prefix="/materials/summary")
    rec = fetch_summary(["Li", "S"], tmp_path, endpoint=srv.endpoint, retries=2, backoff=0.5, timeout=10)
    assert not rec.from_cache and len(rec.docs) == len(srv.dataset.by_chemsys["Li"]) + len(
        srv.dataset.by_chemsys["S"]) + len(srv.dataset.by_chemsys["Li-S"])
    assert delays == [] or delays[0] == 0.5  # mp-api's own session may absorb a 429 before ours sees it
    srv.inject(500, times=None, path_prefix="/materials/summary")
    with pytest.raises(SourceError) as exc:
        fetch_summary(["Li", "O"], tmp_path, endpoint=srv.endpoint, retries=2, backoff=0.5, timeout=10)
    assert "HTTP 500" in str(exc.value) and "\n" not in str(exc.value)
    assert delays[-2:] == [0.5, 1.0]
    assert not summary_path(tmp_path, "Li-O").exists()  # nothing half-written
    with pytest.raises(SourceError, match="not in the Materials Project cache"):
        fetch_summary(["Li", "O"], tmp_path, offline=True)


def test_cli_react_source_mp_prints_mp_evidence_and_reruns_offline(srv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MP_API_ENDPOINT", srv.endpoint)
    monkeypatch.chdir(tmp_path)  # default cache: resources/mp_cache under the working directory
    assert main(["react", "Li", "Li3PS4", "--source", "mp", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    side = doc["result"]["interphase"]["side_a"]
    assert side["class"] == PASSIVATING
    assert {(p["formula"], p["evidence"]) for p in side["products"]} == {("Li2S", "mp"), ("Li3P", "mp")}
    assert all(p["material_id"].startswith("mpfake-") for p in side["products"])
    assert doc["provenance"]["electronic"]["mp"]["systems"] == ["Li-P-S"]
    assert (tmp_path / "resources" / "mp_cache" / "summary" / "Li-P-S.json.gz").is_file()
    n = len(srv.summary_requests())
    assert n == 1
    srv.reset_log()
    assert main(["react", "Li", "Li3PS4", "--source", "mp"]) == 0
    out = capsys.readouterr().out
    assert "next to Li:              passivating (insulating: Li2S [mp], Li3P [mp])" in out
    assert srv.requests == []
