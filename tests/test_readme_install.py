"""The README states the time and size of the install next to the install commands (issue 26)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_install_time_and_size_next_to_the_install_commands() -> None:
    text = README.read_text()
    start = text.index('pip install -e ".[dev]"')
    near = text[start : start + 1500]  # the command block and the paragraph after it
    assert re.search(r"\d+(\.\d+)? min", near), "no install time next to the install commands"
    assert re.search(r"[\d.]+ GB", near), "no install size next to the install commands"
    assert "mlip" in near and re.search(r"mlip.*?[\d.]+ GB", near, flags=re.S), "no size of the mlip install"
