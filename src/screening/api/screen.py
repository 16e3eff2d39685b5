"""Run a (small) screen from Python, without Snakemake, and get its tables as DataFrames.

:func:`run_screen` validates a config (dict or YAML file) against the workflow's schema, fills in the
defaults, and calls the same steps the workflow's rules call, one after the other in this process
(entries -> candidates -> windows -> interface chunks and baseline -> interfaces -> rankings ->
provenance). The result folder has the workflow's layout, so :func:`screening.report.write_report` and
:func:`screening.api.load_results` read it. For large screens use the workflow (parallel, resumable).
"""

from __future__ import annotations

import copy
import logging
import os
import tempfile
from pathlib import Path

import yaml

import screening
from screening.errors import InputError
from screening.report.results import ScreenResults, load_results
from screening.screen.config import (
    ConfigError,
    ScreenConfig,
    check_results_dir,
    explain_config_errors,
    load_yaml_strict,
    resolve_source,
    source_spec,
)

log = logging.getLogger(__name__)


def repository_root() -> Path:
    """The repository this package runs from (``src/screening`` -> the clone's root)."""
    return Path(screening.__file__).resolve().parents[2]


def schema_path() -> Path:
    """The workflow's config schema (``workflow/schemas/config.schema.yaml`` of the clone)."""
    p = repository_root() / "workflow" / "schemas" / "config.schema.yaml"
    if not p.is_file():
        raise InputError(
            f"the config schema {p} is missing; run_screen needs a clone of the repository installed with "
            "pip install -e ."
        )
    return p


def _with_defaults(validator_class):
    """A jsonschema validator class that also fills in every ``default`` of the schema."""
    from jsonschema import validators

    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


def _where(exc) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"line {mark.line + 1}" if mark is not None else "somewhere in the file"


def read_config(config: dict | str | os.PathLike) -> tuple[dict, Path]:
    """The config as a dict (a copy) and the folder relative snapshot paths are taken from."""
    if isinstance(config, dict):
        return copy.deepcopy(config), Path.cwd()
    p = Path(config).expanduser()
    if not p.is_file():
        raise InputError(f"config file {str(p)!r} does not exist; give a YAML config such as config/config.yaml")
    try:
        data = load_yaml_strict(p.read_text(), f"config file {str(p)!r}")
    except yaml.constructor.ConstructorError as exc:
        tag = str(getattr(exc, "problem", "") or exc).split("tag '")[-1].rstrip("'")
        raise ConfigError(
            f"config file {str(p)!r} uses the YAML tag {tag.replace('tag:yaml.org,2002:', '!!')}, which a config "
            f"never needs and which is not executed ({_where(exc)}); write plain values (strings, numbers, lists)"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {str(p)!r} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(p)!r} must hold a mapping of config keys")
    return data, p.parent.resolve()


def validate_config(config: dict) -> dict:
    """``config`` checked against the workflow's schema, with every default filled in (a new dict).

    ``results_dir`` is checked as the workflow checks it (:func:`~screening.screen.config.check_results_dir`,
    against the current directory and the repository).

    Raises:
        ConfigError: one line naming the bad key(s) and the allowed values.
    """
    from jsonschema import Draft7Validator

    schema = yaml.safe_load(schema_path().read_text())
    cfg = copy.deepcopy(config)
    validator = _with_defaults(Draft7Validator)(schema)
    if any(True for _ in validator.iter_errors(cfg)):
        lines = explain_config_errors(config, schema) or ["(see workflow/schemas/config.schema.yaml)"]
        raise ConfigError("invalid config: " + "; ".join(lines))
    check_results_dir(cfg, Path.cwd(), repository_root())
    return cfg


def run_screen(
    config: dict | str | os.PathLike,
    source: str | os.PathLike | None = None,
    workdir: str | os.PathLike | None = None,
) -> ScreenResults:
    """Run a screen in this process and return its tables.

    The returned tables are loaded into memory. Without ``workdir`` the screen runs in a new temporary
    folder (under :func:`tempfile.gettempdir`) that is removed before this function returns, also when it
    fails: ``res.root`` then names a folder that no longer exists, and everything that reads the results
    (``res.rankings``, :func:`screening.api.write_report` of ``res``) works from memory. Give ``workdir`` to
    keep the files (tables, CSV copies, ``provenance.json``, work files) for ``screening verify``,
    ``screening report`` or another look.

    Args:
        config: A config dict (keys as in ``config/config.yaml``) or the path of a YAML config.
        source: Overrides the config's ``source`` (``experimental``, ``mp``, or a snapshot path).
        workdir: Where to write ``results/`` (kept); default: a temporary folder, removed on return.

    Returns:
        :class:`~screening.report.ScreenResults` with ``windows``, ``interfaces``, ``reactions`` and
        ``rankings`` DataFrames and the provenance.

    Raises:
        ConfigError: a config the schema rejects.
        ScreeningError: any other bad input (unknown source file, missing element, ...).
    """
    raw, base = read_config(config)
    if source is not None:
        raw["source"] = str(source)
        raw.pop("snapshot", None)
    cfg = validate_config(raw)
    screen = ScreenConfig.from_dict(cfg)
    src = resolve_source(cfg, base, repository_root())
    if workdir is not None:
        return _run(cfg, screen, src, Path(workdir) / "results", base)
    with tempfile.TemporaryDirectory(prefix="screening-") as tmp:
        results = _run(cfg, screen, src, Path(tmp) / "results", base)
    log.info("tables loaded; temporary folder %s removed (give workdir= to keep the files)", tmp)
    return results


