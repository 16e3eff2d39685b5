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


# ------------------------------------------------------------------ contents, not footers (issue 26, F2)
def _corrupt_page(path: Path) -> None:
    """Flip 8 bytes inside the first column chunk's pages: size, footer and mtime unchanged (a ZSTD-corrupt
    page reads as garbage, or fails, only when the pages are read)."""
    import pyarrow.parquet as pq

    st = path.stat()
    col = pq.read_metadata(path).row_group(0).column(0)
    start = col.dictionary_page_offset or col.data_page_offset
    data = bytearray(path.read_bytes())
    at = start + col.total_compressed_size // 2
    data[at : at + 8] = bytes(b ^ 0xFF for b in data[at : at + 8])
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _damage_zip_member(path: Path) -> None:
    st = path.stat()
    data = bytearray(path.read_bytes())
    at = len(data) // 3
    data[at : at + 4] = bytes(b ^ 0xFF for b in data[at : at + 4])
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.fixture
def screen_results(small_screen, tmp_path) -> Path:
    """A copy of a whole results folder (entries, candidates, plan, chunks, tables, provenance)."""
    import shutil

    root = tmp_path / "results"
    shutil.copytree(small_screen.root, root)
    assert verify_results(root).ok
    return root


def test_a_corrupt_page_of_a_chunk_is_found(screen_results, capsys):
    chunk = screen_results / "work" / "interfaces" / "chunk_0.kinks.parquet"
    _corrupt_page(chunk)
    assert main(["verify", str(screen_results)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "chunk_0.kinks.parquet (unreadable: " in err and "CRC" in err, err
    assert f"delete {chunk} and run snakemake again" in err
    with pytest.raises(IntegrityError, match=r"chunk_0\.kinks\.parquet is corrupt .*it was removed"):
        check_inputs([chunk])
    assert not chunk.exists()


def test_every_file_the_steps_read_is_covered(screen_results):
    report = verify_results(screen_results)
    checked = report.n_checked
    n_work = len(list((screen_results / "work").rglob("*.parquet")))
    n_listed = len(json.loads((screen_results / "provenance.json").read_text())["files"])
    # + entries.npz, entries.csv, entries/provenance.json, and candidates.csv read (its sha256 is listed too)
    assert checked == n_listed + n_work + 4


@pytest.mark.parametrize(
    ("target", "damage", "expect"),
    [
        ("entries/entries.npz", _damage_zip_member, r"entries\.npz \(unreadable: .*--forcerun entries"),
        ("entries/entries.csv", lambda p: _damage(p, keep=1.0) if b"0.25" in p.read_bytes()
         else p.write_text(p.read_text().replace("-", "-1", 1)),
         r"entries\.csv \(differs from its sha256 in provenance\.json of the entries step\).*--forcerun entries"),
        ("entries/provenance.json", lambda p: _damage(p, keep=0.5),
         r"entries/provenance\.json \(unreadable: .*--forcerun entries"),
        ("work/plan/interfaces.parquet", _corrupt_page, r"plan/interfaces\.parquet \(unreadable: "),
    ],
    ids=["npz", "entries-csv-edited", "entries-record-truncated", "plan"],
)
def test_corrupt_entries_and_plan_are_named(screen_results, capsys, target, damage, expect):
    import re

    damage(screen_results / target)
    assert main(["verify", str(screen_results)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: 1 file(s) of "), err
    assert re.search(expect, err), err


def test_a_corrupt_npz_is_one_line_in_a_step(screen_results, small_screen, tmp_path, capsys):
    """A step that reads entries.npz stops with one line (no BadZipFile traceback), and the file is removed
    so that the next run recomputes it; reading it directly is one line too."""
    from screening.screen.entries import load_entries
    from screening.screen.interfaces import run_baseline

    npz = screen_results / "entries" / "entries.npz"
    prov = screen_results / "entries" / "provenance.json"
    _damage_zip_member(npz)
    cfg = small_screen.provenance["config"]
    from screening.screen.config import ScreenConfig

    with pytest.raises(IntegrityError, match=r"entries\.npz is corrupt or unreadable .*screening verify") as info:
        load_entries(npz, prov, ScreenConfig.from_dict(cfg))
    assert "\n" not in str(info.value)
    ran = []
    with pytest.raises(SystemExit) as info:
        with logged(tmp_path / "step.log", inputs=[str(npz), str(prov)]):
            ran.append(run_baseline)
    assert info.value.code == 1 and ran == [] and not npz.exists()
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "entries.npz is corrupt" in err and "Traceback" not in err


def test_read_table_of_a_corrupt_parquet_is_one_line(screen_results):
    from screening.screen.io import read_table

    table = screen_results / "tables" / "windows.parquet"
    _corrupt_page(table)
    with pytest.raises(IntegrityError, match=r"windows\.parquet is corrupt or unreadable \(.*\); check the results"):
        read_table(table)
