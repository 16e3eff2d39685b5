"""The entry table: every entry source is reduced to this one structure.

An entry is (composition, formation energy per atom [eV/atom] with the elements at 0, identifier).
Polymorphs of one composition are all kept; hull computations only ever use the lowest.
Provenance (source kind, file and its sha256, version, counts) travels with the table and ends up
in every result file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from screening.composition.parse import (
    ATOMIC_NUMBER,
    ELEMENTS,
    canonical_formula,
    canonical_formula_and_amounts,
    parse_formula,
)
from screening.errors import MissingElementError, SourceError

#: Largest |formation energy| accepted [eV/atom]. Materials Project's most stable compounds sit near
#: -4.6 eV/atom and its least stable entries below +3; beyond +-10 a number is a unit or typing error
#: (eV per formula unit, kJ/mol) and would make every hull LP ill-conditioned.
MAX_FORMATION_ENERGY = 10.0
_N_WORDS = 2  # 103 elements fit in two 64-bit words


def element_mask(elements: Iterable[str]) -> np.ndarray:
    """Bit mask (two uint64 words) of a set of element symbols."""
    words = np.zeros(_N_WORDS, dtype=np.uint64)
    for el in elements:
        z = ATOMIC_NUMBER[el] - 1
        words[z // 64] |= np.uint64(1) << np.uint64(z % 64)
    return words


@dataclass(frozen=True)
class EntryTable:
    """A set of entries with formation energies, ready for hull computations.

    Attributes:
        elements: Element symbols of the columns of ``amounts``, ordered by atomic number.
        amounts: Sparse (n_entries, n_elements) matrix of atoms per formula unit as the source gave it.
        energy_per_atom: (n_entries,) formation energy [eV/atom]; elements are at 0 by construction.
        formulas: Formula of each entry as the source wrote it.
        ids: Identifier of each entry (material id, or ``<file stem>:row<N>`` for a CSV snapshot).
        virtual: (n_entries,) True for entries that are not data (user-defined candidates, compositions
            placed on the hull).
        provenance: Where the data came from (source kind, path, sha256, version, counts). Never secrets.
    """

    elements: tuple[str, ...]
    amounts: sp.csr_matrix
    energy_per_atom: np.ndarray
    formulas: tuple[str, ...]
    ids: tuple[str, ...]
    virtual: np.ndarray
    provenance: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.amounts.shape[0]
        if not (len(self.energy_per_atom) == len(self.formulas) == len(self.ids) == len(self.virtual) == n):
            raise SourceError("entry table columns have different lengths; this is a bug in the entry source")
        object.__setattr__(self, "_masks", self._compute_masks())
        object.__setattr__(self, "_element_index", {el: i for i, el in enumerate(self.elements)})

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_records(
        cls,
        formulas: Sequence[str],
        energy_per_atom: Sequence[float] | np.ndarray,
        ids: Sequence[str],
        provenance: dict,
        virtual: Sequence[bool] | None = None,
        add_element_references: bool = True,
    ) -> EntryTable:
        """Build a table from formulas and formation energies per atom.

        Args:
            formulas: Formulas (anything :func:`screening.composition.parse_formula` reads).
            energy_per_atom: Formation energies [eV/atom], elements at 0.
            ids: Identifiers, one per formula.
            provenance: Description of the source (kept verbatim).
            virtual: Flags for non-data entries; default all False.
            add_element_references: Add an entry at 0 eV/atom for every element present (the
                reference state of formation energies), id ``ref:<El>``.

        Raises:
            SourceError: if the lists are empty, of unequal length, or hold non-finite energies or energies
                beyond +-:data:`MAX_FORMATION_ENERGY`.
        """
        formulas = list(formulas)
        energies = np.asarray(energy_per_atom, dtype=float)
        ids = list(ids)
        if not formulas:
            raise SourceError(f"the entry source {provenance.get('path', provenance.get('source'))!r} has no entries")
        if not (len(formulas) == len(energies) == len(ids)):
            raise SourceError("formulas, energies and ids must have the same length")
        where = f" of {provenance['path']!r}" if provenance.get("path") else ""
        bad = ~np.isfinite(energies)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise SourceError(
                f"entry {ids[i]!r} ({formulas[i]}){where} has a non-finite energy {float(energies[i])!r}; "
                "fix or drop that row"
            )
        out = np.abs(energies) > MAX_FORMATION_ENERGY
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise SourceError(
                f"entry {ids[i]!r} ({formulas[i]}){where} has a formation energy of {energies[i]:.6g} eV/atom, outside "
                f"+-{MAX_FORMATION_ENERGY:g} eV/atom (known compounds lie within -4.7..+2.5); fix or drop that entry"
            )
        virt = np.zeros(len(formulas), dtype=bool) if virtual is None else np.asarray(virtual, dtype=bool)
        parsed = [parse_formula(f) for f in formulas]
        present = sorted({el for p in parsed for el in p}, key=ATOMIC_NUMBER.__getitem__)
        if add_element_references:
            formulas = formulas + list(present)
            ids = ids + [f"ref:{el}" for el in present]
            energies = np.concatenate([energies, np.zeros(len(present))])
            virt = np.concatenate([virt, np.zeros(len(present), dtype=bool)])
            parsed = parsed + [{el: 1.0} for el in present]
        col = {el: i for i, el in enumerate(present)}
        rows, cols, vals = [], [], []
        for r, p in enumerate(parsed):
            for el, v in p.items():
                rows.append(r)
                cols.append(col[el])
                vals.append(v)
        amounts = sp.csr_matrix((vals, (rows, cols)), shape=(len(parsed), len(present)), dtype=float)
        return cls(tuple(present), amounts, energies, tuple(formulas), tuple(ids), virt, dict(provenance))

    def _compute_masks(self) -> np.ndarray:
        n = self.amounts.shape[0]
        masks = np.zeros((n, _N_WORDS), dtype=np.uint64)
        a = self.amounts.tocsr()
        if a.nnz == 0:
            return masks
        a.sum_duplicates()  # one stored value per (row, element): the bits of a row are distinct
        z = np.array([ATOMIC_NUMBER[el] - 1 for el in self.elements], dtype=np.int64)[a.indices]
        bits = np.left_shift(np.uint64(1), (z % 64).astype(np.uint64))
        starts = a.indptr[:-1]
        nonempty = np.diff(a.indptr) > 0
        for w in range(_N_WORDS):
            vals = np.where((z // 64) == w, bits, np.uint64(0))
            # distinct bits: their sum is their bitwise or (exact in uint64)
            masks[nonempty, w] = np.add.reduceat(vals, starts[nonempty])
        return masks

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return self.amounts.shape[0]

    @property
    def n_atoms(self) -> np.ndarray:
        """(n,) atoms per formula unit of each entry."""
        return np.asarray(self.amounts.sum(axis=1)).ravel()

    def check_elements(self, elements: Iterable[str], what: str = "") -> None:
        """Raise :class:`MissingElementError` if any element has no data in this source."""
        missing = sorted(set(elements) - set(self.elements), key=lambda e: ATOMIC_NUMBER.get(e, 999))
        if missing:
            src = self.provenance.get("path") or self.provenance.get("source", "the entry source")
            raise MissingElementError(
                f"element(s) {', '.join(missing)}{' of ' + what if what else ''} have no entries in {src}; "
                "use a source that covers them (a snapshot file that contains them, or Materials Project: source 'mp')"
            )

    def select(self, elements: Iterable[str]) -> np.ndarray:
        """Indices of the entries whose elements are all within ``elements`` (vectorised bit test)."""
        elements = set(elements)
        self.check_elements(elements)
        allowed = element_mask(elements)
        ok = np.ones(len(self), dtype=bool)
        for w in range(_N_WORDS):
            ok &= (self._masks[:, w] & ~allowed[w]) == 0  # type: ignore[attr-defined]
        return np.flatnonzero(ok)

    def fractions(self, index: np.ndarray, elements: Sequence[str]) -> np.ndarray:
        """Dense (len(index), len(elements)) atomic fractions of the chosen entries."""
        cols = [self._element_index[el] for el in elements]  # type: ignore[attr-defined]
        sub = self.amounts[index][:, cols].toarray()
        return sub / sub.sum(axis=1, keepdims=True)

    def name(self, i: int) -> str:
        """Reduced formula of entry ``i`` (pymatgen convention, e.g. ``Li2O``)."""
        return canonical_formula(self.composition(i))

    def name_and_composition(self, i: int) -> tuple[str, dict[str, float]]:
        """Reduced formula of entry ``i`` and the atoms per formula unit of that formula (``Li2O``, {Li: 2, O: 1})."""
        return canonical_formula_and_amounts(self.composition(i))

    def composition(self, i: int) -> dict[str, float]:
        """Atoms per formula unit of entry ``i``."""
        a = self.amounts
        lo, hi = a.indptr[i : i + 2].tolist()
        return dict(zip(map(self.elements.__getitem__, a.indices[lo:hi].tolist()), a.data[lo:hi].tolist(), strict=True))

    def with_entries(
        self,
        formulas: Sequence[str],
        energy_per_atom: Sequence[float],
        ids: Sequence[str],
        virtual: bool = True,
    ) -> EntryTable:
        """A new table with extra entries appended (e.g. user-defined candidate coatings).

        New elements are allowed only together with their own entries; their reference (0 eV/atom)
        is added automatically.
        """
        extra = EntryTable.from_records(
            formulas, energy_per_atom, ids, provenance={}, virtual=[virtual] * len(formulas),
            add_element_references=False,
        )
        new_elements = [el for el in extra.elements if el not in self.elements]
        elements = tuple(sorted(set(self.elements) | set(extra.elements), key=ATOMIC_NUMBER.__getitem__))
        col = {el: i for i, el in enumerate(elements)}

        def remap(t: EntryTable) -> sp.csr_matrix:
            coo = t.amounts.tocoo()
            cols = np.array([col[t.elements[c]] for c in coo.col], dtype=np.int64)
            return sp.csr_matrix((coo.data, (coo.row, cols)), shape=(len(t), len(elements)))

        refs = sp.csr_matrix(
            (np.ones(len(new_elements)), (np.arange(len(new_elements)), [col[e] for e in new_elements])),
            shape=(len(new_elements), len(elements)),
        )
        amounts = sp.vstack([remap(self), remap(extra), refs]).tocsr()
        prov = dict(self.provenance)
        prov["user_entries"] = list(prov.get("user_entries", [])) + [
            {"id": i, "formula": f, "energy_per_atom": float(e)}
            for i, f, e in zip(ids, formulas, energy_per_atom, strict=True)
        ]
        return EntryTable(
            elements,
            amounts,
            np.concatenate([self.energy_per_atom, extra.energy_per_atom, np.zeros(len(new_elements))]),
            self.formulas + extra.formulas + tuple(new_elements),
            self.ids + extra.ids + tuple(f"ref:{e}" for e in new_elements),
            np.concatenate([self.virtual, extra.virtual, np.zeros(len(new_elements), dtype=bool)]),
            prov,
        )


__all__ = ["ELEMENTS", "EntryTable", "element_mask"]
