"""Provenance: a reproduced screen is byte-identical wherever its results folder is (issue 26).

``results_dir`` says where the results are written, not what they are: it stays in ``provenance.json``
(where ``screening verify`` needs it) but is left out of ``config_sha256`` and of the provenance record
embedded in every Parquet table.
"""

from __future__ import annotations

import json

from screening.screen.io import read_provenance
from screening.screen.provenance import config_sha256

#: 1 electrode, 1 electrolyte, 2 coatings on the packaged snapshot (a few seconds).
TINY = {
    "source": "mp2019",
    "cathodes": [{"name": "LiCoO2", "formula": "LiCoO2", "voltage": [3.0, 4.3]}],
    "electrolytes": [{"name": "Li3PS4", "formula": "Li3PS4"}],
    "coatings": {"formulas": ["LiNbO3", "Li3PO4"]},
}


def test_config_sha256_ignores_results_dir():
    assert config_sha256({**TINY, "results_dir": "a"}) == config_sha256({**TINY, "results_dir": "runs/b"})
    assert config_sha256(TINY) != config_sha256({**TINY, "coatings": {"formulas": ["LiNbO3"]}})


def test_tables_are_byte_identical_in_two_results_folders(tmp_path):
    from screening.api import run_screen

    runs = [run_screen({**TINY, "results_dir": name}, workdir=tmp_path / name) for name in ("results", "elsewhere")]
    roots = [r.root for r in runs]
    files = sorted(p.relative_to(roots[0]) for p in roots[0].rglob("*") if p.suffix in (".parquet", ".csv"))
    assert any(str(f).startswith("tables/") for f in files) and "candidates.csv" in map(str, files)
    differ = [str(f) for f in files if (roots[0] / f).read_bytes() != (roots[1] / f).read_bytes()]
    assert differ == []
    # the folder is still recorded, outside the hashed part
    provs = [json.loads((r / "provenance.json").read_text()) for r in roots]
    assert [p["config"]["results_dir"] for p in provs] == ["results", "elsewhere"]
    assert provs[0]["config_sha256"] == provs[1]["config_sha256"]
    embedded = read_provenance(roots[1] / "tables" / "rankings.parquet")
    assert "results_dir" not in embedded["config"] and embedded["config_sha256"] == provs[1]["config_sha256"]
