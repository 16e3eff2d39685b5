#!/usr/bin/env python
"""CPU cost of one ``screening`` command on the default source (mp2019), first call and later calls.

The first call in an empty cache folder parses the packaged snapshot (132,752 rows) and writes the
binary cache; every later call reads the cache. Each call runs as its own process (what a user pays:
interpreter start, imports, loading, the solve); its CPU time (user + system) is taken from
``resource.getrusage(RUSAGE_CHILDREN)`` around it, its wall time from a monotonic clock. The cache
folder is a fresh temporary one (``SCREENING_CACHE_DIR``), so the user's own cache is neither used nor
touched; ``PYTHONDONTWRITEBYTECODE`` is unset for the calls, so modules are compiled once, as for a
user. The baseline is the first (parsing) call of the same run: the ratio says how much a cached
call saves. The same is printed for ``python -c pass`` and the bare imports (numpy, scipy.sparse,
highspy), which set the floor.

Usage: python benchmarks/bench_cli.py [--repeat N] [--command "window Li3PS4"]
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def run(argv: list[str], env: dict) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"error: {shlex.join(argv)} failed: {proc.stderr.strip()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="later calls to time (default 5)")
    parser.add_argument("--command", default="window Li3PS4", help="screening arguments (default 'window Li3PS4')")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "screening.cli", *shlex.split(args.command)]
    with tempfile.TemporaryDirectory(prefix="bench_cli_cache_") as cache:
        env = dict(os.environ, SCREENING_CACHE_DIR=cache)
        # as installed for a user: Python keeps compiled modules (__pycache__) after the first import
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        first_cpu, first_wall = run(cli, env)
        later = [run(cli, env) for _ in range(args.repeat)]
        imports = "import numpy, scipy.sparse, highspy"
        floor = {
            "python -c pass": run([sys.executable, "-c", "pass"], env),
            imports: run([sys.executable, "-c", imports], env),
        }
    cpu = [c for c, _ in later]
    wall = [w for _, w in later]
    print(f"screening {args.command}  (source mp2019, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")
    print(f"  first call (parses, writes the cache): {first_cpu:6.2f} s CPU  {first_wall:6.2f} s wall")
    print(
        f"  later calls (cache), median of {len(cpu)}: {statistics.median(cpu):6.2f} s CPU  "
        f"{statistics.median(wall):6.2f} s wall  (max {max(cpu):.2f} s CPU)"
    )
    print(f"  first / later CPU: {first_cpu / statistics.median(cpu):.1f}x")
    for name, (c, w) in floor.items():
        print(f"  floor: {name:36s} {c:6.2f} s CPU  {w:6.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
