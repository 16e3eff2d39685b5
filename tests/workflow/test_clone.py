"""A fresh clone, without ../shared: the default screen and the review screen run from the packaged data.

The repository is cloned (committed state of the current branch) into a temporary folder that has no
``../shared`` next to it; the clone's own ``src`` is put first on PYTHONPATH, so its code and its packaged
snapshot are what runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 3000  # s; the review screen takes several minutes on 2 busy cores

pytestmark = [pytest.mark.workflow, pytest.mark.slow]


def _snakemake() -> list[str]:
    exe = Path(sys.executable).with_name("snakemake")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "snakemake"]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fresh")
    dest = base / "screening"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(dest)], check=True, capture_output=True, timeout=300)
    assert not (base / "shared").exists() and not (dest.parent / "shared").exists()
    assert (dest / "src" / "screening" / "data" / "mp_e_form_2019.csv.gz").is_file()
    return dest


def run_in(clone: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(clone / "src"))
    proc = subprocess.run(
        [*_snakemake(), "--cores", "2", *args], cwd=clone, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return proc


def _check_provenance(results: Path, clone: Path) -> dict:
    prov = json.loads((results / "provenance.json").read_text())
    src = prov["source"]
    assert src["source"] == "mp2019" and src["file"] == "screening/data/mp_e_form_2019.csv.gz"
    from screening.entries import sha256_of

    assert src["sha256"] == sha256_of(clone / "src" / "screening" / "data" / "mp_e_form_2019.csv.gz")
    assert "shared" not in json.dumps(prov)
    return prov


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (the clone holds results/.gitkeep)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


def test_default_screen_from_a_fresh_clone(clone: Path) -> None:
    run_in(clone)
    results = clone / "results"
    _check_provenance(results, clone)
    rk = pd.read_parquet(results / "tables" / "rankings.parquet")
    assert set(rk["stack"]) == {"LiCoO2 | Li3PS4", "LiCoO2 | LLZO", "Li | Li3PS4", "Li | LLZO"}
    win = pd.read_parquet(results / "tables" / "windows.parquet").set_index(["role", "name"])
    # Li3PS4 on the snapshot: 1.72-2.36 V (issue 12), not the degenerate window of a virtual entry
    assert win.loc[("electrolyte", "Li3PS4"), "reduction_limit"] == pytest.approx(1.7207, abs=1e-4)
    assert win.loc[("electrolyte", "Li3PS4"), "oxidation_limit"] == pytest.approx(2.3632, abs=1e-4)


def test_review_screen_from_a_fresh_clone(clone: Path) -> None:
    default_before = _listing(clone / "results")
    run_in(clone, "--configfile", "config/review.yaml", "--config", "results_dir=results_review")
    results = clone / "results_review"
    prov = _check_provenance(results, clone)
    cfg = yaml.safe_load((clone / "config" / "review.yaml").read_text())
    n_stacks = (len(cfg["cathodes"]) + len(cfg["anodes"])) * len(cfg["electrolytes"])
    assert prov["config"]["results_dir"] == "results_review"
    rk = pd.read_parquet(results / "tables" / "rankings.parquet")
    assert rk["stack"].nunique() == n_stacks == 294
    win = pd.read_parquet(results / "tables" / "windows.parquet").set_index(["role", "name"])
    assert not bool(win.loc[("electrolyte", "LLZO"), "virtual"])
    assert _listing(clone / "results") == default_before  # the default folder was not touched
