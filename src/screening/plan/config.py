"""The screen's typed configuration, parsed once: materials, options, the candidate query.

:meth:`ScreenConfig.from_dict` turns a validated config (``workflow/schemas/config.schema.yaml``, which
also fills in defaults) into typed records and checks what the schema cannot: unique names, voltage
ranges, user coatings, and that every formula parses (the error names its config key).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

from screening.composition import parse_formula
from screening.criteria import Criteria, CriteriaError, criteria_settings, resolve_criteria
from screening.entries.exclude import parse_exclude
from screening.errors import FormulaError, ScreeningError
from screening.interphase.tables import ElectronicSettings

#: The result tables of a screen (``tables/<name>.parquet``, and ``.csv``), in the order they are listed.
TABLE_NAMES = ("windows", "interfaces", "reactions", "rankings", "funnel")
#: Tables whose CSV copy the config key ``csv: false`` leaves out (millions of rows at discovery scale).
LARGE_TABLES = ("interfaces", "reactions", "rankings")

class ConfigError(ScreeningError, ValueError):
    """The screen's configuration is invalid (the message names the key)."""


@dataclass(frozen=True)
class Material:
    """One material of the screen.

    Attributes:
        name: Display name (unique within its role), e.g. ``NMC811`` or ``LiNbO3``.
        formula: The composition as written in the config.
        role: ``cathode``, ``anode``, ``electrolyte`` or ``coating``.
        key: Where it stands in the config (``cathodes[2]``), for error messages.
        voltage: Potentials [V vs Li/Li+] where it sits: a cathode's (bottom, top) of its range, an
            anode's (potential, potential); None for electrolytes and coatings.
        charged: A cathode's charged (delithiated) composition, if given.
        origin: For coatings: ``explicit``, ``user`` or ``query``.
        formation_energy: User-defined coating's formation energy [eV/atom] (None: not user-defined,
            or placed on the hull).
        on_hull: User-defined coating placed on the hull (virtual).
    """

    name: str
    formula: str
    role: str
    key: str
    voltage: tuple[float, float] | None = None
    charged: str | None = None
    origin: str = ""
    formation_energy: float | None = None
    on_hull: bool = False

    @property
    def is_electrode(self) -> bool:
        return self.role in ("cathode", "anode")

    @property
    def potentials(self) -> tuple[float, ...]:
        """Distinct potentials at which the electrode's interfaces are evaluated."""
        if self.voltage is None:
            return ()
        lo, hi = self.voltage
        return (lo,) if lo == hi else (lo, hi)


