# Figures and the provenance manifest; `snakemake --report` shows everything flagged with report().
# Only the summary figures (windows, one heatmap per electrode) and the small tables (windows, funnel) are
# flagged: every profile PNG (one per stack), the interactive report and the large tables (rankings,
# interfaces, reactions) stay in results/ (the review's report went from 110 MB to a few MB;
# tests/workflow/test_report_declarations.py keeps it so).


rule plot_windows:
    """Stability windows of coatings and electrolytes as bars against the electrode potentials."""
    input:
        windows=rules.windows.output.parquet,
        rankings=rules.rankings.output.parquet,
    output:
        report(
            f"{FIGURES}/windows.png",
            caption="../report/windows.rst",
            category="Figures",
        ),
    params:
        config=config_subset("cathodes", "anodes"),
        top_n=config["report"]["top_n"],
    log:
        f"{LOGS}/plot_windows.log",
    benchmark:
        f"{BENCH}/plot_windows.tsv"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=lambda wildcards, attempt: 20 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/plot_windows.py"


rule plot_profiles:
    """Reaction energy vs mixing ratio for the top candidates of every stack (one PNG per stack)."""
    input:
        rankings=rules.rankings.output.parquet,
        interfaces=rules.interfaces.output.parquet,
        reactions=rules.interfaces.output.reactions_parquet,
    output:
        # not in `snakemake --report`: one PNG per stack (294 in the review); the interactive report draws them
        directory(f"{FIGURES}/profiles"),
    params:
        top_n=config["report"]["top_n"],
    log:
        f"{LOGS}/plot_profiles.log",
    benchmark:
        f"{BENCH}/plot_profiles.tsv"
    threads: 2
    resources:
        mem_mb=lambda wildcards, attempt: 6000 * attempt,  # 4.8 GB peak at discovery scale (2 workers)
        runtime=lambda wildcards, attempt: 60 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/plot_profiles.py"


rule plot_heatmaps:
    """Ranking heatmaps: coatings x electrolytes, one per electrode."""
    input:
        rankings=rules.rankings.output.parquet,
    output:
        report(
            directory(f"{FIGURES}/heatmaps"),
            patterns=["{electrode}.png"],
            caption="../report/heatmaps.rst",
            category="Figures",
            subcategory="Ranking heatmaps",
            labels={"electrode": "{electrode}"},
        ),
    params:
        top_n=config["report"]["top_n"],
    log:
        f"{LOGS}/plot_heatmaps.log",
    benchmark:
        f"{BENCH}/plot_heatmaps.tsv"
    threads: 2
    resources:
        mem_mb=lambda wildcards, attempt: 3000 * attempt,
        runtime=lambda wildcards, attempt: 30 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/plot_heatmaps.py"


rule provenance:
    """provenance.json: data source (file, sha256), config, software versions, sha256 of every table."""
    input:
        provenance=rules.entries.output.provenance,
        candidates=rules.candidates.output.table,
        tables=table_files(),
    output:
        f"{RESULTS}/provenance.json",
    params:
        # the whole config (keys sorted): provenance.json records it, so any change reruns this job (and the
        # report, which shows it), a few seconds
        config=config_subset(*config),
    log:
        f"{LOGS}/provenance.log",
    benchmark:
        f"{BENCH}/provenance.tsv"
    threads: 1
    resources:
        mem_mb=3000,  # 1.7 GB peak at discovery scale (every table read whole and checked)
        runtime=5,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/provenance.py"


rule report_html:
    """The interactive report: one self-contained HTML file (plotly.js embedded), opens from disk."""
    input:
        tables=[
            rules.windows.output.parquet,
            rules.interfaces.output.parquet,
            rules.interfaces.output.reactions_parquet,
            rules.rankings.output.parquet,
        ],
        provenance=rules.provenance.output[0],
    output:
        # not in `snakemake --report` (29 MB for the review's 294 stacks): open it from results/report/
        f"{RESULTS}/report/index.html",
    params:
        top_n=config["report"]["html_top_n"],
        max_rows=config["report"]["html_max_rows"],
    log:
        f"{LOGS}/report_html.log",
    benchmark:
        f"{BENCH}/report_html.tsv"
    threads: 1
    resources:
        # measured peak 4.6 GB at the discovery screen (294 stacks x 2,359 candidates: the whole rankings
        # table, 1.3 GB in memory, is read and grouped by stack)
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=lambda wildcards, attempt: 30 * attempt,
    conda:
        "../envs/screening.yaml"
    script:
        "../scripts/report_html.py"
