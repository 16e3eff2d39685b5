"""Static figures for papers: the drawn numbers are the engine's, vector files are byte-reproducible."""

from __future__ import annotations

import pytest

from screening.errors import ScreeningError
from screening.plots.paper import profiles_figure, save_vector, windows_figure


def test_profiles_figure_draws_every_kink_and_marks_the_minimum(exp_engine, tmp_path) -> None:
    profs = [exp_engine.react("LiNbO3", "Li2O2", voltage=v) for v in (3.0, 4.0)]
    fig = profiles_figure(profs)
    ax = fig.axes[0]
    lines, stars = ax.lines[0:4:2], ax.lines[1:4:2]
    for p, line, star in zip(profs, lines, stars, strict=True):
        assert list(line.get_xdata()) == [k.x for k in p.kinks]
        assert list(line.get_ydata()) == [k.energy for k in p.kinks]
        assert star.get_ydata()[0] == pytest.approx(p.min_energy)
    assert "eV per non-Li atom" in ax.get_ylabel()
    a, b = save_vector(fig, tmp_path / "a.svg"), save_vector(fig, tmp_path / "b.svg")
    assert a.read_bytes() == b.read_bytes() and a.read_text().lstrip().startswith("<?xml")
    pdf = save_vector(fig, tmp_path / "p.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.read_bytes() == save_vector(fig, tmp_path / "q.pdf").read_bytes()
    with pytest.raises(ScreeningError, match="name the file .pdf or .svg"):
        save_vector(fig, tmp_path / "x.png")
    with pytest.raises(ScreeningError, match="cannot share one axis"):
        profiles_figure([profs[0], exp_engine.react("LiNbO3", "Li2O")])


def test_windows_figure_bars_are_the_windows(exp_engine) -> None:
    ws = [exp_engine.window(f) for f in ("LiNbO3", "Li3PO4", "LiF")]
    fig = windows_figure(ws, potentials=(3.0, 4.3))
    bars = [b for c in fig.axes[0].containers for b in c]
    got = {(round(b.get_x(), 6), round(b.get_x() + b.get_width(), 6)) for b in bars}
    want = {(round(w.reduction_limit or 0.0, 6), round(w.oxidation_limit or 6.0, 6)) for w in ws}
    assert got == want
    assert (ws[0].reduction_limit, ws[0].oxidation_limit) == pytest.approx((0.888, 4.306), abs=1e-3)
