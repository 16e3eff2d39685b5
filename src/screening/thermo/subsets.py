"""Entries of a chemical system, fast: the table's rows grouped by their own chemical system.

Every hull LP starts from the entries whose elements all lie in the system (a 5-element interface
reads ~1,000 of the snapshot's 132,752 rows). Testing every row's element mask costs about a
millisecond per system; grouping the rows once per table by their own element set turns a query into
one dictionary look-up per sub-system (2^n - 1 of them: 63 for 6 elements, 1,023 for 10), which is
what an interface screen asks for thousands of times. The index is built once per table (like the
table's element masks) and shared by every :class:`~screening.thermo.Engine` on that table.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

import numpy as np

from screening.entries.table import EntryTable

#: Systems with more elements than this are selected by the table's own mask test (2^n look-ups).
MAX_INDEXED_ELEMENTS = 14
#: Queries of a table answered by its own mask test before the index is built: building it costs about
#: 0.3-0.4 s on the 132,752-row snapshot, a mask test about 3 ms, so a command-line call that asks a few
#: systems never pays for it while a screen (thousands of queries) does once. Both give the same rows.
QUERIES_BEFORE_INDEX = 32

_lock = threading.Lock()
_indexes: dict[int, tuple[weakref.ref, ChemsysIndex]] = {}
_queries: dict[int, tuple[weakref.ref, int]] = {}


class ChemsysIndex:
    """Row indices of a table grouped by chemical system (bit set over ``table.elements``).

    Args:
        table: The entry table.
    """

    def __init__(self, table: EntryTable):
        a = table.amounts.tocsr().copy()
        a.sum_duplicates()  # one stored value per (row, element)
        n = a.shape[0]
        self._col = {el: i for i, el in enumerate(table.elements)}
        self._no_column = np.full(len(table.elements), -1, dtype=np.int64)
        self._indptr, self._indices, self._data = a.indptr, a.indices, a.data
        words = (len(table.elements) + 62) // 63
        masks = np.zeros((n, words), dtype=np.int64)
        cols = a.indices.astype(np.int64)
        starts = a.indptr[:-1]
        nonempty = np.diff(a.indptr) > 0
        for w in range(words):
            bits = np.where(cols // 63 == w, np.left_shift(np.int64(1), cols % 63), 0)
            # one stored value per (row, element): distinct bits, so their sum is their bitwise or
            masks[nonempty, w] = np.add.reduceat(bits, starts[nonempty])
        self._order, self._groups = _group(masks, np.arange(n))
        # hull candidates: what HullLP keeps of any system (energy <= 0, lowest polymorph, lowest row on ties)
        cand = np.flatnonzero(_hull_candidates(a, table.energy_per_atom))
        self._cand_order, self._cand_groups = _group(masks[cand], cand)
        self.n_candidates = len(cand)
        # the candidates' compositions without Li, for hulls open to Li (-1: not a candidate)
        self._no_li = np.full(n, -1, dtype=np.int64)
        if len(cand):
            self._no_li[cand] = _composition_groups(a[cand], self._col.get("Li"))

    def groups_without_li(self, rows: np.ndarray) -> np.ndarray | None:
        """Composition group without Li of each of ``rows`` (hull candidates), or None when one of them is not a
        hull candidate (see :func:`lowest_per_composition`)."""
        groups = self._no_li[rows]
        return groups if len(groups) == 0 or groups.min() >= 0 else None

    def _bits(self, elements: Sequence[str]) -> int:
        full = 0
        for el in elements:
            full |= 1 << self._col[el]
        return full

    def exact(self, elements: Sequence[str]) -> np.ndarray:
        """Sorted row indices of the entries whose element set is exactly ``elements`` (all rows, unpruned)."""
        span = self._groups.get(self._bits(elements))
        return np.zeros(0, dtype=np.int64) if span is None else self._order[span[0] : span[1]]

    def candidates(self, elements: Sequence[str]) -> np.ndarray:
        """Sorted row indices of the hull candidates within ``elements``: the rows of :meth:`select` that a
        :class:`~screening.thermo.lp.HullLP` keeps (formation energy <= 1e-9 eV/atom, lowest entry of each
        composition, the lowest row on ties). A HullLP of these rows equals the one of all rows, closed or
        open to Li (a grand potential keeps the order of the entries of one composition)."""
        return self._union(self._cand_groups, self._cand_order, self._bits(elements))

    def select(self, elements: Sequence[str]) -> np.ndarray:
        """Sorted row indices of the entries whose elements all lie in ``elements`` (known to the table)."""
        return self._union(self._groups, self._order, self._bits(elements))

    @staticmethod
    def _union(groups: dict[int, tuple[int, int]], order: np.ndarray, full: int) -> np.ndarray:
        parts = []
        sub = full
        while sub:
            span = groups.get(sub)
            if span is not None:
                parts.append(order[span[0] : span[1]])
            sub = (sub - 1) & full
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate(parts))

    def fractions(self, rows: np.ndarray, elements: Sequence[str]) -> np.ndarray:
        """Dense (len(rows), len(elements)) atomic fractions of ``rows`` (all within ``elements``)."""
        # (numpy methods and ufuncs rather than their module-level wrappers: this runs once per hull LP)
        starts = self._indptr[rows]
        lens = self._indptr[rows + 1] - starts
        ends = lens.cumsum()
        row_of = np.arange(len(rows)).repeat(lens)
        pos = np.arange(int(ends[-1]) if len(ends) else 0) + (starts - (ends - lens))[row_of]  # stored value positions
        colmap = self._no_column.copy()
        colmap[[self._col[el] for el in elements]] = np.arange(len(elements))
        out = np.zeros((len(rows), len(elements)))
        out[row_of, colmap[self._indices[pos]]] = self._data[pos]
        return out / np.add.reduce(out, axis=1, keepdims=True)


def _group(masks: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, dict[int, tuple[int, int]]]:
    """``rows`` sorted by element mask (ascending rows within a group) and each mask's span in that order."""
    n = len(rows)
    if n == 0:
        return rows.astype(np.int64), {}
    order = np.lexsort(masks.T[::-1])  # stable: ascending rows within a group
    sorted_masks = masks[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = np.any(sorted_masks[1:] != sorted_masks[:-1], axis=1)
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], n)
    heads = sorted_masks[starts]
    keys = heads[:, 0].tolist()
    for w in range(1, masks.shape[1]):
        keys = [k | (hi << (63 * w)) for k, hi in zip(keys, heads[:, w].tolist(), strict=True)]
    spans = zip(starts.tolist(), ends.tolist(), strict=True)
    return np.asarray(rows, dtype=np.int64)[order], dict(zip(keys, spans, strict=True))


