"""The screen on a real (one-node) SLURM cluster through snakemake-executor-plugin-slurm.

Start the cluster first: ``bash .ci/slurm.sh start`` (installs slurm-wlm and
munge, starts the daemons, waits for the node). Under ``CI=true`` a missing
cluster fails these tests; elsewhere they are skipped.

The jobs are submitted with the user profile ``profiles/slurm`` unchanged: the
CI cluster's only partition is its default one and it has no accounting
database, which the profile's ``slurm-status-command: squeue`` handles.

* ``tests/data/slurm_screen.yaml`` (a reduced review screen on the shared
  snapshot, 3 interface chunks) runs once locally and once on SLURM, in two
  temporary directories; every result file (tables, provenance, intermediate
  chunks, figures) must be byte-for-byte identical.
* ``tests/data/slurm_bad_screen.yaml`` has a coating formula that passes the
  schema but cannot be parsed: its ``entries`` job fails on the cluster and
  Snakemake must report the failed SLURM job with the rule's log, not hang.

Run with ``-rP`` or ``-s`` to see the snakemake commands, timings, the SLURM job
ids with their rules, and the sha256 comparison.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from slurm_helpers import (
    REPO,
    SNAKEFILE,
    START_HINT,
    compare_files,
    failed_log_block,
    format_comparison,
    format_jobs,
    job_rule,
    node_cpus,
    overlapping,
    parse_slurm_logs,
    run_snakemake,
    slurm_job_info,
    slurm_status,
)

pytestmark = [pytest.mark.slurm, pytest.mark.snapshot, pytest.mark.slow]

SCREEN = REPO / "tests" / "data" / "slurm_screen.yaml"
BAD_SCREEN = REPO / "tests" / "data" / "slurm_bad_screen.yaml"
LOCAL_TIMEOUT = 300  # s; the local run takes ~10 s on 2 cores
# s; a healthy SLURM run takes ~2 min: 6 waves of dependent jobs, each ~20 s (a job needs ~7 s, the
# profile's status checks come 5 s and 15 s later)
RUN_TIMEOUT = 600
FAIL_TIMEOUT = 240  # s; the failure is reported after ~20 s and snakemake exits ~25 s later
# every job of the screen except the local rule `all`, one per rule (interface_chunk: one per chunk)
SCREEN_RULES = [
    "entries",
    "candidates",
    "windows",
    "plan",
    "baseline",
    "interfaces",
    "rankings",
    "plot_windows",
    "plot_profiles",
    "plot_heatmaps",
    "provenance",
    "report_html",
]
# The failing screen's data file: a snapshot CSV whose third line has an energy that is not a number. The
# config is valid (every formula parses, the file exists), so the DAG is built and the first job, rule
# entries (the only one that reads the source), fails on the cluster.
BAD_SNAPSHOT = "formula,target\nLi,0.0\nLi2O,abc\nO,0.0\n"
BAD_MESSAGE = "line 3: energy 'abc' is not a number"


@pytest.fixture(scope="module")
def slurm_cluster() -> str:
    """A SLURM cluster that takes jobs; fails under CI=true, skips elsewhere."""
    up, how = slurm_status()
    if not up:
        message = f"SLURM is not up ({how}): {START_HINT}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return how


def screen_args(configfile: Path, snapshot: Path, *options: str) -> list[str]:
    """The repository's workflow with ``configfile``, its snapshot path replaced by the fixture's absolute
    one; --config goes last (it takes every following word that is not an option)."""
    return ["-s", str(SNAKEFILE), "--configfile", str(configfile), *options, "--config", f"snapshot={snapshot}"]


def result_files(workdir: Path) -> list[str]:
    """Every result file (relative path) except run timings (benchmarks), logs (time-stamped) and snakemake's
    markers."""
    results = workdir / "results"
    return sorted(
        str(p.relative_to(workdir))
        for p in results.rglob("*")
        if p.is_file()
        and not {"benchmarks", "logs"} & set(p.relative_to(results).parts)
        and p.name != ".snakemake_timestamp"
    )


@pytest.fixture
def report(request):
    """Print straight to the terminal (not captured): CI output shows job ids and the comparison."""
    terminal = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")

    def show(text: str) -> None:
        if terminal is None or capture is None:
            print(text)
            return
        with capture.global_and_fixture_disabled():
            terminal.write_line("")
            for line in str(text).splitlines():
                terminal.write_line(line)

    return show


def test_screen_on_slurm_equals_local_run(
    slurm_cluster: str, snapshot_path: Path, tmp_path: Path, report
) -> None:
    local_dir = tmp_path / "local"
    slurm_dir = tmp_path / "slurm"
    local_dir.mkdir()
    slurm_dir.mkdir()

    # the local run (2 cores) runs while the SLURM run waits for its status checks
    with ThreadPoolExecutor(max_workers=1) as pool:
        local_future = pool.submit(
            run_snakemake,
            [*screen_args(SCREEN, snapshot_path), "--cores", "2"],
            cwd=local_dir,
            timeout=LOCAL_TIMEOUT,
            profile=None,
        )
        run = run_snakemake(
            ["--executor", "slurm", *screen_args(SCREEN, snapshot_path)], cwd=slurm_dir, timeout=RUN_TIMEOUT
        )
        local = local_future.result()
    report(f"local run:\n{local.summary()}")
    report(f"SLURM run ({slurm_cluster}):\n{run.summary()}")

    assert local.returncode == 0, local.tail()
    assert not local.job_ids, f"the local run submitted SLURM jobs: {local.job_ids}"
    assert not run.timed_out, f"snakemake hung for {RUN_TIMEOUT} s\n{run.tail()}"
    assert run.returncode == 0, run.tail()

    # SLURM's view: one completed job per rule (per chunk), in the run's directory
    plan = pd.read_parquet(slurm_dir / "results" / "work" / "plan" / "interfaces.parquet")
    n_chunks = plan.loc[plan["chunk"] >= 0, "chunk"].nunique()
    assert n_chunks == 3, f"slurm_screen.yaml should give 3 chunks, got {n_chunks}"
    info = slurm_job_info(run.job_ids)
    report(f"SLURM jobs ({len(info)}):\n{format_jobs(info)}")
    assert set(info) == set(run.job_ids), f"scontrol lost jobs: {sorted(set(run.job_ids) - set(info))}"
    rules = Counter(job_rule(f) for f in info.values())
    assert rules == Counter({**dict.fromkeys(SCREEN_RULES, 1), "interface_chunk": n_chunks}), rules
    for job_id, fields in info.items():
        assert fields["JobState"] == "COMPLETED", (job_id, fields["JobState"])
        assert Path(fields["WorkDir"]) == slurm_dir, (job_id, fields["WorkDir"])
    # the rules' threads/mem_mb/runtime reach sbatch
    chunks = {j: f for j, f in info.items() if job_rule(f) == "interface_chunk"}
    for job_id, fields in chunks.items():
        assert "cpu=1," in fields["TRES"] and "mem=2000M" in fields["TRES"], (job_id, fields["TRES"])
        assert fields["TimeLimit"] == "01:00:00", (job_id, fields["TimeLimit"])  # runtime=60 * attempt
    (profiles,) = [f for f in info.values() if job_rule(f) == "plot_profiles"]
    assert "cpu=2," in profiles["TRES"], profiles["TRES"]  # threads: 2
    # side by side: 1-cpu chunk jobs on a node with >= 2 cpus
    cpus = node_cpus()
    if cpus >= 2:
        assert overlapping(chunks), f"no two interface chunks ran at the same time on {cpus} cpus"
        report(f"interface chunks ran side by side on the node's {cpus} cpus")
    else:
        report(f"node has {cpus} cpu(s): chunks cannot run side by side, not checked")

    # byte for byte: tables, provenance, candidates, entries, chunk outputs, figures
    local_files = result_files(local_dir)
    tables = [f for f in local_files if f.startswith("results/tables/")]
    assert sorted(tables) == sorted(
        f"results/tables/{name}.{ext}"
        for name in ("windows", "interfaces", "reactions", "rankings", "funnel")
        for ext in ("csv", "parquet")
    ), tables
    assert result_files(slurm_dir) == local_files, "the runs wrote different files"
    rows = compare_files(local_dir, slurm_dir, local_files)
    report(f"local vs SLURM, {len(rows)} result files:\n{format_comparison(rows, ('local', 'SLURM'))}")
    differ = [rel for rel, _, _, equal in rows if not equal]
    assert not differ, f"differ between the local and the SLURM run: {differ}"


def test_failing_screen_job_is_reported_with_its_log(
    slurm_cluster: str, snapshot_path: Path, tmp_path: Path, report
) -> None:
    workdir = tmp_path / "bad_screen"
    workdir.mkdir()
    bad_snapshot = tmp_path / "corrupt_snapshot.csv"
    bad_snapshot.write_text(BAD_SNAPSHOT)

    run = run_snakemake(
        ["--executor", "slurm", *screen_args(BAD_SCREEN, bad_snapshot, "--retries", "0")],
        cwd=workdir,
        timeout=FAIL_TIMEOUT,
    )
    report(run.summary())

    assert not run.timed_out, f"a failing SLURM job made snakemake hang for {FAIL_TIMEOUT} s\n{run.tail()}"
    assert run.returncode not in (0, None), run.tail()
    # the config passed the schema: the failure is a job's, not the config check's
    assert "invalid config" not in run.output, run.tail()

    logs = parse_slurm_logs(run.output)
    entries = [job_id for job_id, log in logs.items() if "rule_entries" in log.parts]
    assert len(entries) == 1, f"no SLURM job for rule entries: {logs}\n{run.tail()}"
    (entries_id,) = entries
    # everything else depends on entries: nothing else was submitted
    assert run.job_ids == [entries_id], run.job_ids

    # snakemake names the SLURM job, its state, the rule, and shows the rule's log
    assert run.failed_jobs == {entries_id: "FAILED"}, run.tail()
    assert "Error in rule entries:" in run.output, run.tail()
    rule_log = failed_log_block(run.output, "results/logs/entries.log")
    report(f"snakemake's report of results/logs/entries.log:\n{rule_log}")
    assert rule_log is not None, f"no 'Logfile results/logs/entries.log:' in the report\n{run.tail()}"
    assert f"snapshot CSV '{bad_snapshot}' {BAD_MESSAGE}" in rule_log
    assert rule_log.strip() == (workdir / "results" / "logs" / "entries.log").read_text().strip()
    # the plugin keeps the SLURM log of a failed job
    assert logs[entries_id].is_file()
    assert BAD_MESSAGE in logs[entries_id].read_text()

    info = slurm_job_info(run.job_ids)
    report(f"SLURM jobs:\n{format_jobs(info)}")
    assert info[entries_id]["JobState"] == "FAILED", info[entries_id]
    assert job_rule(info[entries_id]) == "entries", info[entries_id]
    assert info[entries_id]["ExitCode"] == "1:0", info[entries_id]["ExitCode"]
    assert not (workdir / "results" / "entries" / "entries.csv").exists()
    assert not (workdir / "results" / "tables").exists()