def _key_text(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def check_finite(config, path: tuple = ()) -> None:
    """Refuse NaN and infinities anywhere in a config (YAML ``.nan``/``.inf``), naming the key.

    JSON Schema bounds cannot catch NaN (every comparison with NaN is false), so ``voltage: [.nan,
    2.6]`` or ``thresholds.e_above_hull: .nan`` would otherwise pass validation and silently turn into
    wrong rows.

    Raises:
        ConfigError: the first non-finite number, with its key.
    """
    if isinstance(config, dict):
        for k, v in config.items():
            check_finite(v, (*path, k))
    elif isinstance(config, list | tuple):
        for i, v in enumerate(config):
            check_finite(v, (*path, i))
    elif isinstance(config, float) and not math.isfinite(config):
        raise ConfigError(
            f"config key {_key_text(path)} = {config!r} is not a finite number; give a finite value "
            "(bounds and units in workflow/schemas/config.schema.yaml)"
        )


@dataclass(frozen=True)
class StructureSettings:
    """Structure candidates (``coatings.structures``) and the potential that relaxes them (``mlip``).

    Attributes:
        patterns: Structure files or glob patterns, relative to the working directory.
        model: Universal potential (``chgnet``).
        fmax: Force convergence [eV/A].
        steps: Maximum relaxation steps (reaching it flags the structure ``not_converged``).
        chunk_size: Structures per relaxation job.
        cache_dir: Relaxation cache folder (by content hash, model, version and settings); None: the shared
            default of the command line, the workflow and the API (``$SCREENING_MLIP_CACHE``, else
            ``resources/mlip_cache`` in the working directory).
        max_atoms: Most atoms per structure (a bigger file stops the workflow with one line at parse).
        join_hull: The machine-learned entries join the hull (False, default: each is judged against the
            data's hull but never part of it, so no other material's numbers change because it was added).
        precedence: ``user`` (default) or ``mlip``: which formation energy a composition takes when a
            user-defined candidate (coatings.user with formation_energy) and a structure share it.
    """

    patterns: tuple[str, ...] = ()
    model: str = "chgnet"
    fmax: float = 0.05
    steps: int = 300
    chunk_size: int = 4
    cache_dir: str | None = None
    max_atoms: int = 200  # screening.mlip.structures.MAX_ATOMS (not imported: plan stays free of mlip)
    join_hull: bool = False
    precedence: str = "user"

    @classmethod
    def from_config(cls, config: dict) -> StructureSettings:
        """From a config (``coatings.structures`` and the ``mlip`` block; missing keys take the defaults)."""
        m = dict(config.get("mlip") or {})
        d = cls()
        return cls(
            tuple(str(p) for p in ((config.get("coatings") or {}).get("structures") or ())),
            str(m.get("model", d.model)), float(m.get("fmax", d.fmax)), int(m.get("steps", d.steps)),
            int(m.get("chunk_size", d.chunk_size)),
            None if m.get("cache_dir") is None else str(m["cache_dir"]),
            int(m.get("max_atoms", d.max_atoms)), bool(m.get("join_hull", d.join_hull)),
            str(m.get("precedence", d.precedence)),
        )


def slug(name: str) -> str:
    """A file-name-safe form of a material name (``S/Li2S`` -> ``S-Li2S``)."""
    s = re.sub(r"[^A-Za-z0-9._+-]+", "-", name).strip("-.")
    return s or "material"


#: Objectives of the ranking (weights and partial scores), in column order.
OBJECTIVES = ("electrode", "electrolyte", "window", "e_above_hull")


@dataclass(frozen=True)
class Thresholds:
    """Filters of the funnel (Xiao et al., Joule 3, 1252 (2019): 0.005 eV/atom, 0.1 eV/atom, Li-containing).

    Attributes:
        e_above_hull: Largest e_above_hull of a coating [eV/atom].
        reaction_energy_closed: Largest |reaction energy| of a closed interface [eV/atom].
        reaction_energy_open: Largest |reaction energy| of an interface open to Li [eV per non-Li atom].
        window_margin: How far [V] the coating's window must reach beyond its electrode's potentials.
        allow_virtual: Coatings without a data entry (placed on the hull) may pass.
        li_conduction: Coatings must contain Li (a Li-free coating conducts no Li; Xiao 2019). When
            False, Li-free coatings are still flagged (``li_free``) but may pass.
    """

    e_above_hull: float = 0.025
    reaction_energy_closed: float = 0.1
    reaction_energy_open: float = 0.1
    window_margin: float = 0.0
    allow_virtual: bool = True
    li_conduction: bool = True

    @classmethod
    def from_dict(cls, d: dict | None) -> Thresholds:
        d = dict(d or {})
        both = float(d.get("reaction_energy", 0.1))
        closed, open_ = d.get("reaction_energy_closed"), d.get("reaction_energy_open")
        return cls(
            e_above_hull=float(d.get("e_above_hull", 0.025)),
            reaction_energy_closed=both if closed is None else float(closed),
            reaction_energy_open=both if open_ is None else float(open_),
            window_margin=float(d.get("window_margin", 0.0)),
            allow_virtual=bool(d.get("allow_virtual", True)),
            li_conduction=bool(d.get("li_conduction", True)),
        )


#: ``ranking.reaction_energy`` -> column of the interfaces and reactions tables (docs/conventions.md):
#: richards2016 holds the electrode in its own equilibrium at its potential (Richards et al. 2016).
ENERGY_COLUMN = {"mutual": "energy_mutual", "total": "energy", "richards2016": "energy_richards2016"}


@dataclass(frozen=True)
class RankingOptions:
    """How survivors of the filters are scored (Aykol et al., Nat. Commun. 7, 13779 (2016) style).

    Attributes:
        reaction_energy: ``mutual``, ``total`` or ``richards2016`` (:data:`ENERGY_COLUMN`; docs/conventions.md).
        weights: Objective -> weight >= 0 (:data:`OBJECTIVES`).
        scales: ``reaction_energy`` [eV/atom, or eV per non-Li atom open to Li], ``window`` [V],
            ``e_above_hull`` [eV/atom]: the value at which an objective's partial score reaches 0 (1 for
            the window).
        window_margin_cap: Margin [V] an unbounded window side counts as.
    """

    reaction_energy: str = "mutual"
    weights: dict = field(
        default_factory=lambda: {"electrode": 1.0, "electrolyte": 1.0, "window": 0.5, "e_above_hull": 0.5}
    )
    scales: dict = field(default_factory=lambda: {"reaction_energy": 0.1, "window": 1.0, "e_above_hull": 0.05})
    window_margin_cap: float = 5.0

    @classmethod
    def from_dict(cls, d: dict | None) -> RankingOptions:
        d = dict(d or {})
        base = cls()
        return cls(
            reaction_energy=str(d.get("reaction_energy", base.reaction_energy)),
            weights={**base.weights, **{k: float(v) for k, v in (d.get("weights") or {}).items()}},
            scales={**base.scales, **{k: float(v) for k, v in (d.get("scales") or {}).items()}},
            window_margin_cap=float(d.get("window_margin_cap", base.window_margin_cap)),
        )

    @property
    def energy_column(self) -> str:
        """Column of the interfaces table the ranking uses (:data:`ENERGY_COLUMN`)."""
        return ENERGY_COLUMN[self.reaction_energy]


def criteria_of(
    raw: dict, thresholds: Thresholds, electronic: ElectronicSettings, preset: str | None = None,
    overrides: dict | None = None,
) -> Criteria:
    """The criteria of a config: its preset and gate overrides, the ``custom`` preset's values taken from
    ``thresholds`` and ``electronic``; ``preset`` and ``overrides`` (command line) replace and extend them.

    Raises:
        ConfigError: an unknown preset or gate, or a bad override (the message names it).
    """
    name, over = criteria_settings(raw)
    settings = {f"thresholds.{k}": v for k, v in thresholds.__dict__.items()}
    settings.update({f"electronic.{k}": v for k, v in electronic.__dict__.items()})
    merged = {g: dict(c) for g, c in over.items()}
    for g, c in (overrides or {}).items():
        merged.setdefault(g, {}).update(c)
    try:
        return resolve_criteria(preset or name, merged, settings)
    except CriteriaError as exc:
        raise ConfigError(str(exc)) from None


@dataclass(frozen=True)
class ScreenConfig:
    """The normalised configuration (see ``workflow/schemas/config.schema.yaml`` for every key)."""

    raw: dict
    cathodes: tuple[Material, ...]
    anodes: tuple[Material, ...]
    electrolytes: tuple[Material, ...]
    coatings: tuple[Material, ...]
    query: dict = field(default_factory=dict)
    electronic: ElectronicSettings = field(default_factory=ElectronicSettings)
    exclude: tuple[str, ...] = ()
    structures: StructureSettings = field(default_factory=StructureSettings)

    @property
    def electrodes(self) -> tuple[Material, ...]:
        return self.cathodes + self.anodes

    @property
    def materials(self) -> tuple[Material, ...]:
        """Every configured material (query candidates are added by the candidates step)."""
        return self.cathodes + self.anodes + self.electrolytes + self.coatings

    @property
    def potentials(self) -> tuple[float, ...]:
        """Every distinct electrode potential of the screen, ascending."""
        return tuple(sorted({v for e in self.electrodes for v in e.potentials}))

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds.from_dict(self.raw.get("thresholds"))

    @functools.cached_property
    def criteria(self) -> Criteria:
        """The gates the candidates are judged by (``criteria:`` key; docs/criteria.md), resolved once."""
        return criteria_of(self.raw, self.thresholds, self.electronic)

    @property
    def ranking(self) -> RankingOptions:
        return RankingOptions.from_dict(self.raw.get("ranking"))

    @property
    def hull_reference(self) -> bool:
        return bool(self.raw.get("hull_reference", True))

    @property
    def li_tolerance(self) -> float:
        """Window limits skip steps below this Li exchange [Li per non-Li atom] (docs/conventions.md)."""
        return float(self.raw.get("li_tolerance", 0.0))

    @property
    def chunk_size(self) -> int:
        return int(self.raw.get("chunk_size", 8))

    @property
    def csv(self) -> bool:
        """Also write interfaces, reactions and rankings as CSV (False: Parquet only, for large screens)."""
        return bool(self.raw.get("csv", True))

    def table_files(self) -> list[str]:
        """File names of the result tables the screen writes (in ``tables/``), in a fixed order.

        Each table has its Parquet file; windows and funnel (small) always a CSV copy too, the large ones
        (interfaces, reactions, rankings) only when :attr:`csv` is on.
        """
        return [
            f"{name}.{ext}"
            for name in TABLE_NAMES
            for ext in ("csv", "parquet")
            if ext == "parquet" or self.csv or name not in LARGE_TABLES
        ]

    @property
    def funnel(self) -> bool:
        """Compute reaction energies only for candidates that pass the cheap filters of a stack."""
        return bool(self.raw.get("funnel", True))

    @property
    def top_n(self) -> int:
        """Candidates per stack the figures and the report show."""
        return int((self.raw.get("report") or {}).get("top_n", 3))

    @classmethod
    def from_dict(cls, config: dict) -> ScreenConfig:
        """Normalise a validated config (defaults filled in) and check what the schema cannot.

        Raises:
            ConfigError: duplicate names, a name containing ``|``, an empty voltage range, no electrode, a user
                coating with both or neither of ``formation_energy`` and ``on_hull``, a formula that cannot be
                parsed.
        """
        check_finite(config)
        cathodes = []
        for i, c in enumerate(config.get("cathodes") or []):
            lo, hi = (float(v) for v in c["voltage"])
            if lo > hi:
                raise ConfigError(
                    f"config key cathodes[{i}].voltage = {c['voltage']!r}: give [bottom, top] with bottom <= top"
                )
            cathodes.append(
                Material(c["name"], c["formula"], "cathode", f"cathodes[{i}]", (lo, hi), c.get("charged") or None)
            )
        anodes = [
            Material(a["name"], a["formula"], "anode", f"anodes[{i}]", (float(a["potential"]),) * 2)
            for i, a in enumerate(config.get("anodes") or [])
        ]
        electrolytes = [
            Material(e["name"], e["formula"], "electrolyte", f"electrolytes[{i}]")
            for i, e in enumerate(config.get("electrolytes") or [])
        ]
        if not cathodes and not anodes:
            raise ConfigError("config has no electrode: give at least one entry under cathodes or anodes")
        if not electrolytes:
            raise ConfigError("config has no electrolyte: give at least one entry under electrolytes")
        coat_cfg = config.get("coatings") or {}
        coatings: list[Material] = []
        for i, c in enumerate(coat_cfg.get("formulas") or []):
            name, formula = (c, c) if isinstance(c, str) else (c.get("name") or c["formula"], c["formula"])
            coatings.append(Material(name, formula, "coating", f"coatings.formulas[{i}]", origin="explicit"))
        for i, u in enumerate(coat_cfg.get("user") or []):
            key = f"coatings.user[{i}]"
            has_e = u.get("formation_energy") is not None
            on_hull = bool(u.get("on_hull", False))
            if has_e == on_hull:
                raise ConfigError(
                    f"config key {key} ({u['formula']}): give exactly one of formation_energy (eV/atom) "
                    "or on_hull: true"
                )
            coatings.append(
                Material(
                    u.get("name") or u["formula"],
                    u["formula"],
                    "coating",
                    key,
                    origin="user",
                    formation_energy=float(u["formation_energy"]) if has_e else None,
                    on_hull=on_hull,
                )
            )
        for m in (*cathodes, *anodes, *electrolytes, *coatings):
            if "|" in m.name:
                raise ConfigError(
                    f"config key {m.key}: name {m.name!r} contains '|', which the tables use to separate the "
                    "materials of a stack or interface (A | B); rename it without '|'"
                )
        for group, label in ((cathodes + anodes + electrolytes, "electrodes and electrolytes"), (coatings, "coatings")):
            seen: dict[str, str] = {}
            slugs: dict[str, str] = {}
            for m in group:
                if m.name in seen:
                    raise ConfigError(
                        f"config keys {seen[m.name]} and {m.key} both use the name {m.name!r}; "
                        f"names must be unique among the {label}"
                    )
                if slug(m.name) in slugs:
                    raise ConfigError(
                        f"config keys {slugs[slug(m.name)]} and {m.key}: names {m.name!r} give the same file name "
                        f"{slug(m.name)!r}; rename one"
                    )
                seen[m.name] = m.key
                slugs[slug(m.name)] = m.key
        for m in (*cathodes, *anodes, *electrolytes, *coatings):
            for key, formula in ((f"{m.key}.formula", m.formula), (f"{m.key}.charged", m.charged)):
                if formula is None:
                    continue
                try:
                    parse_formula(formula)
                except FormulaError as exc:
                    raise ConfigError(f"config key {key}: {exc}") from None
        top_n = (config.get("report") or {}).get("top_n", 3)
        if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
            raise ConfigError(
                f"config key report.top_n = {top_n!r} must be an integer >= 1 (candidates per stack the figures "
                "and the report show)"
            )
        query = dict(coat_cfg.get("query") or {})
        try:
            electronic = ElectronicSettings.from_dict(config.get("electronic"))
        except ScreeningError as exc:
            raise ConfigError(str(exc)) from None
        try:
            exclude = parse_exclude(config.get("exclude") or [])
        except ScreeningError as exc:
            raise ConfigError(f"config key {exc}") from None
        out = cls(
            config, tuple(cathodes), tuple(anodes), tuple(electrolytes), tuple(coatings), query, electronic, exclude,
            StructureSettings.from_config(config),
        )
        out.criteria  # noqa: B018 - an unknown preset or gate stops here, with one line
        return out


__all__ = [
    "OBJECTIVES", "ConfigError", "Material", "RankingOptions", "ScreenConfig", "StructureSettings", "Thresholds",
    "check_finite", "criteria_of", "slug",
]
