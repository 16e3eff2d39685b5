# Ranking of the coatings per (electrode, electrolyte) stack.


rule rankings:
    """Filters (Xiao 2019), Pareto front and weighted score for every stack."""
    input:
        candidates=rules.candidates.output.table,
        plan=rules.plan.output.plan,
        windows=rules.windows.output.parquet,
        interfaces=rules.interfaces.output.parquet,
        provenance=rules.entries.output.provenance,
    output:
        csv=report(
            f"{TABLES}/rankings.csv",
            caption="../report/rankings_table.rst",
            category="Tables",
        ),
        parquet=f"{TABLES}/rankings.parquet",
    params:
        config=config,
    log:
        f"{LOGS}/rankings.log",
    benchmark:
        f"{BENCH}/rankings.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/rankings.py"
