"""The pure parts of the ranking: Pareto ranks, partial and weighted scores, window margins.

* :func:`pareto_ranks`: non-dominated sorting (rank 1 = the Pareto front);
* :func:`objective_scores`, :func:`weighted_score`: each objective on [0, 1] with fixed scales and their
  weighted mean (Aykol et al., Nat. Commun. 7, 13779 (2016) style);
* :func:`window_margin`: how far a stability window reaches beyond an electrode's potentials [V].
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from screening.errors import InputError
from screening.plan.config import OBJECTIVES


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """True if ``a`` is at least as good as ``b`` in every objective and better in one (maximising)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(a >= b) and np.any(a > b))


def pareto_ranks(values: np.ndarray) -> np.ndarray:
    """Non-dominated sorting: rank 1 is the Pareto front, rank 2 the front once rank 1 is removed, ...

    Efficient non-dominated sort with binary search over the fronts (ENS-BS; Zhang, Tian, Cheng & Jin,
    IEEE Trans. Evol. Comput. 19, 201 (2015)): points are visited in decreasing lexicographic order, so a
    point can only be dominated by points already placed, and each is compared with the members of
    O(log F) fronts instead of with every other point (no n x n matrix).

    Args:
        values: (n, m) objective values, every objective to be maximised (negate those to minimise).
            Rows must be finite.

    Returns:
        (n,) integer ranks >= 1. Identical rows get the same rank.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2:
        raise InputError(f"pareto_ranks needs an (n, m) array, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise InputError("pareto_ranks needs finite objective values (leave out incomplete rows)")
    n = len(v)
    ranks = np.zeros(n, dtype=np.int64)
    if n == 0:
        return ranks
    order = np.lexsort(-v.T[::-1])  # decreasing in the first objective, then the second, ...
    bufs: list[np.ndarray] = []  # members of each front (capacity doubles as it fills)
    sizes: list[int] = []

    def dominated_by(front: int, p: np.ndarray) -> bool:
        f = bufs[front][: sizes[front]]
        return bool(np.any(np.all(f >= p, axis=1) & np.any(f > p, axis=1)))

    for i in order:
        p = v[i]
        lo, hi = 0, len(bufs)  # first front in [lo, hi] that does not dominate p (hi: a new front)
        while lo < hi:
            mid = (lo + hi) // 2
            if dominated_by(mid, p):
                lo = mid + 1
            else:
                hi = mid
        if lo == len(bufs):
            bufs.append(np.empty((16, v.shape[1])))
            sizes.append(0)
        if sizes[lo] == len(bufs[lo]):
            bufs[lo] = np.concatenate([bufs[lo], np.empty_like(bufs[lo])])
        bufs[lo][sizes[lo]] = p
        sizes[lo] += 1
        ranks[i] = lo + 1
    return ranks


def objective_scores(
    energy_electrode: np.ndarray,
    energy_electrolyte: np.ndarray,
    window_margin: np.ndarray,
    e_above_hull: np.ndarray,
    scales: Mapping[str, float],
) -> dict[str, np.ndarray]:
    """Each objective mapped onto [0, 1] (1 best) with fixed scales (not data-dependent).

    * reaction energies: ``1 - min(|E| / scales['reaction_energy'], 1)``;
    * window margin: ``clip(margin / scales['window'], 0, 1)``;
    * e_above_hull: ``1 - min(e / scales['e_above_hull'], 1)``.
    """
    se = float(scales["reaction_energy"])
    sw = float(scales["window"])
    sh = float(scales["e_above_hull"])
    return {
        "electrode": 1.0 - np.minimum(np.abs(np.asarray(energy_electrode, float)) / se, 1.0),
        "electrolyte": 1.0 - np.minimum(np.abs(np.asarray(energy_electrolyte, float)) / se, 1.0),
        "window": np.clip(np.asarray(window_margin, float) / sw, 0.0, 1.0),
        "e_above_hull": 1.0 - np.minimum(np.maximum(np.asarray(e_above_hull, float), 0.0) / sh, 1.0),
    }


def weighted_score(partial: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted mean of the objective scores: sum_i w_i s_i / sum_i w_i (objectives with w = 0 drop out).

    Raises:
        InputError: if every weight is zero or one is negative.
    """
    w = {k: float(weights.get(k, 0.0)) for k in OBJECTIVES}
    if any(v < 0 for v in w.values()):
        raise InputError(f"ranking weights must be >= 0, got {w}")
    total = sum(w.values())
    if total <= 0:
        raise InputError("at least one ranking weight must be > 0")
    return sum(w[k] * np.asarray(partial[k], dtype=float) for k in OBJECTIVES if w[k] > 0) / total


def window_margin(
    reduction_limit: float | None, oxidation_limit: float | None, low: float, high: float, cap: float
) -> float:
    """How far the window reaches beyond [low, high] on its tighter side [V] (negative: does not span).

    A missing limit (NaN or None: cannot be reduced / has no Li to give up) is unbounded; the margin is
    capped at ``cap`` so that it can be ranked.
    """

    def missing(v) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    red = math.inf if missing(reduction_limit) else low - float(reduction_limit)
    ox = math.inf if missing(oxidation_limit) else float(oxidation_limit) - high
    return min(red, ox, cap)


__all__ = ["OBJECTIVES", "dominates", "objective_scores", "pareto_ranks", "weighted_score", "window_margin"]
