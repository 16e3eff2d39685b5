"""Snakemake on a real (one-node) SLURM cluster through snakemake-executor-plugin-slurm.

Start the cluster first: ``bash .ci/slurm.sh start`` (installs slurm-wlm and
munge, starts the daemons, waits for the node). Under ``CI=true`` a missing
cluster fails these tests; elsewhere they are skipped.

The jobs are submitted with the user profile ``profiles/slurm`` unchanged: the
CI cluster's only partition is its default one and it has no accounting
database, which the profile's ``slurm-status-command: squeue`` handles.

Both tests run the small workflow in ``tests/data/slurm_smoke`` (independent
jobs with their own ``threads``/``mem_mb``/``runtime``); the screen itself on
SLURM (``tests/data/slurm_screen.yaml``, compared byte for byte with a local
run) joins them once the screening workflow is in place. Run with ``-rP`` or
``-s`` to see the snakemake command, timings and SLURM job ids.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from slurm_helpers import (
    REPO,
    START_HINT,
    overlapping,
    parse_slurm_logs,
    run_snakemake,
    slurm_job_info,
    slurm_status,
)

pytestmark = pytest.mark.slurm

SMOKE_WORKFLOW = REPO / "tests" / "data" / "slurm_smoke"
RUN_TIMEOUT = 300  # s; a healthy run of the smoke workflow takes ~25 s
FAIL_TIMEOUT = 240  # s; the failure must be reported, not waited on forever


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


def copy_workflow(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_jobs_run_on_slurm(slurm_cluster: str, tmp_path: Path) -> None:
    workdir = copy_workflow(SMOKE_WORKFLOW, tmp_path / "smoke")
    n_parts = 4

    run = run_snakemake(["--config", f"n_parts={n_parts}"], cwd=workdir, timeout=RUN_TIMEOUT)
    print(run.summary())

    assert not run.timed_out, f"snakemake hung for {RUN_TIMEOUT} s\n{run.tail()}"
    assert run.returncode == 0, run.tail()
    assert len(run.job_ids) == n_parts, f"expected {n_parts} SLURM jobs, got {run.job_ids}\n{run.tail()}"

    # the outputs, written inside the SLURM jobs
    for i in range(n_parts):
        assert (workdir / "out" / f"part_{i}.txt").read_text() == f"part {i} threads=1\n"
    seen_ids = set()
    for i in range(n_parts):
        log = (workdir / "logs" / f"part_{i}.log").read_text()
        fields = dict(line.split("=", 1) for line in log.split())
        seen_ids.add(fields["slurm_job_id"])
        assert fields["slurm_cpus"] == "1", log
    assert seen_ids == set(run.job_ids), f"jobs ran outside SLURM? {seen_ids} vs {run.job_ids}"

    # SLURM's own view: completed, with the rule's resources, side by side
    info = slurm_job_info(run.job_ids)
    assert set(info) == set(run.job_ids), f"scontrol lost jobs: {sorted(info)}"
    for job_id, fields in info.items():
        assert fields["JobState"] == "COMPLETED", (job_id, fields["JobState"])
        assert fields["TimeLimit"] == "00:05:00", (job_id, fields["TimeLimit"])  # runtime=5
        assert "cpu=1," in fields["TRES"] and "mem=500M" in fields["TRES"], (job_id, fields["TRES"])
    assert overlapping(info), "no two SLURM jobs ran at the same time"


def test_failing_job_is_reported_with_its_log(slurm_cluster: str, tmp_path: Path) -> None:
    workdir = copy_workflow(SMOKE_WORKFLOW, tmp_path / "smoke_fail")

    run = run_snakemake(["--config", "fail=True", "n_parts=1", "--retries", "0"], cwd=workdir, timeout=FAIL_TIMEOUT)
    print(run.summary())

    assert not run.timed_out, f"a failing SLURM job made snakemake hang for {FAIL_TIMEOUT} s\n{run.tail()}"
    assert run.returncode not in (0, None), run.tail()

    logs = parse_slurm_logs(run.output)
    broken = [job_id for job_id, log in logs.items() if "rule_broken" in log.parts]
    assert len(broken) == 1, f"no SLURM job for rule broken: {logs}\n{run.tail()}"
    (broken_id,) = broken

    # snakemake names the SLURM job, its state, the rule and shows the rule's log
    assert run.failed_jobs == {broken_id: "FAILED"}, run.tail()
    assert "Error in rule broken:" in run.output
    assert "Logfile logs/broken.log:" in run.output, run.tail()
    assert "smoke: cannot parse formula Xx2O3" in run.output, run.tail()
    # the plugin keeps the SLURM log of a failed job
    assert logs[broken_id].is_file()

    info = slurm_job_info(run.job_ids)
    assert info[broken_id]["JobState"] == "FAILED", info[broken_id]
    # keep-going (profile): the independent job still finished
    others = [job_id for job_id in run.job_ids if job_id != broken_id]
    assert others and all(info[j]["JobState"] == "COMPLETED" for j in others), info
    assert (workdir / "out" / "part_0.txt").is_file()
