"""Exact breakpoints of the hull energy along a straight line in composition space.

Along c(t) = t c_A + (1 - t) c_B the hull energy f(t) = E_hull(c(t)) is convex and piecewise linear
(Richards et al., Chem. Mater. 28, 266 (2016), eq. 2).

The profile comes from a parametric walk of the dense simplex (:meth:`.simplex.DenseSimplex.walk`):
one optimal basis per linear piece, the next breakpoint from the ratio test, the next basis from one
dual-simplex pivot. Pieces of equal slope (dual-degenerate pivots between coplanar points) are merged;
each breakpoint is where the ratio test put it (exact even between nearly parallel pieces, where the
intersection of two lines is ill-conditioned), and its decomposition is the vertex's own phases (the
basic amounts there), independent of solve history.

If the dense pivoting gives up, the profile is found by evaluation instead (any LP solver):

1. Sandwich (Eisner-Severance) search: intersect the supporting lines of two evaluated points; if f
   meets them at the intersection, f is linear on both sides, otherwise the new point splits the
   interval. This finds every breakpoint with about two LP solves per breakpoint, and never needs the
   facets of the whole phase diagram.
2. Certification: every interval between neighbouring points is solved once more at its midpoint, where
   the dual (hence the slope of f) is unique; an interval whose ends are not on that supporting line is
   split again. Breakpoints are then decided from these dual slopes, which carry LP accuracy (1e-10),
   not from chord slopes, which amplify value noise on short intervals.
3. Each breakpoint is placed at the intersection of its two neighbouring segments' lines and solved there,
   so its decomposition is the vertex's own phases, independent of the solver's warm-start history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from screening.thermo.lp import HullLP, Solution, support
from screening.thermo.simplex import Piece, SimplexFailure

#: Tolerance on energies [eV per normalisation atom] when deciding that f meets a supporting line.
ENERGY_TOL = 1e-9
#: Two parameters closer than this are the same point.
T_TOL = 1e-9
#: Relative change of the dual slope below which two segments are one (absolute floor 1e-7 eV).
SLOPE_RTOL = 1e-7


@dataclass(slots=True)
class Point:
    """f evaluated at parameter t, with the slope of its supporting line and the LP solution."""

    t: float
    value: float
    slope: float
    solution: Solution


def _evaluate(lp: HullLP, c_a: np.ndarray, c_b: np.ndarray, t: float) -> Point:
    sol = lp.solve_highs(t * c_a + (1.0 - t) * c_b)
    return Point(t=t, value=sol.value, slope=float(sol.mu @ (c_a - c_b)), solution=sol)


def _support(p: Point, t: float) -> float:
    return p.value + p.slope * (t - p.t)


def _same_slope(s1: float, s2: float) -> bool:
    return abs(s1 - s2) <= SLOPE_RTOL * max(1.0, abs(s1), abs(s2))


def _sandwich(lp: HullLP, c_a: np.ndarray, c_b: np.ndarray, points: list[Point]) -> dict[float, Point]:
    found: dict[float, Point] = {p.t: p for p in points}
    stack = list(zip(points[:-1], points[1:], strict=True))
    while stack:
        a, b = stack.pop()
        if b.t - a.t <= T_TOL or b.slope - a.slope <= 0 or _same_slope(a.slope, b.slope):
            continue  # f is linear on [a, b] (convexity)
        t_star = (b.value - a.value + a.slope * a.t - b.slope * b.t) / (a.slope - b.slope)
        if t_star - a.t <= T_TOL or b.t - t_star <= T_TOL:
            continue  # a supporting line passes through the other end: linear
        p = _evaluate(lp, c_a, c_b, t_star)
        found[p.t] = p
        if p.value <= _support(a, t_star) + ENERGY_TOL:
            continue  # f touches both supports: linear on [a, p] and [p, b]
        stack.append((a, p))
        stack.append((p, b))
    return found


def hull_breakpoints(lp: HullLP, c_a: np.ndarray, c_b: np.ndarray, extra: tuple[float, ...] = ()) -> list[Point]:
    """All breakpoints of f(t) = E_hull(t c_a + (1-t) c_b) on [0, 1], endpoints included.

    Same as :func:`hull_profile` without the segment interiors.
    """
    return hull_profile(lp, c_a, c_b, extra, interiors=False)[0]


def hull_profile(
    lp: HullLP, c_a: np.ndarray, c_b: np.ndarray, extra: tuple[float, ...] = (), interiors: bool = True
) -> tuple[list[Point], list[Point]]:
    """Breakpoints of f(t) = E_hull(t c_a + (1-t) c_b) on [0, 1] and one interior point per segment.

    Args:
        lp: Hull of the space that contains both compositions.
        c_a: Composition at t = 1 (normalised).
        c_b: Composition at t = 0 (normalised).
        extra: Further parameters to evaluate and keep (e.g. a compound on the segment).
        interiors: Also return the interior points (False: an empty list, and no work for them).

    Returns:
        (breakpoints, interiors): breakpoints sorted by t (the endpoints, every t where the slope of f
        changes, and ``extra``); for each pair of neighbouring breakpoints, an interior point whose LP
        dual is the facet's (unique) chemical potentials.
    """
    try:
        pieces = lp.walk(c_a, c_b)
    except SimplexFailure:
        return _search_profile(lp, c_a, c_b, extra)
    return _walk_profile(pieces, c_a, c_b, extra, interiors)


def _piece_point(p: Piece, t: float) -> Point:
    """The point at ``t`` of a piece: its basic amounts u + t v, those above AMOUNT_TOL in order of column."""
    amounts = [ui + t * vi for ui, vi in zip(p.u.tolist(), p.v.tolist(), strict=True)]  # the floats numpy makes
    index, amount = support(p.basis.tolist(), amounts)
    value = p.value(t)
    return Point(t=t, value=value, slope=p.slope, solution=Solution(value, p.mu, index, amount))


def _walk_profile(
    pieces: list[Piece], c_a: np.ndarray, c_b: np.ndarray, extra: tuple[float, ...], interiors: bool = True
) -> tuple[list[Point], list[Point]]:
    """Breakpoints and (if asked) interiors from the pieces of a parametric walk (see :func:`hull_profile`)."""
    # pieces shorter than T_TOL are round-off between two degenerate pivots: the same point
    kept = [p for p in pieces if p.t1 - p.t0 > T_TOL] or [max(pieces, key=lambda p: p.t1 - p.t0)]
    groups: list[list[Piece]] = [[kept[0]]]
    for p in kept[1:]:
        if _same_slope(groups[-1][-1].slope, p.slope):
            groups[-1].append(p)
        else:
            groups.append([p])
    # (t, piece that evaluates the point) for every breakpoint
    marks: list[tuple[float, Piece]] = [(0.0, groups[0][0])]
    for left, right in zip(groups[:-1], groups[1:], strict=True):
        lp_, rp = left[-1], right[0]
        if lp_.t1 == rp.t0:
            t_star = lp_.t1  # the ratio test's breakpoint: exact even when the slopes nearly agree
        else:  # round-off pieces dropped in between: the two lines' intersection, within the gap
            t_star = (rp.value0 - lp_.value0) / (lp_.slope - rp.slope)
            t_star = min(max(t_star, lp_.t1), rp.t0)
        marks.append((t_star, lp_ if t_star <= lp_.t1 else rp))
    marks.append((1.0, groups[-1][-1]))

    def piece_at(t: float) -> Piece:
        return min(kept, key=lambda p: max(p.t0 - t, t - p.t1, 0.0))

    for te in sorted({float(t) for t in extra}) if extra else ():
        if not 0.0 <= te <= 1.0:
            continue
        j = min(range(len(marks)), key=lambda i: abs(marks[i][0] - te))
        if abs(marks[j][0] - te) <= T_TOL:
            marks[j] = (te, marks[j][1])  # a kink at the kept parameter: keep the exact value
        else:
            marks.append((te, piece_at(te)))
            marks.sort(key=lambda m: m[0])
    points = [_piece_point(p, t) for t, p in marks]
    if len(points) == 1 or not interiors:
        return points, []
    inner = []
    for a, b in zip(points[:-1], points[1:], strict=True):
        tm = 0.5 * (a.t + b.t)
        inner.append(_piece_point(piece_at(tm), tm))
    return points, inner


def _search_profile(
    lp: HullLP, c_a: np.ndarray, c_b: np.ndarray, extra: tuple[float, ...] = ()
) -> tuple[list[Point], list[Point]]:
    """:func:`hull_profile` by sandwich search and midpoint certification (HiGHS point solves)."""
    keep = {float(t) for t in extra}
    ts = sorted({0.0, 1.0, *keep})
    found = _sandwich(lp, c_a, c_b, [_evaluate(lp, c_a, c_b, t) for t in ts])

    # 2. certify each interval with a midpoint solve (unique dual inside a linear piece)
    pts = sorted(found.values(), key=lambda p: p.t)
    segments: list[Point] = []  # midpoint of pts[i], pts[i+1]
    i = 0
    while i < len(pts) - 1:
        a, b = pts[i], pts[i + 1]
        m = _evaluate(lp, c_a, c_b, 0.5 * (a.t + b.t))
        if b.t - a.t > 4 * T_TOL and (
            a.value > _support(m, a.t) + ENERGY_TOL or b.value > _support(m, b.t) + ENERGY_TOL
        ):
            more = _sandwich(lp, c_a, c_b, [a, m, b])
            pts = sorted({**{p.t: p for p in pts}, **more}.values(), key=lambda p: p.t)
            continue  # re-examine from the same left end
        segments.append(m)
        i += 1
    if not segments:  # c_a == c_b
        return pts, []

    # 3. breakpoints where the dual slope changes; place them at the lines' intersection
    out = [pts[0]]
    interiors = [segments[0]]
    for j in range(1, len(pts) - 1):
        left, right = segments[j - 1], segments[j]
        if _same_slope(left.slope, right.slope):
            if pts[j].t in keep:
                out.append(pts[j])
                interiors.append(right)
            continue
        interiors.append(right)
        t_star = (right.value - left.value + left.slope * left.t - right.slope * right.t) / (left.slope - right.slope)
        if pts[j].t in keep or not (pts[j - 1].t < t_star < pts[j + 1].t) or abs(t_star - pts[j].t) <= 1e-10:
            out.append(pts[j])
        else:
            out.append(_evaluate(lp, c_a, c_b, t_star))
    out.append(pts[-1])
    return out, interiors
