"""The screen on Materials Project data: the workflow's fetch_mp rule drives the real mp-api client
against the local MP-shaped server (tests/mp_server.py, documents built from the shared snapshot).

The same reduced screen is run on the CSV snapshot; since the server's formation energies are the
snapshot's, every reaction energy, window and rank must agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mp_server import TEST_API_KEY, MPServer, load_dataset

pytestmark = [pytest.mark.workflow, pytest.mark.mpapi, pytest.mark.snapshot, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "tests" / "data" / "slurm_screen.yaml"
TIMEOUT = 900


def run(workdir: Path, *config: str, env: dict | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("snakemake")
    cmd = [str(exe), "-s", str(REPO / "Snakefile"), "--directory", str(workdir), "--cores", "2",
           "--configfile", str(CONFIG), "--config", *config]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


@pytest.fixture(scope="module")
def server(snapshot_path):
    load_dataset()
    with MPServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def runs(server, snapshot_path, tmp_path_factory):
    """(mp workdir, snapshot workdir, thermo requests of the first mp run, of the second); the summary
    (band gap) requests of the two runs are in ``server.summary_counts``."""
    env = {**os.environ, "MP_API_KEY": TEST_API_KEY, "MP_API_ENDPOINT": server.endpoint}
    mp_dir = tmp_path_factory.mktemp("screen_mp")
    server.reset_log()
    run(mp_dir, "source=mp", env=env)
    first = len(server.thermo_requests())
    summary_first = len(server.summary_requests())
    # results lost, cache kept: the rerun fetches nothing
    for f in (mp_dir / "results").rglob("*"):
        if f.is_file():
            f.unlink()
    server.reset_log()
    run(mp_dir, "source=mp", env=env)
    second = len(server.thermo_requests())
    server.summary_counts = (summary_first, len(server.summary_requests()))
    snap_dir = tmp_path_factory.mktemp("screen_snapshot")
    run(snap_dir, f"snapshot={snapshot_path}")
    return mp_dir, snap_dir, first, second


def manifest_systems(workdir: Path) -> list[str]:
    return json.loads((workdir / "results" / "entries" / "mp_systems.json").read_text())["band_gaps"]["systems"]


def tables(workdir: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(workdir / "results" / "tables" / f"{name}.parquet")


def test_fetch_once_then_cache(runs, server):
    mp_dir, _, first, second = runs
    assert first > 0
    assert second == 0
    # band gaps (summary endpoint): fetched once per system by fetch_mp, none on the rerun
    summary_first, summary_second = server.summary_counts
    assert summary_first >= len(manifest_systems(mp_dir)) > 0  # >= : a large system's answer is paged
    assert summary_second == 0
    manifest = json.loads((mp_dir / "results" / "entries" / "mp_systems.json").read_text())
    assert manifest["thermo_type"] == "GGA_GGA+U"
    # each interface's chemical system, never the union of the whole screen
    assert manifest["systems"] and max(len(s.split("-")) for s in manifest["systems"]) <= 9
    # LiCoO2 | Li3PS4 (the baseline) is covered, e.g. by Cl-Co-Li-O-P-S of LiCoO2 | Li6PS5Cl
    assert any({"Li", "Co", "O", "P", "S"} <= set(s.split("-")) for s in manifest["systems"])
    prov = json.loads((mp_dir / "results" / "entries" / "provenance.json").read_text())
    assert prov["source"]["source"] == "mp"
    assert TEST_API_KEY not in json.dumps(prov)


@pytest.mark.parametrize("name,key", [("interfaces", "interface"), ("windows", ["role", "name"])])
def test_results_equal_the_snapshot_run(runs, name, key):
    mp_dir, snap_dir, _, _ = runs
    a = tables(mp_dir, name).set_index(key).sort_index()
    b = tables(snap_dir, name).set_index(key).sort_index()
    assert list(a.index) == list(b.index)
    # band gaps exist only with mp (the snapshot has none): compared in test_band_gap_evidence_from_mp
    numeric = [c for c in a.columns if pd.api.types.is_float_dtype(a[c]) and c != "band_gap"]
    assert numeric
    for c in numeric:
        np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float), atol=1e-6, equal_nan=True, err_msg=c)


def test_rankings_equal_the_snapshot_run(runs):
    mp_dir, snap_dir, _, _ = runs
    # not ``rank``: the score includes the interphase objective, whose evidence differs by source (mp has
    # band gaps, the snapshot none); the Pareto rank and the energy filters are energies only
    # (the band gap gate's tier may differ: mp has gaps; the reaction gates' tiers may not)
    cols = ["stack", "coating", "pareto_rank_all", "tier_reaction_electrolyte", "tier_reaction_electrode"]
    a = tables(mp_dir, "rankings")
    b = tables(snap_dir, "rankings")
    cols = [c for c in cols if c in a.columns]
    assert len(cols) >= 4
    a, b = (t[cols].sort_values(["stack", "coating"]).reset_index(drop=True) for t in (a, b))
    pd.testing.assert_frame_equal(a, b)


def test_band_gap_evidence_from_mp(runs):
    mp_dir, snap_dir, _, _ = runs
    w = tables(mp_dir, "windows").set_index(["role", "name"])
    with_gap = w[w["band_gap"].notna()]
    assert len(with_gap) > 0
    assert with_gap["gap_evidence"].str.startswith("mp: mpfake-").all()
    assert tables(snap_dir, "windows")["band_gap"].isna().all()  # no table, no mp: never a made-up gap
    reactions = tables(mp_dir, "reactions")
    assert reactions["interphase"].notna().all()
    assert reactions["interphase_evidence"].str.contains(r"\[mp mpfake-").any()  # e.g. "Li2S [mp mpfake-3: ...]"
