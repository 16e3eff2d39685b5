"""Reliability matrix (issue 26): hostile inputs per surface, one table.

Every row is one hostile input to one surface; each must end in exit status 2 (the command line) or a
:class:`screening.errors.ScreeningError` (the config, the Python API), with exactly one line on stderr
starting with ``error:`` (one line of message for an exception), no traceback, nothing on stdout, and no
file written or lost in the folder it ran in. Inputs already covered by ``tests/test_cli_bad_input.py``
(numbers in formulas, voltages, snapshot energies, JSON entry shapes) and ``tests/test_fuzz_inputs.py``
(random formulas and voltages) are not repeated here.

Surfaces: the commands ``window``, ``react``, ``decompose``, ``report``, ``verify`` (in-process
``screening.cli.main``; three rows also as a real subprocess), snapshot files (``--source FILE``), the
config (``screening.api.validate_config`` then ``ScreenConfig.from_dict``; YAML through
``load_yaml_strict``).

Matrix summary (printed at the end of the module's run, ``pytest -s tests/test_reliability_matrix.py``),
as measured when the matrix was written: 6 surfaces (cli, config, report, source, subprocess, verify),
73 inputs tried, 73 one-line errors, 0 tracebacks, 0 exit-0 wrong results, 0 data lost. Before the fixes
that came with it: ``report -o`` under a path whose parent is a file raised FileExistsError (a
traceback), and the config errors that quote a schema description (bad preset name ``criteria: xiao``,
a gate override with an unknown key or a non-mapping value, ``results_dir`` with braces) ended in a
newline (two lines). A ``.csv.gz`` that is plain text is read as plain text (a correct result, so not a
row).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from screening.cli import main
from screening.errors import ScreeningError

ROOT = Path(__file__).resolve().parents[1]

#: What each row ended as (the summary), by surface.
MATRIX: Counter = Counter()
TRIED: Counter = Counter()


@dataclass(frozen=True)
class Row:
    """One hostile input: ``argv`` with ``{tmp}`` (the case's folder) and ``{results}`` (a copy of a
    finished results folder) filled in; ``files`` written into ``{tmp}`` first (bytes, or None for a
    folder); ``message`` a substring the error line must hold."""

    id: str
    surface: str
    argv: tuple[str, ...]
    message: str
    files: dict = field(default_factory=dict)


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


REFS = [{"composition": "Li", "energy": -1.9}, {"composition": "O2", "energy": -9.86}]

CLI = [
    # window / react / decompose: names and formulas
    Row("window-unknown-element", "cli", ("window", "Xx2O"), "'Xx' is not an element symbol"),
    Row("window-empty-formula", "cli", ("window", ""), "formula"),
    Row("window-unbalanced-paren", "cli", ("window", "Li2(SO4"), "formula"),
    Row("window-pipe-in-name", "cli", ("window", "LiCoO2|Li3PS4"), "formula"),
    Row("window-only-digits", "cli", ("window", "123"), "formula"),
    Row("window-element-not-in-source", "cli", ("window", "Og2O"), "Og"),
    Row("window-gap-threshold-negative", "cli", ("window", "Li3PO4", "--gap-threshold", "-1"), "--gap-threshold"),
    Row("window-missing-structure-file", "cli", ("window", "{tmp}/nope.cif"), "nope.cif"),
    Row("react-one-reactant", "cli", ("react", "Li2O"), "react"),
    Row("react-unknown-formula", "cli", ("react", "LiCoO2", "Foo3"), "Foo3"),
    Row("react-voltage-word", "cli", ("react", "LiCoO2", "Li3PS4", "--voltage", "abc"), "abc"),
    Row("react-voltage-above-10", "cli", ("react", "LiCoO2", "Li3PS4", "--voltage", "11"), "above 10 V"),
    Row("react-voltage-minus-inf", "cli", ("react", "LiCoO2", "Li3PS4", "--voltage=-inf"), "not a finite number"),
    Row("react-voltage-dash-value", "cli", ("react", "LiCoO2", "Li3PS4", "--voltage", "-inf"), "expected one argument"),
    Row("react-pipe-in-formula", "cli", ("react", "LiCoO2|Li3PS4", "Li"), "formula"),
    Row("react-bad-convention", "cli", ("react", "LiCoO2", "Li3PS4", "--convention", "lowest"), "convention"),
    Row("decompose-glass-missing-part", "cli", ("decompose", "70Li2S-30"), "formula"),
    Row("decompose-voltage-nan-word", "cli", ("decompose", "Li2O", "--voltage", "NaN"), "not a finite number"),
    Row("decompose-unknown-option", "cli", ("decompose", "Li2O", "--volts", "1"), "--volts"),
    Row("unknown-command", "cli", ("windows", "Li2O"), "windows"),
    # snapshot files (--source FILE)
    Row("source-directory", "source", ("window", "Li2O", "--source", "{tmp}/snap"), "snap", {"snap": None}),
    Row("source-missing-file", "source", ("window", "Li2O", "--source", "{tmp}/none.csv"), "none.csv"),
    Row("source-empty-csv", "source", ("window", "Li2O", "--source", "{tmp}/e.csv"), "e.csv", {"e.csv": b""}),
    Row(
        "source-header-only",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv"),
        "e.csv",
        {"e.csv": b"formula,target\n"},
    ),
    Row(
        "source-no-energy-column",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv"),
        "e.csv",
        {"e.csv": b"formula\nLi2O\nLi\n"},
    ),
    Row(
        "source-csv-inf",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv"),
        "inf",
        {"e.csv": b"formula,target\nLi2O,inf\n"},
    ),
    Row(
        "source-csv-minus-inf",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv"),
        "inf",
        {"e.csv": b"formula,target\nLi2O,-inf\n"},
    ),
    Row(
        "source-csv-pipe-formula",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv"),
        "line 2",
        {"e.csv": b"formula,target\nLi2O|Li,-2.0\n"},
    ),
    Row(
        "source-csv-unknown-element",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv"),
        "Xx",
        {"e.csv": b"formula,target\nLi2O,-2.0\nXx2O,-1.0\n"},
    ),
    Row(
        "source-csv-binary-garbage",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv"),
        "e.csv",
        {"e.csv": bytes(range(256)) * 4},
    ),
    Row(
        "source-gz-of-garbage",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv.gz"),
        "e.csv.gz",
        {"e.csv.gz": _gz(bytes(range(256)) * 4)},
    ),
    Row(
        "source-gz-truncated",
        "source",
        ("window", "Li2O", "--source", "{tmp}/e.csv.gz"),
        "e.csv.gz",
        {"e.csv.gz": _gz(b"formula,target\nLi2O,-2.0\n" * 50)[:30]},
    ),
    Row(
        "source-json-truncated",
        "source",
        ("window", "Li2O", "--source", "{tmp}/s.json"),
        "s.json",
        {"s.json": json.dumps(REFS).encode()[:-5]},
    ),
    Row(
        "source-json-empty-object",
        "source",
        ("window", "Li2O", "--source", "{tmp}/s.json"),
        "s.json",
        {"s.json": b"{}"},
    ),
    Row("source-json-null", "source", ("window", "Li2O", "--source", "{tmp}/s.json"), "s.json", {"s.json": b"null"}),
    Row(
        "source-json-nan-energy",
        "source",
        ("window", "Li2O", "--source", "{tmp}/s.json"),
        "nan",
        {
            "s.json": b'[{"composition": "Li2O", "energy": NaN}, {"composition": "Li", "energy": -1.9},'
            b' {"composition": "O2", "energy": -9.86}]'
        },
    ),
    Row(
        "source-json-gz-garbage",
        "source",
        ("window", "Li2O", "--source", "{tmp}/s.json.gz"),
        "s.json.gz",
        {"s.json.gz": b"\x1f\x8b\x08\x00garbage"},
    ),
    # report: the results folder and the output
    Row("report-missing-folder", "report", ("report", "{tmp}/nothing"), "nothing"),
    Row("report-file-not-folder", "report", ("report", "{tmp}/f.txt"), "f.txt", {"f.txt": b"hello"}),
    Row("report-empty-folder", "report", ("report", "{tmp}/empty"), "empty", {"empty": None}),
    Row(
        "report-provenance-garbage",
        "report",
        ("report", "{tmp}/res"),
        "provenance",
        {"res": None, "res/tables": None, "res/provenance.json": b"{not json"},
    ),
    Row("report-top-n-zero", "report", ("report", "{results}", "-o", "{tmp}/r.html", "--top-n", "0"), "top"),
    Row(
        "report-max-rows-negative", "report", ("report", "{results}", "-o", "{tmp}/r.html", "--max-rows", "-1"), "rows"
    ),
    Row(
        "report-output-not-a-report",
        "report",
        ("report", "{results}", "-o", "{tmp}/notes.html"),
        "notes.html",
        {"notes.html": b"<html>my notes</html>"},
    ),
    Row(
        "report-output-parent-is-file",
        "report",
        ("report", "{results}", "-o", "{tmp}/f.txt/r.html"),
        "f.txt",
        {"f.txt": b"hello"},
    ),
    # verify: the results folder
    Row("verify-missing-folder", "verify", ("verify", "{tmp}/nothing"), "nothing"),
    Row("verify-file-not-folder", "verify", ("verify", "{tmp}/f.txt"), "f.txt", {"f.txt": b"hello"}),
    Row("verify-empty-folder", "verify", ("verify", "{tmp}/empty"), "provenance.json", {"empty": None}),
    Row(
        "verify-provenance-garbage",
        "verify",
        ("verify", "{tmp}/res"),
        "provenance.json",
        {"res": None, "res/provenance.json": b"\x00\x01garbage"},
    ),
    Row(
        "verify-provenance-a-list",
        "verify",
        ("verify", "{tmp}/res"),
        "provenance.json",
        {"res": None, "res/provenance.json": b"[1, 2]"},
    ),
]


def _tree(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` with the sha256 of its content (``dir`` for a folder)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        out[str(p.relative_to(folder))] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def results(small_screen, tmp_path_factory) -> Path:
    """A copy of a finished results folder (the small screen's), shared by the report rows."""
    dst = tmp_path_factory.mktemp("matrix_results") / "results"
    shutil.copytree(small_screen.root, dst)
    return dst


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    surfaces = sorted(TRIED)
    lines = [f"reliability matrix: {len(surfaces)} surfaces ({', '.join(surfaces)}), {sum(TRIED.values())} inputs"]
    for key in ("one-line error", "traceback", "exit-0 wrong result", "data lost", "other"):
        lines.append(f"  {key}: {MATRIX[key]}")
    print("\n" + "\n".join(lines))


def _fill(arg: str, tmp: Path, results: Path | None) -> str:
    return arg.replace("{tmp}", str(tmp)).replace("{results}", str(results) if results else "{results}")


@pytest.mark.parametrize("row", CLI, ids=[r.id for r in CLI])
def test_cli_row(row: Row, tmp_path, capsys, request) -> None:
    res = request.getfixturevalue("results") if any("{results}" in a for a in row.argv) else None
    for name, content in row.files.items():
        p = tmp_path / name
        if content is None:
            p.mkdir(parents=True, exist_ok=True)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(content)
    watched = [tmp_path] + ([res] if res else [])
    before = [_tree(w) for w in watched]
    argv = [_fill(a, tmp_path, res) for a in row.argv]
    TRIED[row.surface] += 1
    try:
        code = main(argv)
    except BaseException as exc:  # noqa: BLE001 - the row's point: nothing but exit 2 may come out
        MATRIX["traceback"] += 1
        pytest.fail(f"{type(exc).__name__}: {exc}")
    out, err = capsys.readouterr()
    after = [_tree(w) for w in watched]
    if code == 0:
        MATRIX["exit-0 wrong result"] += 1
    elif after != before:
        MATRIX["data lost"] += 1
    elif "Traceback" in err:
        MATRIX["traceback"] += 1
    elif code == 2 and out == "" and len(err.splitlines()) == 1 and err.startswith("error: "):
        MATRIX["one-line error"] += 1
    else:
        MATRIX["other"] += 1
    assert code == 2, (code, out, err)
    assert "Traceback" not in err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert row.message.lower() in lines[0].lower(), lines[0]
    assert after == before, "files written or lost"


# ------------------------------------------------------------------------------------------------ config
BASE = {
    "source": "experimental",
    "cathodes": [{"name": "TiS2", "formula": "LiTiS2", "voltage": [1.6, 2.6]}],
    "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
    "electrolytes": [{"name": "LiI", "formula": "LiI"}],
    "coatings": {"formulas": ["LiNbO3", "Li3N"]},
}


def _with(path: str, value):
    """BASE with ``path`` (dots; ``[i]`` for a list item) set to ``value``."""
    cfg = json.loads(json.dumps(BASE))
    keys = path.split(".")
    node = cfg
    for k in keys[:-1]:
        node = node[int(k[1:-1])] if k.startswith("[") else node.setdefault(k, {})
    last = keys[-1]
    if last.startswith("["):
        node[int(last[1:-1])] = value
    else:
        node[last] = value
    return cfg


CONFIG = [
    ("preset-xiao", _with("criteria", "xiao"), "xiao"),
    ("preset-number", _with("criteria", 2019), "criteria"),
    ("gate-override-unknown", _with("criteria", {"preset": "xiao2019", "gates": {"nope": {"pass": 0.1}}}), "nope"),
    ("gate-override-bad-key", _with("criteria", {"preset": "xiao2019", "gates": {"band_gap": {"passs": 1}}}), "passs"),
    ("gate-override-not-mapping", _with("criteria", {"preset": "xiao2019", "gates": {"band_gap": 3}}), "band_gap"),
    ("cathode-name-pipe", _with("cathodes.[0].name", "Ti|S2"), "|"),
    ("electrolyte-name-pipe", _with("electrolytes.[0].name", "Li|I"), "|"),
    ("electrolyte-unknown-element", _with("electrolytes.[0].formula", "Xx3PS4"), "Xx"),
    ("cathode-voltage-reversed", _with("cathodes.[0].voltage", [2.6, 1.6]), "voltage"),
    ("cathode-voltage-nan", _with("cathodes.[0].voltage", [math.nan, 2.6]), "voltage"),
    ("anode-potential-negative", _with("anodes.[0].potential", -1.0), "potential"),
    ("anode-potential-inf", _with("anodes.[0].potential", math.inf), "potential"),
    ("duplicate-electrolyte-names", _with("electrolytes", [{"name": "LiI", "formula": "LiI"}] * 2), "LiI"),
    ("unknown-top-key", _with("chunksize", 3), "chunksize"),
    ("results-dir-empty", _with("results_dir", ""), "results_dir"),
    ("results-dir-braces", _with("results_dir", "res_{x}"), "results_dir"),
    ("e-above-hull-negative", _with("thresholds.e_above_hull", -0.1), "e_above_hull"),
    ("source-missing-file", _with("source", "no/such/file.csv"), "no/such/file.csv"),
]


@pytest.mark.parametrize(("cfg", "message"), [c[1:] for c in CONFIG], ids=[c[0] for c in CONFIG])
def test_config_row(cfg: dict, message: str, tmp_path, monkeypatch) -> None:
    from screening.api import validate_config
    from screening.screen.config import ScreenConfig, resolve_source

    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    TRIED["config"] += 1
    try:
        full = validate_config(cfg)
        ScreenConfig.from_dict(full)
        resolve_source(full, str(tmp_path), str(ROOT))
    except ScreeningError as exc:
        text = str(exc)
        ok = text and "\n" not in text and message.lower() in text.lower()
        MATRIX["one-line error" if ok else "other"] += 1
        assert ok, text
    except BaseException as exc:  # noqa: BLE001
        MATRIX["traceback"] += 1
        pytest.fail(f"{type(exc).__name__}: {exc}")
    else:
        MATRIX["exit-0 wrong result"] += 1
        pytest.fail("accepted")
    assert _tree(tmp_path) == before


YAML = [
    ("duplicate-top-key", "source: mp2019\nsource: experimental\n", "source"),
    ("duplicate-nested-key", "ranking:\n  reaction_energy: mutual\n  reaction_energy: total\n", "reaction_energy"),
]


@pytest.mark.parametrize(("text", "key"), [c[1:] for c in YAML], ids=[c[0] for c in YAML])
def test_yaml_row(text: str, key: str) -> None:
    from screening.screen.config import load_yaml_strict

    TRIED["config"] += 1
    with pytest.raises(ScreeningError) as info:
        load_yaml_strict(text, "config file 'x.yaml'")
    msg = str(info.value)
    MATRIX["one-line error" if "\n" not in msg and key in msg else "other"] += 1
    assert "\n" not in msg and key in msg and "twice" in msg, msg


# ------------------------------------------------------------------------------------------------ subprocess
SUBPROCESS = [
    ("window-unknown-element", ["window", "Xx2O"]),
    ("source-directory", ["window", "Li2O", "--source", "{tmp}"]),
    ("verify-missing-folder", ["verify", "{tmp}/nothing"]),
]


@pytest.mark.parametrize("argv", [c[1] for c in SUBPROCESS], ids=[c[0] for c in SUBPROCESS])
def test_subprocess_row(argv, tmp_path) -> None:
    """The real process: exit status 2, one ``error:`` line, no traceback (the in-process rows cannot see
    what an uncaught exception would print at interpreter exit)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    before = _tree(tmp_path)
    TRIED["subprocess"] += 1
    proc = subprocess.run(
        [sys.executable, "-m", "screening.cli", *[_fill(a, tmp_path, None) for a in argv]],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    lines = proc.stderr.splitlines()
    ok = proc.returncode == 2 and proc.stdout == "" and len(lines) == 1 and lines[0].startswith("error: ")
    MATRIX["one-line error" if ok else ("traceback" if "Traceback" in proc.stderr else "other")] += 1
    assert ok, (proc.returncode, proc.stdout, proc.stderr)
    assert _tree(tmp_path) == before