def _composition_groups(amounts, drop: int | None = None) -> np.ndarray:
    """(n,) group of each row of a sparse amounts matrix: equal for rows of the same composition (atomic fractions
    rounded to 9 digits), without column ``drop`` if given (rows left with no atoms form one group)."""
    a = amounts.tocsr().copy()
    a.sum_duplicates()  # also sorts the columns of each row
    if drop is not None:
        a.data[a.indices == drop] = 0.0
    a.eliminate_zeros()
    n = a.shape[0]
    lens = np.diff(a.indptr)
    totals = np.asarray(a.sum(axis=1)).ravel()
    data = a.data / np.repeat(np.where(totals > 0, totals, 1.0), lens)
    rounded = np.round(data, 9) + 0.0  # + 0.0: no -0.0
    # each row's composition as fixed-width columns: its element columns and rounded fractions, padded
    width = max(int(lens.max()), 1) if n else 1
    row_of = np.repeat(np.arange(n), lens)
    pos = np.arange(len(a.data)) - np.repeat(a.indptr[:-1], lens)
    cols = np.full((n, width), -1, dtype=np.int64)
    vals = np.zeros((n, width))
    cols[row_of, pos] = a.indices
    vals[row_of, pos] = rounded
    comp = np.ascontiguousarray(np.hstack([cols, vals.view(np.int64)]))
    _, group = np.unique(comp.view(np.dtype((np.void, comp.itemsize * comp.shape[1]))).ravel(), return_inverse=True)
    return group.ravel()


def _hull_candidates(amounts, energies: np.ndarray) -> np.ndarray:
    """(n,) True for the rows a hull LP can use: formation energy <= 1e-9 eV/atom and the lowest entry of its
    composition (fractions rounded to 9 digits; the lowest row on ties), exactly the pruning of HullLP."""
    n = amounts.shape[0]
    rows = np.flatnonzero((np.asarray(energies) <= 1e-9) & (np.diff(amounts.tocsr().indptr) > 0))
    if len(rows) == 0:
        return np.zeros(n, dtype=bool)
    group = _composition_groups(amounts[rows])
    out = np.zeros(n, dtype=bool)
    out[rows[_lowest_per_group(rows, np.asarray(energies, dtype=float)[rows], group)]] = True
    return out


