"""Issue 11: Materials Project cache files are verified on every read; a hung server ends within a budget.

No server is needed for the cache checks: cache files are written by the package's own writer
(``mp._write_cache``, which stores the entries checksum) from a few real Li-N-O entries, then damaged
the way a user or a disk would. Each damaged file must stop ``decompose``/``react``/``mp export`` with one
``error:`` line naming the file and the ``screening mp fetch --refresh`` command, and write nothing.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import time
from pathlib import Path

import pytest

from screening.cli import main
from screening.entries import mp
from screening.errors import SourceError

TT = "GGA_GGA+U"
# total energies [eV per formula unit as written]: Li -1.9089/atom, N2 -8.3365, O2 -4.9480/atom (MP2020-ish)
ENTRIES = [
    ("mp-135", {"Li": 1.0}, -1.9089),
    ("mp-25", {"N": 2.0}, -16.6730),
    ("mp-12957", {"O": 2.0}, -9.8960),
    ("mp-2251", {"Li": 3.0, "N": 1.0}, -17.0450),
    ("mp-1960", {"Li": 2.0, "O": 1.0}, -14.3140),
    ("mp-8180", {"Li": 1.0, "N": 1.0, "O": 3.0}, -28.6000),
]


def _entry(eid: str, comp: dict, energy: float) -> dict:
    return {
        "@module": "pymatgen.entries.computed_entries", "@class": "ComputedEntry", "entry_id": eid,
        "composition": comp, "energy": energy, "correction": 0.0, "energy_adjustments": [], "parameters": {},
        "data": {},
    }


def write_cache(root: Path, chemsys: str, entries=None) -> Path:
    els = set(chemsys.split("-"))
    rows = entries if entries is not None else [
        _entry(*e) for e in ENTRIES if set(e[1]) <= els
    ]
    rec = mp.CachedSystem(Path("x"), chemsys, TT, "2025.01.01", "2026-01-01T00:00:00Z", "http://test/", rows)
    return mp._write_cache(root, rec).path


def _doc(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


def _put(path: Path, doc: dict) -> None:
    path.write_bytes(gzip.compress(json.dumps(doc).encode(), mtime=0))


def _lower_energies(doc):
    for e in doc["entries"]:
        e["energy"] -= 5.0 * sum(e["composition"].values())


def _entries_123(doc):
    doc["entries"] = [1, 2, 3]


def _no_composition(doc):
    del doc["entries"][3]["composition"]


def _energy_string(doc):
    doc["entries"][3]["energy"] = "abc"


def _no_checksum(doc):
    del doc["entries_sha256"]


def _foreign_element(doc):
    doc["entries"][3]["composition"] = {"Li": 3.0, "P": 1.0}


def _database_version(doc):  # goes into the provenance: must not be editable in silence (issue 26)
    doc["database_version"] = "2099.01.01"


def _n_entries(doc):
    doc["n_entries"] = 1000


def _no_metadata_checksum(doc):  # a cache file of format /2
    del doc["metadata_sha256"]


DAMAGE = [
    ("energies-lowered-5eV", _lower_energies, r"was modified after download \(entries checksum mismatch\)"),
    ("entries-1-2-3", _entries_123, r"entry 0 is a int, not an entry dict"),
    ("entry-without-composition", _no_composition, r"entry 3 has no composition mapping"),
    ("energy-string", _energy_string, r"entry 3 has energy 'abc', not a finite number"),
    ("old-format-no-checksum", _no_checksum, r"has no entries checksum \(written by an older version\)"),
    ("element-outside-system", _foreign_element, r"entry 3 contains P, outside the file's system"),
    ("database-version-edited", _database_version, r"was modified after download \(metadata checksum mismatch"),
    ("n-entries-edited", _n_entries, r"was modified after download \(metadata checksum mismatch"),
    ("old-format-no-metadata-checksum", _no_metadata_checksum,
     r"has no metadata checksum \(written by an older version\)"),
]


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _assert_one_line(code, out, err, pattern, path: Path, refresh: str):
    assert code == 2, (out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert re.search(pattern, lines[0]), lines[0]
    assert str(path) in lines[0]
    assert f"run 'screening mp fetch --refresh {refresh}" in lines[0]


def test_an_intact_cache_is_read_and_gives_real_numbers(tmp_path, capsys):
    write_cache(tmp_path, "Li-N-O")
    code, out, err = _run(capsys, "decompose", "Li3N", "--source", "mp", "--mp-cache-dir", str(tmp_path), "--json")
    assert code == 0, err
    res = json.loads(out)["result"]
    # E_f(Li3N) = (-17.045 - 3 (-1.9089) - (-16.673 / 2)) / 4 eV/atom
    assert res["entry_energy"] == pytest.approx((-17.045 + 3 * 1.9089 + 8.3365) / 4, abs=1e-12)


@pytest.mark.parametrize(("damage", "message"), [d[1:] for d in DAMAGE], ids=[d[0] for d in DAMAGE])
@pytest.mark.parametrize("command", ["decompose", "export"])
def test_damaged_cache_file_is_refused(tmp_path, capsys, damage, message, command):
    cache = tmp_path / "cache"
    path = write_cache(cache, "Li-N-O")
    doc = _doc(path)
    damage(doc)
    _put(path, doc)
    out_file = tmp_path / "snap.json.gz"
    if command == "decompose":
        argv = ["decompose", "Li3N", "--source", "mp", "--mp-cache-dir", str(cache)]
    else:
        argv = ["mp", "export", str(out_file), "--cache-dir", str(cache)]
    code, out, err = _run(capsys, *argv)
    _assert_one_line(code, out, err, message, path, "Li N O --cache-dir")
    assert not out_file.exists() and not list(tmp_path.glob("*.part"))


def test_cache_named_for_another_system_is_refused(tmp_path, capsys):
    """Content Li-N saved as Li-N-O must not answer a Li-N-O question."""
    real = write_cache(tmp_path, "Li-N")
    fake = real.with_name("Li-N-O.json.gz")
    real.rename(fake)
    code, out, err = _run(capsys, "react", "Li3N", "Li2O", "--source", "mp", "--mp-cache-dir", str(tmp_path))
    _assert_one_line(code, out, err, r"is named for Li-N-O but holds the Li-N system", fake, "Li N O")


def test_truncated_cache_file_is_refused(tmp_path):
    path = write_cache(tmp_path, "Li-N-O")
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(SourceError, match=r"is unreadable .*; run 'screening mp fetch --refresh Li N O"):
        mp.load_mp(["Li", "N", "O"], cache_dir=tmp_path, offline=True)


def test_checksum_covers_chemsys_and_survives_a_round_trip(tmp_path):
    path = write_cache(tmp_path, "Li-N-O")
    doc = _doc(path)
    assert doc["entries_sha256"] == mp.entries_checksum("Li-N-O", TT, doc["entries"])
    assert mp.entries_checksum("Li-N", TT, doc["entries"]) != doc["entries_sha256"]
    assert len(mp.read_cache_file(path, TT).entries) == len(ENTRIES)


# ---------------------------------------------------------------------------------------------- network
@pytest.fixture
def hung_endpoint():
    """A TCP port that accepts connections (kernel backlog) and never answers."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    yield f"http://127.0.0.1:{s.getsockname()[1]}/"
    s.close()


