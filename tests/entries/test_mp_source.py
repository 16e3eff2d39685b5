"""The Materials Project source, run with the real mp-api client against a local MP-shaped server.

Nothing here is mocked on the client side: ``mp_api.client.MPRester`` talks HTTP to
:class:`mp_server.MPServer` on 127.0.0.1, whose thermo documents are built from the shared snapshot
(``../shared/data``). Under ``CI=true`` missing shared data fail the tests instead of skipping them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
from pathlib import Path

import numpy as np
import pytest
from mp_server import TEST_API_KEY, MPServer, load_dataset, require_shared_data

from screening.entries import load_snapshot, load_source, mp
from screening.errors import InputError, SourceError

pytestmark = [pytest.mark.mpapi, pytest.mark.snapshot, pytest.mark.slow]

FAST = {"backoff": 0.0, "timeout": 10.0}
# Few entries but real compounds (74 of 116); mp-api parses ~6 ms per entry, so this keeps the
# ten 9-element queries at a few seconds.
TEN_ELEMENTS = ["Li", "Be", "Tc", "Os", "Pm", "Ac", "Th", "Pa", "Np", "Pu"]


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module", autouse=True)
def shared_data():
    return require_shared_data()


@pytest.fixture(scope="module")
def server(shared_data):
    load_dataset()
    with MPServer() as srv:
        yield srv


@pytest.fixture
def srv(server):
    """The module's server with a clean request log and no injected failures."""
    server.reset_log()
    server.clear_injections()
    server.reject_key = False
    server.empty = False
    yield server
    server.clear_injections()
    server.reject_key = False
    server.empty = False


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setenv("MP_API_KEY", TEST_API_KEY)
    monkeypatch.delenv("MP_API_ENDPOINT", raising=False)


@pytest.fixture
def delays(monkeypatch):
    """Backoff delays our retry layer asked for (not slept)."""
    got: list[float] = []
    monkeypatch.setattr(mp.client, "_sleep", got.append)  # the retry layer's sleep
    return got


@pytest.fixture(scope="module")
def csv_snapshot(shared_data, snapshot_table):
    """The CSV snapshot the server's documents were built from (conftest's session table)."""
    return snapshot_table


@pytest.fixture(scope="module")
def fetched(server, tmp_path_factory):
    """Li-Co-O-P-S fetched once into a module cache: (cache dir, table, thermo requests it took)."""
    cache = tmp_path_factory.mktemp("mp_cache")
    server.reset_log()
    old = os.environ.get("MP_API_KEY")
    os.environ["MP_API_KEY"] = TEST_API_KEY
    try:
        table = mp.load_mp(["Li", "Co", "O", "P", "S"], cache_dir=cache, endpoint=server.endpoint, **FAST)
    finally:
        if old is None:
            os.environ.pop("MP_API_KEY", None)
        else:
            os.environ["MP_API_KEY"] = old
    return cache, table, len(server.thermo_requests())


# ---------------------------------------------------------------------------------------------- helpers
def _row(entry_id: str) -> int:
    """CSV data row of an id: ``mpfake-N-GGA+U`` (server) or ``mp_e_form_2019:rowN`` (snapshot)."""
    if entry_id.startswith("mpfake-"):
        return int(entry_id.split("-")[1])
    return int(entry_id.rsplit(":row", 1)[1])


def _by_row(table, elements) -> dict[int, tuple[dict, float]]:
    idx = table.select(elements)
    return {
        _row(table.ids[i]): (table.composition(i), float(table.energy_per_atom[i]))
        for i in idx
        if not table.ids[i].startswith("ref:")
    }


def _products(kink) -> list[tuple[str, float]]:
    return sorted((p.formula, round(p.amount, 9)) for p in kink.products)


