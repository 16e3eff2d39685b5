"""A small dense simplex for hull LPs: one solve, then a parametric walk along a line.

The hull LP (docs/science.md, "Hull, decomposition and e_above_hull"; docs/lp.md)

    E_hull(c) = min_n  E . n   subject to  A n = c,  n >= 0,

has only m = (number of elements) rows and columns that each sum to one (compositions normalised to one
atom), so an optimal basis is an m x m matrix of phase compositions. Two operations are needed:

* :meth:`DenseSimplex.solve`: a primal simplex (Dantzig's rule) started from the element references,
  whose basis (the identity) is feasible for every composition. Each pivot costs a few m x m solves
  and one (m x k) product for the reduced costs.
* :meth:`DenseSimplex.walk`: the parametric right-hand side b(t) = t c_A + (1 - t) c_B along the mixing
  line of an interface (Richards et al., Chem. Mater. 28, 266 (2016), eq. 2; the same line gives the
  stability window of Zhu, He & Mo, ACS AMI 7, 23685 (2015)). With an optimal basis B the basic
  amounts B^-1 b(t) = u + t v are linear in t, so the ratio test gives exactly where the basis stops
  being feasible; one dual-simplex pivot on the leaving row (the dual ratio test keeps every reduced
  cost >= 0) gives the basis of the next piece (Gass & Saaty's parametric programming; Chvatal,
  Linear Programming, ch. 10). The hull energy along the line is E_B . (u + t v): linear on each piece,
  with slope mu . (c_A - c_B). The number of pivots is about the number of kinks, instead of two to
  three LP solves per kink for a search by evaluation.

Degenerate steps (several basic amounts reaching zero at one t) are ordinary zero-length pivots;
dual-degenerate pivots (coplanar points: a tie in the dual ratio test) change the basis but not the
slope, so callers merge pieces of equal slope. Both rules are deterministic (ties go to the lowest
column index; columns are ordered by label, the table row), so results do not depend on solve history. When
the pivoting fails to finish (iteration cap, a singular basis) :class:`SimplexFailure` is raised and
the caller falls back to HiGHS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: A column enters when its reduced cost is below -DUAL_TOL [eV per normalisation atom] (HiGHS' default
#: dual feasibility tolerance is 1e-7; the engine asks HiGHS for 1e-10, and so does this).
DUAL_TOL = 1e-10
#: Pivot elements smaller than this (in absolute value) are treated as zero.
PIVOT_TOL = 1e-11
#: A basic amount's rate of change along t below -RATE_TOL makes it a candidate to leave.
RATE_TOL = 1e-12
#: A basis change closer than this to t = 1 is the end point itself (a basic amount that vanishes at
#: t = 1 because c_A sits on a face of the simplex, seen through round-off).
END_TOL = 1e-9


class SimplexFailure(RuntimeError):
    """The dense simplex gave up (cycling guard or a numerically singular basis); use HiGHS instead."""


@dataclass(slots=True)
class Piece:
    """One basis of the parametric walk, optimal for t in [t0, t1].

    Attributes:
        t0: Start of the piece (parameter of the mixing line).
        t1: End of the piece.
        basis: (m,) column indices of the basic points.
        u: Basic amounts at t = 0 (extrapolated: may be negative outside [t0, t1]).
        v: Rate of change of the basic amounts with t.
        mu: Dual variables (chemical potentials of the facet) [eV].
        value0: Hull energy extrapolated to t = 0 [eV per normalisation atom].
        slope: d E_hull / dt on the piece [eV per normalisation atom].
    """

    t0: float
    t1: float
    basis: np.ndarray
    u: np.ndarray
    v: np.ndarray
    mu: np.ndarray
    value0: float
    slope: float

    def value(self, t: float) -> float:
        """Hull energy at t [eV per normalisation atom]."""
        return self.value0 + self.slope * t

    def amounts(self, t: float) -> np.ndarray:
        """Basic amounts at t, with round-off below zero clipped."""
        return np.maximum(self.u + t * self.v, 0.0)


class DenseSimplex:
    """Dense simplex on the hull LP min E.n s.t. A n = c, n >= 0.

    Args:
        a: (m, k) column compositions, each column summing to one.
        energies: (k,) energies per normalisation atom [eV].
        refs: (m,) column index of the reference point of each coordinate (a unit column).

    With m <= ~10 rows every operation is a few dozen flops, so the cost is numpy's per-call overhead: products
    are written ``x.dot(y)``, the same BLAS call as ``x @ y`` (the same floats) at about half the overhead.
    """

    def __init__(self, a: np.ndarray, energies: np.ndarray, refs: np.ndarray):
        self.a = np.ascontiguousarray(a, dtype=float)
        self.e = np.ascontiguousarray(energies, dtype=float)
        self.refs = np.asarray(refs, dtype=np.int64)
        self.m, self.k = self.a.shape
        self.max_pivots = 50 * self.m + 200
        self.n_pivots = 0
        self._last: np.ndarray | None = None  # basis optimal at self._last_c
        self._last_c: np.ndarray | None = None
        self._walks: dict[tuple[bytes, bytes], list[Piece]] = {}
        self._refs_inv: np.ndarray | None = None  # inverse of the references' basis (the identity, up to round-off)

    # ------------------------------------------------------------------ building blocks
    def _factor(self, basis: np.ndarray) -> np.ndarray:
        b = self.a[:, basis]
        try:
            inv = np.linalg.inv(b)
        except np.linalg.LinAlgError as exc:
            raise SimplexFailure("singular basis") from exc
        if not np.isfinite(inv).all():
            raise SimplexFailure("singular basis")
        return inv

    # ------------------------------------------------------------------ one composition
    def solve(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Optimal basis at composition ``c``.

        From the previous optimum: if it is still feasible at ``c`` it is only checked (primal
        simplex); otherwise the walk from the previous composition to ``c`` gives the optimum at
        ``c`` (its basis stays dual feasible, so only the facets crossed on the way cost a pivot), and
        the walk is kept, so the profile along the same line costs nothing more. Without a previous
        optimum: primal simplex from the element references with Dantzig's rule (the most negative
        reduced cost enters; on the interfaces of a discovery screen it takes as many pivots as the
        greatest-improvement rule, at half the work per pivot), the basis inverse updated in product
        form between pivots.

        Returns:
            (basis, basic amounts, duals mu).

        Raises:
            SimplexFailure: when the pivoting does not finish.
        """
        basis, x, mu, _ = self._solve(np.asarray(c, dtype=float))
        return basis, x, mu

    def _solve(self, c: np.ndarray):
        """:meth:`solve`, also returning the inverse of the optimal basis (None when it came from a walk)."""
        basis = inv = None
        if self._last is not None:
            inv = self._factor(self._last)
            x = inv.dot(c)
            if x.min() >= -1e-12:
                basis = self._last.copy()
            else:
                try:
                    pieces = self._walk_from(self._last, self._last_c, c)
                except SimplexFailure:
                    pass
                else:
                    self._keep_walk(c, self._last_c, pieces)
                    end = pieces[-1]
                    self._last, self._last_c = end.basis.copy(), c
                    return end.basis.copy(), end.amounts(1.0), end.mu, None
        if basis is None:
            if self._refs_inv is None:  # unit columns (up to round-off): a diagonal matrix, as a rule
                b = self.a[:, self.refs]
                if np.count_nonzero(b) == self.m:
                    self._refs_inv = np.zeros((self.m, self.m))
                    self._refs_inv.flat[:: self.m + 1] = 1.0 / b.diagonal()
                else:
                    self._refs_inv = self._factor(self.refs)
            basis, inv = self.refs.copy(), self._refs_inv.copy()
            x = inv.dot(c)
        a, e = self.a, self.e
        eb = e[basis]
        for it in range(self.max_pivots):
            mu = eb.dot(inv)
            # basic columns have d = 0 up to round-off (~1e-16, far inside DUAL_TOL): they never enter
            d = e - mu.dot(a)
            j = int(d.argmin())  # Dantzig's rule; ties to the lowest column
            if not d[j] < -DUAL_TOL:  # every reduced cost >= 0: optimal
                self._last, self._last_c = basis.copy(), c
                return basis, np.maximum(x, 0.0), mu, inv
            w = inv.dot(a[:, j])
            r = _ratio_test(x.tolist(), w.tolist())
            if r < 0:
                raise SimplexFailure("unbounded direction")  # impossible with columns summing to one
            basis[r] = j
            eb[r] = e[j]
            self.n_pivots += 1
            if (it + 1) % 16 == 0:
                inv = self._factor(basis)
            else:  # product-form update of the inverse
                row = inv[r] / w[r]
                inv -= w[:, None] * row
                inv[r] = row
            x = inv.dot(c)
        raise SimplexFailure("pivot limit reached")

    # ------------------------------------------------------------------ along a line
    def walk(self, c_a: np.ndarray, c_b: np.ndarray) -> list[Piece]:
        """Optimal bases along b(t) = t c_a + (1 - t) c_b for t in [0, 1].

        Returns:
            Pieces in order of t, covering [0, 1] (zero-length degenerate pivots omitted). Neighbouring
            pieces may have the same slope (dual-degenerate pivots); the caller merges them.

        Raises:
            SimplexFailure: when the pivoting does not finish.
        """
        c_a = np.asarray(c_a, dtype=float)
        c_b = np.asarray(c_b, dtype=float)
        ka, kb = c_a.tobytes(), c_b.tobytes()
        if (ka, kb) in self._walks:
            return self._walks[ka, kb]
        if (kb, ka) in self._walks:  # the same line walked the other way (e.g. by a point solve)
            return [_reversed(p) for p in reversed(self._walks[kb, ka])]
        basis, _, _, inv = self._solve(c_b)
        pieces = self._walk_from(basis, c_b, c_a, inv)
        self._keep_walk(c_a, c_b, pieces)
        self._last, self._last_c = pieces[-1].basis.copy(), c_a
        return pieces

    def _keep_walk(self, c_a: np.ndarray, c_b: np.ndarray, pieces: list[Piece]) -> None:
        if len(self._walks) >= 4:
            self._walks.pop(next(iter(self._walks)))
        self._walks[c_a.tobytes(), c_b.tobytes()] = pieces

    def _walk_from(
        self, basis: np.ndarray, c_b: np.ndarray, c_a: np.ndarray, inv: np.ndarray | None = None
    ) -> list[Piece]:
        """Pieces along t c_a + (1 - t) c_b from ``basis``, optimal at c_b (t = 0); ``inv``: its inverse."""
        rhs = np.column_stack((c_b, c_a - c_b))  # basic amounts u + t v = inv @ rhs @ (1, t)
        basis = basis.copy()
        inv = self._factor(basis) if inv is None else inv.copy()
        a, e = self.a, self.e
        pieces: list[Piece] = []
        t = 0.0
        eb = e[basis]
        no_entry = np.full(self.k, -np.inf)
        for it in range(self.max_pivots):
            uv = inv.dot(rhs)
            u, v = uv[:, 0], uv[:, 1]
            mu = eb.dot(inv)
            value0, slope = eb.dot(uv).tolist()
            ul, vl = uv.T.tolist()
            t_next, r = _leaving(ul, vl, t)
            if t_next > t or r < 0:
                pieces.append(Piece(t, t_next, basis.copy(), u, v, mu, value0, slope))
            if r < 0:
                return pieces
            # dual ratio test on row r: keep every reduced cost >= 0. Of the columns with alpha < 0, the one
            # minimising max(d, 0) / -alpha, i.e. maximising max(d, 0) / alpha (the same quotients, negated)
            alpha = inv[r].dot(a)  # basic columns: 1 (row r) or 0 up to round-off, never below -PIVOT_TOL
            d = e - mu.dot(a)
            ratios = np.divide(np.maximum(d, 0.0), alpha, out=no_entry.copy(), where=alpha < -PIVOT_TOL)
            j = int(ratios.argmax())
            if ratios[j] == -np.inf:
                raise SimplexFailure("no entering column")  # infeasible beyond t: impossible inside the simplex
            basis[r] = j
            eb[r] = e[j]
            self.n_pivots += 1
            if (it + 1) % 8 == 0:
                inv = self._factor(basis)
            else:  # product-form update of the inverse (alpha[j] is the pivot element)
                w = inv.dot(a[:, j])
                row = inv[r] / w[r]
                inv -= w[:, None] * row
                inv[r] = row
            t = t_next
        raise SimplexFailure("pivot limit reached")


