"""Electronic character of a phase (conducting, insulating or unknown) with the evidence behind it.

Evidence order (the first that knows the phase wins, and is recorded with the value):

1. ``table``: a user table (CSV ``formula,band_gap[,is_metal][,note]``, gaps in eV) that overrides the rest;
2. ``mp``: the Materials Project summary endpoint, band gap and ``is_metal`` of the lowest-energy material
   of the composition (:mod:`screening.entries.mp.summary`);
3. ``rule`` (metal rule): elemental metals and anion-free intermetallics (Li15Ge4, LiIn, Li-Si alloys) conduct;
4. ``closed-shell rule``: charge-balanced compounds of closed-shell ions insulate (:func:`rule_insulating`):
   s/p-block cations at their group valence, d0 and d10 cations, anions at their most negative state
   (Li2S, Li3P, Li2O, LiF, Li3PO4, LLZO). Peroxides, polysulfides, suboxides, open-shell transition-metal
   and mixed-valence compounds are not covered and stay unknown;
5. ``unknown``: everything else.

A phase conducts when ``is_metal`` is true or its band gap is below the threshold (default 0.1 eV). PBE gaps
underestimate real ones, so a small positive PBE gap is read as "may conduct" only below the threshold
(docs/interphase.md; Wenzel et al., Solid State Ionics 278, 98 (2015); Zhu, He & Mo,
ACS AMI 7, 23685 (2015); Richards et al., Chem. Mater. 28, 266 (2016)). The closed-shell rule is checked
against published band gaps in ``tests/data/published_band_gaps.csv`` (docs/interphase.md).
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from screening.composition.parse import parse_formula
from screening.entries.gaps import GapRecord, composition_key
from screening.errors import InputError, ScreeningError

#: A phase conducts electrons when its band gap is below this [eV] (or ``is_metal`` is true).
DEFAULT_GAP_THRESHOLD = 0.1

EVIDENCE_TABLE = "table"
EVIDENCE_MP = "mp"
EVIDENCE_RULE = "rule"
EVIDENCE_CLOSED_SHELL = "closed-shell rule"
EVIDENCE_UNKNOWN = "unknown"
EVIDENCE_ORDER = (EVIDENCE_TABLE, EVIDENCE_MP, EVIDENCE_RULE, EVIDENCE_CLOSED_SHELL, EVIDENCE_UNKNOWN)
#: The evidence kinds that come from a documented rule (switched together by ``use_rule``).
RULE_EVIDENCE = (EVIDENCE_RULE, EVIDENCE_CLOSED_SHELL)

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
        evidence: ``table``, ``mp``, ``rule`` (metals), ``closed-shell rule`` (insulators) or ``unknown``.
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

    @property
    def tag(self) -> str:
        """The evidence in brief, for table cells: ``rule``, ``closed-shell rule``, ``mp-2070 0.00 eV``,
        ``gaps.csv row 3 0.00 eV``; empty for ``unknown``."""
        if self.evidence == EVIDENCE_UNKNOWN:
            return ""
        if self.evidence in (EVIDENCE_TABLE, EVIDENCE_MP):
            return f"{self.evidence} {self.detail}"
        return self.evidence

    def as_dict(self) -> dict:
        d = asdict(self)
        d["label"] = self.label
        return d


class ElectronicTableError(ScreeningError, ValueError):
    """A malformed electronic (band gap) table."""


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
    """The metal rule: True for elemental metals and anion-free intermetallics, else None (unknown).

    An intermetallic here is a compound of metals, optionally with the alloy-forming metalloids Si and Ge
    (Li15Ge4, LiIn, Li21Si5); pure Si and Ge and every compound with an anion (O, S, N, P, halogens, ...)
    are left to other evidence. This rule never says "insulating" (see :func:`rule_insulating`).
    """
    els = set(parse_formula(formula))
    if els and not (els & (NON_METALS - ALLOY_METALLOIDS)) and (els - ALLOY_METALLOIDS):
        return True
    return None


# ---------------------------------------------------------------------------------------------- closed-shell rule
#: Cations with a closed shell at their group valence (noble-gas core): s-block, B, Al, the polyanion
#: centres C4+ (carbonate), N5+ (nitrate), P5+ (phosphate, thiophosphate), S6+ (sulfate), Si4+, and H+
#: (hydroxide, amide). They insulate with every anion of :data:`CLOSED_SHELL_ANIONS`.
HARD_CATIONS = {
    "H": 1, "Li": 1, "Na": 1, "K": 1, "Rb": 1, "Cs": 1,
    "Be": 2, "Mg": 2, "Ca": 2, "Sr": 2, "Ba": 2,
    "B": 3, "Al": 3, "C": 4, "Si": 4, "N": 5, "P": 5, "S": 6,
}
#: d0 transition-metal cations (empty d shell). Only with hard anions (oxide, fluoride, chloride): d0
#: sulfides and nitrides of reduced neighbours are semimetals or metals (TiS2, TiN).
D0_CATIONS = {"Sc": 3, "Y": 3, "La": 3, "Ti": 4, "Zr": 4, "Hf": 4, "V": 5, "Nb": 5, "Ta": 5, "Mo": 6, "W": 6}
#: d10 cations (full d shell, no open shell left). Only with oxide, chalcogenide and halide anions: d10
#: pnictides are small-gap or metallic (InN 0.7 eV, Cd3P2 0.5 eV, Cu3P, Sn4P3). Cu+, Ag+ and Hg2+ are d10 as
#: well but form metallic or near-zero-gap phases with soft anions (Cu3P, Ag2Se, HgTe) and are left out.
D10_CATIONS = {"Zn": 2, "Cd": 2, "Ga": 3, "In": 3, "Ge": 4, "Sn": 4}
#: Anions at their most negative (closed-shell) state.
CLOSED_SHELL_ANIONS = {"O": -2, "S": -2, "Se": -2, "N": -3, "P": -3, "F": -1, "Cl": -1, "Br": -1, "I": -1, "H": -1}
_HARD_ANIONS = frozenset({"O", "F", "Cl"})
_D10_ANIONS = frozenset({"O", "S", "Se", "F", "Cl", "Br", "I"})
#: Pauling electronegativities of the elements above: every anion must be more electronegative than every
#: cation (no "P3- S6+" assignment of a P-S compound).
_PAULING = {
    "H": 2.20, "Li": 0.98, "Na": 0.93, "K": 0.82, "Rb": 0.82, "Cs": 0.79, "Be": 1.57, "Mg": 1.31, "Ca": 1.00,
    "Sr": 0.95, "Ba": 0.89, "B": 2.04, "Al": 1.61, "C": 2.55, "Si": 1.90, "N": 3.04, "P": 2.19, "S": 2.58,
    "Sc": 1.36, "Y": 1.22, "La": 1.10, "Ti": 1.54, "Zr": 1.33, "Hf": 1.30, "V": 1.63, "Nb": 1.60, "Ta": 1.50,
    "Mo": 2.16, "W": 2.36, "Zn": 1.65, "Cd": 1.69, "Ga": 1.81, "In": 1.78, "Ge": 2.01, "Sn": 1.96,
    "O": 3.44, "Se": 2.55, "F": 3.98, "Cl": 3.16, "Br": 2.96, "I": 2.66,
}


def _cation_anions(element: str) -> frozenset[str] | None:
    """The anions a closed-shell cation insulates with (None if ``element`` is no such cation)."""
    if element in HARD_CATIONS:
        return frozenset(CLOSED_SHELL_ANIONS)
    if element in D0_CATIONS:
        return _HARD_ANIONS
    if element in D10_CATIONS:
        return _D10_ANIONS
    return None


def _allowed_states(element: str) -> list[int]:
    states = [s for s in (HARD_CATIONS.get(element), D0_CATIONS.get(element), D10_CATIONS.get(element)) if s]
    if element in CLOSED_SHELL_ANIONS:
        states.append(CLOSED_SHELL_ANIONS[element])
    return states


def closed_shell_states(formula: str) -> dict[str, int] | None:
    """A charge-neutral assignment of closed-shell oxidation states to ``formula``, or None.

    One state per element, taken from :data:`HARD_CATIONS`, :data:`D0_CATIONS`, :data:`D10_CATIONS` (cations)
    and :data:`CLOSED_SHELL_ANIONS` (anions), such that the charges sum to zero, every anion is more
    electronegative than every cation, and every cation insulates with every anion present (d0 cations
    only with O, F, Cl; d10 cations not with N, P, H). ``Li3PO4`` -> ``{Li: 1, P: 5, O: -2}``; peroxides
    (Li2O2), polysulfides (Li2S2, P2S7, S8O), suboxides (Zr4O), elements, open-shell transition metals
    (LiCoO2) and mixed-valence phases (Fe3O4) have none.
    """
    comp = parse_formula(formula)
    els = list(comp)
    options = [_allowed_states(el) for el in els]
    if len(els) < 2 or not all(options):
        return None
    scale = max(comp.values())
    for states in itertools.product(*options):
        if abs(sum(s * comp[el] for el, s in zip(els, states, strict=True))) > 1e-6 * scale:
            continue
        cations = [el for el, s in zip(els, states, strict=True) if s > 0]
        anions = [el for el, s in zip(els, states, strict=True) if s < 0]
        if not cations or not anions:
            continue
        if max(_PAULING[c] for c in cations) >= min(_PAULING[a] for a in anions):
            continue
        if all(set(anions) <= _cation_anions(c) for c in cations):
            return dict(zip(els, states, strict=True))
    return None


def _ion(element: str, state: int) -> str:
    return f"{element}{abs(state) if abs(state) != 1 else ''}{'+' if state > 0 else '-'}"


def rule_insulating(formula: str) -> bool | None:
    """The closed-shell rule: True when ``formula`` is a charge-balanced compound of closed-shell ions, else
    None (unknown; never False).

    Ionic compounds whose cations have an empty or full valence shell (s/p-block cations at their group
    valence, d0 and d10 cations) and whose anions are at their most negative state (O2-, S2-, N3-, P3-,
    halides, H-) have filled anion-p valence bands and empty cation conduction bands: a band gap of eV
    order (the closed-shell / ionic insulator picture of textbook solid-state chemistry, e.g. Cox, The
    Electronic Structure and Chemistry of Solids (Oxford, 1987); West, Solid State Chemistry and its
    Applications). Zhu, He & Mo, ACS AMI 7, 23685 (2015) and Richards et al., Chem. Mater. 28, 266 (2016)
    read Li2S, Li3P, Li2O, LiF and Li3N as electronic insulators. See :func:`closed_shell_states`.
    """
    return True if closed_shell_states(formula) is not None else None


def closed_shell_detail(formula: str) -> str:
    """``Li+ P5+ O2-`` of a closed-shell compound, ions in formula order (empty when the rule does not apply)."""
    states = closed_shell_states(formula)
    if states is None:
        return ""
    return " ".join(_ion(el, s) for el, s in states.items())


class ElectronicModel:
    """Electronic character of phases from a user table, Materials Project gaps and the rules, in that order.

    Args:
        table: Composition key -> :class:`GapRecord` (:func:`load_electronic_table`), overriding everything.
        mp: Composition key -> :class:`GapRecord` from the Materials Project summary endpoint.
        gap_threshold: A phase conducts below this band gap [eV] (default 0.1 eV); ``is_metal`` counts.
        use_rule: Apply the rules when no gap is known (default True): metals and intermetallics conduct,
            closed-shell ionic compounds insulate.
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
        elif self.use_rule and (ions := closed_shell_detail(formula)):
            out = ElectronicCharacter(formula, False, EVIDENCE_CLOSED_SHELL, detail=ions)
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
            "evidence_order": [e for e in EVIDENCE_ORDER if self.use_rule or e not in RULE_EVIDENCE],
            "n_table": len(self.table),
            "n_mp": len(self.mp),
            **self.provenance,
        }


