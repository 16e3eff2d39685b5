"""Interphase classes as table columns of a screen, the typed ``electronic:`` config, and the ranking's
band gap filter and interphase objective.

Config (``workflow/schemas/config.schema.yaml``)::

    electronic:
      table: gaps.csv           # user band gaps (formula,band_gap[,is_metal]) that override the rest
      gap_threshold: 0.1        # a phase conducts below this gap [eV] (is_metal counts)
      reaction_tolerance: 0.025 # reactions less exothermic than this [eV/atom] are "none"
      rule: true                # metals and anion-free intermetallics conduct; closed-shell ionic compounds insulate
      coating_min_gap: 0.5      # ranking filter on the coating's own gap [eV] (Xiao 2019); null: off
      require_gap: false        # false: the gap filter applies "where known" (Xiao 2019); true: unknown fails
      no_mixed_conducting: true # ranking filter: no interface of the stack mixed-conducting
      weight: 1.0               # weight of the interphase objective in the ranking score (0: off)

Severity of classes (worst first): ``mixed-conducting`` > ``unknown`` > ``passivating`` > ``none``; the
interface's overall class is the worst of the classes next to each side and at the minimum.

Evidence cells name each product once and stay below :data:`~screening.interphase.classify.EVIDENCE_MAX_CHARS`
characters (``+N more`` for the products that do not fit).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from screening.errors import InputError
from screening.interphase.classify import (
    DEFAULT_REACTION_TOLERANCE,
    EVIDENCE_MAX_CHARS,
    MIXED,
    NONE,
    PASSIVATING,
    UNKNOWN,
    InterphaseClass,
    ReactionClasses,
    WindowClasses,
    clip,
    evidence_text,
)
from screening.interphase.electronic import DEFAULT_GAP_THRESHOLD, ElectronicModel, build_model

#: Worst first.
SEVERITY = (MIXED, UNKNOWN, PASSIVATING, NONE)
#: Score of each class in the ranking objective (1 best).
CLASS_SCORE = {NONE: 1.0, PASSIVATING: 1.0, UNKNOWN: 0.5, MIXED: 0.0}
#: Xiao et al. 2019: coating band gap > 0.5 eV where known.
DEFAULT_COATING_MIN_GAP = 0.5

INTERFACE_COLUMNS = (
    "interphase",
    "interphase_a",
    "interphase_b",
    "interphase_min",
    "conducting_products",
    "unknown_products",
    "interphase_evidence",
)
KINK_COLUMNS = ("interphase", "conducting_products", "unknown_products", "interphase_evidence")
WINDOW_COLUMNS = (
    "band_gap",
    "is_metal",
    "conducting",
    "gap_evidence",
    "reduction_interphase",
    "reduction_conducting",
    "oxidation_interphase",
    "oxidation_conducting",
    "window_interphase_evidence",
)


def worst(classes: Iterable[str]) -> str:
    """The most severe class (``none`` for no classes)."""
    present = set(classes)
    return next((c for c in SEVERITY if c in present), NONE)


def _names(items: Iterable[str]) -> str:
    return ";".join(sorted(set(items)))


#: Sane ranges of the numeric ``electronic:`` settings: key -> (lowest, highest, unit). A reaction
#: tolerance of 1e308 eV/atom would label every reaction "none" and a weight of 1e308 zero every other
#: objective of the score. The config schema (workflow/schemas/config.schema.yaml) mirrors these, and the
#: command line's ``--gap-threshold`` and ``--reaction-tolerance`` are checked by the same function
#: (:func:`check_electronic_value`).
ELECTRONIC_BOUNDS: dict[str, tuple[float, float, str]] = {
    "gap_threshold": (0.0, 20.0, "eV"),
    "reaction_tolerance": (0.0, 1.0, "eV/atom"),
    "coating_min_gap": (0.0, 20.0, "eV"),
    "weight": (0.0, 100.0, ""),
}


def check_electronic_value(key: str, value, name: str | None = None) -> float:
    """``value`` as a float if it is a finite number in ``ELECTRONIC_BOUNDS[key]``.

    Args:
        key: A key of :data:`ELECTRONIC_BOUNDS`.
        value: The given value (config value or command line number).
        name: How the message names it (default ``config key electronic.<key>``; the CLI passes its option).

    Raises:
        InputError: one line naming the key, the value and the range to give.
    """
    lo, hi, unit = ELECTRONIC_BOUNDS[key]
    label = name or f"config key electronic.{key}"
    span = f"a number from {lo:g} to {hi:g}" + (f" {unit}" if unit else "")
    if isinstance(value, bool):
        raise InputError(f"{label} = {value!r} is not a number: give {span}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{label} = {value!r} is not a number: give {span}") from None
    if not math.isfinite(v):
        raise InputError(f"{label} = {v!r} is not a finite number: give {span}")
    if not lo <= v <= hi:
        raise InputError(f"{label} = {v:g} is outside the sane range: give {span}")
    return v


@dataclass(frozen=True)
class ElectronicSettings:
    """The typed ``electronic:`` config (see the module doc for every key and its default)."""

    table: str | None = None
    gap_threshold: float = DEFAULT_GAP_THRESHOLD
    reaction_tolerance: float = DEFAULT_REACTION_TOLERANCE
    rule: bool = True
    coating_min_gap: float | None = DEFAULT_COATING_MIN_GAP
    require_gap: bool = False
    no_mixed_conducting: bool = True
    weight: float = 1.0

    @classmethod
    def from_dict(cls, d: Mapping | None, basedir: str | os.PathLike | None = None) -> ElectronicSettings:
        """Parse ``electronic:`` (schema-validated, defaults may be missing); a relative table path is
        resolved against ``basedir``.

        Raises:
            InputError: a threshold, tolerance, minimum gap or weight that is not a number in its
                :data:`ELECTRONIC_BOUNDS` (names the key).
        """
        d = dict(d or {})

        def num(key: str, default):
            v = d.get(key, default)
            return None if v is None else check_electronic_value(key, v)

        min_gap = d.get("coating_min_gap", DEFAULT_COATING_MIN_GAP)
        out = cls(
            table=d.get("table"),
            gap_threshold=num("gap_threshold", DEFAULT_GAP_THRESHOLD),
            reaction_tolerance=num("reaction_tolerance", DEFAULT_REACTION_TOLERANCE),
            rule=bool(d.get("rule", True)),
            coating_min_gap=None if min_gap is None else check_electronic_value("coating_min_gap", min_gap),
            require_gap=bool(d.get("require_gap", False)),
            no_mixed_conducting=bool(d.get("no_mixed_conducting", True)),
            weight=num("weight", 1.0),
        )
        if out.table is not None and basedir is not None and not Path(out.table).expanduser().is_absolute():
            out = cls(**{**out.__dict__, "table": str(Path(basedir) / out.table)})
        return out

    def model(self, mp_systems=None, mp_options: dict | None = None) -> ElectronicModel:
        """The :class:`ElectronicModel` of these settings (MP band gaps for ``mp_systems`` if given)."""
        return build_model(self.table, mp_systems, self.gap_threshold, self.rule, mp_options)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def class_columns(c: InterphaseClass) -> dict:
    """``interphase``, ``conducting_products``, ``unknown_products``, ``interphase_evidence`` of one class."""
    return {
        "interphase": c.cls,
        "conducting_products": _names(c.conducting),
        "unknown_products": _names(c.unknown),
        "interphase_evidence": c.evidence,
    }


def interface_columns(classes: ReactionClasses) -> dict:
    """Columns of one interface row: the overall (worst) class, the class next to a, next to b and at the
    minimum, the conducting and unknown products of those, and the evidence of the worst ones (each product
    named once, :func:`~screening.interphase.classify.evidence_text`)."""
    parts = (classes.side_a, classes.side_b, classes.minimum)
    overall = worst(p.cls for p in parts)
    evidence = "no reaction" if overall == NONE else evidence_text(
        c for p in parts if p.cls == overall for c in p.shown
    )
    return {
        "interphase": overall,
        "interphase_a": classes.side_a.cls,
        "interphase_b": classes.side_b.cls,
        "interphase_min": classes.minimum.cls,
        "conducting_products": _names(n for p in parts for n in p.conducting),
        "unknown_products": _names(n for p in parts for n in p.unknown),
        "interphase_evidence": evidence,
    }


def kink_columns(classes: ReactionClasses) -> list[dict]:
    """One :func:`class_columns` dict per kink, in the profile's order."""
    return [class_columns(k) for k in classes.kinks]


