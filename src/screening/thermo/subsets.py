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
#: 0.15 s on the 132,752-row snapshot, a mask test about 3 ms, so a command-line call that asks a few
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
        order = np.lexsort(masks.T[::-1])  # rows sorted by mask, stable: ascending rows within a group
        sorted_masks = masks[order]
        new_group = np.ones(n, dtype=bool)
        new_group[1:] = np.any(sorted_masks[1:] != sorted_masks[:-1], axis=1)
        starts = np.flatnonzero(new_group)  # first row of each group in the sorted order
        ends = np.append(starts[1:], n)
        heads = sorted_masks[starts]
        keys = heads[:, 0].tolist()
        for w in range(1, words):
            keys = [k | (hi << (63 * w)) for k, hi in zip(keys, heads[:, w].tolist(), strict=True)]
        self._order = order
        spans = zip(starts.tolist(), ends.tolist(), strict=True)
        self._groups: dict[int, tuple[int, int]] = dict(zip(keys, spans, strict=True))

    def select(self, elements: Sequence[str]) -> np.ndarray:
        """Sorted row indices of the entries whose elements all lie in ``elements`` (known to the table)."""
        full = 0
        for el in elements:
            full |= 1 << self._col[el]
        parts = []
        sub = full
        while sub:
            span = self._groups.get(sub)
            if span is not None:
                parts.append(self._order[span[0] : span[1]])
            sub = (sub - 1) & full
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate(parts))

    def fractions(self, rows: np.ndarray, elements: Sequence[str]) -> np.ndarray:
        """Dense (len(rows), len(elements)) atomic fractions of ``rows`` (all within ``elements``)."""
        starts = self._indptr[rows]
        lens = self._indptr[rows + 1] - starts
        total = int(lens.sum())
        row_of = np.repeat(np.arange(len(rows)), lens)
        pos = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens) + np.repeat(starts, lens)
        colmap = np.full(len(self._col), -1, dtype=np.int64)
        colmap[[self._col[el] for el in elements]] = np.arange(len(elements))
        out = np.zeros((len(rows), len(elements)))
        out[row_of, colmap[self._indices[pos]]] = self._data[pos]
        return out / out.sum(axis=1, keepdims=True)


def index_of(table: EntryTable) -> ChemsysIndex:
    """The (cached) chemical-system index of ``table``, built on first use."""
    key = id(table)
    with _lock:
        hit = _indexes.get(key)
        if hit is not None and hit[0]() is table:
            return hit[1]
    index = ChemsysIndex(table)
    with _lock:
        _indexes[key] = (weakref.ref(table, lambda _ref, k=key: _indexes.pop(k, None)), index)
    return index


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


def select(table: EntryTable, elements: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, atomic fractions) of the entries within ``elements``; same rows as ``table.select``.

    Raises:
        MissingElementError: an element the table has no entries for (from ``table.check_elements``).
    """
    if len(elements) > MAX_INDEXED_ELEMENTS or not _index_worthwhile(table):
        rows = table.select(elements)
        return rows, table.fractions(rows, elements)
    table.check_elements(elements)
    index = index_of(table)
    rows = index.select(elements)
    return rows, index.fractions(rows, elements)


__all__ = ["ChemsysIndex", "index_of", "select"]