def _lowest_per_group(rows: np.ndarray, energies: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Ascending positions of the lowest energy of each group, the lowest row on ties (what HullLP keeps)."""
    order = np.lexsort((rows, energies, group))
    first = np.ones(len(rows), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    return np.sort(order[first])


def lowest_per_composition(
    table: EntryTable, rows: np.ndarray, energies: np.ndarray, drop: str | None = None
) -> np.ndarray:
    """Positions into ``rows`` (ascending) of the lowest of ``energies`` per composition of the rows without the
    element ``drop`` (the lowest row on ties): the points a hull LP keeps when ``drop`` is an open element.

    Args:
        table: The table of ``rows``.
        rows: Row indices (ascending).
        energies: (len(rows),) energy of each row in the LP's normalisation [eV].
        drop: Element left out of the compositions (e.g. "Li" for a grand-potential hull).
    """
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    index = _built_index(table) if drop == "Li" else None
    group = None if index is None else index.groups_without_li(rows)
    if group is None:
        group = _composition_groups(table.amounts[rows], table.elements.index(drop) if drop in table.elements else None)
    return _lowest_per_group(rows, energies, group)


def index_of(table: EntryTable) -> ChemsysIndex:
    """The (cached) chemical-system index of ``table``, built on first use."""
    index = _built_index(table)
    if index is not None:
        return index
    key = id(table)
    index = ChemsysIndex(table)
    with _lock:
        _indexes[key] = (weakref.ref(table, lambda _ref, k=key: _indexes.pop(k, None)), index)
    return index


def _built_index(table: EntryTable) -> ChemsysIndex | None:
    """The index of ``table`` if it has been built (None otherwise; never builds it)."""
    with _lock:
        hit = _indexes.get(id(table))
    return hit[1] if hit is not None and hit[0]() is table else None


def _index_worthwhile(table: EntryTable) -> bool:
    """True once ``table`` has been queried :data:`QUERIES_BEFORE_INDEX` times (or its index exists)."""
    key = id(table)
    with _lock:
        hit = _indexes.get(key)
        if hit is not None and hit[0]() is table:
            return True
        seen = _queries.get(key)
        count = seen[1] + 1 if seen is not None and seen[0]() is table else 1
        _queries[key] = (weakref.ref(table, lambda _ref, k=key: _queries.pop(k, None)), count)
        return count > QUERIES_BEFORE_INDEX


def _indexed(table: EntryTable, elements: Sequence[str]) -> ChemsysIndex | None:
    """The table's index if this query should use it; None: the table's own mask test answers it."""
    if len(elements) > MAX_INDEXED_ELEMENTS or not _index_worthwhile(table):
        return None
    table.check_elements(elements)
    return index_of(table)


def select(
    table: EntryTable, elements: Sequence[str], hull_only: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, atomic fractions) of the entries within ``elements``; same rows as ``table.select``.

    With ``hull_only``, only the hull candidates among them (:meth:`ChemsysIndex.candidates`, the same rows
    whether or not the table's index exists yet): a :class:`~screening.thermo.lp.HullLP` built from those
    (``pruned=True``) is the one built from every row.

    Raises:
        MissingElementError: an element the table has no entries for (from ``table.check_elements``).
    """
    index = _indexed(table, elements)
    if index is None:
        rows = table.select(elements)
        if hull_only:
            rows = rows[_hull_candidates(table.amounts[rows], table.energy_per_atom[rows])]
        return rows, table.fractions(rows, elements)
    rows = index.candidates(elements) if hull_only else index.select(elements)
    return rows, index.fractions(rows, elements)


def exact_rows(table: EntryTable, elements: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, atomic fractions) of the entries made of exactly ``elements`` (every one present).

    Raises:
        MissingElementError: an element the table has no entries for (from ``table.check_elements``).
    """
    index = _indexed(table, elements)
    if index is None:
        rows = table.select(elements)
        frac = table.fractions(rows, elements)
        every = (frac > 0).all(axis=1)
        return rows[every], frac[every]
    rows = index.exact(elements)
    return rows, index.fractions(rows, elements)


__all__ = ["ChemsysIndex", "exact_rows", "index_of", "lowest_per_composition", "select"]
