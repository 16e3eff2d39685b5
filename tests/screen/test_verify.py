"""Issue 11: ``screening verify RESULTS_DIR`` and the input check at the start of every workflow step.

A results folder is built the way the workflow writes one (tables by ``write_table``, the manifest
with the sha256 of each), then damaged with the old modification time restored (what Snakemake cannot
see). The slow test runs the real default screen, truncates a chunk, and checks the rerun.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from screening.cli import main
from screening.screen.io import write_table
from screening.screen.logs import logged
from screening.screen.verify import IntegrityError, check_inputs, verify_results

REPO = Path(__file__).resolve().parents[2]


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def results(tmp_path) -> Path:
    """tmp/results with tables, a work chunk and provenance.json listing them as 'results/...'."""
    root = tmp_path / "results"
    (root / "tables").mkdir(parents=True)
    (root / "work" / "interfaces").mkdir(parents=True)
    df = pd.DataFrame({"coating": ["LiNbO3", "Li3PO4"], "score": [0.25, 0.5]})
    write_table(df, csv_path=root / "tables" / "rankings.csv", parquet_path=root / "tables" / "rankings.parquet")
    write_table(df, parquet_path=root / "work" / "interfaces" / "chunk_0.kinks.parquet")
    files = {f"results/tables/{p.name}": _sha(p) for p in sorted((root / "tables").iterdir())}
    (root / "provenance.json").write_text(json.dumps({"config": {}, "files": files}))
    return root


def _damage(path: Path, keep: float = 0.5) -> None:
    st = path.stat()
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)] if keep < 1 else data.replace(b"0.25", b"0.35"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # Snakemake cannot tell


def test_intact_results_verify(results, capsys):
    assert main(["verify", str(results)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{results}: 3 files match provenance.json" and err == ""


@pytest.mark.parametrize(
    ("target", "keep", "expect"),
    [
        ("tables/rankings.csv", 1.0,
         r"rankings\.csv \(differs from its sha256 in provenance\.json\).*--forcerun rankings"),
        ("tables/rankings.parquet", 0.5, r"rankings\.parquet \(differs from its sha256"),
        ("work/interfaces/chunk_0.kinks.parquet", 0.5,
         r"chunk_0\.kinks\.parquet \(unreadable: .*\); delete .*chunk_0\.kinks\.parquet and run snakemake again"),
        ("tables/rankings.csv", 0.0, r"rankings\.csv \(differs"),
    ],
    ids=["csv-edited-old-mtime", "parquet-truncated", "chunk-truncated", "csv-emptied"],
)
def test_damaged_file_is_named(results, capsys, target, keep, expect):
    import re

    _damage(results / target, keep)
    assert main(["verify", str(results)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("error: 1 file(s) of ")
    assert re.search(expect, err), err


def test_missing_table_and_missing_manifest(results, capsys):
    (results / "tables" / "rankings.csv").unlink()
    assert main(["verify", str(results)]) == 2
    assert "rankings.csv (missing)" in capsys.readouterr().err
    (results / "provenance.json").unlink()
    assert main(["verify", str(results)]) == 2
    assert "provenance.json' does not exist (the run did not finish)" in capsys.readouterr().err
    assert main(["verify", str(results / "nowhere")]) == 2
    assert "does not exist; give the folder a screen wrote" in capsys.readouterr().err


def test_results_dir_prefix_of_another_name(tmp_path):
    """Files recorded under a custom results_dir ('out/screen1/...') resolve against the folder given."""
    root = tmp_path / "moved"
    root.mkdir()
    (root / "t.csv").write_text("a\n1\n")
    (root / "provenance.json").write_text(
        json.dumps({"config": {"results_dir": "out/screen1/"}, "files": {"out/screen1/t.csv": _sha(root / "t.csv")}})
    )
    assert verify_results(root).ok


def test_step_input_check_removes_a_truncated_chunk(results, tmp_path, capsys):
    chunk = results / "work" / "interfaces" / "chunk_0.kinks.parquet"
    _damage(chunk)
    with pytest.raises(IntegrityError, match=r"input .*chunk_0\.kinks\.parquet is corrupt .*it was removed"):
        check_inputs([chunk])
    assert not chunk.exists()  # the next snakemake run recomputes it
    # in a workflow step: one line on stderr, exit status 1, nothing of the step runs
    _damage(results / "tables" / "rankings.parquet")
    ran = []
    with pytest.raises(SystemExit) as info:
        with logged(tmp_path / "step.log", inputs={"t": [str(results / "tables" / "rankings.parquet")]}.values()):
            ran.append(True)
    assert info.value.code == 1 and ran == []
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "rankings.parquet is corrupt" in err


def test_step_input_check_verifies_the_manifest(results):
    _damage(results / "tables" / "rankings.csv", keep=1.0)
    with pytest.raises(IntegrityError, match=r"rankings\.csv \(differs from its sha256"):
        check_inputs([results / "provenance.json"])
    assert (results / "tables" / "rankings.csv").exists()  # results are named, never deleted


@pytest.mark.slow
@pytest.mark.workflow
def test_truncated_chunk_in_a_real_run_is_recomputed(tmp_path):
    """Default screen; truncate a chunk (old mtime) and force the merge: one line, then a clean rerun."""
    def smk(*extra):
        return subprocess.run(
            [sys.executable, "-m", "snakemake", "--cores", "2", "-d", str(tmp_path),
             "--configfile", str(REPO / "config" / "config.yaml"), *extra],
            cwd=REPO, capture_output=True, text=True, timeout=1800,
        )

    first = smk()
    assert first.returncode == 0, first.stderr[-3000:]
    res = tmp_path / "results"
    before = {p.name: p.read_bytes() for p in (res / "tables").iterdir()}
    assert main(["verify", str(res)]) == 0
    chunk = sorted((res / "work" / "interfaces").glob("chunk_*.kinks.parquet"))[0]
    _damage(chunk)
    assert main(["verify", str(res)]) == 2
    broken = smk("--forcerun", "interfaces")
    assert broken.returncode != 0
    text = broken.stdout + broken.stderr
    assert f"input {chunk.relative_to(tmp_path)} is corrupt" in text or f"input {chunk} is corrupt" in text
    assert "Traceback" not in text
    assert not chunk.exists()
    again = smk()
    assert again.returncode == 0, again.stderr[-3000:]
    assert {p.name: p.read_bytes() for p in (res / "tables").iterdir()} == before
    assert main(["verify", str(res)]) == 0