def test_hung_server_ends_within_the_budget(tmp_path, capsys, monkeypatch, hung_endpoint):
    monkeypatch.setenv("MP_API_KEY", "0123456789abcdefABCDEF0123456789")
    monkeypatch.setenv("MP_API_ENDPOINT", hung_endpoint)
    start = time.monotonic()
    code, out, err = _run(
        capsys, "react", "Li3N", "Li2O", "--source", "mp", "--mp-cache-dir", str(tmp_path), "--budget", "1.5",
        "--retries", "5", "--backoff", "0",
    )
    elapsed = time.monotonic() - start
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert "did not answer the heartbeat within the time budget of 1.5 s" in err and "--budget" in err
    assert elapsed < 60  # bounded (the budget is 1.5 s; generous margin for a loaded machine)
    assert not any(tmp_path.rglob("*.json.gz"))


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [("--retries", "-1", "--retries -1 is out of range"), ("--budget", "nan", "--budget nan is out of range"),
     ("--timeout", "0", "--timeout 0.0 is out of range"), ("--backoff", "inf", "--backoff inf is out of range")],
)
def test_network_options_are_bounded(tmp_path, capsys, flag, value, message):
    write_cache(tmp_path, "Li-N-O")
    code, out, err = _run(capsys, "decompose", "Li3N", "--source", "mp", "--mp-cache-dir", str(tmp_path), flag, value)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert message in err


