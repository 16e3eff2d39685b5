"""Layout of the report's static figures (issue 26): text inside the canvas, legends, one kind per axes.

Each figure is built from the small screen of ``tests/conftest.py`` (``small_screen``), drawn once with
``fig.canvas.draw()``, and checked: every text artist (titles, labels, tick labels in view, notes, legend
entries) lies inside the figure canvas; a legend explains the symbols and colours; legends do not cover a
curve's points; no axes mixes open (eV per non-Li atom) and closed (eV/atom) interfaces.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from screening.plots import figures  # noqa: E402


def _texts(fig) -> list[Text]:
    """Every visible, non-empty text artist the figure draws (tick labels only for ticks in view)."""
    out = [t for t in fig.texts]
    for leg in fig.legends:
        out += [*leg.get_texts(), leg.get_title()]
    for ax in fig.axes:
        out += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend() is not None:
            out += [*ax.get_legend().get_texts(), ax.get_legend().get_title()]
        for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            lo, hi = min(lo, hi), max(lo, hi)
            eps = 1e-9 * max(1.0, abs(hi - lo))
            for tick in axis.get_major_ticks():
                if lo - eps <= tick.get_loc() <= hi + eps:
                    out += [tick.label1, tick.label2]
    if fig._suptitle is not None:
        out.append(fig._suptitle)
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def assert_texts_inside(fig) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    outside = []
    for t in _texts(fig):
        bb = t.get_window_extent(renderer)
        if bb.x0 < canvas.x0 - 0.5 or bb.y0 < canvas.y0 - 0.5 or bb.x1 > canvas.x1 + 0.5 or bb.y1 > canvas.y1 + 0.5:
            outside.append((t.get_text(), [round(v) for v in bb.extents], [round(v) for v in canvas.extents]))
    assert not outside, f"text outside the canvas: {outside}"


def _legends(fig) -> list:
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]


def assert_legends_clear_of_curves(fig) -> None:
    """No legend covers a point of a drawn curve (``ax.lines[1:]``; ``lines[0]`` is the zero line)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        for leg in _legends(fig):
            bb = leg.get_window_extent(renderer)
            for line in ax.lines[1:]:
                pts = ax.transData.transform(line.get_xydata())
                inside = [(x, y) for x, y in pts if bb.x0 <= x <= bb.x1 and bb.y0 <= y <= bb.y1]
                assert not inside, f"legend covers {line.get_label()!r} at {inside}"


@pytest.fixture(scope="module")
def tables(small_screen) -> dict:
    root = small_screen.root / "tables"
    return {name: root / f"{name}.parquet" for name in ("windows", "interfaces", "reactions", "rankings")}


# ------------------------------------------------------------------------------------------------ windows
def test_windows_figure_texts_inside_and_electrodes_in_a_legend(tables) -> None:
    from conftest import SMALL_SCREEN

    df = pd.read_parquet(tables["windows"])
    fig = figures.windows_figure(df, SMALL_SCREEN)
    try:
        assert_texts_inside(fig)
        labels = [t.get_text() for leg in _legends(fig) for t in leg.get_texts()]
        assert any(lab.startswith("anode Li") for lab in labels), labels
        assert any(lab.startswith("cathode TiS2") for lab in labels), labels
        # the electrode names are legible: no rotated text, nothing under 7 pt
        for t in _texts(fig):
            assert t.get_rotation() == 0 or t in fig.axes[-1].get_xticklabels(), t.get_text()
            assert t.get_fontsize() >= 7, (t.get_text(), t.get_fontsize())
    finally:
        plt.close(fig)


def test_plot_windows_writes_the_png(tables, tmp_path) -> None:
    from conftest import SMALL_SCREEN

    out = tmp_path / "windows.png"
    figures.plot_windows(tables["windows"], SMALL_SCREEN, out, tables["rankings"], 3)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------------------------ profiles
def _profile_figures(tables, criteria: str | None = None) -> list:
    top = figures.top_rows(tables["rankings"], 3)
    if criteria is not None:
        top = top.assign(criteria=criteria)
    ids = figures._ids(top, [c for c in figures.PROFILE_COLUMNS if c.startswith(("interface_", "baseline_interface"))])
    itf = pd.read_parquet(tables["interfaces"], columns=["interface", "voltage"]).set_index("interface")
    kinks = pd.read_parquet(tables["reactions"], columns=["interface", "x", "energy", "energy_mutual"])
    kinks = kinks[kinks["interface"].isin(ids)]
    by_id = {int(k): g.sort_values("x") for k, g in kinks.groupby("interface", sort=False)}
    return [figures.profile_figure(top[top["stack_id"] == sid], by_id, itf) for sid in top["stack_id"].unique()]