def window_columns(formula: str, window: WindowClasses | None, model: ElectronicModel) -> dict:
    """A material's own band gap (with evidence) and the classes of its window's reduction/oxidation products."""
    ch = model.character(formula)
    out = {
        "band_gap": ch.band_gap,
        "is_metal": ch.is_metal,
        "conducting": ch.label,
        "gap_evidence": f"{ch.evidence}: {ch.detail}",
    }
    if window is not None:
        out.update({
            "reduction_interphase": window.reduction.cls,
            "reduction_conducting": _names(window.reduction.conducting),
            "oxidation_interphase": window.oxidation.cls,
            "oxidation_conducting": _names(window.oxidation.conducting),
            "window_interphase_evidence": _window_evidence(window),
        })
    return out


def _window_evidence(window: WindowClasses, limit: int = EVIDENCE_MAX_CHARS) -> str:
    """``reduction: ... | oxidation: ...`` of the limits that react, each side within half of ``limit``."""
    sides = [w for w in (window.reduction, window.oxidation) if w.cls != NONE]
    if not sides:
        return ""
    share = (limit - 3 * (len(sides) - 1)) // len(sides)
    return " | ".join(f"{w.where}: {evidence_text(w.shown, share - len(w.where) - 2)}" for w in sides)


def gap_filter(band_gap: float | None, conducting: str, settings: ElectronicSettings) -> bool | None:
    """The coating's own band gap filter: True pass, False fail, None (off).

    Passes when the gap is >= ``coating_min_gap``; a metal (``conducting`` from ``is_metal`` or a rule)
    fails; an unknown gap passes unless ``require_gap`` (Xiao 2019: "where known").
    """
    if settings.coating_min_gap is None:
        return None
    if band_gap is None or (isinstance(band_gap, float) and math.isnan(band_gap)):
        if conducting == "conducting":
            return False
        return not settings.require_gap
    return float(band_gap) >= settings.coating_min_gap - 1e-12


