"""Helpers for the tests that run Snakemake on a real SLURM cluster.

The cluster is a one-node SLURM started by ``bash .ci/slurm.sh start`` (no
accounting database, so the profile uses ``--slurm-status-command squeue``).
Nothing here mocks SLURM: the helpers run ``snakemake --profile profiles/slurm``
under a hard timeout, pull the SLURM job ids out of its output, ask
``sinfo``/``scontrol`` about the node and the jobs (state, rule, times,
resources), and compare the files of two runs by sha256.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "Snakefile"
SLURM_PROFILE = REPO / "profiles" / "slurm"
START_HINT = "run `bash .ci/slurm.sh start` (as root) first"

# "Job 3 has been submitted with SLURM jobid 17 (log: /.../17.log)."
_SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+(?:_\d+)?)(?: \(log: (\S+?)\))?")
# "SLURM-job '17' failed, SLURM status is: 'FAILED'."
_FAILED = re.compile(r"SLURM-job '(\d+(?:_\d+)?)' failed, SLURM status is: '(\w+)'")
# node states in which the node takes jobs (sinfo may append *, ~, # ...)
_USABLE_STATES = ("idle", "mixed", "allocated", "completing")


def snakemake_command() -> list[str]:
    """The snakemake of the interpreter running the tests (the jobs reuse it)."""
    exe = Path(sys.executable).with_name("snakemake")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("snakemake")
    return [found] if found else [sys.executable, "-m", "snakemake"]


def slurm_status() -> tuple[bool, str]:
    """(up, description): up if ``sinfo`` answers and a node takes jobs."""
    if shutil.which("sinfo") is None:
        return False, "sinfo not found (slurm-wlm not installed)"
    try:
        proc = subprocess.run(["sinfo", "-h", "-N", "-o", "%N %T"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False, "sinfo timed out (slurmctld not answering)"
    text = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        return False, f"sinfo failed (exit {proc.returncode}): {text}"
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].rstrip("*~#!%$@^-").startswith(_USABLE_STATES):
            return True, f"node {parts[0]} is {parts[1]}"
    return False, f"no usable node: {text or 'sinfo shows no nodes'}"


@dataclass
class SnakemakeRun:
    cmd: list[str]
    cwd: Path
    returncode: int | None
    output: str
    seconds: float
    timed_out: bool
    job_ids: list[str] = field(default_factory=list)

    @property
    def failed_jobs(self) -> dict[str, str]:
        """SLURM job id -> SLURM state, for the jobs Snakemake reported as failed."""
        return dict(_FAILED.findall(self.output))

    def summary(self) -> str:
        state = "TIMED OUT" if self.timed_out else f"exit {self.returncode}"
        return (
            f"$ (cd {self.cwd} && {' '.join(self.cmd)})\n"
            f"{state} after {self.seconds:.1f} s; SLURM job ids: {', '.join(self.job_ids) or 'none'}"
        )

    def tail(self, lines: int = 80) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def parse_slurm_job_ids(output: str) -> list[str]:
    """SLURM job ids of the jobs Snakemake submitted, in submission order, unique."""
    seen: dict[str, None] = {}
    for job_id, _log in _SUBMITTED.findall(output):
        seen.setdefault(job_id, None)
    return list(seen)


def parse_slurm_logs(output: str) -> dict[str, Path]:
    """SLURM job id -> the plugin's per-job SLURM log file."""
    return {job_id: Path(log) for job_id, log in _SUBMITTED.findall(output) if log}


def cancel_jobs(job_ids: list[str]) -> None:
    if job_ids and shutil.which("scancel"):
        subprocess.run(["scancel", *job_ids], capture_output=True, timeout=30)