@pytest.mark.parametrize("criteria", [None, "custom"])
def test_profile_figures_texts_inside_legends_clear_one_kind_per_axes(tables, criteria) -> None:
    figs = _profile_figures(tables, criteria)
    assert len(figs) == 4
    try:
        for fig in figs:
            assert_texts_inside(fig)
            assert_legends_clear_of_curves(fig)
            for ax in fig.axes:
                curves = ax.lines[1:]
                kinds = {line.get_gid() for line in curves}
                assert len(kinds) <= 1, (ax.get_title(), [line.get_label() for line in curves])
                # the labels say the kind, and the y label its unit
                for line in curves:
                    assert ("[closed]" in line.get_label()) == (line.get_gid() == "closed"), line.get_label()
                if kinds:
                    assert figures.KIND_UNITS[kinds.pop()] in ax.get_ylabel()
                    assert ax.get_legend() is not None
    finally:
        for fig in figs:
            plt.close(fig)


def test_profiles_of_the_published_presets_are_closed(tables) -> None:
    figs = _profile_figures(tables)
    try:
        gids = {line.get_gid() for fig in figs for ax in fig.axes for line in ax.lines[1:]}
        assert gids == {"closed"}
    finally:
        for fig in figs:
            plt.close(fig)


def test_profiles_under_custom_are_open_except_li_metal_electrode(tables) -> None:
    figs = _profile_figures(tables, "custom")
    try:
        for fig in figs:
            electrode_panel = fig.axes[0]
            gids = {line.get_gid() for line in electrode_panel.lines[1:]}
            if electrode_panel.get_title() == "coating | Li":  # Li metal has no open interface
                assert gids == {"closed"}
            else:
                assert gids == {"open"}, electrode_panel.get_title()
    finally:
        for fig in figs:
            plt.close(fig)


# ------------------------------------------------------------------------------------------------ heatmaps
def _heatmaps(tables, nothing_passes: bool = False) -> list:
    rk = pd.read_parquet(tables["rankings"], columns=figures.HEATMAP_COLUMNS)
    if nothing_passes:
        rk = rk.assign(stage=rk["stage"].replace({"passed": "fails", "marginal": "fails"}), passes=False)
    return [figures.heatmap_figure(rk[rk["electrode"] == e], e) for e in rk["electrode"].unique()]


@pytest.mark.parametrize("nothing_passes", [False, True])
def test_heatmaps_texts_inside_and_every_cell_mark_in_the_legend(tables, nothing_passes) -> None:
    figs = _heatmaps(tables, nothing_passes)
    assert figs
    try:
        for fig in figs:
            assert_texts_inside(fig)
            ax = fig.axes[0]
            legend = [t.get_text() for leg in _legends(fig) for t in leg.get_texts()]
            assert legend, "cell marks without a legend"
            marks = [t.get_text() for t in ax.texts]
            assert marks
            for mark in marks:
                stage = next(s for s, (fmt, _) in figures.HEATMAP_MARKS.items() if _matches(fmt, mark))
                assert figures.HEATMAP_MARKS[stage][1] in legend, (mark, legend)
            if nothing_passes:
                assert "none passes every gate" in ax.get_title()
                assert not any(mark.isdigit() for mark in marks)  # a bare number means: passes every gate
                assert "passing every filter" not in ax.get_title()
    finally:
        for fig in figs:
            plt.close(fig)


def _matches(fmt: str, mark: str) -> bool:
    if "{rank}" not in fmt:
        return mark == fmt
    suffix = fmt.replace("{rank}", "")
    return mark.endswith(suffix) and mark[: len(mark) - len(suffix)].isdigit()


def test_heatmap_marks_per_stage() -> None:
    assert figures.heatmap_mark("passed", 3) == "3"
    assert figures.heatmap_mark("marginal", 2.0) == "2~"
    assert figures.heatmap_mark("fails", 5) == "5×"
    assert figures.heatmap_mark("screened", float("nan")) == "s"
    assert figures.heatmap_mark(None, 1) == ""
    from screening.screen.funnel import STAGES

    assert set(figures.HEATMAP_MARKS) == set(STAGES)
