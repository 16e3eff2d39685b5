"""The screen's configuration: schema errors a person can act on, normalised materials, data source.

The workflow validates its config against ``workflow/schemas/config.schema.yaml`` (which also fills
in defaults) with ``snakemake.utils.validate``; :func:`explain_config_errors` turns a failed validation
into lines naming the key, the value and what is allowed. :class:`ScreenConfig` is the normalised view
every step uses. Formulas are only parsed by the jobs (the ``entries`` rule first), so a formula that
cannot be parsed fails that job with a message naming its config key.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from screening.data import DEFAULT_SOURCE
from screening.data import NAMED_SOURCES as _DATA_SOURCES
from screening.errors import ScreeningError, SourceError

#: Source names that are not file paths (``snapshot`` takes its path from the ``snapshot`` key).
NAMED_SOURCES = (*_DATA_SOURCES, "snapshot")


class ConfigError(ScreeningError, ValueError):
    """The screen's configuration is invalid (the message names the key)."""


# ---------------------------------------------------------------------------------------------- schema
def _key_path(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _describe(error) -> str:
    key = _key_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    v = error.validator
    if v == "enum":
        allowed = ", ".join(repr(a) for a in error.validator_value)
        return f"config key {key} = {error.instance!r} is not allowed; allowed values: {allowed}"
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(schema.get("properties", {})))
        allowed = ", ".join(sorted(schema.get("properties", {})))
        where = "at the top level" if not error.absolute_path else f"in {key}"
        return f"unknown config key(s) {', '.join(map(repr, extra))} {where}; allowed keys: {allowed}"
    if v == "required":
        return f"config key {key} is missing a required entry: {error.message}"
    if v == "type":
        want = error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
        return f"config key {key} = {error.instance!r} must be of type {want}"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[v]
        return f"config key {key} = {error.instance!r} must be {op} {error.validator_value}"
    if v in ("minItems", "maxItems"):
        bound = "at least" if v == "minItems" else "at most"
        return f"config key {key} must have {bound} {error.validator_value} items"
    if v == "anyOf":
        return f"config key {key} = {error.instance!r}: {schema.get('description', error.message)}"
    return f"config key {key}: {error.message}"


def explain_config_errors(config: dict, schema: dict) -> list[str]:
    """Every schema violation of ``config`` as a line naming the key and the allowed values."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    return [_describe(e) for e in errors]


# ---------------------------------------------------------------------------------------------- materials
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


def slug(name: str) -> str:
    """A file-name-safe form of a material name (``S/Li2S`` -> ``S-Li2S``)."""
    s = re.sub(r"[^A-Za-z0-9._+-]+", "-", name).strip("-.")
    return s or "material"


@dataclass(frozen=True)
class ScreenConfig:
    """The normalised configuration (see ``workflow/schemas/config.schema.yaml`` for every key)."""

    raw: dict
    cathodes: tuple[Material, ...]
    anodes: tuple[Material, ...]
    electrolytes: tuple[Material, ...]
    coatings: tuple[Material, ...]
    query: dict = field(default_factory=dict)

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
    def thresholds(self) -> dict:
        return self.raw["thresholds"]

    @property
    def ranking(self) -> dict:
        return self.raw["ranking"]

    @property
    def hull_reference(self) -> bool:
        return bool(self.raw["hull_reference"])

    @property
    def chunk_size(self) -> int:
        return int(self.raw["chunk_size"])

    @classmethod
    def from_dict(cls, config: dict) -> ScreenConfig:
        """Normalise a validated config (defaults filled in) and check what the schema cannot.

        Raises:
            ConfigError: duplicate names, an empty voltage range, no electrode, a user coating with both
                or neither of ``formation_energy`` and ``on_hull``.
        """
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
        query = dict(coat_cfg.get("query") or {})
        return cls(config, tuple(cathodes), tuple(anodes), tuple(electrolytes), tuple(coatings), query)


# ---------------------------------------------------------------------------------------------- source
def source_spec(config: dict) -> str:
    """The data source as configured: ``mp2019`` (default), ``experimental``, ``mp`` or a snapshot path.

    ``source: snapshot`` takes the path from the ``snapshot`` key; any other ``source`` value that is not
    a named source is itself a path.
    """
    src = str(config.get("source") or DEFAULT_SOURCE)
    if src == "snapshot":
        path = config.get("snapshot")
        if not path:
            raise ConfigError("config key source = 'snapshot' needs config key snapshot: <path to the snapshot file>")
        return str(path)
    return src


def resolve_source(config: dict, workdir: str | os.PathLike, basedir: str | os.PathLike | None = None) -> str:
    """The configured source with a snapshot path made absolute.

    A relative path is tried against the working directory first, then against ``basedir`` (the
    folder of the Snakefile, i.e. the repository root), so ``../shared/data/...`` works both from the
    repository and with ``snakemake --directory``.

    Raises:
        SourceError: the snapshot file exists in neither place (the message lists both).
    """
    spec = source_spec(config)
    if spec in NAMED_SOURCES:
        return spec
    p = Path(spec).expanduser()
    if p.is_absolute():
        candidates = [p]
    else:
        candidates = [Path(workdir) / p] + ([Path(basedir) / p] if basedir is not None else [])
    for c in candidates:
        if c.is_file():
            return str(c.resolve())
    tried = " and ".join(repr(str(c)) for c in dict.fromkeys(candidates))
    raise SourceError(
        f"config key {'snapshot' if config.get('source') == 'snapshot' else 'source'} = {spec!r}: no such file "
        f"(looked at {tried}); give an existing snapshot path, or source: mp2019 / experimental / mp"
    )


__all__ = [
    "ConfigError",
    "Material",
    "NAMED_SOURCES",
    "ScreenConfig",
    "explain_config_errors",
    "resolve_source",
    "slug",
    "source_spec",
]
