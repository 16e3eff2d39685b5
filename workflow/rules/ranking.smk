# Ranking of the coatings per (electrode, electrolyte) stack.


rule rankings:
    """The end of the funnel: every gate of the criteria (default xiao2019) with its tier, the order
    (worst tier, failed gates, shortfall, score) and a verdict line per stack; counts per stack and stage."""
    input:
        candidates=rules.candidates.output.table,
        plan=rules.plan.output.plan,
        funnel=rules.plan.output.funnel,
        windows=rules.windows.output.parquet,
        interfaces=rules.interfaces.output.parquet,
        provenance=rules.entries.output.provenance,
    output:
        **table_outputs("rankings"),
        funnel_csv=report(f"{TABLES}/funnel.csv", caption="../report/funnel_table.rst", category="Tables"),
        funnel_parquet=f"{TABLES}/funnel.parquet",
    params:
        screen=step_config("rankings"),
    log:
        f"{LOGS}/rankings.log",
    benchmark:
        f"{BENCH}/rankings.tsv"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=lambda wildcards, attempt: 60 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/rankings.py"