def test_metadata_checksum_covers_every_field_but_the_entries(tmp_path):
    path = write_cache(tmp_path, "Li-N-O")
    doc = _doc(path)
    assert doc["format"] == mp.CACHE_FORMAT and doc["metadata_sha256"] == mp.metadata_checksum(doc)
    for key in ("database_version", "n_entries", "retrieved_at", "endpoint", "entries_sha256", "thermo_type"):
        edited = dict(doc, **{key: "x"})
        assert mp.metadata_checksum(edited) != doc["metadata_sha256"], key
    table = mp.load_mp(["Li", "N", "O"], cache_dir=tmp_path, offline=True)
    assert table.provenance["database_version"] == "2025.01.01"


# ---------------------------------------------------------------------------------------------- credentials
SECRET = "s3cretPW"


@pytest.mark.parametrize(
    ("url", "public"),
    [("https://user:s3cretPW@api.example.org/", "https://api.example.org/"),
     ("http://user@127.0.0.1:8080/mp/", "http://127.0.0.1:8080/mp/"),
     ("https://u:p@[::1]:9/", "https://[::1]:9/"),
     ("https://api.materialsproject.org/", "https://api.materialsproject.org/")],
)
def test_public_endpoint_strips_userinfo(url, public):
    assert mp.public_endpoint(url) == public


def test_endpoint_credentials_are_never_recorded(tmp_path, capsys):
    """Issue 26, S2: userinfo in MP_API_ENDPOINT stays out of cache files, provenance, export and messages."""
    rows = [_entry(*e) for e in ENTRIES]
    rec = mp.CachedSystem(Path("x"), "Li-N-O", TT, "2025.01.01", "2026-01-01T00:00:00Z",
                          f"https://user:{SECRET}@api.example.org/", rows)
    path = mp._write_cache(tmp_path, rec).path
    assert SECRET.encode() not in gzip.decompress(path.read_bytes())
    assert _doc(path)["endpoint"] == "https://api.example.org/"
    table = mp.load_mp(["Li", "N", "O"], cache_dir=tmp_path, offline=True)
    assert table.provenance["endpoint"] == "https://api.example.org/"
    assert SECRET not in json.dumps(table.provenance)
    assert main(["mp", "export", str(tmp_path / "snap.json"), "--cache-dir", str(tmp_path)]) == 0
    assert SECRET not in (tmp_path / "snap.json").read_text()
    capsys.readouterr()
    client = mp._Client("k" * 32, f"https://user:{SECRET}@api.example.org/", TT, mp.RetryPolicy())
    assert client.endpoint == "https://api.example.org/" and SECRET not in repr(client)
    assert SECRET not in client._redact(f"failed https://user:{SECRET}@api.example.org/x and {SECRET}")
    err = client._error("network", None, OSError(), "Li-N-O", 1)
    assert SECRET not in str(err) and "https://api.example.org/" in str(err)
