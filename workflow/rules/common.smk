# Helpers shared by the rules: config validation, the data source, chunk bookkeeping, paths.

import hashlib
import os
from pathlib import Path

import pandas as pd
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

# Config keys each step reads (docs/funnel.md, "Reruns"). A rule's params hold exactly its step's keys, and
# the step gets only those (defaults filled in by the validation above): a change elsewhere does not rerun
# it. Every step parses the materials (ScreenConfig needs an electrode and an electrolyte).
MATERIAL_KEYS = ("cathodes", "anodes", "electrolytes", "coatings")
# The electronic model (windows, interface chunks, baseline): its settings and, with source mp, the band
# gaps from the cache that fetch_mp filled (mp.cache_dir).
ELECTRONIC_KEYS = ("electronic", "source", "snapshot", "mp")
# The criteria: a preset and its gate overrides; the custom preset takes values from thresholds and
# electronic.
CRITERIA_KEYS = ("criteria", "thresholds", "electronic")
STEP_KEYS = {
    "fetch_mp": (*MATERIAL_KEYS, "mp"),
    # mlip: machine-learned candidates join the hull only with mlip.join_hull; mlip.precedence (issue 25)
    "entries": (*MATERIAL_KEYS, "source", "snapshot", "mp", "exclude", "mlip"),
    "candidates": MATERIAL_KEYS,
    # hull_reference: only the energy reference the table's provenance names
    "windows": (*MATERIAL_KEYS, *ELECTRONIC_KEYS, "li_tolerance", "hull_reference", "mlip"),
    "plan": (*MATERIAL_KEYS, *CRITERIA_KEYS, "funnel", "chunk_size"),
    # the interfaces of a chunk come from the plan file (its rows of the plan: chunk_digest)
    "interface_chunk": (*MATERIAL_KEYS, *ELECTRONIC_KEYS, "hull_reference", "mlip"),
    "baseline": (*MATERIAL_KEYS, *ELECTRONIC_KEYS, "hull_reference"),
    # the merged tables' provenance: the keys of the plan and of the chunks
    "interfaces": (*MATERIAL_KEYS, *CRITERIA_KEYS, *ELECTRONIC_KEYS, "funnel", "chunk_size", "hull_reference",
                   "mlip"),
    "rankings": (*MATERIAL_KEYS, *CRITERIA_KEYS, "ranking", "hull_reference", "mlip"),
}


def _canonical(value):
    """``value`` with every mapping's keys sorted: reordering keys in a config file reruns nothing."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def config_subset(*keys):
    """The part of the config a rule depends on (its params; a change there reruns the rule), keys sorted."""
    return _canonical({k: config[k] for k in keys if k in config})


def step_config(step):
    """The config a step reads (:data:`STEP_KEYS`), as its rule's params and the step's own config."""
    return config_subset(*STEP_KEYS[step])


_CHUNK_DIGESTS = {}


def chunk_digest(wildcards):
    """sha256 of one chunk's rows of the plan: an interface chunk reruns when its own interfaces change,
    not whenever the plan step reruns (its plan input is ancient(); docs/funnel.md, "Reruns"). The plan is
    read once for all chunks."""
    path = checkpoints.plan.get().output.plan
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _CHUNK_DIGESTS:
        plan = pd.read_parquet(path)
        planned = plan[plan["chunk"] >= 0]
        _CHUNK_DIGESTS.clear()
        _CHUNK_DIGESTS[key] = {
            int(chunk): hashlib.sha256(rows.drop(columns="chunk").to_csv(index=False, lineterminator="\n").encode())
            for chunk, rows in planned.groupby("chunk")
        }
    return _CHUNK_DIGESTS[key].get(int(wildcards.chunk), hashlib.sha256()).hexdigest()


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