def _cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def _text(path: Path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode()


def _chemsys_params(srv) -> list[list[str]]:
    """The ``chemsys`` list of every thermo search (mp-api builds it from a set: order varies)."""
    return [r.params["chemsys"].split(",") for r in srv.thermo_requests()]


# ---------------------------------------------------------------------------------------------- (a) round trip
def test_formation_energies_equal_the_snapshot(fetched, csv_snapshot):
    _, table, n_requests = fetched
    els = ["Li", "Co", "O", "P", "S"]
    assert n_requests == 1  # one get_entries_in_chemsys query for the whole 5-element system
    mine, theirs = _by_row(table, els), _by_row(csv_snapshot, els)
    assert mine.keys() == theirs.keys() and len(mine) > 800
    for row, (comp, e) in theirs.items():
        assert mine[row][0] == pytest.approx(comp)
        assert mine[row][1] == pytest.approx(e, abs=1e-9)
    prov = table.provenance
    assert prov["source"] == "mp" and prov["thermo_type"] == "GGA_GGA+U"
    assert prov["database_version"] == "2025.09.25" and prov["retrieved_at"].endswith("Z")


@pytest.mark.parametrize("voltage", [None, 4.3])
def test_reaction_energies_equal_the_snapshot(fetched, csv_snapshot, voltage):
    thermo = pytest.importorskip("screening.thermo")
    _, table, _ = fetched
    a = thermo.Engine(table).react("LiCoO2", "Li3PS4", voltage=voltage)
    b = thermo.Engine(csv_snapshot).react("LiCoO2", "Li3PS4", voltage=voltage)
    assert a.min_energy == pytest.approx(b.min_energy, abs=1e-9) and a.min_energy < -0.3
    assert a.min_energy_mutual == pytest.approx(b.min_energy_mutual, abs=1e-9)
    assert [_products(k) for k in a.kinks] == [_products(k) for k in b.kinks]
    assert np.allclose([k.energy for k in a.kinks], [k.energy for k in b.kinks], atol=1e-9)
    assert np.allclose([k.x for k in a.kinks], [k.x for k in b.kinks], atol=1e-9)


def test_load_source_seam(srv, tmp_path):
    table = load_source("mp", elements=["Li", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    assert set(table.elements) == {"Li", "S"} and table.provenance["chemsys"] == "Li-S"
    assert (tmp_path / "GGA_GGA+U" / "Li-S.json.gz").is_file()


# ---------------------------------------------------------------------------------------------- (b) cache
def test_second_run_and_subsystems_come_from_the_cache(fetched, srv, monkeypatch):
    cache, first, _ = fetched
    monkeypatch.delenv("MP_API_KEY")  # a cached system needs no key
    again = mp.load_mp(["S", "P", "O", "Co", "Li"], cache_dir=cache, endpoint=srv.endpoint)
    sub = mp.load_mp("Li-Co-O", cache_dir=cache, endpoint=srv.endpoint)
    assert srv.count() == 0
    assert again.provenance["from_cache"] and again.provenance["sha256"] == first.provenance["sha256"]
    assert sorted(again.ids) == sorted(first.ids)
    assert set(sub.elements) == {"Li", "Co", "O"} and sub.provenance["cache_chemsys"] == "Co-Li-O-P-S"
    assert {_row(i) for i in sub.ids} == set(_by_row(first, ["Li", "Co", "O"]))


def test_cache_file_content(fetched):
    cache, _, _ = fetched
    [path] = _cache_files(cache)
    assert path == cache / "GGA_GGA+U" / "Co-Li-O-P-S.json.gz"
    doc = json.loads(_text(path))
    assert doc["chemsys"] == "Co-Li-O-P-S" and doc["thermo_type"] == "GGA_GGA+U"
    assert doc["database_version"] == "2025.09.25" and doc["retrieved_at"].endswith("Z")
    assert doc["n_entries"] == len(doc["entries"]) and doc["entries"][0]["@class"] == "ComputedStructureEntry"
    corrected = [e for e in doc["entries"] if e["correction"]]
    assert corrected and all(e["energy_adjustments"] for e in corrected)  # MP corrections are kept


def test_offline_never_touches_the_network(srv, tmp_path):
    with pytest.raises(SourceError, match="not in the Materials Project cache.*screening mp fetch"):
        mp.load_mp(["Li", "O"], cache_dir=tmp_path, endpoint=srv.endpoint, offline=True)
    assert srv.count() == 0


def test_refresh_fetches_again(srv, tmp_path):
    mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    t = mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, refresh=True, **FAST)
    assert len(srv.thermo_requests()) == 2 and not t.provenance["from_cache"]


# ---------------------------------------------------------------------------------------------- (c) 429
def test_one_429_then_success(srv, tmp_path, delays):
    srv.inject(429, times=1)
    table = mp.load_mp(["Li", "P", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    assert [r.status for r in srv.thermo_requests()] == [429, 200]  # mp-api's urllib3 retry absorbed it
    assert delays == [] and len(table) == 88


def test_429_beyond_the_client_retries(srv, tmp_path, delays):
    srv.inject(429, times=5)  # urllib3 inside mp-api gives up after 4 tries; our layer retries
    table = mp.load_mp(["Li", "P", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, backoff=0.5)
    assert [r.status for r in srv.thermo_requests()] == [429] * 5 + [200]
    assert delays == [0.5] and len(table) == 88
    assert (tmp_path / "GGA_GGA+U" / "Li-P-S.json.gz").is_file()


# ---------------------------------------------------------------------------------------------- (d) 500
def test_persistent_500_clear_error_and_no_cache(srv, tmp_path, delays):
    srv.inject(500, times=None)
    expected = r"kept failing with HTTP 500 for Li-P-S after 3 attempts; nothing was cached"
    with pytest.raises(SourceError, match=expected):
        mp.load_mp(["Li", "P", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, retries=2, backoff=0.25)
    assert len(srv.thermo_requests()) == 3  # mp-api does not retry 500 itself
    assert delays == [0.25, 0.5]  # exponential backoff
    assert _cache_files(tmp_path) == []


def test_interrupted_assembly_leaves_only_complete_files_and_resumes(srv, tmp_path):
    # Li-P-S assembled from 2-element queries: Li-P, Li-S, P-S, then Li-P-S itself.
    opts = {"cache_dir": tmp_path, "endpoint": srv.endpoint, "max_elements_per_query": 2, **FAST}
    srv.inject(500, times=None, skip=1)
    with pytest.raises(SourceError, match="HTTP 500"):
        mp.load_mp(["Li", "P", "S"], retries=0, **opts)
    assert [p.name for p in _cache_files(tmp_path)] == ["Li-P.json.gz"]
    srv.clear_injections()
    srv.reset_log()
    mp.load_mp(["Li", "P", "S"], **opts)
    assert [set(q) for q in _chemsys_params(srv)] == [{"Li", "S", "Li-S"}, {"P", "S", "P-S"}, {"Li-P-S"}]
    assert [p.name for p in _cache_files(tmp_path)] == ["Li-P-S.json.gz", "Li-P.json.gz", "Li-S.json.gz", "P-S.json.gz"]


def test_failed_write_leaves_nothing(srv, tmp_path, monkeypatch):
    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="No space"):
        mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    assert _cache_files(tmp_path) == []


# ---------------------------------------------------------------------------------------------- (e) keys, network
def test_missing_key(srv, tmp_path, monkeypatch):
    monkeypatch.delenv("MP_API_KEY")
    with pytest.raises(SourceError, match="no Materials Project API key: set the MP_API_KEY environment variable"):
        mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    assert srv.count() == 0


def test_malformed_key(srv, tmp_path, monkeypatch):
    monkeypatch.setenv("MP_API_KEY", "too-short")
    with pytest.raises(SourceError, match="MP_API_KEY has 9 characters but Materials Project keys have 32"):
        mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    assert srv.count() == 0


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key(srv, tmp_path, delays, status):
    srv.reject_key, srv.reject_status = True, status
    try:
        with pytest.raises(SourceError, match=rf"rejected the API key \(HTTP {status}\); check MP_API_KEY") as info:
            mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    finally:
        srv.reject_status = 401
    assert TEST_API_KEY not in str(info.value)
    assert len(srv.thermo_requests()) == 1 and delays == []  # not retried
    assert _cache_files(tmp_path) == []


def test_no_network(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: connection refused
    with pytest.raises(SourceError, match="cannot reach the Materials Project API .* connection refused"):
        mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=f"http://127.0.0.1:{port}", **FAST)


def test_empty_result(srv, tmp_path):
    srv.empty = True
    with pytest.raises(SourceError, match="returned no GGA_GGA\\+U entries for Li-S"):
        mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    assert _cache_files(tmp_path) == []


def test_bad_inputs(tmp_path):
    with pytest.raises(InputError, match="unknown element symbol"):
        mp.load_mp(["Li", "Xx"], cache_dir=tmp_path)
    with pytest.raises(InputError, match="unknown thermo type 'PBE'"):
        mp.load_mp(["Li"], thermo_type="PBE", cache_dir=tmp_path)
    with pytest.raises(InputError, match="needs the chemical system"):
        load_source("mp", elements=None, cache_dir=tmp_path)


# ---------------------------------------------------------------------------------------------- thermo types
def test_r2scan_thermo_type(srv, tmp_path):
    gga = mp.load_mp(["Li", "P", "S"], cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    r2 = mp.load_mp(["Li", "P", "S"], thermo_type="r2scan", cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    assert [r.params["thermo_types"] for r in srv.thermo_requests()] == ["GGA_GGA+U", "r2SCAN"]
    assert (tmp_path / "R2SCAN" / "Li-P-S.json.gz").is_file() and r2.provenance["thermo_type"] == "R2SCAN"
    assert all(i.endswith("-r2SCAN") for i in r2.ids)
    # the server puts r2SCAN on another absolute scale with the same formation energies
    assert r2.provenance["elemental_references_eV_per_atom"] != gga.provenance["elemental_references_eV_per_atom"]
    assert _by_row(r2, ["Li", "P", "S"]).keys() == _by_row(gga, ["Li", "P", "S"]).keys()
    e_gga = dict(zip(map(_row, gga.ids), gga.energy_per_atom, strict=True))
    assert all(e == pytest.approx(e_gga[_row(i)], abs=1e-9) for i, e in zip(r2.ids, r2.energy_per_atom, strict=True))


# ---------------------------------------------------------------------------------------------- (f) > 9 elements
def test_ten_element_system_assembled_from_subsystems(srv, tmp_path, csv_snapshot):
    table = mp.load_mp(TEN_ELEMENTS, cache_dir=tmp_path, endpoint=srv.endpoint, **FAST)
    queries = _chemsys_params(srv)
    spans = [set("-".join(q).split("-")) for q in queries]
    nine = [s for s in spans if len(s) == 9]
    assert len(nine) == 10 and all(len(q) == 2**9 - 1 for q, s in zip(queries, spans, strict=True) if len(s) == 9)
    assert queries[-1] == ["-".join(sorted(TEN_ELEMENTS))] and len(queries) == 11
    assert _by_row(table, TEN_ELEMENTS).keys() == _by_row(csv_snapshot, TEN_ELEMENTS).keys()
    assert len(table) == len(set(table.ids))  # de-duplicated
    names = [p.name for p in _cache_files(tmp_path)]
    assert len(names) == 11 and "Ac-Be-Li-Np-Os-Pa-Pm-Pu-Tc-Th.json.gz" in names
    srv.reset_log()
    again = mp.load_mp(TEN_ELEMENTS, cache_dir=tmp_path, endpoint=srv.endpoint)
    assert srv.count() == 0 and sorted(again.ids) == sorted(table.ids)


def test_assembly_matches_a_direct_query(srv, tmp_path):
    direct = mp.load_mp(["Li", "P", "S"], cache_dir=tmp_path / "a", endpoint=srv.endpoint, **FAST)
    pieces = mp.load_mp(
        ["Li", "P", "S"], cache_dir=tmp_path / "b", endpoint=srv.endpoint, max_elements_per_query=2, **FAST
    )
    assert sorted(zip(direct.ids, direct.energy_per_atom, strict=True)) == sorted(
        zip(pieces.ids, pieces.energy_per_atom, strict=True)
    )


def test_mixed_thermo_type_is_not_assembled(srv, tmp_path):
    with pytest.raises(SourceError, match="different energy scales.*GGA_GGA\\+U or R2SCAN"):
        mp.load_mp(TEN_ELEMENTS, thermo_type="GGA_GGA+U_R2SCAN", cache_dir=tmp_path, endpoint=srv.endpoint)
    assert srv.count() == 0


# ---------------------------------------------------------------------------------------------- (g) export
def test_export_reads_back_identically(fetched, tmp_path, monkeypatch):
    cache, table, _ = fetched
    monkeypatch.delenv("MP_API_KEY")  # a colleague without a key
    out, n = mp.export_cache(cache, tmp_path / "snap.json.gz")
    snap = load_snapshot(out)
    assert n == len(table) == len(snap)
    order_a, order_b = np.argsort(table.ids), np.argsort(snap.ids)
    assert [table.ids[i] for i in order_a] == [snap.ids[i] for i in order_b]
    assert [table.name(i) for i in order_a] == [snap.name(i) for i in order_b]
    assert np.array_equal(table.energy_per_atom[order_a], snap.energy_per_atom[order_b])
    upstream = snap.provenance["upstream"]
    assert upstream["source"] == "mp" and upstream["database_versions"] == ["2025.09.25"]
    assert upstream["systems"][0]["chemsys"] == "Co-Li-O-P-S"

    sub, n_sub = mp.export_cache(cache, tmp_path / "lco.json", elements="Li-Co-O")
    assert json.loads(sub.read_text())["provenance"]["chemsys"] == "Co-Li-O"
    assert load_snapshot(sub).elements == ("Li", "O", "Co") and n_sub < n


def test_export_errors(tmp_path, fetched):
    cache, _, _ = fetched
    with pytest.raises(SourceError, match="no GGA_GGA\\+U systems in the Materials Project cache"):
        mp.export_cache(tmp_path, tmp_path / "x.json")
    with pytest.raises(SourceError, match="Li-Na .* not in the Materials Project cache"):
        mp.export_cache(cache, tmp_path / "x.json", elements=["Li", "Na"])
    with pytest.raises(SourceError, match="no R2SCAN systems"):
        mp.export_cache(cache, tmp_path / "x.json", thermo_type="R2SCAN")


# ---------------------------------------------------------------------------------------------- (h) secrets
def test_key_never_written(fetched, tmp_path, srv, caplog):
    cache, table, _ = fetched
    caplog.set_level("DEBUG")
    mp.load_mp(["Li", "Cl"], cache_dir=tmp_path / "c", endpoint=srv.endpoint, **FAST)
    out, _ = mp.export_cache(cache, tmp_path / "snap.json")
    files = _cache_files(cache) + _cache_files(tmp_path)
    assert len(files) >= 3
    for path in files:
        assert TEST_API_KEY not in _text(path), path
    assert TEST_API_KEY not in json.dumps(table.provenance, default=str)
    assert TEST_API_KEY not in caplog.text
    assert all(r.key_ok for r in srv.thermo_requests())  # it was sent, in the header only


# ---------------------------------------------------------------------------------------------- command line
def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="screening")
    mp.register_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_cli_fetch_and_export(srv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MP_API_ENDPOINT", srv.endpoint)
    cache = str(tmp_path / "cache")
    assert _cli(["mp", "fetch", "Li-P", "S", "--cache-dir", cache, "--backoff", "0"]) == 0
    assert "Li-P-S: fetched" in capsys.readouterr().out
    assert _cli(["mp", "fetch", "Li", "S", "--cache-dir", cache]) == 0
    assert "Li-S: already cached" in capsys.readouterr().out and len(srv.thermo_requests()) == 1
    out = tmp_path / "li_p_s.json.gz"
    assert _cli(["mp", "export", str(out), "--cache-dir", cache]) == 0
    assert capsys.readouterr().out.strip() == f"wrote 88 GGA_GGA+U entries to {out}"
    assert len(load_snapshot(out)) == 88


def test_cli_errors_are_one_line(srv, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MP_API_KEY")
    assert _cli(["mp", "fetch", "Li", "S", "--cache-dir", str(tmp_path), "--backoff", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no Materials Project API key") and err.count("\n") == 1
    assert _cli(["mp", "export", str(tmp_path / "x.json"), "--cache-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# ---------------------------------------------------------------------------------------------- the server itself
def test_server_documents_follow_the_thermodoc_schema(srv):
    from emmet.core.thermo import ThermoDoc
    from mp_api.client import MPRester

    with MPRester(api_key=TEST_API_KEY, endpoint=srv.endpoint, mute_progress_bars=True) as mpr:
        docs = mpr.materials.thermo.search(chemsys="Li-S", thermo_types=["GGA_GGA+U"])
    assert docs and all(isinstance(d.energy_above_hull, float) for d in docs)
    ds = load_dataset()
    for d in docs:
        row = _row(str(d.material_id))
        assert d.formation_energy_per_atom == pytest.approx(ds.rows[row - 1][1], abs=1e-9)
        full = ThermoDoc.model_validate(ds.full_doc(row - 1, "GGA_GGA+U"))
        assert full.is_stable == (full.energy_above_hull < 1e-9)
    # mp-api caches the heartbeat per endpoint and process, so only the search may show up here
    assert {r.path for r in srv.requests} <= {"/heartbeat/", "/materials/thermo/"}


def test_screening_command_line_has_mp(srv, tmp_path, monkeypatch, capsys):
    cli = pytest.importorskip("screening.cli")
    monkeypatch.setenv("MP_API_ENDPOINT", srv.endpoint)
    assert cli.main(["mp", "fetch", "Li", "S", "--cache-dir", str(tmp_path), "--backoff", "0"]) == 0
    assert "Li-S: fetched" in capsys.readouterr().out
    monkeypatch.delenv("MP_API_KEY")
    assert cli.main(["mp", "fetch", "Li", "Na", "--cache-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: no Materials Project API key")


def test_endpoint_credentials_reach_the_server_but_no_file(srv, tmp_path):
    """Issue 26, S2: ``MP_API_ENDPOINT=http://user:pw@host/`` works, and user and password are recorded nowhere."""
    secret = "pw-s3cret"
    endpoint = srv.endpoint.replace("://", f"://user:{secret}@", 1)
    table = mp.load_mp(["Li", "S"], cache_dir=tmp_path, endpoint=endpoint, **FAST)
    assert len(table.ids) > 0 and secret not in json.dumps(table.provenance)
    assert table.provenance["endpoint"] == srv.endpoint.rstrip("/") + "/"
    from screening.entries.mp_summary import load_mp_gaps

    _, gap_prov = load_mp_gaps([["Li", "S"]], tmp_path, endpoint=endpoint, **FAST)
    assert secret not in json.dumps(gap_prov)
    out, _ = mp.export_cache(tmp_path, tmp_path / "snap.json")
    for path in [*_cache_files(tmp_path), out]:
        assert secret not in _text(path) and "user:" not in _text(path), path
