"""Structure files and bad input: one-line errors naming the file and the fix (no model needed)."""

from __future__ import annotations

import sys

import pytest
from review_structures import build

from screening.cli import main
from screening.errors import ScreeningError
from screening.mlip import (
    MissingExtraError,
    StructureFileError,
    expand_paths,
    looks_like_structure_path,
    read_structure,
)
from screening.mlip import model as model_mod


def test_read_cif_and_poscar_give_the_same_composition_and_content_ids(tmp_path):
    s = build("Li3N")
    s.to(filename=str(tmp_path / "li3n.cif"))
    s.to(filename=str(tmp_path / "POSCAR"), fmt="poscar")
    a, b = read_structure(tmp_path / "li3n.cif"), read_structure(tmp_path / "POSCAR")
    assert a.structure.composition.reduced_formula == b.structure.composition.reduced_formula == "Li3N"
    assert len(a.structure) == len(b.structure) == 4
    assert a.sha256 != b.sha256 and a.short_id.startswith("li3n.cif:") and len(a.short_id) == len("li3n.cif:") + 12
    (tmp_path / "copy.cif").write_bytes((tmp_path / "li3n.cif").read_bytes())
    assert read_structure(tmp_path / "copy.cif").sha256 == a.sha256


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "does not exist"),
        ("", "is empty"),
        ("   \n", "is empty"),
        ("this is not a crystal\n", "cannot read structure file"),
        (b"\x00\xff\xfe\x00binary", "not a text file"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, content, needle):
    path = tmp_path / "bad.cif"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(StructureFileError) as err:
        read_structure(path)
    msg = str(err.value)
    assert needle in msg and "bad.cif" in msg and "\n" not in msg


def test_partial_occupancy_and_overlapping_atoms_are_rejected(tmp_path):
    from pymatgen.core import Lattice, Structure

    dis = Structure(Lattice.cubic(4.0), [{"Li": 0.5, "Na": 0.5}, "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    dis.to(filename=str(tmp_path / "dis.cif"))
    with pytest.raises(StructureFileError, match="partial occupancies"):
        read_structure(tmp_path / "dis.cif")
    ov = Structure(Lattice.cubic(4.0), ["Li", "O"], [[0, 0, 0], [0.01, 0, 0]])
    ov.to(filename=str(tmp_path / "POSCAR_overlap"), fmt="poscar")
    with pytest.raises(StructureFileError, match=r"0\.04 A apart"):
        read_structure(tmp_path / "POSCAR_overlap")


def test_paths_versus_formulas():
    assert looks_like_structure_path("LiNbO3.cif") and looks_like_structure_path("run/POSCAR")
    assert looks_like_structure_path("CONTCAR_relaxed") and looks_like_structure_path("x.vasp")
    for formula in ("LiNbO3", "Li6.4La3Zr1.4Ta0.6O12", "70Li2S-30P2S5", "Li0.5CoO2"):
        assert not looks_like_structure_path(formula)


def test_globs_expand_sorted_and_unmatched_pattern_is_an_error(tmp_path):
    for n in ("b.cif", "a.cif", "c.txt"):
        (tmp_path / n).write_text("x")
    assert [p.name for p in expand_paths(["*.cif"], base=tmp_path)] == ["a.cif", "b.cif"]
    assert [p.name for p in expand_paths([str(tmp_path / "a.cif"), "a.cif"], base=tmp_path)] == ["a.cif"]
    with pytest.raises(StructureFileError, match=r"'\*\.vasp' matches no file"):
        expand_paths(["*.vasp"], base=tmp_path)


def test_missing_extra_is_a_one_line_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "chgnet", None)  # import chgnet -> ImportError
    monkeypatch.setitem(sys.modules, "chgnet.model", None)
    model_mod.get_model.cache_clear()
    try:
        with pytest.raises(MissingExtraError, match=r'pip install -e "\.\[mlip\]"'):
            model_mod.get_model("chgnet")
        build("LiF").to(filename=str(tmp_path / "lif.cif"))
        code = main(["energy", str(tmp_path / "lif.cif"), "--cache-dir", str(tmp_path / "cache")])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: the CHGNet potential is not available") and err.count("\n") == 1
    finally:
        model_mod.get_model.cache_clear()


def test_unknown_model_and_bad_settings():
    from screening.mlip import MLIPCalculator, RelaxSettings

    with pytest.raises(ScreeningError, match="unknown potential 'm3gnet'; use one of: chgnet"):
        model_mod.get_model("m3gnet")
    with pytest.raises(ScreeningError, match="fmax > 0"):
        MLIPCalculator(settings=RelaxSettings(fmax=0.0), cache_dir=None)


def test_cli_bad_structure_file_exit_2(tmp_path, capsys):
    (tmp_path / "empty.cif").write_text("")
    for argv in (["energy", str(tmp_path / "empty.cif")], ["window", str(tmp_path / "empty.cif")],
                 ["react", str(tmp_path / "missing.cif"), "Li2O"]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: structure file") and err.count("\n") == 1, err


def test_a_directory_is_the_same_one_line_error_in_the_config_and_the_cli(tmp_path, monkeypatch, capsys):
    """Issue 26, F5: a folder in coatings.structures was skipped in silence; the CLI refused it."""
    from screening.mlip.screen import structure_chunks
    from screening.plan.config import StructureSettings

    (tmp_path / "structs").mkdir()
    (tmp_path / "structs" / "a.cif").write_text("x")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StructureFileError) as exc:
        structure_chunks(StructureSettings(patterns=("structs/",)), tmp_path)
    config_msg = str(exc.value)
    assert "'structs/' is a directory; give the file itself or a glob such as 'structs/*.cif'" in config_msg
    assert "\n" not in config_msg
    assert main(["window", "structs/"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {config_msg}"
    # a glob that also matches folders still expands to the files only
    assert [p.name for p in expand_paths(["structs/**"], base=tmp_path)] == ["a.cif"]
