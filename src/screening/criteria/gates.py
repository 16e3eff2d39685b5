"""Criteria presets: published screening criteria as data, with overrides.

A preset (``presets/<name>.yaml``) is a list of *gates*. A gate judges one quantity
(:data:`screening.criteria.quantities.QUANTITIES`) against a ``pass`` threshold and an optional looser
``marginal`` one, and gives a tier:

* ``pass``: within ``pass``;
* ``marginal``: beyond ``pass`` but within ``marginal`` (a gate without a marginal band is a cliff);
* ``fail``: beyond both;
* ``n/a``: the gate does not apply (no such partner in the stack) or the value is unknown and the
  gate's ``missing`` says so (Xiao et al. 2019 apply the band gap gate "where known").

Presets: ``xiao2019`` (default; Xiao, Miara, Wang & Ceder, Joule 3, 1252 (2019)), ``nolan2021``
(Nolan, Wachsman & Mo, Energy Storage Mater. 41, 571 (2021)), ``kim2026`` (Kim et al., Nano Convergence
(2026)) and ``custom`` (the config's ``thresholds`` and ``electronic`` keys). docs/criteria.md sets them
side by side.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from importlib import resources

import yaml

from screening.criteria.quantities import QUANTITIES
from screening.errors import ScreeningError

#: Tiers, best first; ``n/a`` orders with ``pass``.
TIERS = ("pass", "n/a", "marginal", "fail")
#: Tier -> ordering level (0 best).
TIER_LEVEL = {"pass": 0, "n/a": 0, "marginal": 1, "fail": 2}
#: The presets that ship with the package.
PRESETS = ("xiao2019", "nolan2021", "kim2026", "custom")
DEFAULT_PRESET = "xiao2019"
#: Keys a gate may have (in a preset or an override).
GATE_KEYS = ("name", "quantity", "electrodes", "pass", "marginal", "missing", "enabled", "source", "note")
#: Keys an override may change.
OVERRIDE_KEYS = ("pass", "marginal", "missing", "enabled", "electrodes")
ELECTRODE_ROLES = ("cathode", "anode")


class CriteriaError(ScreeningError, ValueError):
    """A bad preset name, gate override or threshold (the message names it)."""


@dataclass(frozen=True)
class Gate:
    """One gate of a criteria preset.

    Attributes:
        name: Its name (columns ``gate_<name>`` and ``tier_<name>`` of the rankings).
        quantity: The judged quantity (:data:`QUANTITIES`); its unit is the gate's.
        threshold: The ``pass`` threshold, in the quantity's unit (at most it for a ``max`` quantity,
            at least it for ``min``).
        marginal: The looser threshold of the marginal tier (None: no marginal band).
        missing: Tier of an unknown value: ``n/a``, ``marginal`` or ``fail``.
        electrodes: Electrode roles whose stacks the gate applies to (``cathode``, ``anode``).
        source: The paper (or this project) it comes from.
        note: Why, in words.
    """

    name: str
    quantity: str
    threshold: float
    marginal: float | None = None
    missing: str = "n/a"
    electrodes: tuple[str, ...] = ELECTRODE_ROLES
    source: str = ""
    note: str = ""

    @property
    def units(self) -> str:
        return QUANTITIES[self.quantity].units

    @property
    def direction(self) -> str:
        return QUANTITIES[self.quantity].direction

    @property
    def cheap(self) -> bool:
        return QUANTITIES[self.quantity].cheap

    @property
    def scale(self) -> float:
        return QUANTITIES[self.quantity].scale

    def describe(self) -> str:
        """``reaction_electrolyte: |E| with the electrolyte, closed <= 0.1 eV/atom (marginal <= 0.135)``."""
        op = "<=" if self.direction == "max" else ">="
        out = f"{self.name}: {self.quantity} {op} {self.threshold:g} {self.units}"
        if self.marginal is not None and self.marginal != self.threshold:
            out += f" (marginal {op} {self.marginal:g})"
        return out

    def as_dict(self) -> dict:
        d = asdict(self)
        d["electrodes"] = list(self.electrodes)
        d["units"] = self.units
        d["direction"] = self.direction
        return d


@dataclass(frozen=True)
class Criteria:
    """A resolved preset: its gates in order, with overrides applied.

    Attributes:
        name: The preset's name.
        title: A short title.
        citation: The paper.
        gates: The enabled gates, in the preset's order.
    """

    name: str
    title: str
    citation: str
    gates: tuple[Gate, ...]

    @property
    def quantities(self) -> set[str]:
        return {g.quantity for g in self.gates}

    def as_dict(self) -> dict:
        """The resolved gates, for the provenance."""
        return {"name": self.name, "title": self.title, "citation": self.citation,
                "gates": [g.as_dict() for g in self.gates]}


def _read_preset(name: str) -> dict:
    if name not in PRESETS:
        raise CriteriaError(
            f"unknown criteria preset {name!r}; choose one of {', '.join(PRESETS)} (docs/criteria.md)"
        )
    text = resources.files("screening.criteria").joinpath("presets", f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _lookup(settings: dict, ref: dict, where: str):
    """The value of a ``{from: section.key}`` reference (``not: true`` negates it)."""
    path = str(ref.get("from", ""))
    if path not in settings:
        raise CriteriaError(f"{where}: cannot take a value from {path!r}")
    value = settings[path]
    return (not value) if ref.get("not") else value


def _number(value, where: str, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
        raise CriteriaError(f"{where} = {value!r} must be a finite number")
    return float(value)


def _gate(spec: dict, settings: dict, where: str, citation: str) -> Gate | None:
    """One gate from its spec (``from:`` references resolved); None if it is disabled."""
    unknown = sorted(set(spec) - set(GATE_KEYS))
    if unknown:
        raise CriteriaError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(GATE_KEYS)}")
    spec = {k: (_lookup(settings, v, f"{where}.{k}") if isinstance(v, dict) else v) for k, v in spec.items()}
    name = str(spec.get("name") or "")
    q = spec.get("quantity")
    if q not in QUANTITIES:
        raise CriteriaError(f"{where}: unknown quantity {q!r}; allowed: {', '.join(QUANTITIES)}")
    if not spec.get("enabled", True):
        return None
    missing = spec.get("missing", "n/a")
    if isinstance(missing, bool):  # electronic.require_gap: true -> an unknown gap fails
        missing = "fail" if missing else "n/a"
    if missing not in ("n/a", "marginal", "fail"):
        raise CriteriaError(f"{where}.missing = {missing!r}; allowed: n/a, marginal, fail")
    threshold = spec.get("pass")
    if threshold is None:  # e.g. electronic.coating_min_gap: null switches the band gap gate off
        return None
    threshold = _number(threshold, f"{where}.pass")
    marginal = _number(spec.get("marginal"), f"{where}.marginal", allow_none=True)
    direction = QUANTITIES[q].direction
    if marginal is not None and ((direction == "max" and marginal < threshold) or
                                 (direction == "min" and marginal > threshold)):
        op = ">=" if direction == "max" else "<="
        raise CriteriaError(
            f"{where}: marginal = {marginal:g} must be {op} pass = {threshold:g} ({q} is judged by its "
            f"{'largest' if direction == 'max' else 'smallest'} allowed value)"
        )
    electrodes = tuple(spec.get("electrodes") or ELECTRODE_ROLES)
    bad = sorted(set(electrodes) - set(ELECTRODE_ROLES))
    if bad:
        raise CriteriaError(f"{where}.electrodes: unknown role(s) {', '.join(bad)}; allowed: cathode, anode")
    return Gate(name, q, threshold, marginal, missing, electrodes, str(spec.get("source") or citation),
                str(spec.get("note") or ""))


def criteria_settings(config: dict) -> tuple[str, dict]:
    """(preset name, gate overrides) of a config's ``criteria`` key: a preset name or
    ``{preset: NAME, gates: {GATE: {pass: .., marginal: .., enabled: ..}}}``."""
    c = config.get("criteria")
    if c is None:
        return DEFAULT_PRESET, {}
    if isinstance(c, str):
        return c, {}
    if not isinstance(c, dict):
        raise CriteriaError(f"config key criteria = {c!r}: give a preset name or {{preset: NAME, gates: {{...}}}}")
    return str(c.get("preset") or DEFAULT_PRESET), dict(c.get("gates") or {})


def resolve_criteria(
    preset: str = DEFAULT_PRESET, overrides: dict | None = None, settings: dict | None = None
) -> Criteria:
    """A preset's gates with overrides applied.

    Args:
        preset: A preset name (:data:`PRESETS`).
        overrides: Gate name -> {key: value} (``pass``, ``marginal``, ``missing``, ``enabled``,
            ``electrodes``).
        settings: Values the ``custom`` preset takes with ``{from: KEY}`` (``thresholds.e_above_hull``,
            ``electronic.coating_min_gap``, ...; :meth:`screening.plan.ScreenConfig.criteria` gives them).

    Raises:
        CriteriaError: an unknown preset, an override of a gate the preset does not have, a bad value.
    """
    data = _read_preset(preset)
    specs = [dict(g) for g in data["gates"]]
    names = [g["name"] for g in specs]
    for gname, change in (overrides or {}).items():
        if gname not in names:
            raise CriteriaError(
                f"criteria override of gate {gname!r}: preset {preset} has no such gate; its gates are "
                f"{', '.join(names)}"
            )
        if not isinstance(change, dict):
            raise CriteriaError(
                f"criteria override of gate {gname!r} = {change!r}: give a mapping such as {{pass: 0.05}}"
            )
        bad = sorted(set(change) - set(OVERRIDE_KEYS))
        if bad:
            raise CriteriaError(
                f"criteria override of gate {gname!r}: unknown key(s) {', '.join(bad)}; allowed: "
                f"{', '.join(OVERRIDE_KEYS)}"
            )
        specs[names.index(gname)].update(change)
    gates = []
    for spec in specs:
        g = _gate(spec, settings or {}, f"criteria {preset} gate {spec.get('name')!r}", data.get("citation", ""))
        if g is not None:
            gates.append(g)
    return Criteria(preset, str(data.get("title", preset)), str(data.get("citation", "")), tuple(gates))


def parse_override(text: str) -> tuple[str, str, object]:
    """``GATE.KEY=VALUE`` (command line) -> (gate, key, value); the value is read as YAML."""
    left, sep, value = text.partition("=")
    gate, dot, key = left.strip().partition(".")
    if not sep or not dot or not gate or not key:
        raise CriteriaError(f"criteria override {text!r}: write GATE.KEY=VALUE, e.g. reaction_electrolyte.pass=0.05")
    try:
        return gate, key, yaml.safe_load(value)
    except yaml.YAMLError:
        raise CriteriaError(f"criteria override {text!r}: the value is not a number or word") from None


def overrides_from_text(items) -> dict:
    """Command-line overrides (``GATE.KEY=VALUE`` each) as a gate -> {key: value} mapping."""
    out: dict = {}
    for t in items or ():
        gate, key, value = parse_override(t)
        out.setdefault(gate, {})[key] = value
    return out


__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "TIERS",
    "TIER_LEVEL",
    "Criteria",
    "CriteriaError",
    "Gate",
    "criteria_settings",
    "overrides_from_text",
    "parse_override",
    "resolve_criteria",
]
