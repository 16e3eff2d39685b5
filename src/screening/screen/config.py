"""The screen's configuration: schema errors a person can act on, normalised materials, data source.

The workflow validates its config against ``workflow/schemas/config.schema.yaml`` (which also fills
in defaults) with ``snakemake.utils.validate``; :func:`explain_config_errors` turns a failed validation
into lines naming the key, the value and what is allowed. The typed config itself
(:class:`~screening.plan.config.ScreenConfig`, :class:`~screening.plan.config.Material`) lives in
:mod:`screening.plan.config` and is re-exported here.
"""

from __future__ import annotations

import os
from pathlib import Path

from screening.data import DEFAULT_SOURCE
from screening.data import NAMED_SOURCES as _DATA_SOURCES
from screening.errors import SourceError
from screening.plan.config import ConfigError, Material, ScreenConfig, slug

#: Source names that are not file paths (``snapshot`` takes its path from the ``snapshot`` key).
NAMED_SOURCES = (*_DATA_SOURCES, "snapshot")


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
    if v in ("pattern", "anyOf"):
        # the schema's descriptions are folded YAML (a trailing newline): the message stays one line
        text = " ".join(str(schema.get("description", error.message)).split())
        return f"config key {key} = {error.instance!r}: {text}"
    return f"config key {key}: {error.message}"


def explain_config_errors(config: dict, schema: dict) -> list[str]:
    """Every schema violation of ``config`` as a line naming the key and the allowed values."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    return [_describe(e) for e in errors]


# ---------------------------------------------------------------------------------------------- YAML
def _strict_loader():
    import yaml

    class StrictLoader(yaml.SafeLoader):
        """PyYAML's safe loader, refusing a key given twice in one mapping (plain YAML keeps the last)."""

    def construct_mapping(loader, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = loader.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:  # an unhashable key: PyYAML's own error follows
                    continue
                if first != key_node.start_mark.line + 1:
                    raise _DuplicateKey(key, first, key_node.start_mark.line + 1)
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


class _DuplicateKey(Exception):
    def __init__(self, key, first: int, again: int):
        super().__init__(key, first, again)
        self.key, self.first, self.again = key, first, again


def load_yaml_strict(text: str, where: str = "config file"):
    """Parse YAML like ``yaml.safe_load``, but refuse duplicate keys.

    Args:
        text: The YAML text.
        where: How the message names the source, e.g. ``config file 'config/x.yaml'``.

    Raises:
        ConfigError: a key given twice in one mapping (one line naming the key and both lines).
        yaml.YAMLError: anything else PyYAML refuses.
    """
    import yaml

    try:
        return yaml.load(text, Loader=_strict_loader())  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as dup:
        raise ConfigError(
            f"{where} has the key {dup.key!r} twice (lines {dup.first} and {dup.again}); YAML would keep the last "
            "in silence: keep one of them"
        ) from None


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


# ---------------------------------------------------------------------------------------------- results_dir
#: Folders of the repository a results folder must never be (nor lie in): a run writes, and replaces, files
#: under it.
REPOSITORY_FOLDERS = ("src", "tests", "workflow", "config", "docs", ".git")


def check_results_dir(
    config: dict, workdir: str | os.PathLike, repository: str | os.PathLike | None = None
) -> Path:
    """The results folder of ``config`` (key ``results_dir``, default ``results``), checked.

    A run writes, replaces and removes files under it, so it must be a folder of its own: a relative path
    inside the working directory, or an absolute path that is neither the file system root nor the working
    directory or one of its parents, nor the repository or one of its own folders
    (:data:`REPOSITORY_FOLDERS`). No control characters (a newline in a folder name breaks logs and the
    shell), and the path must resolve (no symlink loop).

    Args:
        config: The config (``results_dir`` as given).
        workdir: The working directory of the run (relative paths are taken from it).
        repository: The clone's root (the Snakefile's folder), whose own folders are refused.

    Returns:
        The results folder, resolved.

    Raises:
        ConfigError: one line naming the value, the problem and the fix.
    """
    raw = config.get("results_dir")
    value = "results" if raw is None else raw
    head = f"config key results_dir = {value!r}"
    fix = "give a folder of its own inside the working directory, e.g. results_review"
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{head} must be a non-empty folder name; {fix}")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ConfigError(f"{head} contains a control character (newline, tab, ...); {fix}")
    p = Path(value).expanduser()
    base = Path(workdir)
    try:
        base = base.resolve()
        target = (p if p.is_absolute() else base / p).resolve()
    except (RuntimeError, OSError) as exc:  # a symlink loop (RuntimeError before Python 3.13)
        raise ConfigError(f"{head} cannot be resolved ({exc}): remove the symlink loop or {fix}") from None
    if target == Path(target.anchor):
        raise ConfigError(f"{head} is the file system root; {fix}")
    if target == base or target in base.parents:
        raise ConfigError(f"{head} is the working directory or one of its parents ({target}); {fix}")
    if not p.is_absolute() and base not in target.parents:
        raise ConfigError(f"{head} leaves the working directory ({target}); {fix}")
    if repository is not None:
        repo = Path(repository).resolve()
        if target == repo or target in repo.parents:
            raise ConfigError(f"{head} is the repository or one of its parents ({target}); {fix}")
        for name in REPOSITORY_FOLDERS:
            own = repo / name
            if target == own or own in target.parents:
                raise ConfigError(f"{head} is inside the repository's own folder {name}/ ({target}); {fix}")
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{head} exists and is not a folder ({target}); {fix}")
    return target


__all__ = [
    "ConfigError",
    "Material",
    "NAMED_SOURCES",
    "REPOSITORY_FOLDERS",
    "ScreenConfig",
    "check_results_dir",
    "explain_config_errors",
    "load_yaml_strict",
    "resolve_source",
    "slug",
    "source_spec",
]