def _ratio_test(x: list[float], w: list[float]) -> int:
    """Primal ratio test: the row minimising max(x_i, 0) / w_i over w_i > PIVOT_TOL, ties to the lowest row;
    -1 when no w_i is positive. In plain Python: with m <= ~10 rows a loop costs less than the numpy calls."""
    r, best = -1, math.inf
    for i, (xi, wi) in enumerate(zip(x, w, strict=True)):
        if wi > PIVOT_TOL:
            q = (xi if xi >= 0.0 else 0.0) / wi  # np.maximum(x, 0): -0.0 stays -0.0
            if q < best or r < 0:
                r, best = i, q
    return r


def _leaving(u: list[float], v: list[float], t: float) -> tuple[float, int]:
    """(t, row) where the first basic amount u_i + t v_i reaches zero beyond ``t`` (v_i < -RATE_TOL), ties to
    the lowest row; (1.0, -1) when none does before the end of the line."""
    r, best = -1, math.inf
    for i, (ui, vi) in enumerate(zip(u, v, strict=True)):
        if vi < -RATE_TOL:
            q = -ui / vi
            if q < t:  # np.maximum(q, t)
                q = t
            if q < best or r < 0:
                r, best = i, q
    if r >= 0 and best < 1.0 - END_TOL:
        return best, r
    return 1.0, -1


def _reversed(p: Piece) -> Piece:
    """The piece seen from the other end of its line (s = 1 - t)."""
    return Piece(
        t0=1.0 - p.t1,
        t1=1.0 - p.t0,
        basis=p.basis,
        u=p.u + p.v,
        v=-p.v,
        mu=p.mu,
        value0=p.value0 + p.slope,
        slope=-p.slope,
    )
