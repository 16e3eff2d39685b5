"""Config key results_dir: every file a run writes (outputs, logs, benchmarks) lives under it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "Snakefile"

pytestmark = pytest.mark.workflow


def _snakemake() -> list[str]:
    exe = Path(sys.executable).with_name("snakemake")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "snakemake"]


def planned_paths(workdir: Path, *config: str) -> list[str]:
    """Every output, log and benchmark path of a dry run (up to the candidates checkpoint)."""
    cmd = [*_snakemake(), "-n", "-s", str(SNAKEFILE), "--directory", str(workdir), "--cores", "1"]
    cmd += ["--configfile", str(REPO / "config" / "config.yaml"), *(["--config", *config] if config else [])]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    paths = []
    for m in re.finditer(r"^\s+(output|log|benchmark): (.+)$", proc.stdout, re.M):
        paths += [p.strip() for p in m.group(2).split(",")]
    assert len(paths) >= 6, proc.stdout[-3000:]
    return paths


def test_every_planned_path_is_under_results_dir(tmp_path):
    results_dir = "runs/review"
    paths = planned_paths(tmp_path, f"results_dir={results_dir}")
    outside = [p for p in paths if not p.startswith(results_dir + "/")]
    assert outside == [], outside
    assert f"{results_dir}/logs/entries.log" in paths and f"{results_dir}/entries/entries.csv" in paths
    assert f"{results_dir}/benchmarks/entries.tsv" in paths
    assert not (tmp_path / "results").exists() and not (tmp_path / "logs").exists()
