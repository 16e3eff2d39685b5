"""The results folders the README suggests (results_dir: results_review, ...) are ignored by git (issue 26)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", ["results/tables/rankings.csv", "results_review/tables/rankings.csv",
                                  "results_discovery/report/index.html"])
def test_results_folders_are_ignored(path) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    proc = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=REPO, capture_output=True)
    assert proc.returncode == 0, f"{path} is not ignored by .gitignore"


def test_results_gitkeep_is_not_ignored() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    proc = subprocess.run(["git", "check-ignore", "-q", "--no-index", "results/.gitkeep"], cwd=REPO)
    assert proc.returncode == 1
