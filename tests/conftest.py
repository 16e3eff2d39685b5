"""Shared fixtures: the Materials Project snapshot, engines on it, and pymatgen references.

The snapshot (matbench ``mp_e_form``, MP 2019) ships with the package as
``src/screening/data/mp_e_form_2019.csv.gz`` (source ``mp2019``); the fixtures read that file as a
snapshot path, so they never depend on anything outside the repository. Only the Materials Project
server tests read files from outside it, ``<repo>/../shared/data`` (``tests/mp_server.py``, which says what
each file is and where it comes from). :func:`require_file` and ``mp_server.require_shared_data`` skip
when a file is absent on a developer machine and fail under CI (``CI=true``), so a CI run can never pass
by silently skipping a comparison.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screening.data import MP2019_FILE
from screening.entries import EntryTable, load_experimental, load_snapshot
from screening.thermo import Engine

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
#: The packaged snapshot (the file behind source ``mp2019``).
SNAPSHOT = MP2019_FILE


def require_file(path: Path, what: str) -> Path:
    """``path`` if it exists; otherwise fail under CI=true, skip elsewhere.

    ``what`` says what the file is and how to get it; the message is ``<what> not found at <path>``.
    """
    if path.is_file():
        return path
    msg = f"{what} not found at {path}"
    if os.environ.get("CI") == "true":
        pytest.fail(msg + "; CI must provide it", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def snapshot_path() -> Path:
    """Path of the packaged snapshot ``mp_e_form_2019.csv.gz`` (matbench mp_e_form, MP 2019)."""
    return require_file(SNAPSHOT, "packaged Materials Project snapshot (reinstall: pip install -e .)")


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


#: A small screen on pymatgen's embedded experimental data (offline, a few seconds): one cathode with a
#: charged composition, Li metal, two electrolytes, five coatings.
SMALL_SCREEN = {
    "source": "experimental",
    "cathodes": [{"name": "TiS2", "formula": "LiTiS2", "voltage": [1.6, 2.6], "charged": "TiS2"}],
    "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
    "electrolytes": [{"name": "LiBH4", "formula": "LiBH4"}, {"name": "LiI", "formula": "LiI"}],
    "coatings": {"formulas": ["LiNbO3", "Li2O", "LiF", "Li3N", "LiCl"]},
    "report": {"html_top_n": 3},
}


@pytest.fixture(scope="session")
def small_screen(tmp_path_factory: pytest.TempPathFactory):
    """:class:`screening.report.ScreenResults` of :data:`SMALL_SCREEN`, run with :func:`screening.api.run_screen`."""
    from screening.api import run_screen

    return run_screen(SMALL_SCREEN, workdir=tmp_path_factory.mktemp("small_screen"))
