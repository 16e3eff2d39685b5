"""The README's command to run the example notebook works with the `[dev]` install (issue 26).

`jupyter nbconvert` is not installed by `[dev]` (nbclient is): the README must name a jupyter subcommand
that an installed `[dev]` package provides, and no other.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: jupyter subcommand -> the distribution that provides it
PROVIDER = {"execute": "nbclient", "nbconvert": "nbconvert", "lab": "jupyterlab", "notebook": "notebook"}


def _dev_packages() -> set[str]:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return {re.split(r"[<>=!~\[ ]", req, maxsplit=1)[0].lower() for req in extras["dev"]}


def _readme_commands() -> list[str]:
    """The jupyter commands in the README's shell blocks."""
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|console|sh)\n(.*?)```", text, flags=re.S)
    return [line.strip() for b in blocks for line in b.splitlines() if line.strip().startswith("jupyter ")]


def test_readme_tells_how_to_run_the_notebook_with_the_dev_install() -> None:
    commands = _readme_commands()
    assert any("examples/screening_quickstart.ipynb" in c for c in commands), commands
    dev = _dev_packages()
    for command in commands:
        sub = command.split()[1]
        assert PROVIDER.get(sub) in dev, f"{command!r} needs {PROVIDER.get(sub, sub)!r}, not in [dev]"


def test_the_readme_command_is_installed_here() -> None:
    if shutil.which("jupyter-execute") is None:
        pytest.skip("nbclient's jupyter-execute is not installed (install .[dev])")
    for command in _readme_commands():
        assert shutil.which(f"jupyter-{command.split()[1]}"), command
