"""Electronic character of a phase (conducting, insulating or unknown) with the evidence behind it.

Evidence order (the first that knows the phase wins, and is recorded with the value):

1. ``table``: a user table (CSV ``formula,band_gap[,is_metal][,note]``, gaps in eV) that overrides the rest;
2. ``mp``: the Materials Project summary endpoint, band gap and ``is_metal`` of the lowest-energy material
   of the composition (:mod:`screening.entries.mp_summary`);
3. ``rule``: elemental metals and anion-free intermetallics (Li15Ge4, LiIn, Li-Si alloys) conduct;
4. ``unknown``: everything else. Nothing is ever called insulating without a band gap behind it.

A phase conducts when ``is_metal`` is true or its band gap is below the threshold (default 0.1 eV). PBE gaps
underestimate real ones, so a small positive PBE gap is read as "may conduct" only below the threshold
(SCIENCE.md "Interphase character"; Wenzel et al., Solid State Ionics 278, 98 (2015); Zhu, He & Mo,
ACS AMI 7, 23685 (2015); Richards et al., Chem. Mater. 28, 266 (2016)).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from screening.composition.parse import formula_key, parse_formula
from screening.errors import InputError, ScreeningError

#: A phase conducts electrons when its band gap is below this [eV] (or ``is_metal`` is true).
DEFAULT_GAP_THRESHOLD = 0.1

EVIDENCE_TABLE = "table"
EVIDENCE_MP = "mp"
EVIDENCE_RULE = "rule"
EVIDENCE_UNKNOWN = "unknown"
EVIDENCE_ORDER = (EVIDENCE_TABLE, EVIDENCE_MP, EVIDENCE_RULE, EVIDENCE_UNKNOWN)

#: Elements that are not metals: anions, noble gases and the metalloids B, C, Si, Ge, As, Se, Te.
NON_METALS = frozenset("H He B C N O F Ne Si P S Cl Ar Ge As Se Br Kr Te I Xe At Rn".split())
#: Metalloids that form electronically conducting alloys with metals (Li-Si, Li-Ge): allowed in an
#: "anion-free intermetallic" of the rule, but not conducting on their own.
ALLOY_METALLOIDS = frozenset({"Si", "Ge"})

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass(frozen=True)
class ElectronicCharacter:
    """Whether a phase conducts electrons, and why we think so.

    Attributes:
        formula: The phase's formula as asked.
        conducting: True (conducts), False (insulating: a gap >= threshold), None (unknown).
        evidence: ``table``, ``mp``, ``rule`` or ``unknown``.
        band_gap: Band gap [eV] behind the value (None for rule/unknown, or when only ``is_metal`` is known).
        is_metal: ``is_metal`` flag of the evidence (None if not given).
        material_id: Materials Project id of the lowest-energy material (evidence ``mp``).
        detail: Human-readable origin, e.g. ``mp-1234 band gap 0.00 eV (is_metal)``, ``bandgaps.csv row 3``.
    """

    formula: str
    conducting: bool | None
    evidence: str
    band_gap: float | None = None
    is_metal: bool | None = None
    material_id: str | None = None
    detail: str = ""

    @property
    def label(self) -> str:
        """``conducting``, ``insulating`` or ``unknown``."""
        return {True: "conducting", False: "insulating", None: "unknown"}[self.conducting]

    def describe(self) -> str:
        """One phrase: ``CoS2 conducting (mp mp-1234: band gap 0.00 eV, is_metal)``."""
        return f"{self.formula} {self.label} ({self.evidence}: {self.detail})"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["label"] = self.label
        return d


@dataclass(frozen=True)
class GapRecord:
    """A band gap of one composition from some evidence (user table row or Materials Project material).

    Attributes:
        formula: Formula as given by the evidence.
        band_gap: [eV], >= 0; None if only ``is_metal`` is known.
        is_metal: True/False, or None if not given.
        material_id: Materials Project id (None for a user table).
        detail: Where it comes from (file and row, or material id).
    """

    formula: str
    band_gap: float | None
    is_metal: bool | None
    material_id: str | None = None
    detail: str = ""


class ElectronicTableError(ScreeningError, ValueError):
    """A malformed electronic (band gap) table."""


def composition_key(formula: str) -> tuple:
    """The lookup key of a formula: its composition normalised to one atom (``Li4S2`` == ``Li2S``)."""
    return formula_key(parse_formula(formula))


def _parse_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return None if t == "" else False
    raise ValueError(text)


def load_electronic_table(path: str | os.PathLike) -> dict[tuple, GapRecord]:
    """Read a user band gap table (CSV, optionally gzipped).

    Columns: ``formula`` and ``band_gap`` [eV] (required), ``is_metal`` (optional true/false), anything
    else (e.g. ``note``, ``reference``) is kept out of the numbers. An empty ``band_gap`` is allowed only
    with ``is_metal`` set.

    Returns:
        Composition key -> :class:`GapRecord` (detail ``<file> row <n>``, n counting data rows from 1).

    Raises:
        ElectronicTableError: missing file or column, an unparseable formula, a negative or non-numeric gap,
            a bad ``is_metal`` or a composition listed twice; the message names the file and the row.
    """
    p = Path(path).expanduser()
    name = str(p)
    if not p.is_file():
        raise ElectronicTableError(f"electronic table {name!r} not found; give a CSV with columns formula,band_gap")
    raw = p.read_bytes()
    try:
        text = (gzip.decompress(raw) if p.name.endswith(".gz") else raw).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise ElectronicTableError(f"electronic table {name!r} is unreadable ({exc}); save it as UTF-8 CSV") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in ("formula", "band_gap") if c not in columns]
    if missing:
        raise ElectronicTableError(
            f"electronic table {name!r} has no column {', '.join(missing)} (columns: {', '.join(columns) or 'none'}); "
            "the header must be formula,band_gap[,is_metal]"
        )
    out: dict[tuple, GapRecord] = {}
    for n, row in enumerate(reader, start=1):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        where = f"electronic table {name!r} row {n}"
        formula = row.get("formula", "")
        try:
            key = composition_key(formula)
        except ScreeningError as exc:
            raise ElectronicTableError(f"{where}: {exc}") from None
        gap_text = row.get("band_gap", "")
        try:
            is_metal = _parse_bool(row.get("is_metal"))
        except ValueError:
            raise ElectronicTableError(
                f"{where}: is_metal {row.get('is_metal')!r} is not true/false; write true, false or leave it empty"
            ) from None
        if gap_text == "":
            if is_metal is None:
                raise ElectronicTableError(f"{where}: {formula} has no band_gap; give the gap in eV (0 for a metal)")
            gap = None
        else:
            try:
                gap = float(gap_text)
            except ValueError:
                raise ElectronicTableError(f"{where}: band_gap {gap_text!r} is not a number; give it in eV") from None
            if not math.isfinite(gap) or gap < 0:
                raise ElectronicTableError(
                    f"{where}: band_gap {gap_text} eV is negative or not finite; gaps are >= 0 eV"
                )
        if key in out:
            raise ElectronicTableError(
                f"{where}: {formula} is listed twice (also as {out[key].formula}, {out[key].detail}); keep one row"
            )
        out[key] = GapRecord(formula, gap, is_metal, None, f"{p.name} row {n}")
    return out


def rule_conducts(formula: str) -> bool | None:
    """The documented rule: True for elemental metals and anion-free intermetallics, else None (unknown).

    An intermetallic here is a compound of metals, optionally with the alloy-forming metalloids Si and Ge
    (Li15Ge4, LiIn, Li21Si5); pure Si and Ge and every compound with an anion (O, S, N, P, halogens, ...)
    are left unknown. The rule never says "insulating".
    """
    els = set(parse_formula(formula))
    if els and not (els & (NON_METALS - ALLOY_METALLOIDS)) and (els - ALLOY_METALLOIDS):
        return True
    return None


class ElectronicModel:
    """Electronic character of phases from a user table, Materials Project gaps and the rule, in that order.

    Args:
        table: Composition key -> :class:`GapRecord` (:func:`load_electronic_table`), overriding everything.
        mp: Composition key -> :class:`GapRecord` from the Materials Project summary endpoint.
        gap_threshold: A phase conducts below this band gap [eV] (default 0.1 eV); ``is_metal`` counts.
        use_rule: Apply the metals/intermetallics rule when no gap is known (default True).
        provenance: What the evidence came from (table file + sha256, MP database version, ...).
    """

    def __init__(
        self,
        table: Mapping[tuple, GapRecord] | None = None,
        mp: Mapping[tuple, GapRecord] | None = None,
        gap_threshold: float = DEFAULT_GAP_THRESHOLD,
        use_rule: bool = True,
        provenance: dict | None = None,
    ):
        thr = float(gap_threshold)
        if not math.isfinite(thr) or thr < 0:
            raise InputError(f"gap_threshold {gap_threshold!r} must be a band gap >= 0 eV (default 0.1)")
        self.table = dict(table or {})
        self.mp = dict(mp or {})
        self.gap_threshold = thr
        self.use_rule = use_rule
        self.provenance = dict(provenance or {})
        self._cache: dict[str, ElectronicCharacter] = {}

    def _from_record(self, formula: str, rec: GapRecord, evidence: str) -> ElectronicCharacter:
        if rec.is_metal:
            conducting = True
        elif rec.band_gap is None:
            conducting = None if rec.is_metal is None else False  # is_metal=False without a gap: not a metal
        else:
            conducting = rec.band_gap < self.gap_threshold
        gap = "band gap -" if rec.band_gap is None else f"band gap {rec.band_gap:.2f} eV"
        metal = "" if rec.is_metal is None else (", is_metal" if rec.is_metal else ", not metal")
        who = rec.material_id if rec.material_id else rec.detail
        return ElectronicCharacter(formula, conducting, evidence, rec.band_gap, rec.is_metal, rec.material_id,
                                   f"{who}: {gap}{metal}")

    def character(self, formula: str) -> ElectronicCharacter:
        """The electronic character of one phase, with its evidence (cached per formula)."""
        hit = self._cache.get(formula)
        if hit is not None:
            return hit
        key = composition_key(formula)
        if key in self.table:
            out = self._from_record(formula, self.table[key], EVIDENCE_TABLE)
        elif key in self.mp:
            out = self._from_record(formula, self.mp[key], EVIDENCE_MP)
        elif self.use_rule and rule_conducts(formula):
            out = ElectronicCharacter(
                formula, True, EVIDENCE_RULE, detail="elemental metal or anion-free intermetallic"
            )
        else:
            out = ElectronicCharacter(formula, None, EVIDENCE_UNKNOWN, detail="no band gap known")
        self._cache[formula] = out
        return out

    def characters(self, formulas: Iterable[str]) -> list[ElectronicCharacter]:
        return [self.character(f) for f in formulas]

    def band_gap(self, formula: str) -> ElectronicCharacter:
        """Alias of :meth:`character` (reads better for a coating's own gap filter)."""
        return self.character(formula)

    @property
    def summary(self) -> dict:
        """Settings and evidence provenance (for JSON outputs and result provenance)."""
        return {
            "gap_threshold_eV": self.gap_threshold,
            "rule": self.use_rule,
            "evidence_order": [e for e in EVIDENCE_ORDER if self.use_rule or e != EVIDENCE_RULE],
            "n_table": len(self.table),
            "n_mp": len(self.mp),
            **self.provenance,
        }


__all__ = [
    "DEFAULT_GAP_THRESHOLD",
    "EVIDENCE_ORDER",
    "ElectronicCharacter",
    "ElectronicModel",
    "ElectronicTableError",
    "GapRecord",
    "build_model",
    "composition_key",
    "load_electronic_table",
    "rule_conducts",
]


def build_model(
    table: str | os.PathLike | None = None,
    mp_systems: Iterable[Iterable[str] | str] | None = None,
    gap_threshold: float = DEFAULT_GAP_THRESHOLD,
    use_rule: bool = True,
    mp_options: dict | None = None,
) -> ElectronicModel:
    """An :class:`ElectronicModel` from a user table (path) and, if ``mp_systems`` is given, MP band gaps.

    Args:
        table: User band gap table (CSV ``formula,band_gap[,is_metal]``, eV); overrides everything.
        mp_systems: Chemical systems whose Materials Project band gaps to fetch (or read from the cache);
            None for no Materials Project evidence (sources other than ``mp``).
        gap_threshold: Conducting below this gap [eV].
        use_rule: Apply the metals/intermetallics rule.
        mp_options: ``cache_dir``, ``offline``, ``endpoint``, ``retries``, ``backoff``, ... of
            :func:`screening.entries.mp_summary.load_mp_gaps`.

    Raises:
        ElectronicTableError: a malformed table. SourceError: Materials Project errors (see ``load_mp``).
    """
    from screening.entries.sources import sha256_of

    provenance: dict = {}
    records = None
    if table is not None:
        records = load_electronic_table(table)
        provenance["table"] = {"path": str(table), "sha256": sha256_of(Path(table).expanduser())}
    gaps = None
    if mp_systems is not None:
        from screening.entries.mp_summary import load_mp_gaps

        gaps, provenance["mp"] = load_mp_gaps(mp_systems, **(mp_options or {}))
    return ElectronicModel(records, gaps, gap_threshold, use_rule, provenance)
