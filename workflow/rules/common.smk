# Helpers shared by the rules: config validation, the data source, chunk bookkeeping, paths.

import os
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from screening.entries.sources import entry_source
from screening.errors import ScreeningError
from screening.screen.config import (
    ScreenConfig,
    check_results_dir,
    explain_config_errors,
    load_yaml_strict,
    resolve_source,
    source_spec,
)
from screening.mlip.screen import chunk_memory_mb, structure_chunks
from screening.screen.interfaces import n_chunks
from screening.screen.io import refuse_foreign_files

SCHEMA_FILE = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"

# Snakemake loads the config file(s) with plain YAML, where a key given twice keeps the last in silence:
# read them again with the strict loader, which names the key and its lines.
for _configfile in workflow.configfiles:
    try:
        load_yaml_strict(Path(_configfile).read_text(), f"config file {str(_configfile)!r}")
    except ScreeningError as exc:
        raise WorkflowError(str(exc)) from None

try:
    validate(config, schema="../schemas/config.schema.yaml")
except WorkflowError:
    _schema = yaml.safe_load(SCHEMA_FILE.read_text())
    _lines = explain_config_errors(config, _schema) or [f"(see the schema {SCHEMA_FILE})"]
    raise WorkflowError("invalid config:\n  " + "\n  ".join(_lines)) from None

try:
    SCREEN = ScreenConfig.from_dict(config)
    check_results_dir(config, os.getcwd(), workflow.basedir)  # not /, .., src, a newline, a symlink loop
    SOURCE = resolve_source(config, os.getcwd(), workflow.basedir)
    ENTRY_SOURCE = entry_source(SOURCE)  # typed: per_system (Materials Project), files, ...
except ScreeningError as exc:
    raise WorkflowError(str(exc)) from None

# How the source is named in provenance: as written in the config (not this machine's absolute path).
SOURCE_LABEL = source_spec(config)

# Every path derives from RESULTS (config key results_dir), so two screens with different results_dir
# never overwrite each other (logs included).
RESULTS = str(config.get("results_dir") or "results").rstrip("/")
WORK = f"{RESULTS}/work"
TABLES = f"{RESULTS}/tables"
FIGURES = f"{RESULTS}/figures"
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"

# The figure steps write a whole folder (Snakemake removes a directory() output before its job runs): a
# user's file there would be deleted, so a folder holding one is refused before anything runs.
try:
    for _folder in (f"{FIGURES}/profiles", f"{FIGURES}/heatmaps"):
        refuse_foreign_files(_folder)
except ScreeningError as exc:
    raise WorkflowError(str(exc)) from None

# Config keys the expensive steps depend on: a change elsewhere (weights, report) reruns only the ranking
# and the report. With the funnel (funnel: true) the plan also depends on the thresholds of its cheap
# stages: changing those reruns the plan and, after it, the interface chunks.
MATERIAL_KEYS = ("cathodes", "anodes", "electrolytes", "coatings", "chunk_size", "hull_reference")
# Keys of the interphase classes (windows, interface chunks, baseline); with source mp the band gaps come
# from the cache that fetch_mp filled (mp.cache_dir).
ELECTRONIC_KEYS = ("electronic", "source", "snapshot", "mp")


def config_subset(*keys):
    """The part of the config a rule depends on (its params; a change there reruns the rule)."""
    return {k: config[k] for k in keys if k in config}


def source_input(wildcards):
    """The snapshot file (a changed file reruns the screen), or the Materials Project fetch manifest."""
    if ENTRY_SOURCE.per_system:
        return [f"{RESULTS}/entries/mp_systems.json"]
    return [str(f) for f in ENTRY_SOURCE.files]


def electronic_input(wildcards):
    """The user band gap table (a changed table reruns the classes), if the config names one."""
    table = (config.get("electronic") or {}).get("table")
    return [table] if table else []


# Structure candidates (coatings.structures, rules in mlip.smk): files expanded and checked once, in chunks.
try:
    STRUCTURE_CHUNKS = structure_chunks(SCREEN.structures, os.getcwd())
except ScreeningError as exc:
    raise WorkflowError(str(exc)) from None


def structures_input(wildcards):
    """The gathered structure candidates, when the config has any (an input of the entries rule)."""
    return [f"{RESULTS}/entries/structures.json"] if STRUCTURE_CHUNKS else []


def chunk_numbers():
    """Chunk numbers, known once the plan checkpoint has run."""
    return list(range(n_chunks(checkpoints.plan.get().output.plan)))


def chunk_outputs(kind):
    def inner(wildcards):
        return expand(f"{WORK}/interfaces/chunk_{{chunk}}.{kind}.parquet", chunk=chunk_numbers())

    return inner


def table_outputs(name, prefix=""):
    """Named outputs of the result table ``name``: ``{prefix}csv`` (unless ``csv: false``) and ``{prefix}parquet``.

    Not flagged for ``snakemake --report``: these tables grow with the screen (the review's rankings.csv
    alone is tens of MB), and the report embeds every flagged file.
    """
    if SCREEN.csv:
        return {f"{prefix}csv": f"{TABLES}/{name}.csv", f"{prefix}parquet": f"{TABLES}/{name}.parquet"}
    return {f"{prefix}parquet": f"{TABLES}/{name}.parquet"}


def table_files():
    """Every result table the screen writes (the CSV copies of the large ones only with ``csv: true``)."""
    return [f"{TABLES}/{name}" for name in SCREEN.table_files()]


def final_outputs():
    tables = table_files()
    figures = [f"{FIGURES}/windows.png", f"{FIGURES}/profiles", f"{FIGURES}/heatmaps"]
    return tables + figures + [f"{RESULTS}/provenance.json", f"{RESULTS}/report/index.html"]
