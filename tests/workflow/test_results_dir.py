"""Config key results_dir: every file a run writes (outputs, logs, benchmarks) lives under it; a results_dir
that is the root, the working directory or outside it, a repository folder, has a control character or a
symlink loop is refused with one line (issue 26)."""

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


#: The smallest config the schema accepts.
MINIMAL = {
    "electrolytes": [{"name": "LiI", "formula": "LiI"}],
    "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
}
#: results_dir values refused, with a piece of their one-line message.
BAD_RESULTS_DIRS = [
    pytest.param("/", "is the file system root", id="root"),
    pytest.param("..", "is the working directory or one of its parents", id="parent"),
    pytest.param("../elsewhere", "leaves the working directory", id="parent-escape"),
    pytest.param(".", "is the working directory or one of its parents", id="dot"),
    pytest.param("a\nb", "contains a control character", id="newline"),
    pytest.param("loop/results", "remove the symlink loop", id="symlink-loop"),
]


def _symlink_loop(where: Path) -> None:
    (where / "loop").symlink_to(where / "loop2")
    (where / "loop2").symlink_to(where / "loop")


@pytest.mark.parametrize(("value", "message"), BAD_RESULTS_DIRS)
def test_bad_results_dir_through_the_api(tmp_path, monkeypatch, value, message):
    from screening.api import validate_config
    from screening.errors import ScreeningError

    monkeypatch.chdir(tmp_path)
    _symlink_loop(tmp_path)
    cfg = {**MINIMAL, "results_dir": value}
    with pytest.raises(ScreeningError, match=message) as info:
        validate_config(cfg)
    assert "\n" not in str(info.value) and "results_review" in str(info.value)


@pytest.mark.parametrize("folder", ["src", "tests/x", "workflow", "config", "docs", ".git"])
def test_repository_folders_are_refused(monkeypatch, folder):
    from screening.api import validate_config
    from screening.errors import ScreeningError

    monkeypatch.chdir(REPO)
    cfg = {**MINIMAL, "results_dir": folder}
    with pytest.raises(ScreeningError, match=r"inside the repository's own folder"):
        validate_config(cfg)
    assert validate_config({**cfg, "results_dir": "results_review"})["results_dir"] == "results_review"


@pytest.mark.parametrize(
    ("value", "message"), [*BAD_RESULTS_DIRS, pytest.param(str(REPO / "src"), "own folder src/", id="src")]
)
def test_bad_results_dir_in_a_dry_run(tmp_path, value, message):
    """``snakemake -n``: one line naming the value, exit status 1, no traceback, nothing written."""
    import json

    _symlink_loop(tmp_path)
    extra = tmp_path.parent / f"{tmp_path.name}.yaml"  # a second config file: --config cannot pass a newline
    extra.write_text(f"results_dir: {json.dumps(value)}\n")
    cmd = [*_snakemake(), "-n", "-s", str(SNAKEFILE), "--directory", str(tmp_path), "--cores", "1",
           "--configfile", str(REPO / "config" / "config.yaml"), str(extra)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and message in out and "Traceback" not in out, out[-3000:]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".snakemake") == ["loop", "loop2"]
