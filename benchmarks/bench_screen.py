"""Discovery-scale screen end to end: funnel counts, interfaces, CPU and wall per rule, memory, speed-ups.

Runs ``config/discovery.yaml`` (the review's 14 electrodes and 21 electrolytes against every Li compound of
the packaged snapshot within 5 meV/atom of the hull) with Snakemake in a temporary folder and prints:

* candidates, and the funnel counts per stage (summed over the stacks);
* interfaces planned and computed, CPU and wall seconds per rule (from Snakemake's ``benchmark:`` files),
  interfaces per CPU-second of the interface jobs, peak memory (max RSS) per job against the declared
  ``mem_mb``;
* in the same run, the funnel against the exhaustive mode (``funnel: false``) on a 50-candidate sample:
  interface-job CPU of each, their ratio, and that the ranks of the survivors agree;
* the engine's cost per interface against pymatgen's (PhaseDiagram + InterfacialReactivity) on computed
  interfaces with at most 6 elements: per pair with nothing shared (as ``bench_engine.py``), and as a screen
  runs them (every interface of a few coatings; one Engine, and pymatgen's phase diagrams built once per
  chemical system and potential).

Usage::

    python benchmarks/bench_screen.py                 # the whole discovery screen (long)
    python benchmarks/bench_screen.py --sample 200    # the 200 most stable candidates only
    python benchmarks/bench_screen.py --sample 100 --pymatgen 5 --cores 2
    python benchmarks/bench_screen.py --e-above-hull 0.025 --compare 0   # ~3,700 candidates
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config" / "discovery.yaml"
STAGES = ("skipped", "excluded", "screened", "fails", "marginal", "passed")


def snakemake(workdir: Path, config: dict, cores: int, targets: tuple[str, ...] = ()) -> float:
    """Run the screen of ``config`` in ``workdir`` (``targets``: only these outputs); wall seconds."""
    cfg_file = workdir / "config.yaml"
    cfg_file.write_text(yaml.safe_dump(config, sort_keys=False))
    exe = Path(sys.executable).with_name("snakemake")
    cmd = [str(exe) if exe.exists() else "snakemake", *targets, "-s", str(REPO / "Snakefile")]
    cmd += ["--directory", str(workdir), "--cores", str(cores), "--configfile", str(cfg_file)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"snakemake failed in {workdir}:\n{proc.stderr[-4000:]}")
    return wall


def rule_benchmarks(results: Path) -> pd.DataFrame:
    """Snakemake's benchmark files: one row per job (rule, wall s, CPU s, max RSS MiB)."""
    rows = []
    for f in sorted((results / "benchmarks").rglob("*.tsv")):
        with open(f) as fh:
            rec = next(csv.DictReader(fh, delimiter="\t"))
        rule = f.parent.name if f.parent.name != "benchmarks" else f.stem
        rows.append(
            {
                "rule": rule,
                "wall_s": float(rec["s"]),
                "cpu_s": float(rec.get("cpu_time") or 0.0),
                "max_rss_mib": float(rec["max_rss"]) if rec.get("max_rss") not in (None, "", "-") else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def declared_mem(workdir: Path, cores: int) -> dict[str, str]:
    """Declared mem_mb of each rule (first attempt), from a dry run's job listing."""
    exe = Path(sys.executable).with_name("snakemake")
    cmd = [str(exe) if exe.exists() else "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir)]
    cmd += ["--cores", str(cores), "--configfile", str(workdir / "config.yaml"), "-n", "--forceall"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    mem, rule = {}, None
    for line in out.splitlines():
        s = line.strip()
        if s.startswith(("rule ", "localrule ", "checkpoint ")):
            rule = s.split()[1].rstrip(":")
        elif s.startswith("resources:") and rule and "mem_mb=" in s:
            mem.setdefault(rule, s.split("mem_mb=")[1].split(",")[0])
    return mem


def funnel_summary(results: Path) -> dict[str, int]:
    f = pd.read_parquet(results / "tables" / "funnel.parquet")
    return {s: int(f[f"stage_{s}"].sum()) for s in STAGES}


def _small_coating_interfaces(results: Path) -> list:
    """Computed coating interfaces with <= 6 elements (Li included) and plain formulas, in plan order."""
    from screening.composition import parse_formula

    itf = pd.read_parquet(results / "tables" / "interfaces.parquet")
    itf = itf[(itf["status"] == "ok") & itf["kind"].str.startswith("coating|")]
    return [
        (r.a_formula, r.b_formula, None if pd.isna(r.voltage) else float(r.voltage))
        for r in itf.itertuples(index=False)
        if len(set(parse_formula(r.a_formula)) | set(parse_formula(r.b_formula)) | {"Li"}) <= 6
        and all(re.fullmatch(r"([A-Z][a-z]?\d*)+", f) for f in (r.a_formula, r.b_formula))  # plain formulas
    ]


def engine_vs_pymatgen(results: Path, n: int, n_coatings: int, seed: int = 0) -> dict | None:
    """Engine against pymatgen on computed coating interfaces with <= 6 elements, two ways.

    * per pair: ``n`` random interfaces, each side timed as ``benchmarks/bench_engine.py`` times it (CPU
      clock; a fresh ``Engine`` with the package's memo caches cleared, entry selection included, best of 3;
      pymatgen's ``PDEntry`` objects made beforehand, ``PhaseDiagram`` (+ grand potential) + interfacial
      reactivity + ``get_kinks()`` timed), the engine right before pymatgen on the same pair;
    * as a screen runs them: every such interface of ``n_coatings`` random coatings, in plan order. The
      engine is one ``Engine`` for all of them (as one interface job); pymatgen reuses what a screening script
      would: one ``PhaseDiagram`` per chemical system and one ``GrandPotentialPhaseDiagram`` per system and
      potential. The two sides alternate coating by coating.

    Returns:
        dict with the per-pair medians [s] and median ratio, and the screen-mode mean cost per interface [s]
        of each side, their ratio and counts; None when no interface qualifies.
    """
    sys.path.insert(0, str(REPO / "benchmarks"))
    import warnings

    from bench_engine import clear_engine_caches, engine_pair, pymatgen_pair
    from pymatgen.analysis.interface_reactions import GrandPotentialInterfacialReactivity, InterfacialReactivity
    from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram, PDEntry, PhaseDiagram
    from pymatgen.core import Composition, Element

    from screening.composition import parse_formula
    from screening.entries.cache import read_table
    from screening.screen.entries import BINARY_KEY
    from screening.thermo import Engine

    table = read_table(results / "entries" / "entries.npz", BINARY_KEY)
    Engine(table).react("Li2O", "LiCoO2")  # imports (untimed)
    from screening.thermo.subsets import index_of

    index_of(table)  # the table's chemical-system index, built once per table (untimed)
    small = _small_coating_interfaces(results)
    if not small:
        return None
    entries: dict = {}

    def system(a, b, v):
        return frozenset(set(parse_formula(a)) | set(parse_formula(b)) | ({"Li"} if v is not None else set()))

    def entries_for(els):
        if els not in entries:
            out = []
            for i in table.select(sorted(els)):
                comp = table.composition(int(i))
                out.append(PDEntry(Composition(comp), float(table.energy_per_atom[i]) * sum(comp.values())))
            entries[els] = out
        return entries[els]

    cases = random.Random(seed).sample(small, min(n, len(small)))
    t_eng, t_pmg, ratios = [], [], []
    for a, b, v in cases:
        te = min(engine_pair(table, a, b, v)[0] for _ in range(3))
        tp = pymatgen_pair(entries_for(system(a, b, v)), a, b, v)[0]
        t_eng.append(te)
        t_pmg.append(tp)
        ratios.append(tp / te)

    coatings = sorted({a for a, _, _ in small})
    chosen = random.Random(seed + 1).sample(coatings, min(n_coatings, len(coatings)))
    batches = [[c for c in small if c[0] == coat] for coat in chosen]
    for batch in batches:  # PDEntry objects made beforehand, as above
        for a, b, v in batch:
            entries_for(system(a, b, v))
    clear_engine_caches()
    engine = Engine(table)
    pds: dict = {}
    gpds: dict = {}
    eng_s = pmg_s = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for batch in batches:
            t0 = time.process_time()
            for a, b, v in batch:
                engine.react(a, b, voltage=v)
            eng_s += time.process_time() - t0
            t0 = time.process_time()
            for a, b, v in batch:
                els = system(a, b, v)
                if els not in pds:
                    pds[els] = PhaseDiagram(entries_for(els))
                ca, cb = Composition(a), Composition(b)
                if v is None:
                    ir = InterfacialReactivity(ca, cb, pds[els], norm=True, use_hull_energy=True)
                else:
                    if (els, v) not in gpds:
                        gpds[els, v] = GrandPotentialPhaseDiagram(entries_for(els), {Element("Li"): -v})
                    ir = GrandPotentialInterfacialReactivity(
                        ca, cb, gpds[els, v], pds[els], include_no_mixing_energy=True, norm=True, use_hull_energy=True
                    )
                ir.get_kinks()
            pmg_s += time.process_time() - t0
    n_screen = sum(len(b) for b in batches)
    med = statistics.median
    return {
        "pairs": len(cases),
        "pair_engine": med(t_eng),
        "pair_pymatgen": med(t_pmg),
        "pair_ratio": med(ratios),
        "screen_interfaces": n_screen,
        "screen_coatings": len(batches),
        "screen_systems": len(pds),
        "screen_grand": len(gpds),
        "screen_engine": eng_s / n_screen,
        "screen_pymatgen": pmg_s / n_screen,
    }


def sample_config(base: dict, n: int | None, funnel: bool = True, e_above_hull: float | None = None) -> dict:
    cfg = yaml.safe_load(yaml.safe_dump(base))
    if e_above_hull is not None:  # the query's cut and the funnel's threshold together [eV/atom]
        cfg["coatings"]["query"]["e_above_hull_max"] = float(e_above_hull)
        cfg["criteria"] = {"preset": "xiao2019", "gates": {"e_above_hull": {"marginal": float(e_above_hull)}}}
    if n:
        cfg["coatings"]["query"]["max_candidates"] = int(n)
    cfg["funnel"] = funnel
    cfg["results_dir"] = "results"
    return cfg


def report_run(title: str, workdir: Path, wall: float, mem: dict[str, str]) -> pd.DataFrame:
    res = workdir / "results"
    bench = rule_benchmarks(res)
    cands = pd.read_csv(res / "candidates.csv")
    plan = pd.read_parquet(res / "work" / "plan" / "interfaces.parquet", columns=["interface", "chunk"])
    itf = pd.read_parquet(res / "tables" / "interfaces.parquet", columns=["interface", "status"])
    print(f"\n== {title}")
    print(f"candidates: {len(cands)}; wall (snakemake, end to end): {wall:.1f} s")
    counts = funnel_summary(res)
    print("funnel (stack x candidate pairs per stage): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(
        f"interfaces planned: {len(plan)} ({int((plan['chunk'] >= 0).sum())} coating, "
        f"{int((plan['chunk'] < 0).sum())} baseline); computed: {len(itf)} ({int((itf['status'] == 'ok').sum())} ok)"
    )
    per_rule = bench.groupby("rule").agg(
        jobs=("wall_s", "size"), wall_s=("wall_s", "sum"), cpu_s=("cpu_s", "sum"), peak_rss_mib=("max_rss_mib", "max")
    )
    per_rule["declared_mem_mb"] = [mem.get(r, "?") for r in per_rule.index]
    print(per_rule.round(1).to_string())
    cpu_itf = float(per_rule.loc[[r for r in ("interface_chunk", "baseline") if r in per_rule.index], "cpu_s"].sum())
    print(
        f"CPU total {per_rule['cpu_s'].sum():.1f} s; interface jobs {cpu_itf:.1f} s -> "
        f"{len(itf) / cpu_itf if cpu_itf else float('nan'):.1f} interfaces per CPU-second"
    )
    return per_rule


def compare_modes(root: Path, base: dict, args) -> None:
    """Funnel against exhaustive mode on ``args.compare`` candidates: interface-job CPU and the survivors' ranks."""
    cpu, ranks = {}, {}
    for mode in (True, False):
        d = root / f"compare_{'funnel' if mode else 'exhaustive'}"
        d.mkdir(exist_ok=True)
        cfg = sample_config(base, args.compare, funnel=mode, e_above_hull=args.e_above_hull)
        snakemake(d, cfg, args.cores, ("results/tables/rankings.parquet",))  # the rankings only, no figures
        b = rule_benchmarks(d / "results")
        cpu[mode] = float(b.loc[b["rule"].isin(["interface_chunk", "baseline"]), "cpu_s"].sum())
        rk = pd.read_parquet(
            d / "results" / "tables" / "rankings.parquet", columns=["stack", "coating", "stage", "rank"]
        )
        ranks[mode] = rk.set_index(["stack", "coating"]).sort_index()
    same_stage = bool((ranks[True]["stage"] == ranks[False]["stage"]).all())
    surv = ranks[True]["stage"].isin(["passed", "marginal", "fails"])
    same_rank = bool(ranks[True].loc[surv, "rank"].equals(ranks[False].loc[surv, "rank"]))
    print(
        f"\n== funnel vs exhaustive, {args.compare} candidates: interface-job CPU {cpu[True]:.1f} s vs "
        f"{cpu[False]:.1f} s -> speed-up {cpu[False] / cpu[True] if cpu[True] else float('nan'):.1f}x; "
        f"stages equal: {same_stage}; ranks of the {int(surv.sum())} survivors equal: {same_rank}"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=int, default=None, help="only the N most stable candidates (default: all)")
    ap.add_argument("--compare", type=int, default=50, help="candidates of the funnel vs exhaustive comparison")
    ap.add_argument("--pymatgen", type=int, default=30, help="interfaces timed against pymatgen per pair (0: skip)")
    ap.add_argument(
        "--pymatgen-coatings", type=int, default=6, help="coatings whose interfaces are timed as a screen runs them"
    )
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None, help="run in this folder and keep it (default: temporary)")
    ap.add_argument(
        "--e-above-hull",
        type=float,
        default=None,
        help="query cut and e_above_hull threshold [eV/atom] (default: the config's 0.005; 0.025: ~3,700 candidates)",
    )
    ap.add_argument("--reuse", action="store_true", help="report the finished discovery run in --keep, do not rerun it")
    args = ap.parse_args(argv)
    base = yaml.safe_load(CONFIG.read_text())
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_screen-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"screening bench_screen: {CONFIG.name}, {args.cores} cores, sample {args.sample or 'all'}; in {root}")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")

    main_dir = root / "discovery"
    main_dir.mkdir(exist_ok=True)
    cfg = sample_config(base, args.sample, e_above_hull=args.e_above_hull)
    if args.reuse:
        wall = float("nan")
    else:
        wall = snakemake(main_dir, cfg, args.cores)
    report_run("discovery screen (funnel)", main_dir, wall, declared_mem(main_dir, args.cores))

    if args.compare:
        compare_modes(root, base, args)

    if args.pymatgen:
        got = engine_vs_pymatgen(main_dir / "results", args.pymatgen, args.pymatgen_coatings)
        if got:
            g = got
            print(
                f"\n== engine vs pymatgen (CPU time), coating interfaces with <= 6 elements\n"
                f"per pair, fresh on both sides (as benchmarks/bench_engine.py), {g['pairs']} interfaces: median "
                f"{1000 * g['pair_engine']:.1f} ms vs {1000 * g['pair_pymatgen']:.1f} ms per interface -> "
                f"{g['pair_pymatgen'] / g['pair_engine']:.1f}x (median per-interface ratio {g['pair_ratio']:.1f}x)\n"
                f"as a screen runs them, {g['screen_interfaces']} interfaces of {g['screen_coatings']} coatings "
                f"(engine: one Engine; pymatgen: {g['screen_systems']} phase diagrams and {g['screen_grand']} grand "
                f"potential phase diagrams, each built once): {1000 * g['screen_engine']:.2f} ms vs "
                f"{1000 * g['screen_pymatgen']:.1f} ms per interface -> "
                f"{g['screen_pymatgen'] / g['screen_engine']:.1f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
