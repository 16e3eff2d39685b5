"""Interactive (plotly) figures of one reaction profile or one stability window, for notebooks.

:meth:`screening.thermo.ReactionProfile.plot` and :meth:`screening.thermo.StabilityWindow.plot` return
these; they live with the result types (``screening.report.figures`` re-exports them) so the engine never
imports the report. The conventions are those of the engine (docs/science.md): x is the atomic fraction of reactant A;
energies are per atom closed and per non-Li atom open to Li (Richards et al., Chem. Mater. 28, 266
(2016), eq. 2-4); potentials in V vs Li/Li+ with Li metal of the same data at 0 V; a window's limits
follow Zhu, He & Mo, ACS AMI 7, 23685 (2015).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

    from screening.thermo.results import ReactionProfile, StabilityWindow

#: Right end of the potential axis [V] (an unbounded oxidation limit is drawn to here).
V_MAX = 6.0


def _go():
    import plotly.graph_objects as go

    return go


def _products(phases) -> str:
    return ", ".join(f"{p.amount:.4g} {p.formula}" for p in phases) or "-"


def profile_figure(profile: ReactionProfile, mutual: bool | None = None) -> go.Figure:
    """Reaction energy vs mixing ratio of one interface, minimum marked, reaction on hover.

    Args:
        profile: A profile from :meth:`screening.thermo.Engine.react`.
        mutual: Which energy to draw when open to Li: True the mutual one, False the total one, None
            (default) both (total solid, mutual dashed). Closed, both are the same curve.

    Returns:
        A plotly ``Figure``: x = atomic fraction of ``profile.a`` in [0, 1]; y = reaction energy
        [eV/atom closed, eV per non-Li atom open to Li].
    """
    go = _go()
    ks = profile.kinks
    x = [k.x for k in ks]
    where = "closed" if profile.voltage is None else f"open to Li at {profile.voltage:g} V vs Li/Li+"
    units = profile.units
    hover = [
        f"{k.reaction}<br>products: {_products(k.products)}<br>x = {k.x:.4f}, x_molar = {k.x_molar:.4f}"
        f"<br>dE total = {k.energy:.4f}, mutual = {k.energy_mutual:.4f} {units}"
        for k in ks
    ]
    curves = [("total", "energy", "solid")]
    if profile.open_to_li and mutual is not False:
        curves = ([] if mutual else curves) + [("mutual", "energy_mutual", "dash")]
    fig = go.Figure()
    for label, attr, dash in curves:
        y = [getattr(k, attr) for k in ks]
        i = min(range(len(ks)), key=lambda j: (y[j], ks[j].x))
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines+markers", name=f"{label} reaction energy", line={"dash": dash},
                hovertext=hover, hoverinfo="text",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[ks[i].x], y=[y[i]], mode="markers", name=f"{label} minimum {y[i]:.4f}",
                marker={"symbol": "star", "size": 14, "line": {"width": 1, "color": "black"}},
                hovertext=[f"minimum ({label}) {y[i]:.4f} {units}<br>{ks[i].reaction}"], hoverinfo="text",
            )
        )
    fig.update_layout(
        title=f"{profile.a} | {profile.b}, {where} (reactants {profile.reference}-referenced)",
        xaxis={"title": {"text": f"x, atomic fraction of {profile.a}"}, "range": [0, 1]},
        yaxis={"title": {"text": f"reaction energy [{units}]"}},
        hovermode="closest",
        template="simple_white",
    )
    return fig


def window_figure(window: StabilityWindow) -> go.Figure:
    """Li uptake profile of a composition (potential vs Li per formula unit) with its window shaded.

    Args:
        window: A window from :meth:`screening.thermo.Engine.window`.

    Returns:
        A plotly ``Figure``: x = Li per formula unit of the input composition, y = potential [V vs Li/Li+];
        the band between the reduction and oxidation limits is the stability window.
    """
    go = _go()
    xs, ys, text = [], [], []
    finite_end = max((p.li_end for p in window.profile if math.isfinite(p.li_end)), default=1.0)
    for p in window.profile:
        end = p.li_end if math.isfinite(p.li_end) else finite_end + max(1.0, 0.2 * finite_end)
        xs += [p.li_start, end, None]
        ys += [p.voltage, p.voltage, None]
        label = f"{p.voltage:.3f} V: {', '.join(p.phases)} (Li {p.li_start:.3g} to {p.li_end:.3g})"
        text += [label, label, None]
    lo = window.reduction_limit if window.reduction_limit is not None else 0.0
    hi = window.oxidation_limit if window.oxidation_limit is not None else V_MAX
    fig = go.Figure()
    fig.add_hrect(y0=lo, y1=max(hi, lo + 0.01), fillcolor="rgba(44,160,44,0.2)", line_width=0)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="Li uptake plateaus", hovertext=text, hoverinfo="text"))
    red = "none" if window.reduction_limit is None else f"{window.reduction_limit:.3f} V"
    ox = "none" if window.oxidation_limit is None else f"{window.oxidation_limit:.3f} V"
    flag = " (virtual: no data entry, placed on the hull)" if window.virtual else ""
    fig.update_layout(
        title=f"{window.formula}{flag}: window {red} to {ox} vs Li/Li+",
        xaxis={"title": {"text": f"Li per formula unit of {window.formula}"}},
        yaxis={"title": {"text": "potential [V vs Li/Li+]"}, "range": [0, V_MAX]},
        template="simple_white",
    )
    return fig


__all__ = ["profile_figure", "window_figure"]
