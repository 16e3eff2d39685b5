"""The workflow with structure candidates (coatings.structures): relaxed once in chunked jobs, cached by
content hash, ranked next to database coatings and flagged mlip in every table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mlip"))
from review_structures import build, require_mlip  # noqa: E402
from test_workflow import job_counts, snakemake  # noqa: E402

from screening.mlip.hull import with_mlip_records  # noqa: E402
from screening.thermo import Engine  # noqa: E402

pytestmark = [pytest.mark.workflow, pytest.mark.slow, pytest.mark.mlip, pytest.mark.snapshot]


def test_three_structures_ranked_next_to_database_coatings(
    tmp_path: Path, snapshot_path: Path, snapshot_table, engine
) -> None:
    require_mlip()
    (tmp_path / "cand").mkdir()
    for name, file in (("Li3N", "nitride_P6mmm.cif"), ("LiCl", "chloride_rocksalt.cif"),
                       ("Li2SiO3", "metasilicate_Cmc21.cif")):
        build(name).to(filename=str(tmp_path / "cand" / file))
    cfg = {
        "source": str(snapshot_path),
        "anodes": [{"name": "Li", "formula": "Li", "potential": 0.0}],
        "cathodes": [{"name": "LiCoO2", "formula": "LiCoO2", "voltage": [3.0, 4.2]}],
        "electrolytes": [{"name": "Li3PS4", "formula": "Li3PS4"}],
        "coatings": {"formulas": ["LiNbO3", "Li3PO4"], "structures": ["cand/*.cif"]},
        "mlip": {"chunk_size": 2, "cache_dir": str(tmp_path / "mlip_cache")},
    }
    config = tmp_path / "screen.yaml"
    config.write_text(yaml.safe_dump(cfg))
    proc = snakemake(tmp_path, "results/tables/rankings.csv", configfile=config)
    assert job_counts(proc.stdout + proc.stderr).get("relax_structures") == 2

    log0 = (tmp_path / "results/logs/relax_structures/chunk_0.log").read_text()
    assert "[1/2] chloride_rocksalt.cif: LiCl, relaxed in" in log0 and "[2/2] metasilicate_Cmc21.cif" in log0
    cand = pd.read_csv(tmp_path / "results/candidates.csv")
    structures = cand[cand["origin"] == "structure"].set_index("coating")
    assert sorted(structures.index) == ["chloride_rocksalt", "metasilicate_Cmc21", "nitride_P6mmm"]
    assert structures["query_entry_id"].str.startswith("mlip:").all()

    win = pd.read_csv(tmp_path / "results/tables/windows.csv").set_index(["role", "name"])
    expected = {"nitride_P6mmm": 0.0087, "chloride_rocksalt": 0.0106, "metasilicate_Cmc21": -0.0692}  # docs/mlip.md
    for name, e_hull in expected.items():
        row = win.loc[("coating", name)]
        assert row["e_above_hull"] == pytest.approx(e_hull, abs=0.005), name  # signed: judged against the hull
        assert row["note"].startswith("mlip: machine-learned energy") and row["entry_id"].startswith("mlip:")
        assert bool(row["virtual"])
    # the metasilicate sits 69 meV/atom below the snapshot's own Li2SiO3: judged against the data's hull, never
    # part of it (mlip.join_hull: false), so its window is the snapshot's and the note says it is below
    prov = json.loads((tmp_path / "results/entries/provenance.json").read_text())
    w = engine.window("Li2SiO3")
    row = win.loc[("coating", "metasilicate_Cmc21")]
    assert "below the data's hull by" in row["note"]
    assert row["reduction_limit"] == pytest.approx(w.reduction_limit, abs=1e-6)
    assert row["oxidation_limit"] == pytest.approx(w.oxidation_limit, abs=1e-6)
    assert Engine(with_mlip_records(snapshot_table, prov["mlip"])).window("Li2SiO3").reduction_limit < \
        w.reduction_limit - 0.3  # what joining the hull would have done (mlip.join_hull: true)

    rk = pd.read_csv(tmp_path / "results/tables/rankings.csv")
    stack = rk[rk["stack"] == rk["stack"].iloc[0]]
    assert set(stack["coating"]) >= {"LiNbO3", "Li3PO4", "nitride_P6mmm", "chloride_rocksalt", "metasilicate_Cmc21"}
    mine = stack[stack["origin"] == "structure"]
    assert len(mine) == 3 and mine["note"].str.startswith("mlip:").all()
    assert [r["file"] for r in prov["mlip"]] == ["chloride_rocksalt.cif", "metasilicate_Cmc21.cif",
                                                 "nitride_P6mmm.cif"]
    assert all(r["model"]["model"] == "chgnet" and "screening estimate" in r["note"] for r in prov["mlip"])

    # a fresh results folder: the relaxations come from the cache, byte-identical energies
    before = (tmp_path / "results/entries/structures.json").read_bytes()
    cfg["results_dir"] = "results_again"
    config.write_text(yaml.safe_dump(cfg))
    snakemake(tmp_path, "results_again/entries/structures.json", configfile=config)
    log_again = (tmp_path / "results_again/logs/relax_structures/chunk_0.log").read_text()
    assert "0 relaxed now, 2 from the cache" in log_again
    assert (tmp_path / "results_again/entries/structures.json").read_bytes() == before
