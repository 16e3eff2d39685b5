"""The figure steps replace whole folders (results/figures/profiles, heatmaps): never a user's file there
(issue 26, D1). A folder holding files the screen did not write is refused with one line, before anything
is drawn or removed, by the Python functions and by the workflow (``snakemake -n``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from screening.errors import ScreeningError
from screening.plots import plot_heatmaps, plot_profiles
from screening.screen.io import OWNED_MANIFEST, atomic_directory, foreign_files

REPO = Path(__file__).resolve().parents[2]


def _draw(small_screen, kind: str, out: Path) -> int:
    tables = small_screen.root / "tables"
    if kind == "heatmaps":
        return plot_heatmaps(tables / "rankings.parquet", out)
    return plot_profiles(tables / "rankings.parquet", tables / "interfaces.parquet", tables / "reactions.parquet",
                         1, out)


@pytest.mark.parametrize("kind", ["profiles", "heatmaps"])
def test_a_users_file_in_a_figure_folder_is_kept(small_screen, tmp_path, kind):
    out = tmp_path / "figures" / kind
    assert _draw(small_screen, kind, out) > 0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert (out / OWNED_MANIFEST).read_text().split() == pngs and foreign_files(out) == []
    assert _draw(small_screen, kind, out) > 0  # a rerun replaces the screen's own files
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ScreeningError, match=rf"{kind} holds files the screen did not write \(notes\.txt\); .*move "
                       "them out") as info:
        _draw(small_screen, kind, out)
    assert "\n" not in str(info.value)
    assert (out / "notes.txt").read_text() == "mine" and sorted(p.name for p in out.glob("*.png")) == pngs
    assert [p.name for p in out.parent.iterdir()] == [kind]  # no temporary folder left


def test_a_folder_without_manifest_keeps_only_pngs_as_the_screens(tmp_path):
    old = tmp_path / "profiles"
    old.mkdir()
    (old / "a.png").write_bytes(b"png")
    (old / ".snakemake_timestamp").write_bytes(b"")  # Snakemake's own marker in a directory() output
    assert foreign_files(old) == []
    (old / "my_figure.svg").write_text("<svg/>")
    with pytest.raises(ScreeningError, match=r"my_figure\.svg"):
        with atomic_directory(old) as tmp:
            (tmp / "b.png").write_bytes(b"png")
    assert sorted(p.name for p in old.iterdir()) == [".snakemake_timestamp", "a.png", "my_figure.svg"]


@pytest.mark.workflow
def test_the_workflow_refuses_a_figure_folder_with_a_users_file(tmp_path):
    user = tmp_path / "results" / "figures" / "heatmaps" / "draft.pdf"
    user.parent.mkdir(parents=True)
    user.write_bytes(b"%PDF")
    exe = Path(sys.executable).with_name("snakemake")
    cmd = [*([str(exe)] if exe.exists() else [sys.executable, "-m", "snakemake"]), "-n", "-s", str(REPO / "Snakefile"),
           "--directory", str(tmp_path), "--cores", "1", "--configfile", str(REPO / "config" / "config.yaml")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in out
    assert "heatmaps holds files the screen did not write (draft.pdf)" in out, out[-2000:]
    assert user.read_bytes() == b"%PDF"
