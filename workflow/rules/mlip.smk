# Structure candidates (coatings.structures): relaxed with a machine-learned potential, one job per chunk
# of files, each structure cached by content hash (config mlip.cache_dir) so it is never relaxed twice.

if STRUCTURE_CHUNKS:

    rule relax_structures:
        """Relax one chunk of structure files with the mlip potential (progress per file in the log)."""
        input:
            lambda wildcards: STRUCTURE_CHUNKS[int(wildcards.chunk)],
        output:
            f"{WORK}/mlip/chunk_{{chunk}}.json",
        wildcard_constraints:
            chunk=r"\d+",
        params:
            screen=config_subset("mlip"),
            files=lambda wildcards: STRUCTURE_CHUNKS[int(wildcards.chunk)],
        log:
            f"{LOGS}/relax_structures/chunk_{{chunk}}.log",
        benchmark:
            f"{BENCH}/relax_structures/chunk_{{chunk}}.tsv"
        threads: 1
        resources:
            # 1 GB + 16 MB per atom of the chunk's largest structure (docs/mlip.md: 64 atoms ~1.5 GB, 256 ~4.5 GB)
            mem_mb=lambda wildcards, attempt: chunk_memory_mb(STRUCTURE_CHUNKS[int(wildcards.chunk)]) * attempt,
            runtime=lambda wildcards, attempt: 30 * attempt,
        conda:
            "../envs/screening.yaml"
        script:
            "../scripts/relax_structures.py"

    rule structures:
        """Gather the relaxed structure candidates (formation energies, flags, provenance) in file order."""
        input:
            expand(f"{WORK}/mlip/chunk_{{chunk}}.json", chunk=range(len(STRUCTURE_CHUNKS))),
        output:
            f"{RESULTS}/entries/structures.json",
        log:
            f"{LOGS}/structures.log",
        benchmark:
            f"{BENCH}/structures.tsv"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        conda:
            "../envs/screening.yaml"
        script:
            "../scripts/structures.py"
