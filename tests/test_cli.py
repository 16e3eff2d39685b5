"""The ``screening`` command line: real numbers in tables and JSON, one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from screening.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_react_json_equals_the_engine(capsys, snapshot_path, engine):
    code, out, err = run(capsys, "react", "LiCoO2", "Li3PS4", "--voltage", "4.3", "--source", str(snapshot_path),
                         "--json")
    assert code == 0, err
    doc = json.loads(out)
    ref = engine.react("LiCoO2", "Li3PS4", voltage=4.3)
    res = doc["result"]
    assert res["min_energy"] == pytest.approx(ref.min_energy, abs=1e-9)
    assert res["min_energy"] == pytest.approx(-1.34656, abs=1e-5)  # pymatgen GrandPotentialInterfacialReactivity
    assert res["min_x"] == pytest.approx(0.4462, abs=1e-4)
    assert res["min_energy_mutual"] == pytest.approx(ref.min_energy_mutual, abs=1e-9)
    assert len(res["kinks"]) == len(ref.kinks) == 14
    assert res["units"] == "eV per non-Li atom" and res["reference"] == "hull"
    assert doc["provenance"]["source"]["sha256"] == engine.table.provenance["sha256"]


def test_window_table_and_json(capsys):
    code, out, _ = run(capsys, "window", "LiNbO3", "--source", "experimental")
    assert code == 0
    assert "reduction limit:      0.888 V" in out and "oxidation limit:      4.306 V" in out
    code, out, _ = run(capsys, "window", "Al2O3", "--json", "--source", "experimental")
    res = json.loads(out)["result"]
    assert res["oxidation_limit"] is None  # no Li to give up: unbounded, null in JSON (never Infinity)
    assert res["reduction_limit"] > 0


def test_default_source_is_the_packaged_mp2019_snapshot(capsys, snapshot_table):
    from screening.thermo import Engine

    engine = Engine(snapshot_table)  # its own: solves warm-start the LPs of the shared fixture otherwise
    code, out, err = run(capsys, "window", "Li3PS4")
    assert code == 0, err
    # the snapshot's values (issue 12): 1.72-2.36 V, equal to the engine on the file itself
    assert "reduction limit:      1.721 V" in out and "oxidation limit:      2.363 V" in out
    ref = engine.window("Li3PS4")
    code, out, _ = run(capsys, "window", "Li3PS4", "--json")
    doc = json.loads(out)
    assert doc["result"]["reduction_limit"] == pytest.approx(ref.reduction_limit, abs=1e-12)
    assert doc["result"]["oxidation_limit"] == pytest.approx(ref.oxidation_limit, abs=1e-12)
    assert doc["result"]["reduction_limit"] == pytest.approx(1.7207, abs=1e-4)
    src = doc["provenance"]["source"]
    assert src["source"] == "mp2019" and src["sha256"] == engine.table.provenance["sha256"]
    assert src["license"].startswith("CC BY 4.0") and len(src["citation"]) == 2


def test_decompose_glass_open_to_li(capsys, snapshot_path):
    code, out, _ = run(capsys, "decompose", "70Li2S-30P2S5", "--voltage", "0", "--source", str(snapshot_path),
                       "--json")
    res = json.loads(out)["result"]
    assert code == 0
    assert res["reduced_formula"] == "Li1.4P0.6S2.2"  # one mole of mixture: 0.7 Li2S + 0.3 P2S5
    assert {p["formula"] for p in res["phases"]} == {"Li2S", "Li3P"}
    assert res["li_exchanged"] == pytest.approx(4.8, abs=1e-9)  # 0.6 P: P(+5) -> P(-3) takes 8 Li each


@pytest.mark.parametrize(
    "argv,message",
    [
        (["window", "Xx2O"], "cannot parse formula 'Xx2O'"),
        (["react", "LiCoO2", "Li3PS4", "--voltage", "-1"], "voltage -1.0 V is negative"),
        (["window", "LiCoO2", "--source", "/nonexistent/snap.csv"], "does not exist"),
        (["react", "Li", "LiCoO2", "--voltage", "1"], "pure Li"),
        (["window", "LiCoO2", "--source", "EMPTY"], "is empty"),
        (["window", "LiCoO2", "--source", "BADNUMBER"], "line 2: energy 'abc' is not a number"),
        (["window", "LiCoO2", "--source", "NOCO"], "element(s) Co"),
    ],
)
def test_bad_input_one_line_error_exit_2(capsys, tmp_path, argv, message):
    files = {
        "EMPTY": "",
        "BADNUMBER": "formula,target\nLiCoO2,abc\n",
        "NOCO": "formula,target\nLi2O,-2.0\n",
    }
    argv = [str(tmp_path / f"{a}.csv") if a in files else a for a in argv]
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err


def test_installed_command_prints_no_traceback():
    exe = Path(sys.executable).with_name("screening")
    proc = subprocess.run([str(exe), "react", "LiCoO2", "Qq"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: cannot parse formula 'Qq'")


def test_command_line_hot_path_imports_no_pymatgen_pandas_or_matplotlib(tmp_path):
    code = (
        "import sys, io, contextlib\n"
        "from screening.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['react', 'LiCoO2', 'Li3PS4', '--voltage', '4.3']) == 0\n"
        "    assert main(['window', 'Li3PS4']) == 0\n"
        "    assert main(['decompose', '70Li2S-30P2S5', '--voltage', '0']) == 0\n"
        "print(sorted(m for m in ('pymatgen', 'pandas', 'matplotlib', 'mp_api', 'snakemake') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "[]", out.stderr
