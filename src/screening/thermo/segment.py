"""Exact breakpoints of the hull energy along a straight line in composition space.

Along c(t) = t c_A + (1 - t) c_B the hull energy f(t) = E_hull(c(t)) is convex and piecewise linear
(Richards et al., Chem. Mater. 28, 266 (2016), eq. 2). Every LP solve at t gives f(t) and a supporting
line l_t(s) = mu . c(s) <= f(s) (LP duality). The sandwich (Eisner-Severance) algorithm intersects the
supporting lines of two evaluated points; if f equals the supporting lines at the intersection, f is
linear on both sides of it and the intersection is a breakpoint, otherwise the new point splits the
interval. It finds every breakpoint exactly with about two LP solves per breakpoint, and never needs
the facets of the whole phase diagram.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from screening.thermo.lp import HullLP, Solution

#: Tolerance on energies [eV per normalisation atom] when deciding that f meets its support.
ENERGY_TOL = 1e-8
#: Two parameters closer than this are the same point.
T_TOL = 1e-9
#: A change of slope below this [eV per unit t] is not a breakpoint.
SLOPE_TOL = 1e-6


@dataclass(frozen=True)
class Point:
    """f evaluated at parameter t, with the slope of its supporting line and the LP solution."""

    t: float
    value: float
    slope: float
    solution: Solution


def _evaluate(lp: HullLP, c_a: np.ndarray, c_b: np.ndarray, t: float) -> Point:
    sol = lp.solve(t * c_a + (1.0 - t) * c_b)
    return Point(t=t, value=sol.value, slope=float(sol.mu @ (c_a - c_b)), solution=sol)


def hull_breakpoints(lp: HullLP, c_a: np.ndarray, c_b: np.ndarray, extra: tuple[float, ...] = ()) -> list[Point]:
    """All breakpoints of f(t) = E_hull(t c_a + (1-t) c_b) on [0, 1], endpoints included.

    Args:
        lp: Hull of the space that contains both compositions.
        c_a: Composition at t = 1 (normalised).
        c_b: Composition at t = 0 (normalised).
        extra: Further parameters to evaluate and keep (e.g. a compound on the segment).

    Returns:
        Points sorted by t: the endpoints, every t where the slope of f changes, and ``extra``.
    """
    ts = sorted({0.0, 1.0, *(float(t) for t in extra)})
    points = [_evaluate(lp, c_a, c_b, t) for t in ts]
    found: dict[float, Point] = {p.t: p for p in points}
    stack = list(zip(points[:-1], points[1:], strict=True))
    while stack:
        a, b = stack.pop()
        if b.t - a.t <= T_TOL or b.slope - a.slope <= SLOPE_TOL:
            continue  # f is linear on [a, b] (convexity)
        t_star = (b.value - a.value + a.slope * a.t - b.slope * b.t) / (a.slope - b.slope)
        t_star = min(max(t_star, a.t), b.t)
        if t_star - a.t <= T_TOL or b.t - t_star <= T_TOL:
            continue  # a support passes through the other end: linear
        support = a.value + a.slope * (t_star - a.t)
        p = _evaluate(lp, c_a, c_b, t_star)
        found[p.t] = p
        if p.value <= support + ENERGY_TOL:
            continue  # f touches both supports: linear on [a, p] and [p, b]
        stack.append((a, p))
        stack.append((p, b))
    pts = sorted(found.values(), key=lambda p: p.t)
    return _drop_collinear(pts, keep={float(t) for t in extra})


def _drop_collinear(points: list[Point], keep: set[float]) -> list[Point]:
    """Keep endpoints, requested points and points where the chord slope changes."""
    if len(points) <= 2:
        return points
    t = np.array([p.t for p in points])
    v = np.array([p.value for p in points])
    slopes = np.diff(v) / np.diff(t)
    out = [points[0]]
    for i in range(1, len(points) - 1):
        if slopes[i] - slopes[i - 1] > SLOPE_TOL or points[i].t in keep:
            out.append(points[i])
    out.append(points[-1])
    return out