def run_snakemake(
    args: list[str],
    cwd: Path,
    timeout: float,
    *,
    profile: Path | None = SLURM_PROFILE,
    env: dict[str, str] | None = None,
) -> SnakemakeRun:
    """Run snakemake in ``cwd`` with a hard ``timeout`` (seconds).

    On timeout snakemake gets SIGINT (it then cancels its SLURM jobs), then
    SIGKILL after 30 s; any job ids it printed are scancel-ed as well, so a
    hanging run never leaves work on the cluster.
    """
    cmd = snakemake_command()
    if profile is not None:
        cmd += ["--profile", str(profile)]
    cmd += list(args)
    full_env = {**os.environ, **(env or {})}
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    timed_out = False
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.send_signal(signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    seconds = time.monotonic() - start
    job_ids = parse_slurm_job_ids(output)
    if timed_out:
        cancel_jobs(job_ids)
    return SnakemakeRun(
        cmd=cmd,
        cwd=cwd,
        returncode=None if timed_out else proc.returncode,
        output=output,
        seconds=seconds,
        timed_out=timed_out,
        job_ids=job_ids,
    )


def failed_log_block(output: str, log: str) -> str | None:
    """The text Snakemake printed for ``log`` in a failed job's report (``show-failed-logs``).

    Snakemake prints ``Logfile <log>:`` and the file between two lines of ``=``; None if it did not.
    """
    m = re.search(rf"^Logfile {re.escape(log)}:\n=+\n(.*?)^=+$", output, re.M | re.S)
    return m.group(1) if m else None


def slurm_job_info(job_ids: list[str]) -> dict[str, dict[str, str]]:
    """``scontrol show job`` fields per job id (finished jobs stay visible for MinJobAge)."""
    info: dict[str, dict[str, str]] = {}
    for job_id in job_ids:
        proc = subprocess.run(["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True, timeout=20)
        if proc.returncode != 0:
            continue
        fields = dict(item.split("=", 1) for item in proc.stdout.split() if "=" in item)
        info[job_id] = fields
    return info


def job_rule(fields: dict[str, str]) -> str:
    """The Snakemake rule of a SLURM job: the plugin submits with ``--comment rule_<rule>[_wildcards_...]``."""
    comment = fields.get("Comment", "")
    return comment.removeprefix("rule_").split("_wildcards_")[0]


def format_jobs(info: dict[str, dict[str, str]]) -> str:
    """One line per SLURM job: id, state, rule (with wildcards), start/end, cpus and memory."""
    lines = []
    for job_id, f in sorted(info.items(), key=lambda kv: int(kv[0].split("_")[0])):
        tres = dict(item.split("=", 1) for item in f.get("TRES", "").split(",") if "=" in item)
        lines.append(
            f"  SLURM job {job_id:>5} {f.get('JobState', '?'):<10} {f.get('Comment', '?'):<36} "
            f"{f.get('StartTime', '?')} -> {f.get('EndTime', '?')}  cpu={tres.get('cpu', '?')} "
            f"mem={tres.get('mem', '?')} limit={f.get('TimeLimit', '?')}"
        )
    return "\n".join(lines)


def node_cpus() -> int:
    """CPUs of the (single) SLURM node; 0 if unknown."""
    proc = subprocess.run(["sinfo", "-h", "-N", "-o", "%c"], capture_output=True, text=True, timeout=20)
    counts = [int(x) for x in proc.stdout.split() if x.isdigit()]
    return max(counts, default=0)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare_files(a: Path, b: Path, rel_paths: list[str]) -> list[tuple[str, str, str, bool]]:
    """(path, sha256 under ``a``, sha256 under ``b``, byte-identical) for every relative path."""
    rows = []
    for rel in rel_paths:
        fa, fb = a / rel, b / rel
        ha = sha256_file(fa) if fa.is_file() else "missing"
        hb = sha256_file(fb) if fb.is_file() else "missing"
        rows.append((rel, ha, hb, fa.is_file() and fb.is_file() and fa.read_bytes() == fb.read_bytes()))
    return rows


def format_comparison(rows: list[tuple[str, str, str, bool]], names: tuple[str, str] = ("a", "b")) -> str:
    width = max((len(r[0]) for r in rows), default=4)
    lines = [f"  {'file':<{width}}  {'sha256 (' + names[0] + ')':<64}  {'sha256 (' + names[1] + ')':<64}  equal"]
    for rel, ha, hb, equal in rows:
        lines.append(f"  {rel:<{width}}  {ha:<64}  {hb:<64}  {equal}")
    return "\n".join(lines)


def overlapping(info: dict[str, dict[str, str]]) -> bool:
    """True if at least two of the jobs ran at the same time (by Start/EndTime)."""
    spans = sorted(
        (f["StartTime"], f["EndTime"])
        for f in info.values()
        if f.get("StartTime", "Unknown") != "Unknown" and f.get("EndTime", "Unknown") != "Unknown"
    )
    return any(later_start < end for (_, end), (later_start, _) in zip(spans, spans[1:], strict=False))
