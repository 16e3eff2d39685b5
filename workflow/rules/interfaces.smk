# Interface reactions: the plan (checkpoint), one job per chunk of candidate coatings, one for the
# uncoated baseline.


checkpoint plan:
    """The funnel's cheap filters per stack, then the typed plan: every interface to compute, once,
    with its integer id and chunk (funnel: false plans every interface of every candidate)."""
    input:
        candidates=rules.candidates.output.table,
        windows=rules.windows.output.parquet,
    output:
        plan=f"{WORK}/plan/interfaces.parquet",
        funnel=f"{WORK}/plan/funnel.parquet",
    params:
        screen=step_config("plan"),
    log:
        f"{LOGS}/plan.log",
    benchmark:
        f"{BENCH}/plan.tsv"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
        runtime=lambda wildcards, attempt: 30 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/plan.py"


rule interface_chunk:
    """Every interface of the coatings in one chunk (with cathodes, anodes, electrolytes)."""
    input:
        entries=rules.entries.output.binary,
        provenance=rules.entries.output.provenance,
        candidates=rules.candidates.output.table,
        # ancient: a rerun of the plan step alone does not rerun the chunk; its rows of the plan (param plan)
        # do when they change
        plan=ancient(rules.plan.output.plan),
        electronic=electronic_input,
    output:
        summary=f"{WORK}/interfaces/chunk_{{chunk}}.summary.parquet",
        kinks=f"{WORK}/interfaces/chunk_{{chunk}}.kinks.parquet",
    wildcard_constraints:
        chunk=r"\d+",
    params:
        screen=step_config("interface_chunk"),
        plan=chunk_digest,
    log:
        f"{LOGS}/interfaces/chunk_{{chunk}}.log",
    benchmark:
        f"{BENCH}/interface_chunk/chunk_{{chunk}}.tsv"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=lambda wildcards, attempt: 60 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/interface_chunk.py"


rule baseline:
    """Electrolyte | electrode interfaces without a coating."""
    input:
        entries=rules.entries.output.binary,
        provenance=rules.entries.output.provenance,
        electronic=electronic_input,
    output:
        summary=f"{WORK}/interfaces/baseline.summary.parquet",
        kinks=f"{WORK}/interfaces/baseline.kinks.parquet",
    params:
        screen=step_config("baseline"),
    log:
        f"{LOGS}/interfaces/baseline.log",
    benchmark:
        f"{BENCH}/baseline.tsv"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=lambda wildcards, attempt: 60 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/baseline.py"


rule interfaces:
    """Merge chunks and baseline into the interfaces (minima) and reactions (every kink) tables."""
    input:
        summaries=chunk_outputs("summary"),
        kinks=chunk_outputs("kinks"),
        baseline_summary=rules.baseline.output.summary,
        baseline_kinks=rules.baseline.output.kinks,
        plan=rules.plan.output.plan,
        provenance=rules.entries.output.provenance,
    output:
        **table_outputs("interfaces"),
        **table_outputs("reactions", prefix="reactions_"),
    params:
        screen=step_config("interfaces"),
    log:
        f"{LOGS}/interfaces.log",
    benchmark:
        f"{BENCH}/interfaces.tsv"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
        runtime=lambda wildcards, attempt: 30 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/interfaces.py"
