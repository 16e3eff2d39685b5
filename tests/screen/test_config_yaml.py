"""Issue 26, C1: a key given twice in a config file is refused (plain YAML keeps the last in silence)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from screening.api import read_config
from screening.screen.config import ConfigError, load_yaml_strict

REPO = Path(__file__).resolve().parents[2]
DUPLICATE = """\
source: experimental
electronic:
  weight: 1.0
  gap_threshold: 0.1
  weight: 50
"""


def test_duplicate_key_names_the_key_and_lines() -> None:
    with pytest.raises(ConfigError, match=r"has the key 'weight' twice \(lines 3 and 5\).*keep one") as e:
        load_yaml_strict(DUPLICATE, "config file 'x.yaml'")
    assert "\n" not in str(e.value)
    with pytest.raises(ConfigError, match=r"key 'source' twice \(lines 1 and 2\)"):
        load_yaml_strict("source: mp2019\nsource: experimental\n")


def test_strict_loader_reads_what_safe_load_reads() -> None:
    for path in sorted((REPO / "config").glob("*.yaml")):
        text = path.read_text()
        assert load_yaml_strict(text) == yaml.safe_load(text), path.name
    merged = "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n"
    assert load_yaml_strict(merged) == yaml.safe_load(merged) == {"base": {"x": 1, "y": 2}, "other": {"x": 1, "y": 3}}


def test_read_config_refuses_duplicate_keys(tmp_path) -> None:
    p = tmp_path / "dup.yaml"
    p.write_text(DUPLICATE)
    with pytest.raises(ConfigError, match=r"config file '.*dup\.yaml' has the key 'weight' twice \(lines 3 and 5\)"):
        read_config(p)


def test_workflow_refuses_duplicate_keys(tmp_path) -> None:
    p = tmp_path / "dup.yaml"
    p.write_text((REPO / "config" / "config.yaml").read_text() + f"results_dir: {tmp_path / 'r1'}\n"
                 f"results_dir: {tmp_path / 'r2'}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(p), "-d", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "has the key 'results_dir' twice" in out and "Traceback" not in out, out[-2000:]
