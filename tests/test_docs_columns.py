"""Every column of the tables the screen writes is named in the docs (issue 26: e_above_hull_used,
excluded_as, s_window, s_electrode, potential_low, li_exchanged had no word).

Columns count as documented when docs/columns.md names them in backticks; the per-gate columns by their
pattern `gate_<name>` / `tier_<name>`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from screening.criteria.gates import PRESETS
from screening.screen.config import ScreenConfig
from screening.screen.interfaces import KINK_COLUMNS, SUMMARY_COLUMNS
from screening.screen.ranking import rank_columns
from screening.screen.windows import WINDOW_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
COLUMNS_DOC = ROOT / "docs" / "columns.md"


def _section(title: str) -> set[str]:
    """The names in backticks in the section ``## title`` of docs/columns.md."""
    text = COLUMNS_DOC.read_text()
    m = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert m, f"docs/columns.md has no section {title!r}"
    return set(re.findall(r"`([A-Za-z0-9_<>]+)`", m.group(1)))


def _rank_columns(preset: str) -> list[str]:
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    cfg["criteria"] = preset
    return rank_columns(ScreenConfig.from_dict(cfg).criteria)


def _documented(col: str, names: set[str]) -> bool:
    if col in names:
        return True
    m = re.fullmatch(r"(gate|tier)_(\w+)", col)
    return bool(m) and f"{m.group(1)}_<name>" in names and m.group(2) in names


@pytest.mark.parametrize("preset", PRESETS)
def test_every_rankings_column_is_documented(preset: str) -> None:
    names = _section("rankings")  # the gate names are listed in the section's text
    missing = [c for c in _rank_columns(preset) if not _documented(c, names)]
    assert not missing, f"rankings columns ({preset}) not in docs/columns.md: {missing}"


@pytest.mark.parametrize(
    ("title", "columns"),
    [("interfaces", SUMMARY_COLUMNS), ("reactions", KINK_COLUMNS), ("windows", WINDOW_COLUMNS)],
)
def test_every_column_of_the_other_tables_is_documented(title: str, columns) -> None:
    missing = [c for c in columns if c not in _section(title)]
    assert not missing, f"{title} columns not in docs/columns.md: {missing}"


def test_the_empty_open_electrode_energy_of_li_metal_is_explained() -> None:
    text = COLUMNS_DOC.read_text()
    assert "Li metal has no open interface" in text
    assert "energy_electrode_open_eV_per_nonLi_atom" in text
    assert "docs/columns.md" in (ROOT / "README.md").read_text()