__all__ = [
    "DEFAULT_GAP_THRESHOLD",
    "EVIDENCE_CLOSED_SHELL",
    "EVIDENCE_ORDER",
    "ElectronicCharacter",
    "ElectronicModel",
    "ElectronicTableError",
    "GapRecord",
    "build_model",
    "closed_shell_states",
    "composition_key",
    "load_electronic_table",
    "rule_conducts",
    "rule_insulating",
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
        use_rule: Apply the metal rule and the closed-shell rule.
        mp_options: ``cache_dir``, ``offline``, ``endpoint``, ``retries``, ``backoff``, ... of
            :func:`screening.entries.mp.summary.load_mp_gaps`.

    Raises:
        ElectronicTableError: a malformed table. SourceError: Materials Project errors (see ``load_mp``).
    """
    from screening.entries.files import sha256_of

    provenance: dict = {}
    records = None
    if table is not None:
        records = load_electronic_table(table)
        provenance["table"] = {"path": str(table), "sha256": sha256_of(Path(table).expanduser())}
    gaps = None
    if mp_systems is not None:
        from screening.entries.mp.summary import load_mp_gaps

        gaps, provenance["mp"] = load_mp_gaps(mp_systems, **(mp_options or {}))
    return ElectronicModel(records, gaps, gap_threshold, use_rule, provenance)
