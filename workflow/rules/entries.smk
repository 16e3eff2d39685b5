# Data for the screen: entries of every needed element, candidate coatings, stability windows.


if ENTRY_SOURCE.per_system:

    rule fetch_mp:
        """The only job that talks to the Materials Project API (run on the submit host, retried).

        Fetches every chemical system the screen's windows and interfaces need into the local cache
        (config mp.cache_dir); every later job, on a cluster node too, reads that cache offline.
        """
        output:
            manifest=f"{RESULTS}/entries/mp_systems.json",
        params:
            screen=step_config("fetch_mp"),
        log:
            f"{LOGS}/fetch_mp.log",
        benchmark:
            f"{BENCH}/fetch_mp.tsv"
        localrule: True
        retries: 3
        threads: 1
        resources:
            mem_mb=4000,
            runtime=120,
        conda:
            "../envs/screening.yaml"
        script:
            "../scripts/fetch_mp.py"


rule entries:
    """Load the configured source (mp2019 | experimental | mp | snapshot) for every element the screen needs.

    The only rule that reads the source (with source=mp: the cache that fetch_mp filled, offline);
    every other job reads results/entries/entries.csv.
    """
    input:
        source_input,
        structures=structures_input,
    output:
        table=f"{RESULTS}/entries/entries.csv",
        binary=f"{RESULTS}/entries/entries.npz",
        provenance=f"{RESULTS}/entries/provenance.json",
    params:
        source=SOURCE,
        label=SOURCE_LABEL,
        screen=step_config("entries"),
    log:
        f"{LOGS}/entries.log",
    benchmark:
        f"{BENCH}/entries.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/entries.py"


rule candidates:
    """Candidate coatings (explicit, user-defined, queried from the source), numbered."""
    input:
        entries=rules.entries.output.binary,
        provenance=rules.entries.output.provenance,
    output:
        table=f"{RESULTS}/candidates.csv",
    params:
        screen=step_config("candidates"),
    log:
        f"{LOGS}/candidates.log",
    benchmark:
        f"{BENCH}/candidates.tsv"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 3000 * attempt,
        runtime=lambda wildcards, attempt: 60 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/candidates.py"


rule windows:
    """Electrochemical stability window, e_above_hull and entry status of every material."""
    input:
        entries=rules.entries.output.binary,
        provenance=rules.entries.output.provenance,
        candidates=rules.candidates.output.table,
        electronic=electronic_input,
    output:
        csv=report(
            f"{TABLES}/windows.csv",
            caption="../report/windows_table.rst",
            category="Tables",
        ),
        parquet=f"{TABLES}/windows.parquet",
    params:
        screen=step_config("windows"),
    log:
        f"{LOGS}/windows.log",
    benchmark:
        f"{BENCH}/windows.tsv"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 3000 * attempt,
        runtime=lambda wildcards, attempt: 120 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/windows.py"