#: Columns the ranking adds per (stack, coating).
RANK_COLUMNS = (
    "coating_band_gap",
    "coating_gap_evidence",
    "pass_band_gap",
    "interphase",
    "interphase_interfaces",
    "interphase_evidence",
    "baseline_interphase",
    "baseline_interphase_evidence",
    "pass_interphase",
    "s_interphase",
)


def interphase_lookup(interfaces) -> dict[int, tuple[str, str]]:
    """interface id -> (class, evidence) of an interfaces table (empty without interphase columns)."""
    if "interphase" not in getattr(interfaces, "columns", ()):
        return {}
    cols = ["interface", "interphase", "interphase_evidence"]
    return {int(i): (c, e) for i, c, e in interfaces[cols].itertuples(index=False, name=None) if isinstance(c, str)}


def worst_of(ids: Iterable[int | None], lookup: Mapping[int, tuple[str, str]]) -> tuple[str | None, str, str]:
    """(worst class, ids having it, their evidence) over interface ids; None if a class is missing."""
    got = [(i, lookup.get(i)) for i in ids if i is not None]
    if not got or any(v is None for _, v in got):
        return None, "", ""
    cls = worst(v[0] for _, v in got)
    if cls == NONE:
        return cls, "", "no reaction"
    hit = [(i, v[1]) for i, v in got if v[0] == cls]
    share = max((EVIDENCE_MAX_CHARS - 3 * (len(hit) - 1)) // len(hit), 40)
    text = " | ".join(f"interface {i}: {clip(e, share - len(f'interface {i}: '))}" for i, e in hit)
    return cls, ";".join(str(i) for i, _ in hit), text


@dataclass(frozen=True)
class StackInterphase:
    """The interphase part of one coating's ranking row in a stack (:data:`RANK_COLUMNS`, filters, reasons)."""

    columns: dict
    passes: bool
    fails: tuple[str, ...]


def stack_interphase(
    coating_window: Mapping,
    ids: Iterable[int | None],
    baseline_ids: Iterable[int | None],
    lookup: Mapping[int, tuple[str, str]],
    settings: ElectronicSettings,
    baseline_worst: tuple[str | None, str, str] | None = None,
) -> StackInterphase:
    """Band gap filter, no-mixed-conducting filter and interphase objective of one coating in one stack.

    Args:
        coating_window: The coating's row of the windows table (``band_gap``, ``conducting``, ``gap_evidence``).
        ids: Ids of the coating's interfaces in the stack (with the electrode and the electrolyte).
        baseline_ids: Ids of the stack's electrolyte | electrode interfaces (no coating).
        lookup: :func:`interphase_lookup` of the interfaces table.
        settings: The ``electronic:`` config.
        baseline_worst: ``worst_of(baseline_ids, lookup)`` when the caller has it already (it is the same
            for every coating of a stack; a discovery screen has ~700,000 rows).
    """
    gap = coating_window.get("band_gap")
    gap = None if gap is None or (isinstance(gap, float) and math.isnan(gap)) else float(gap)
    conducting = coating_window.get("conducting")
    conducting = conducting if isinstance(conducting, str) else "unknown"
    pass_gap = gap_filter(gap, conducting, settings)
    cls, which, evidence = worst_of(ids, lookup)
    base_cls, _, base_evidence = baseline_worst or worst_of(baseline_ids, lookup)
    fails = []
    if pass_gap is False:
        shown = "unknown" if gap is None else f"{gap:.2f} eV"
        fails.append(f"coating band gap {shown} ({conducting}) < {settings.coating_min_gap:g} eV")
    pass_mci = None
    if settings.no_mixed_conducting and cls is not None:
        pass_mci = cls != MIXED
        if not pass_mci:
            fails.append(f"mixed-conducting interphase (interface {which})")
    columns = {
        "coating_band_gap": math.nan if gap is None else gap,
        "coating_gap_evidence": coating_window.get("gap_evidence") or "",
        "pass_band_gap": pass_gap,
        "interphase": cls,
        "interphase_interfaces": which,
        "interphase_evidence": evidence,
        "baseline_interphase": base_cls,
        "baseline_interphase_evidence": base_evidence,
        "pass_interphase": pass_mci,
        "s_interphase": math.nan if cls is None else CLASS_SCORE[cls],
    }
    return StackInterphase(columns, pass_gap is not False and pass_mci is not False, tuple(fails))


def combined_score(score, s_interphase, weights: Mapping[str, float], weight: float):
    """Weighted mean of the ranking's score (weights ``weights``) and the interphase objective (``weight``);
    rows without an interphase class keep their score."""
    import numpy as np

    total = sum(float(v) for v in weights.values())
    score = np.asarray(score, dtype=float)
    if weight <= 0:
        return score
    s = np.asarray(s_interphase, dtype=float)
    return np.where(np.isnan(s), score, (score * total + weight * s) / (total + weight))


def interphase_score(classes: Iterable[str]) -> float:
    """Objective in [0, 1] of a coating's interfaces in a stack: the score of the worst class
    (none/passivating 1, unknown 0.5, mixed-conducting 0)."""
    return CLASS_SCORE[worst(classes)]


__all__ = [
    "CLASS_SCORE",
    "DEFAULT_COATING_MIN_GAP",
    "ELECTRONIC_BOUNDS",
    "INTERFACE_COLUMNS",
    "KINK_COLUMNS",
    "SEVERITY",
    "WINDOW_COLUMNS",
    "RANK_COLUMNS",
    "ElectronicSettings",
    "StackInterphase",
    "check_electronic_value",
    "class_columns",
    "combined_score",
    "gap_filter",
    "interface_columns",
    "interphase_lookup",
    "interphase_score",
    "stack_interphase",
    "kink_columns",
    "window_columns",
    "worst",
    "worst_of",
]
