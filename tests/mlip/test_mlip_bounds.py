"""Issue 26 (M1): a structure too big for the machine stops with one line before any model is loaded.

A 2,000-atom cell was killed by the kernel at 24 GB; a POSCAR scale of 1e6 ended in a MemoryError
traceback, 1e300 in an endless run. Atoms per structure (default 200, ``--max-atoms`` / config
``mlip.max_atoms``), volume per atom (0.5-200 A^3/atom) and finite numbers are checked right after the
file is read. No test here runs the model: ``get_model`` is replaced by one that fails if called.
"""

from __future__ import annotations

import pytest

from screening.cli import main
from screening.errors import ScreeningError
from screening.mlip import StructureFileError, read_structure
from screening.mlip import energies as energies_mod
from screening.mlip.structures import MAX_ATOMS, relax_memory_mb

POSCAR = "LiO\n{scale}\n4 0 0\n0 4 0\n0 0 4\nLi O\n1 1\ndirect\n0 0 0\n{x} 0.5 0.5\n"


def _li2o(reps=(1, 1, 1)):
    from pymatgen.core import Lattice, Structure

    frac = [[0.25, 0.25, 0.25], [0.75, 0.75, 0.25], [0.75, 0.25, 0.75], [0.25, 0.75, 0.75],
            [0.25, 0.25, 0.75], [0.75, 0.75, 0.75], [0.75, 0.25, 0.25], [0.25, 0.75, 0.25],
            [0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]
    return Structure(Lattice.cubic(4.61), ["Li"] * 8 + ["O"] * 4, frac) * reps


@pytest.fixture
def no_model(monkeypatch):
    """``get_model`` raising a recognisable error: a test sees whether the model would have been loaded."""

    def refuse(name="chgnet"):
        raise ScreeningError("MODEL WOULD LOAD NOW")

    monkeypatch.setattr(energies_mod, "get_model", refuse)


@pytest.fixture
def big(tmp_path):
    """A 2,100-atom Li2O supercell (the size that was killed at 24 GB)."""
    path = tmp_path / "big.vasp"
    _li2o((5, 5, 7)).to(filename=str(path), fmt="poscar")
    return path


@pytest.mark.parametrize(
    ("scale", "x", "message"),
    [
        ("1e6", "0.5", r"has 3\.2e\+19 A\^3 per atom, outside 0\.5-200 A\^3/atom; fix its lattice or the POSCAR scale"),
        ("1e100", "0.5", r"has 3\.2e\+301 A\^3 per atom, outside 0\.5-200"),
        ("1e300", "0.5", r"non-finite lattice, coordinates or volume .* the scale line"),
        ("0.01", "0.5", r"has 3\.2e-05 A\^3 per atom, outside 0\.5-200"),
        ("1.0", "nan", r"non-finite lattice, coordinates or volume"),
        ("1.0", "inf", r"non-finite lattice, coordinates or volume"),
    ],
)
def test_poscar_scale_and_non_finite_numbers_are_one_line(tmp_path, scale, x, message):
    path = tmp_path / "POSCAR"
    path.write_text(POSCAR.format(scale=scale, x=x))
    with pytest.raises(StructureFileError, match=message) as info:
        read_structure(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_too_many_atoms_names_the_file_count_bound_and_override(big):
    with pytest.raises(StructureFileError) as info:
        read_structure(big)
    msg = str(info.value)
    assert "\n" not in msg and str(big) in msg
    assert f"has 2100 atoms, more than the {MAX_ATOMS} allowed" in msg
    assert "--max-atoms 2100 (config mlip.max_atoms)" in msg and "34.6 GB" in msg
    assert len(read_structure(big, max_atoms=2100).structure) == 2100


def test_cli_energy_bounds_stop_before_the_model_loads(tmp_path, big, no_model, capsys):
    small = tmp_path / "li2o.vasp"
    _li2o().to(filename=str(small), fmt="poscar")
    huge = tmp_path / "POSCAR_scale"
    huge.write_text(POSCAR.format(scale="1e6", x="0.5"))
    cache = ["--cache-dir", str(tmp_path / "cache")]
    for argv, needle in (
        (["energy", str(small), str(big), *cache], "has 2100 atoms, more than the 200 allowed"),  # the 2nd file
        (["energy", str(huge), *cache], "A^3 per atom, outside 0.5-200"),
        (["window", str(big), *cache], "--max-atoms 2100"),
        (["react", str(small), str(big), *cache], "has 2100 atoms"),
        (["energy", str(big), "--max-atoms", "100", *cache], "more than the 100 allowed"),
    ):
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and err.count("\n") == 1, (argv, err)
        assert err.startswith("error: structure ") and needle in err and "MODEL WOULD LOAD" not in err, err
    # raised above the structure's size, the bound lets it through: the model would load next
    assert main(["energy", str(big), "--max-atoms", "2100", *cache]) == 2
    assert "MODEL WOULD LOAD NOW" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_cli_max_atoms_must_be_a_positive_whole_number(tmp_path, value, capsys):
    code = main(["energy", str(tmp_path / "x.vasp"), "--max-atoms", value])
    err = capsys.readouterr().err
    assert code == 2 and "--max-atoms" in err


def test_calculator_max_atoms_is_checked():
    with pytest.raises(ScreeningError, match="max_atoms 0 must be a whole number >= 1"):
        energies_mod.MLIPCalculator(cache_dir=None, max_atoms=0)


def test_workflow_chunks_check_the_bound_and_size_memory_from_the_atoms(tmp_path):
    from screening.mlip.screen import chunk_memory_mb, structure_chunks
    from screening.plan.config import StructureSettings

    _li2o().to(filename=str(tmp_path / "a.vasp"), fmt="poscar")  # 12 atoms
    _li2o((2, 2, 2)).to(filename=str(tmp_path / "b.vasp"), fmt="poscar")  # 96 atoms
    _li2o((1, 1, 1)).to(filename=str(tmp_path / "c.vasp"), fmt="poscar")
    cfg = {"coatings": {"structures": ["*.vasp"]}, "mlip": {"chunk_size": 2}}
    chunks = structure_chunks(StructureSettings.from_config(cfg), tmp_path)
    assert [[p.rsplit("/", 1)[-1] for p in c] for c in chunks] == [["a.vasp", "b.vasp"], ["c.vasp"]]
    assert chunk_memory_mb(chunks[0]) == relax_memory_mb(96) == 1000 + 16 * 96
    assert chunk_memory_mb(chunks[1]) == relax_memory_mb(12) == 1192
    assert relax_memory_mb(MAX_ATOMS) == 4200  # the default bound fits a 4.2 GB job
    with pytest.raises(StructureFileError, match=r"b\.vasp' has 96 atoms, more than the 50 allowed.*mlip\.max_atoms"):
        structure_chunks(StructureSettings.from_config(cfg | {"mlip": {"max_atoms": 50}}), tmp_path)


def test_config_schema_has_max_atoms():
    from pathlib import Path

    import yaml

    schema = yaml.safe_load((Path(__file__).resolve().parents[2] / "workflow/schemas/config.schema.yaml").read_text())
    prop = schema["properties"]["mlip"]["properties"]["max_atoms"]
    assert prop["default"] == MAX_ATOMS and prop["minimum"] == 1
