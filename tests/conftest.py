"""Shared fixtures: the shared Materials Project snapshot, engines on it, and pymatgen references.

The snapshot lives outside the repository (``<repo>/../shared/data``, see SCIENCE.md "Data"). Tests that
need it skip when it is absent on a developer machine and fail under CI (``CI=true``), so a CI run can
never pass by silently skipping the comparison with pymatgen.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screening.entries import EntryTable, load_experimental, load_snapshot
from screening.thermo import Engine

REPO_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = REPO_ROOT.parent / "shared" / "data" / "mp_e_form_2019.csv.gz"


def require_file(path: Path, what: str) -> Path:
    """``path`` if it exists; otherwise fail under CI=true, skip elsewhere."""
    if path.is_file():
        return path
    msg = f"{what} not found at {path} (expected <repo>/../shared/data/{path.name})"
    if os.environ.get("CI") == "true":
        pytest.fail(msg + "; CI must provide it", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def snapshot_path() -> Path:
    """Path of the shared snapshot ``mp_e_form_2019.csv.gz`` (matbench mp_e_form, MP 2019)."""
    return require_file(SNAPSHOT, "shared Materials Project snapshot")


@pytest.fixture(scope="session")
def snapshot_table(snapshot_path: Path) -> EntryTable:
    return load_snapshot(snapshot_path)


@pytest.fixture(scope="session")
def engine(snapshot_table: EntryTable) -> Engine:
    return Engine(snapshot_table)


@pytest.fixture(scope="session")
def exp_engine() -> Engine:
    return Engine(load_experimental())


@pytest.fixture(scope="session")
def pmg_ref(snapshot_table: EntryTable):
    """pymatgen PhaseDiagram / GrandPotentialPhaseDiagram builder on the snapshot (cached per element set)."""
    from pmg_reference import PmgReference

    return PmgReference(snapshot_table)
