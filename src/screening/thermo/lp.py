"""The lower convex hull as a linear program, solved with HiGHS.

For points (compositions c_i, energies E_i) the hull energy at composition c is

    E_hull(c) = min_n  sum_i n_i E_i   subject to  sum_i n_i c_i = c,  n >= 0,

and the optimal dual variables mu are the element chemical potentials of the hull facet that
contains c (docs/science.md, "Hull, decomposition and e_above_hull"). One HiGHS instance is kept per point set;
only the right-hand side changes between solves, so each solve is warm-started from the previous basis.

Solves go first to a small dense simplex (:mod:`.simplex`): with m = (number of elements) rows, a
primal simplex from the element references and a parametric walk along a mixing line cost a few
(m x k) products per pivot, far less than setting up and calling an LP solver per point. HiGHS
(Huangfu & Hall, Math. Prog. Comp. 10, 119 (2018), through ``highspy``) is the fallback when the dense
pivoting gives up (cycling guard, singular basis); it is exact to its tolerances and needs no
whole-space triangulation either, which is what makes 8-10 element interfaces tractable.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from screening.errors import ScreeningError
from screening.thermo.simplex import DenseSimplex, Piece, SimplexFailure

#: Primal/dual feasibility tolerance given to HiGHS (energies are O(1) eV/atom).
LP_TOLERANCE = 1e-10
#: Amounts below this are not reported as phases.
AMOUNT_TOL = 1e-8

_banner_lock = threading.Lock()
_banner_done = False


def _new_highs():
    """A silent HiGHS instance (the first construction prints a banner to fd 1; swallow it once)."""
    global _banner_done
    import highspy

    with _banner_lock:
        if not _banner_done:
            fd = os.dup(1)
            try:
                with open(os.devnull, "w") as devnull:
                    os.dup2(devnull.fileno(), 1)
                    h = highspy.Highs()
            finally:
                os.dup2(fd, 1)
                os.close(fd)
            _banner_done = True
        else:
            h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", LP_TOLERANCE)
    h.setOptionValue("dual_feasibility_tolerance", LP_TOLERANCE)
    h.setOptionValue("presolve", "off")  # warm starts need the original model
    h.setOptionValue("threads", 1)
    return h


@dataclass(slots=True)
class Solution:
    """One hull evaluation.

    Attributes:
        value: Hull energy at the composition [eV per normalisation atom].
        mu: Chemical potentials of the facet (dual variables) [eV], one per coordinate.
        amounts: Sparse solution: indices into the point set and their amounts (sum to 1 for a
            normalised composition).
    """

    value: float
    mu: np.ndarray
    index: np.ndarray
    amount: np.ndarray


def support(columns: list[int], amounts: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """(columns, amounts) of the basic points with an amount above AMOUNT_TOL, in order of column.

    Plain Python over the m basic points (m <= ~10): cheaper than the numpy calls it replaces, the same floats.
    """
    kept = sorted((col, x) for col, x in zip(columns, amounts, strict=True) if x > AMOUNT_TOL)
    return np.array([col for col, _ in kept], dtype=np.int64), np.array([x for _, x in kept], dtype=float)


class HullLP:
    """Lower convex hull of a point set, queried by linear programming.

    Args:
        coords: (k, d) compositions, rows normalised to one atom of the chosen normalisation.
        energies: (k,) energies per normalisation atom [eV].
        labels: (k,) integer labels of the points (e.g. rows of an :class:`EntryTable`).

    Points above zero energy can never be on a hull whose vertices include the zero-energy element
    references, and of several points at one composition only the lowest matters, so both are pruned
    before the LP is built (``pruned=True``: the caller already did, e.g. with the hull candidates of
    :mod:`.subsets`). The LP's columns are the kept points in order of label, so that ties in the simplex
    (to the lowest column) do not depend on how the points were selected.
    """

    def __init__(self, coords: np.ndarray, energies: np.ndarray, labels: np.ndarray, pruned: bool = False):
        coords = np.asarray(coords, dtype=float)
        energies = np.asarray(energies, dtype=float)
        labels = np.asarray(labels)
        if not pruned:
            keep = energies <= 1e-9
            coords, energies, labels = coords[keep], energies[keep], labels[keep]
            # lowest point per composition (polymorphs); deterministic tie-break by label
            key = np.round(coords, 9)
            order = np.lexsort((labels, energies, *key.T[::-1]))
            key = key[order]
            first = np.ones(len(key), dtype=bool)
            first[1:] = np.any(key[1:] != key[:-1], axis=1)
            kept = order[first]
            order = kept[np.argsort(labels[kept], kind="stable")]
            coords, energies, labels = coords[order], energies[order], labels[order]
        elif len(labels) > 1 and not np.greater(labels[1:], labels[:-1]).all():
            order = np.argsort(labels, kind="stable")
            coords, energies, labels = coords[order], energies[order], labels[order]
        self.coords = coords
        self.energies = energies
        self.labels = labels
        self.dim = coords.shape[1]
        if len(coords) == 0 or np.maximum.reduce(coords, axis=0).min() <= 1 - 1e-12:
            raise ScreeningError(
                "the hull has no reference point for one of its coordinates; every element needs an entry at 0 eV/atom"
            )
        self.n_solves = 0  # point solves (dense or HiGHS) and walks
        self.n_highs = 0  # of which HiGHS
        self._h = None
        self._dense: DenseSimplex | None = None

    @property
    def dense(self) -> DenseSimplex:
        """The dense simplex on these points (built on first use)."""
        if self._dense is None:
            refs = self.coords.argmax(axis=0)  # the unit column of each coordinate (checked above)
            self._dense = DenseSimplex(self.coords.T, self.energies, refs)
        return self._dense

    @property
    def n_pivots(self) -> int:
        """Pivots of the dense simplex so far (point solves and walks)."""
        return 0 if self._dense is None else self._dense.n_pivots

    def walk(self, c_a: np.ndarray, c_b: np.ndarray) -> list[Piece]:
        """Optimal bases along t c_a + (1 - t) c_b, t in [0, 1] (see :meth:`DenseSimplex.walk`).

        Raises:
            SimplexFailure: when the dense pivoting gives up (the caller then searches with :meth:`solve`).
        """
        self.n_solves += 1
        return self.dense.walk(c_a, c_b)

    def _model(self):
        if self._h is None:
            import highspy

            h = _new_highs()
            lp = highspy.HighsLp()
            k = len(self.energies)
            lp.num_col_ = k
            lp.num_row_ = self.dim
            lp.col_cost_ = self.energies
            lp.col_lower_ = np.zeros(k)
            lp.col_upper_ = np.full(k, highspy.kHighsInf)
            start = np.full(self.dim, 1.0 / self.dim)
            lp.row_lower_ = start
            lp.row_upper_ = start
            m = sp.csc_matrix(self.coords.T)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = m.indptr.astype(np.int32)
            lp.a_matrix_.index_ = m.indices.astype(np.int32)
            lp.a_matrix_.value_ = m.data
            h.passModel(lp)
            self._h = h
            self._rows = np.arange(self.dim, dtype=np.int32)
        return self._h

    def solve(self, composition: np.ndarray) -> Solution:
        """Hull energy, chemical potentials and decomposition at ``composition`` (normalised to 1).

        Raises:
            ScreeningError: if HiGHS does not report an optimum (a composition outside the space).
        """
        c = np.asarray(composition, dtype=float)
        if not (np.isfinite(c).all() and c.min() >= -1e-12):
            return self.solve_highs(c)  # outside the space: HiGHS reports it
        try:
            basis, x, mu = self.dense.solve(c)
        except SimplexFailure:
            return self.solve_highs(c)
        self.n_solves += 1
        index, amount = support(basis.tolist(), x.tolist())
        return Solution(value=float(self.energies[basis].dot(x)), mu=mu, index=index, amount=amount)

    def solve_highs(self, composition: np.ndarray) -> Solution:
        """Same as :meth:`solve`, always with HiGHS (the fallback, and a cross-check in tests)."""
        import highspy

        c = np.asarray(composition, dtype=float)
        h = self._model()
        h.changeRowsBounds(self.dim, self._rows, c, c)
        h.run()
        self.n_solves += 1
        self.n_highs += 1
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            # retry cold: a warm basis can stall on degenerate facets
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise ScreeningError(
                    f"hull linear program did not solve ({h.modelStatusToString(status)}) for composition {c}; "
                    "check that every element of the composition has data"
                )
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        mu = np.asarray(sol.row_dual)
        nz = (x > AMOUNT_TOL).nonzero()[0]
        value = float(h.getInfo().objective_function_value)
        return Solution(value=value, mu=mu, index=nz, amount=x[nz])

    def __getstate__(self):  # HiGHS objects are not picklable; rebuild lazily
        state = self.__dict__.copy()
        state["_h"] = None
        state["_dense"] = None
        return state
