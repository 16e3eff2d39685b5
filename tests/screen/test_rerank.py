"""Re-ranking a finished screen under other criteria (``screening rank``), the coating's own decomposition
energy at the electrode's potentials, and the verdicts in the API."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from screening.criteria import resolve_criteria
from screening.errors import ResultsError
from screening.plan import ConfigError
from screening.screen.rerank import rerank
from screening.screen.slots import DECOMPOSITION_COLUMN


@pytest.fixture(scope="module")
def default_screen(tmp_path_factory):
    from screening.api import run_screen

    return run_screen("config/config.yaml", workdir=tmp_path_factory.mktemp("default"))


@pytest.mark.snapshot
def test_default_screen_answers_linbo3_and_passes_li3po4(default_screen, engine) -> None:
    rk = default_screen.rankings.set_index(["stack", "coating"])
    nb = rk.loc[("LiCoO2 | Li3PS4", "LiNbO3")]
    assert nb["rank"] >= 1 and nb["stage"] == "fails" and nb["tier_reaction_electrolyte"] == "fail"
    assert nb["energy_electrolyte_closed_eV_per_atom"] == pytest.approx(-0.1457, abs=1e-4)
    assert rk.loc[("LiCoO2 | Li3PS4", "Li3PO4"), "stage"] == "passed"
    first = default_screen.stack("LiCoO2 | Li3PS4").iloc[0]
    assert first["rank"] == 1 and first["stage"] == "passed"
    verdicts = default_screen.verdicts()
    assert set(verdicts) == set(default_screen.stacks)
    assert verdicts["LiCoO2 | Li3PS4"].startswith("5 of 20 ranked coatings pass every xiao2019 gate")
    # E_D at the operating potentials (Zhu, He & Mo 2015): the coating's own decomposition open to Li
    assert nb[DECOMPOSITION_COLUMN] == pytest.approx(engine.decompose("LiNbO3", voltage=4.3).decomposition_energy,
                                                     abs=1e-6)
    assert nb["coating_decomposition_voltage"] == 4.3
    lif = rk.loc[("Li | Li3PS4", "LiF")]  # LiF is stable against Li metal: E_D = 0 at 0 V
    assert lif[DECOMPOSITION_COLUMN] == pytest.approx(0.0, abs=1e-9) and lif["coating_decomposition_voltage"] == 0.0
    li2zro3 = rk.loc[("Li | Li3PS4", "Li2ZrO3")]  # reduced at 0 V (its reduction limit is 0.34 V)
    assert li2zro3[DECOMPOSITION_COLUMN] == pytest.approx(
        engine.decompose("Li2ZrO3", voltage=0.0).decomposition_energy, abs=1e-6
    ) and li2zro3[DECOMPOSITION_COLUMN] < 0


@pytest.mark.snapshot
def test_rerank_under_another_preset_writes_beside_and_keeps_the_original(default_screen) -> None:
    root = default_screen.root
    before = (root / "tables" / "rankings.parquet").read_bytes()
    df, out = rerank(root, "nolan2021")
    assert out == root / "tables" / "rankings_nolan2021.parquet" and out.with_suffix(".csv").is_file()
    assert (root / "tables" / "rankings.parquet").read_bytes() == before  # the original is untouched
    assert set(df["criteria"]) == {"nolan2021"} and "tier_band_gap" not in df.columns
    meta = json.loads(pq.read_schema(out).metadata[b"screening.provenance"])  # the resolved gates, and more
    assert meta["criteria"]["name"] == "nolan2021" and meta["criteria"]["citation"].startswith("A. M. Nolan")
    assert [g["threshold"] for g in meta["criteria"]["gates"]] == [0.05, 0.05, 0.05]
    # re-ranking under the screen's own criteria gives the same table as the screen
    same, _ = rerank(root, name="again")
    orig = default_screen.rankings
    pd.testing.assert_frame_equal(same.reset_index(drop=True), orig.reset_index(drop=True), check_dtype=False)
    # an override: without the polyanion preference LiF passes on LiCoO2 | Li3PS4
    strict, _ = rerank(root, overrides={"polyanion": {"enabled": False}})
    lif = strict.set_index(["stack", "coating"]).loc[("LiCoO2 | Li3PS4", "LiF")]
    assert lif["stage"] == "passed"
    assert resolve_criteria("xiao2019").gates  # the presets are unchanged by the run


@pytest.mark.snapshot
def test_rank_command_prints_verdicts_and_fails_in_one_line(default_screen) -> None:
    root = str(default_screen.root)
    ok = subprocess.run([sys.executable, "-m", "screening.cli", "rank", root, "--criteria", "kim2026",
                         "--set", "reaction_electrolyte.pass=0.08"], capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "rankings_kim2026_custom-gates.parquet" in ok.stdout and "LiCoO2 | Li3PS4: " in ok.stdout
    for argv, msg in (
        (["--criteria", "xiao"], "unknown criteria preset 'xiao'"),
        (["--set", "foo.pass=1"], "preset xiao2019 has no such gate"),
        (["--set", "nonsense"], "write GATE.KEY=VALUE"),
        (["--name", "rankings"], "output name 'rankings'"),
    ):
        bad = subprocess.run([sys.executable, "-m", "screening.cli", "rank", root, *argv],
                             capture_output=True, text=True, timeout=300)
        assert bad.returncode == 2, (argv, bad.stderr)
        assert bad.stderr.strip().startswith("error: ") and msg in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1


def test_rerank_of_a_folder_that_is_not_a_screen_is_one_line(tmp_path) -> None:
    with pytest.raises(ResultsError, match="provenance.json is missing"):
        rerank(tmp_path)
    assert issubclass(ConfigError, ValueError)