def _run(cfg: dict, screen: ScreenConfig, src: str, res: Path, base: Path) -> ScreenResults:
    """The workflow's steps, one after the other, writing the results folder ``res``; its tables loaded.
    Relative structure patterns are taken from ``base`` (the config file's folder)."""
    from screening.screen.candidates import run_candidates
    from screening.screen.entries import run_entries, run_fetch_mp
    from screening.screen.funnel import run_plan
    from screening.screen.interfaces import n_chunks, run_baseline, run_chunk, run_collect
    from screening.screen.provenance import write_manifest
    from screening.screen.ranking import run_rank
    from screening.screen.windows import run_windows

    ent, prov = res / "entries" / "entries.npz", res / "entries" / "provenance.json"
    cands = res / "candidates.csv"
    tables = res / "tables"
    chunks = res / "work" / "interfaces"
    if src == "mp":
        run_fetch_mp(cfg, res / "entries" / "mp_systems.json")
    log.info("screen in %s: source %s", res, src)
    structures = _structures(cfg, base, res)
    run_entries(cfg, src, ent.with_suffix(".csv"), prov, source_label=source_spec(cfg), out_binary=ent,
                structures=structures)
    run_candidates(ent, prov, cfg, cands)
    run_windows(ent, prov, cands, cfg, tables / "windows.csv", tables / "windows.parquet")
    plan = res / "work" / "plan" / "interfaces.parquet"
    run_plan(cands, tables / "windows.parquet", cfg, plan, res / "work" / "plan" / "funnel.parquet")
    summaries, kinks = [], []
    for i in range(n_chunks(plan)):
        s, k = chunks / f"chunk_{i}.summary.parquet", chunks / f"chunk_{i}.kinks.parquet"
        run_chunk(ent, prov, cands, plan, cfg, i, s, k)
        summaries.append(s)
        kinks.append(k)
    bs, bk = chunks / "baseline.summary.parquet", chunks / "baseline.kinks.parquet"
    run_baseline(ent, prov, cfg, bs, bk)
    csv = (lambda name: tables / f"{name}.csv") if screen.csv else (lambda name: None)  # csv: false: Parquet only
    run_collect(
        [*summaries, bs], [*kinks, bk], plan, prov, cfg,
        csv("interfaces"), tables / "interfaces.parquet",
        csv("reactions"), tables / "reactions.parquet",
    )
    run_rank(cands, plan, res / "work" / "plan" / "funnel.parquet", tables / "windows.parquet",
             tables / "interfaces.parquet", prov, cfg, csv("rankings"), tables / "rankings.parquet",
             tables / "funnel.csv", tables / "funnel.parquet")
    files = [cands] + [tables / name for name in screen.table_files()]
    write_manifest(prov, cfg, files, res / "provenance.json")
    return load_results(res)


def _structures(cfg: dict, base: Path, res: Path) -> Path | None:
    """``coatings.structures`` as the workflow takes them (rules relax_structures and structures): expanded
    relative to ``base`` (the config file's folder; a dict config: the working directory) with the same checks
    and one-line errors, relaxed in the same chunks through the same cache (``mlip.cache_dir``), gathered into
    ``results/entries/structures.json``. None without structures."""
    from screening.mlip.screen import run_relax_chunk, run_structures, structure_chunks
    from screening.plan.config import StructureSettings

    chunks = structure_chunks(StructureSettings.from_config(cfg), base)
    if not chunks:
        return None
    mlip = {"mlip": cfg["mlip"]} if "mlip" in cfg else {}
    outs = [res / "work" / "mlip" / f"chunk_{i}.json" for i in range(len(chunks))]
    for paths, out in zip(chunks, outs, strict=True):
        run_relax_chunk(paths, mlip, out)
    out = res / "entries" / "structures.json"
    run_structures([str(o) for o in outs], out)
    return out


__all__ = ["read_config", "run_screen", "validate_config"]
